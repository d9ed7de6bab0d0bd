"""The supplies migration (branch ``supplies``, 0005 on 0002) creates exactly the supplies tables, as
the models declare them, and drops them again — on a fresh SQLite file and a fresh PostgreSQL database."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from yingji.db import migrate
from yingji.db.base import Base
from yingji.db.session import make_engine
from yingji.supplies import models as supplies_models

PG_URL = os.environ.get("YINGJI_TEST_POSTGRES_URL")
SUPPLIES = {"supply_items", "stock_lots", "stock_moves", "supply_norms", "reserve_levels", "relief_populations",
            "supply_requests", "supply_request_lines", "dispatch_orders", "dispatch_lines"}


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    if not PG_URL:
        pytest.skip("YINGJI_TEST_POSTGRES_URL not set")
    name = f"yingji_supmig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{PG_URL.rpartition('/')[0]}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_supplies_branch_upgrades_and_downgrades_only_its_tables(fresh_url: str) -> None:
    assert {t.name for t in Base.metadata.sorted_tables if t.name in SUPPLIES} == SUPPLIES
    assert {m.__tablename__ for m in vars(supplies_models).values()
            if isinstance(m, type) and issubclass(m, Base) and m is not Base} == SUPPLIES
    migrate.upgrade(fresh_url, "0002")
    before = _tables(fresh_url)
    migrate.upgrade(fresh_url, "supplies@head")
    assert _tables(fresh_url) - before == SUPPLIES
    assert "0005" in (migrate.current(fresh_url) or "")
    # the migration builds the tables exactly as the models declare them
    engine = make_engine(fresh_url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={
                "include_name": lambda name, type_, _parent: type_ != "table" or name in SUPPLIES,
                "include_object": lambda obj, name, type_, _r, _c: type_ != "table" or name in SUPPLIES,
            })
            diff = compare_metadata(ctx, Base.metadata)
        assert diff == [], diff
    finally:
        engine.dispose()
    migrate.downgrade(fresh_url, "0002")
    assert _tables(fresh_url) == before
    migrate.upgrade(fresh_url, "supplies@head")  # nothing left behind blocks a new upgrade
    assert _tables(fresh_url) - before == SUPPLIES
