"""Migration 0004 (branch 'monitoring'): upgrade and downgrade on a fresh SQLite file and a fresh
PostgreSQL database; the tables match the models exactly; (sensor, ts) is unique."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Table, inspect, text
from sqlalchemy.exc import IntegrityError

from dbtools import own_database
from yingji.db import migrate
from yingji.db.base import Base
from yingji.db.models import import_all_models
from yingji.db.session import make_engine

MINE = {"hazard_sources", "risk_assessments", "sensors", "readings", "warnings", "warning_events"}


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with own_database(request.param, tmp_path, "fresh", prefix="yingji_mon") as url:
        yield url


def _table_of(diff: Any) -> str | None:
    """The table an autogenerate difference is about (ops are tuples, column changes lists of them)."""
    op = diff[0] if isinstance(diff, list) else diff
    for part in op[1:]:
        if isinstance(part, Table):
            return str(part.name)
        table = getattr(part, "table", None)
        if isinstance(table, Table):
            return str(table.name)
    return op[2] if len(op) > 2 and isinstance(op[2], str) else None


def _core(engine: Any) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_monitoring_branch_up_down_up(fresh_url: str) -> None:
    import_all_models()
    migrate.upgrade(fresh_url, "monitoring@head")
    engine = make_engine(fresh_url)
    try:
        assert set(inspect(engine).get_table_names()) >= MINE
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
        mine = [d for d in diff if _table_of(d) in MINE]
        assert mine == [], mine
        assert any(_table_of(d) not in MINE for d in diff) or set(Base.metadata.tables) == MINE | _core(engine)
        with engine.connect() as conn, conn.begin():
            conn.execute(text("INSERT INTO divisions (code, name, level, created_at, updated_at) "
                              "VALUES ('371500', 'c', 'city', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
            conn.execute(text("INSERT INTO sensors (code, name, kind, unit, division_code, lon, lat, rules, active, "
                              "created_at, updated_at) VALUES ('s', 's', 'wind', 'm/s', '371500', 1, 1, '[]', true, "
                              "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
            ins = text("INSERT INTO readings (sensor_id, ts, value, received_at) "
                       "VALUES (1, '2026-12-01 00:00:00', 1, CURRENT_TIMESTAMP)")
            conn.execute(ins)
            with pytest.raises(IntegrityError), conn.begin_nested():
                conn.execute(ins)
    finally:
        engine.dispose()
    migrate.downgrade(fresh_url, "0002")
    engine = make_engine(fresh_url)
    try:
        assert not MINE & set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    migrate.upgrade(fresh_url, "monitoring@head")
    assert "0004" in (migrate.current(fresh_url) or "")
