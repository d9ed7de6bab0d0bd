"""Migrations upgrade to head and downgrade to base on a fresh SQLite file and a fresh PostgreSQL database.

(The schema the API runs on is built by these migrations, so the API suite owns this check.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from dbtools import own_database, table_names
from yingji.db import migrate
from yingji.db.base import Base
from yingji.db.models import import_all_models
from yingji.db.session import make_engine

# the tables this suite relies on (other domains add theirs; all must come and go with the migrations)
CORE = {"divisions", "units", "contacts", "facilities", "teams", "experts", "vehicles", "users", "audit_log"}


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with own_database(request.param, tmp_path, "fresh", prefix="yingji_mig") as url:
        yield url


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
    assert table_names(fresh_url) >= CORE
    assert _append_only_holds(fresh_url)

    migrate.downgrade(fresh_url, "base")
    assert migrate.current(fresh_url) is None  # every branch is back at base
    assert table_names(fresh_url) == set()
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
    missing = set(Base.metadata.tables) - table_names(url)
    assert not missing, f"models without a migration: {sorted(missing)}"
