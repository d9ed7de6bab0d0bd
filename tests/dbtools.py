"""Databases of a test's own: a SQLite file, or a throw-away PostgreSQL database on the server at
``YINGJI_TEST_POSTGRES_URL`` (created with a random name, dropped with ``WITH (FORCE)`` afterwards).

Importable from every test module and conftest (``from dbtools import ...``): the tests directory is
on ``sys.path`` the way ``supplykit`` and ``api.fixtures`` are.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

PG_URL = os.environ.get("YINGJI_TEST_POSTGRES_URL")
SKIP_REASON = "YINGJI_TEST_POSTGRES_URL not set"


@contextmanager
def throwaway_postgres(prefix: str) -> Iterator[str]:
    """Create the database ``{prefix}_<random>`` on the test server, yield its URL, drop it afterwards
    (forcibly, whatever connections are still open)."""
    if not PG_URL:
        raise RuntimeError(SKIP_REASON)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield f"{PG_URL.rpartition('/')[0]}/{name}"
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def own_database(backend: str, tmp_path: Path, name: str, *, prefix: str | None = None) -> Iterator[str]:
    """An empty database for one backend: ``sqlite`` → the file ``{tmp_path}/{name}.db``; ``postgresql`` →
    a throw-away database named ``{prefix}_<random>`` (``prefix`` defaults to ``yingji_{name}``), or the
    test is skipped when ``YINGJI_TEST_POSTGRES_URL`` is not set."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / f'{name}.db'}"
        return
    if backend != "postgresql":
        raise ValueError(f"unknown backend {backend!r}")
    if not PG_URL:
        pytest.skip(SKIP_REASON)
    with throwaway_postgres(prefix or f"yingji_{name}") as url:
        yield url


def table_names(url: str) -> set[str]:
    """The tables of the database at ``url``, without Alembic's own ``alembic_version``."""
    from sqlalchemy import inspect

    from yingji.db.session import make_engine

    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()
