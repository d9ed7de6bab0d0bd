"""The supplies migration (branch ``supplies``, 0005 on 0002) creates exactly the supplies tables, as
the models declare them, and drops them again — on a fresh SQLite file and a fresh PostgreSQL database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from dbtools import own_database, table_names
from yingji.db import migrate
from yingji.db.base import Base
from yingji.db.session import make_engine
from yingji.supplies import models as supplies_models

SUPPLIES = {"supply_items", "stock_lots", "stock_moves", "supply_norms", "reserve_levels", "relief_populations",
            "supply_requests", "supply_request_lines", "dispatch_orders", "dispatch_lines"}


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with own_database(request.param, tmp_path, "fresh", prefix="yingji_supmig") as url:
        yield url


def test_supplies_branch_upgrades_and_downgrades_only_its_tables(fresh_url: str) -> None:
    assert {t.name for t in Base.metadata.sorted_tables if t.name in SUPPLIES} == SUPPLIES
    assert {m.__tablename__ for m in vars(supplies_models).values()
            if isinstance(m, type) and issubclass(m, Base) and m is not Base} == SUPPLIES
    migrate.upgrade(fresh_url, "0002")
    before = table_names(fresh_url)
    migrate.upgrade(fresh_url, "supplies@head")
    assert table_names(fresh_url) - before == SUPPLIES
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
    assert table_names(fresh_url) == before
    migrate.upgrade(fresh_url, "supplies@head")  # nothing left behind blocks a new upgrade
    assert table_names(fresh_url) - before == SUPPLIES
