"""Migration 0006 (branch ``incidents``): upgrade and downgrade on a fresh SQLite file and a fresh
PostgreSQL database; the models and the migration agree; the timeline triggers come and go."""

from __future__ import annotations

from sqlalchemy import text

from dbtools import table_names
from yingji.db import migrate
from yingji.db.base import Base
from yingji.db.session import make_engine

MINE = {"incidents", "incident_timeline", "plans", "plan_levels", "plan_actions", "plan_activations",
        "incident_tasks", "dispatches", "incident_reports", "duty_shifts", "duty_log", "consultations"}


def _timeline_refuses_changes(url: str) -> bool:
    engine = make_engine(url)
    try:
        with engine.connect() as conn, conn.begin() as trans:
            conn.execute(text("INSERT INTO divisions (code, name, level, created_at, updated_at) "
                              "VALUES ('371500', '聊城市', 'city', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
            conn.execute(text(
                "INSERT INTO incidents (id, title, category, type, status, division_code, lon, lat, occurred_at, "
                "reported_at, dead, injured, seriously_injured, missing, trapped, created_by, created_at, updated_at) "
                "VALUES (1, 't', 'accident', 'fire', 'reported', '371500', 116, 36, CURRENT_TIMESTAMP, "
                "CURRENT_TIMESTAMP, 0, 0, 0, 0, 0, 'm', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
            conn.execute(text("INSERT INTO incident_timeline (incident_id, at, actor_name, kind, summary) "
                              "VALUES (1, CURRENT_TIMESTAMP, 'm', 'note', 'x')"))
            refused = []
            for stmt in ("UPDATE incident_timeline SET summary = 'y'", "DELETE FROM incident_timeline"):
                try:
                    with conn.begin_nested():
                        conn.execute(text(stmt))
                except Exception as exc:  # the trigger's refusal
                    refused.append("append-only" in str(exc))
                else:
                    refused.append(False)
            # the partial unique index: one active dispatch per resource, any number of released ones
            ins = ("INSERT INTO dispatches (incident_id, division_code, resource_type, resource_id, resource_name, "
                   "status, requested_at, created_by, created_at, updated_at) VALUES (1, '371500', 'team', 7, 'n', "
                   ":s, CURRENT_TIMESTAMP, 'm', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")
            for status in ("released", "released", "on_scene"):
                conn.execute(text(ins), {"s": status})
            try:
                with conn.begin_nested():
                    conn.execute(text(ins), {"s": "requested"})
            except Exception as exc:
                refused.append("unique" in str(exc).lower())
            else:
                refused.append(False)
            trans.rollback()
        return all(refused)
    finally:
        engine.dispose()


def _differences(url: str) -> list[object]:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    def include_object(obj: object, name: str | None, type_: str, reflected: bool, other: object) -> bool:
        table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
        return table is None or table in MINE

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"include_object": include_object, "compare_type": True})
            return list(compare_metadata(ctx, Base.metadata))
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(fresh_url: str) -> None:
    migrate.upgrade(fresh_url)
    assert "0006" in (migrate.current(fresh_url) or "").split(",")
    assert table_names(fresh_url) >= MINE
    assert _differences(fresh_url) == []
    assert _timeline_refuses_changes(fresh_url)

    migrate.downgrade(fresh_url, "incidents@-1")
    tables = table_names(fresh_url)
    assert not (MINE & tables)
    assert {"divisions", "units", "teams", "audit_log"} <= tables  # the shared tables stay
    assert "0006" not in (migrate.current(fresh_url) or "")
    if fresh_url.startswith("postgresql"):
        engine = make_engine(fresh_url)
        with engine.connect() as conn:
            n = conn.execute(text("SELECT count(*) FROM pg_proc WHERE proname = 'incident_timeline_append_only'"))
            assert n.scalar_one() == 0
        engine.dispose()

    migrate.upgrade(fresh_url)
    assert table_names(fresh_url) >= MINE
    assert _timeline_refuses_changes(fresh_url)
