"""Migrations upgrade to head and downgrade to base on a fresh SQLite file and a fresh PostgreSQL database.

(The schema the API runs on is built by these migrations, so the API suite owns this check.)
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from yingji.db import migrate
from yingji.db.base import Base
from yingji.db.models import import_all_models
from yingji.db.session import make_engine

PG_URL = os.environ.get("YINGJI_TEST_POSTGRES_URL")
# the tables this suite relies on (other domains add theirs; all must come and go with the migrations)
CORE = {"divisions", "units", "contacts", "facilities", "teams", "experts", "vehicles", "users", "audit_log"}


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    if not PG_URL:
        pytest.skip("YINGJI_TEST_POSTGRES_URL not set")
    name = f"yingji_mig_{uuid.uuid4().hex[:10]}"
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


def _append_only_holds(url: str) -> bool:
    engine = make_engine(url)
    try:
        with engine.connect() as conn, conn.begin() as trans:
            conn.execute(text("INSERT INTO audit_log (at, actor_name, action, entity_type, entity_id) "
                              "VALUES (CURRENT_TIMESTAMP, 'm', 'create', 'probe', '1')"))
            try:
                with conn.begin_nested():
                    conn.execute(text("DELETE FROM audit_log"))
            except Exception as exc:  # the trigger's refusal
                refused = "append-only" in str(exc)
            else:
                refused = False
            trans.rollback()
        return refused
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(fresh_url: str) -> None:
    migrate.upgrade(fresh_url)
    head = migrate.current(fresh_url)
    assert head is not None
    assert _tables(fresh_url) >= CORE
    assert _append_only_holds(fresh_url)

    migrate.downgrade(fresh_url, "base")
    assert migrate.current(fresh_url) is None  # every branch is back at base
    assert _tables(fresh_url) == set()
    if fresh_url.startswith("postgresql"):
        engine = make_engine(fresh_url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM pg_proc WHERE proname = 'audit_log_append_only'")
                                ).scalar_one() == 0
        engine.dispose()

    migrate.upgrade(fresh_url)  # the downgrade left nothing behind that blocks a new upgrade
    assert migrate.current(fresh_url) == head
    assert _append_only_holds(fresh_url)


def test_migrations_create_the_table_of_every_model(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'models.db'}"
    migrate.upgrade(url)
    import_all_models()
    missing = set(Base.metadata.tables) - _tables(url)
    assert not missing, f"models without a migration: {sorted(missing)}"
