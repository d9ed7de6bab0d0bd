"""The incident lifecycle: every allowed and every forbidden transition, through the API; the
append-only timeline (enforced by the database); terminal states and what they refuse."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from yingji.audit.models import AuditEntry
from yingji.incidents.enums import TRANSITIONS, Status
from yingji.incidents.models import TimelineEntry

#: A path of allowed moves from ``reported`` to each state.
PATH: dict[Status, tuple[str, ...]] = {
    Status.reported: (),
    Status.verified: ("verified",),
    Status.responding: ("verified", "responding"),
    Status.recovering: ("verified", "responding", "recovering"),
    Status.closed: ("verified", "closed"),
    Status.merged: ("merged",),
    Status.false_alarm: ("false_alarm",),
}
PAIRS = [(a, b) for a in Status for b in Status]


def test_the_state_machine_is_what_the_docs_say() -> None:
    assert {a: {b.value for b in bs} for a, bs in TRANSITIONS.items()} == {
        Status.reported: {"verified", "false_alarm", "merged"},
        Status.verified: {"responding", "closed", "merged"},
        Status.responding: {"recovering"},
        Status.recovering: {"responding", "closed"},
        Status.closed: set(),
        Status.merged: set(),
        Status.false_alarm: set(),
    }


@pytest.mark.parametrize(("current", "target"), PAIRS, ids=[f"{a.value}->{b.value}" for a, b in PAIRS])
def test_every_transition(
    clients: Any, new_incident: Callable[..., dict[str, Any]], current: Status, target: Status
) -> None:
    c = clients["commander"]
    other = new_incident(title="同一事件的重复报告")
    inc = new_incident()
    for step in PATH[current]:
        body: dict[str, Any] = {"to": step, "reason": "到达起点"}
        if step == "merged":
            body["merged_into_id"] = other["id"]
        assert c.post(f"/api/v1/incidents/{inc['id']}/transitions", json=body).status_code == 200
    before = c.get(f"/api/v1/incidents/{inc['id']}").json()
    assert before["status"] == current.value
    assert before["allowed_transitions"] == [s.value for s in TRANSITIONS[current]]
    body = {"to": target.value, "reason": "测试"}
    if target == Status.merged:
        body["merged_into_id"] = other["id"]
    r = c.post(f"/api/v1/incidents/{inc['id']}/transitions", json=body)
    if target in TRANSITIONS[current]:
        assert r.status_code == 200, r.text
        assert r.json()["status"] == target.value
        entries = c.get(f"/api/v1/incidents/{inc['id']}/timeline").json()
        assert entries[-1]["kind"] in ("status", "note", "task") and any(
            e["kind"] == "status" and e["data"]["to"] == target.value for e in entries)
    else:
        assert r.status_code == 409, r.text
        body_out = r.json()
        assert body_out["allowed"] == [s.value for s in TRANSITIONS[current]]
        assert body_out["current"] == current.value and body_out["requested"] == target.value
        assert "allowed next states" in body_out["detail"]
        assert c.get(f"/api/v1/incidents/{inc['id']}").json() == before  # nothing changed


def test_closing_sets_closed_at_and_merge_points_at_the_survivor(
    clients: Any, new_incident: Callable[..., dict[str, Any]], move: Callable[..., dict[str, Any]]
) -> None:
    a, b, survivor = new_incident(), new_incident(), new_incident()
    closed = move(a["id"], "verified", "closed")
    assert closed["closed_at"] is not None
    r = clients["commander"].post(f"/api/v1/incidents/{b['id']}/transitions",
                                  json={"to": "merged", "reason": "重复", "merged_into_id": a["id"]})
    assert r.status_code == 422 and "closed" in r.text  # not into a closed incident
    merged = move(b["id"], "merged", merged_into_id=survivor["id"])
    assert merged["merged_into_id"] == survivor["id"]
    notes = clients["commander"].get(f"/api/v1/incidents/{survivor['id']}/timeline").json()
    assert any(e["data"] and e["data"].get("merged_id") == b["id"] for e in notes)


def test_merge_needs_a_live_other_incident_and_a_reason(
    clients: Any, new_incident: Callable[..., dict[str, Any]], move: Callable[..., dict[str, Any]]
) -> None:
    c = clients["commander"]
    a, b = new_incident(), new_incident()
    url = f"/api/v1/incidents/{a['id']}/transitions"
    r = c.post(url, json={"to": "merged", "reason": "重复"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "merged_into_id"
    r = c.post(url, json={"to": "merged", "reason": "重复", "merged_into_id": a["id"]})
    assert r.status_code == 422
    r = c.post(url, json={"to": "merged", "merged_into_id": b["id"]})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "reason"
    move(b["id"], "false_alarm")
    r = c.post(url, json={"to": "merged", "reason": "重复", "merged_into_id": b["id"]})
    assert r.status_code == 422
    ok = c.post(url, json={"to": "merged", "reason": "重复", "merged_into_id": new_incident()["id"]})
    assert ok.status_code == 200 and ok.json()["merged_into_id"] is not None


def test_terminal_states_refuse_changes(
    clients: Any, new_incident: Callable[..., dict[str, Any]], move: Callable[..., dict[str, Any]]
) -> None:
    c = clients["commander"]
    inc = new_incident()
    move(inc["id"], "false_alarm")
    assert c.patch(f"/api/v1/incidents/{inc['id']}", json={"dead": 1}).status_code == 409
    assert c.post(f"/api/v1/incidents/{inc['id']}/level", json={"level": "IV"}).status_code == 409
    r = c.post(f"/api/v1/incidents/{inc['id']}/tasks",
               json={"title": "x", "assignee_type": "unit", "unit_id": 1, "deadline_minutes": 30})
    assert r.status_code == 409


def test_timeline_is_append_only_in_the_database(
    session: Session, new_incident: Callable[..., dict[str, Any]], move: Callable[..., dict[str, Any]]
) -> None:
    inc = new_incident()
    move(inc["id"], "verified")
    entry = session.scalars(select(TimelineEntry).where(TimelineEntry.incident_id == inc["id"])).first()
    assert entry is not None
    for stmt in ("UPDATE incident_timeline SET summary = 'forged' WHERE id = :id",
                 "DELETE FROM incident_timeline WHERE id = :id"):
        with pytest.raises(Exception, match="append-only"), session.begin_nested():
            session.execute(text(stmt), {"id": entry.id})
    session.expire_all()
    assert session.get(TimelineEntry, entry.id) is not None


def test_every_change_is_audited_and_on_the_timeline(
    clients: Any, session: Session, new_incident: Callable[..., dict[str, Any]], move: Callable[..., dict[str, Any]]
) -> None:
    c = clients["commander"]
    inc = new_incident()
    move(inc["id"], "verified")
    c.patch(f"/api/v1/incidents/{inc['id']}", json={"injured": 4, "note": "医院核实"})
    c.post(f"/api/v1/incidents/{inc['id']}/notes", json={"kind": "decision", "text": "疏散下风向500米"})
    kinds = [e["kind"] for e in c.get(f"/api/v1/incidents/{inc['id']}/timeline").json()]
    assert kinds[:4] == ["created", "status", "updated", "decision"]
    audits = session.scalars(select(AuditEntry.action).where(
        AuditEntry.entity_type == "incidents", AuditEntry.entity_id == str(inc["id"]))).all()
    assert audits == ["create", "update", "update"]


def test_status_changes_need_the_update_grant(
    clients: Any, new_incident: Callable[..., dict[str, Any]]
) -> None:
    inc = new_incident(division_code="371500", lon=115.98, lat=36.45)
    for user in ("viewer", "health"):
        r = clients[user].post(f"/api/v1/incidents/{inc['id']}/transitions", json={"to": "verified"})
        assert r.status_code == 403, (user, r.text)
    r = clients["duty"].post(f"/api/v1/incidents/{inc['id']}/transitions", json={"to": "verified"})
    assert r.status_code == 200


def test_list_filters(
    clients: Any, new_incident: Callable[..., dict[str, Any]], move: Callable[..., dict[str, Any]]
) -> None:
    c = clients["commander"]
    a, b, d = new_incident(title="甲"), new_incident(title="乙", dead=3), new_incident(title="丙", type="fire")
    move(a["id"], "verified", "closed")

    def ids(**params: Any) -> set[int]:
        r = c.get("/api/v1/incidents", params=params)
        assert r.status_code == 200, r.text
        return {i["id"] for i in r.json()["items"]}

    assert ids(status=["closed", "verified"]) == {a["id"]}
    assert ids(open="true") == {b["id"], d["id"]} and ids(open="false") == {a["id"]}
    assert ids(level="III") == {b["id"]} and ids(type="fire") == {d["id"]} and ids(q="乙") == {b["id"]}
    assert ids(division="371581") == {a["id"], b["id"], d["id"]} and ids(division="371502") == set()
    assert c.get("/api/v1/incidents", params={"status": "nope"}).status_code == 422
    page = c.get("/api/v1/incidents", params={"size": 2, "page": 2}).json()
    assert (page["total"], page["page"], page["size"], len(page["items"])) == (3, 2, 2, 1)
