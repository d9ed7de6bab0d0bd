"""The audit log: append-only in the database itself, readable (and filterable) by administrators only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.db.base import utcnow


def _entry(session: Session, entity_id: str = "1") -> int:
    entry = audit.record(session=session, actor=None, action="create", entity_type="probe",
                         entity_id=entity_id, before=None, after={"x": 1})
    session.flush()
    return entry.id


@pytest.mark.parametrize("statement", [
    "UPDATE audit_log SET action = 'forged' WHERE id = :id",
    "UPDATE audit_log SET after = NULL",
    "DELETE FROM audit_log WHERE id = :id",
    "DELETE FROM audit_log",
])
def test_database_refuses_update_and_delete(session: Session, connection: Connection, statement: str) -> None:
    entry_id = _entry(session)
    with pytest.raises(DBAPIError, match="append-only"), connection.begin_nested():
        connection.execute(text(statement), {"id": entry_id})
    row = connection.execute(text("SELECT action FROM audit_log WHERE id = :id"), {"id": entry_id}).one()
    assert row.action == "create"


def test_inserting_is_allowed(session: Session, connection: Connection) -> None:
    before = connection.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
    _entry(session, "a")
    _entry(session, "b")
    assert connection.execute(text("SELECT count(*) FROM audit_log")).scalar_one() == before + 2


def test_only_admin_reads_the_audit_log(clients: Any, anon: TestClient) -> None:
    assert anon.get("/api/v1/audit").status_code == 401
    for name in ("commander", "duty", "health", "linqing", "dongchangfu", "viewer"):
        assert clients[name].get("/api/v1/audit").status_code == 403, name
    assert clients["admin"].get("/api/v1/audit").status_code == 200


def test_audit_filters_and_pages(clients: Any) -> None:
    admin, commander = clients["admin"], clients["commander"]
    start = utcnow() - timedelta(seconds=1)
    ids = []
    for i in range(3):
        r = commander.post("/api/v1/contacts", json={"name": f"审计{i}", "division_code": "371581"})
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    admin.patch(f"/api/v1/contacts/{ids[0]}", json={"title": "科长"}).raise_for_status()

    page = admin.get("/api/v1/audit", params={"entity_type": "contacts", "actor": "commander"}).json()
    assert set(page) == {"items", "total", "page", "size"} and page["total"] == 3
    assert [int(x["entity_id"]) for x in page["items"]] == ids[::-1]  # newest first
    assert all(x["action"] == "create" and x["before"] is None for x in page["items"])

    mine = admin.get("/api/v1/audit", params={"entity_type": "contacts", "entity_id": str(ids[0])}).json()
    assert [x["action"] for x in mine["items"]] == ["update", "create"]
    assert mine["items"][0]["actor_name"] == "admin"
    assert mine["items"][0]["before"]["title"] is None and mine["items"][0]["after"]["title"] == "科长"

    since = admin.get("/api/v1/audit", params={"entity_type": "contacts", "since": start.isoformat()}).json()
    assert since["total"] == 4
    until = admin.get("/api/v1/audit", params={"entity_type": "contacts", "until": start.isoformat()}).json()
    assert until["total"] == 0
    p2 = admin.get("/api/v1/audit", params={"entity_type": "contacts", "size": 3, "page": 2}).json()
    assert (p2["total"], len(p2["items"]), p2["page"], p2["size"]) == (4, 1, 2, 3)

    for params in ({"page": 0}, {"size": 0}, {"size": 501}, {"since": "yesterday"}, {"entity_type": "x" * 41}):
        r = admin.get("/api/v1/audit", params=params)
        assert r.status_code == 422 and next(iter(params)) in r.text, (params, r.text)


def test_failed_write_leaves_no_audit_row(clients: Any) -> None:
    admin = clients["admin"]
    before = admin.get("/api/v1/audit").json()["total"]
    body = {"name": "坏医院", "kind": "hospital", "division_code": "371581", "lon": 115.7, "lat": 36.8,
            "capacity": {"beds": -5}}
    r = admin.post("/api/v1/facilities", json=body)
    assert r.status_code == 422 and "capacity" in r.text
    unit = clients["admin"].get("/api/v1/units", params={"q": "东昌府区应急管理局"}).json()["items"][0]
    assert admin.delete(f"/api/v1/units/{unit['id']}").status_code == 409  # still referenced by a user
    assert admin.get("/api/v1/audit").json()["total"] == before
