"""The supervision branch of the migrations (0003, label ``supervision``) upgrades and downgrades on
its own, on a fresh SQLite file and a fresh PostgreSQL database, and holds only this domain's tables."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect

from dbtools import own_database, table_names
from yingji.db import migrate
from yingji.db.base import Base
from yingji.db.session import make_engine
from yingji.supervision import models  # noqa: F401  (the tables)

MIGRATION = Path(migrate.MIGRATIONS) / "versions" / "0003_supervision.py"
OURS = {name for name in Base.metadata.tables if name.startswith("supervision_")}


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with own_database(request.param, tmp_path, "fresh", prefix="yingji_svmig") as url:
        yield url


def test_the_migration_names_only_supervision_tables() -> None:
    source = MIGRATION.read_text(encoding="utf-8")
    assert re.search(r'^revision: str = "0003"$', source, re.M)
    assert re.search(r'^down_revision: str \| None = "0002"$', source, re.M)
    assert '("supervision",)' in source
    created = set(re.findall(r'op\.create_table\(\s*"([a-z_]+)"', source))
    dropped = set(re.findall(r'op\.drop_table\("([a-z_]+)"\)', source))
    assert created == dropped == OURS and len(OURS) == 11


def test_branch_upgrade_downgrade_upgrade(fresh_url: str) -> None:
    migrate.upgrade(fresh_url, "0002")
    core = table_names(fresh_url)
    migrate.upgrade(fresh_url, "supervision@head")
    assert migrate.current(fresh_url) == "0003"
    tables = table_names(fresh_url)
    assert tables - core == OURS
    # the tables the migration makes are the tables the models describe, column for column
    engine = make_engine(fresh_url)
    try:
        insp = inspect(engine)
        for name in OURS:
            assert {c["name"] for c in insp.get_columns(name)} == set(Base.metadata.tables[name].columns.keys()), name
    finally:
        engine.dispose()
    migrate.downgrade(fresh_url, "supervision@-1")
    assert migrate.current(fresh_url) == "0002"
    assert table_names(fresh_url) == core
    migrate.upgrade(fresh_url, "supervision@head")
    assert table_names(fresh_url) - core == OURS
