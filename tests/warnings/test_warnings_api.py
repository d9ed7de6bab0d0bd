"""Warnings by hand: one active per source and cause, escalate/de-escalate, acknowledge, lift,
expire; the history; the after-commit notification hook; scope and permissions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from yingji.db.base import utcnow
from yingji.warnings import hooks
from yingji.warnings import service as ws

AREA = {"type": "Polygon", "coordinates": [[[115.6, 36.8], [115.8, 36.8], [115.8, 36.9], [115.6, 36.9],
                                            [115.6, 36.8]]]}


def manual(**over: Any) -> dict[str, Any]:
    return {"cause": "flood", "level": 3, "headline": "卫运河临清段洪水黄色预警", "event": "洪水",
            "category": "Met", "division_code": "371581", "area": AREA, "area_desc": "卫运河临清段沿岸",
            "instruction": "沿岸群众做好转移准备"} | over


def test_issue_update_not_duplicate_escalate_ack_lift(clients: Any) -> None:
    c = clients["duty"]
    r = c.post("/api/v1/warnings", json=manual())
    assert r.status_code == 201, r.text
    w = r.json()
    assert (w["level"], w["colour"], w["status"], w["source_type"], w["source_id"]) == \
        (3, "yellow", "active", "division", "371581")
    again = c.post("/api/v1/warnings", json=manual(level=2, headline="卫运河临清段洪水橙色预警"))
    assert again.status_code == 200 and again.json()["id"] == w["id"] and again.json()["level"] == 2
    assert c.get("/api/v1/warnings", params={"status": "active"}).json()["total"] == 1
    ack = c.post(f"/api/v1/warnings/{w['id']}/acknowledge", json={"reason": "值班员已知悉"}).json()
    assert ack["acknowledged_by"] == "duty"
    up = c.patch(f"/api/v1/warnings/{w['id']}", json={"level": 1, "note": "水位继续上涨"}).json()
    assert up["level"] == 1 and up["acknowledged_at"] is None  # an escalation needs a new acknowledgement
    text = c.patch(f"/api/v1/warnings/{w['id']}", json={"instruction": "立即转移"})
    assert text.status_code == 200 and text.json()["level"] == 1 and text.json()["version"] == 5
    down = c.patch(f"/api/v1/warnings/{w['id']}", json={"level": 4}).json()
    assert down["level"] == 4 and down["peak_level"] == 1
    lifted = c.post(f"/api/v1/warnings/{w['id']}/lift", json={"reason": "洪峰已过"}).json()
    assert lifted["status"] == "lifted" and lifted["lift_reason"] == "洪峰已过"
    assert c.post(f"/api/v1/warnings/{w['id']}/lift", json={"reason": "x"}).status_code == 409
    assert c.patch(f"/api/v1/warnings/{w['id']}", json={"level": 2}).status_code == 409
    kinds = [e["kind"] for e in c.get(f"/api/v1/warnings/{w['id']}/events").json()]
    assert kinds == ["raised", "escalated", "updated", "acknowledged", "escalated", "updated", "de_escalated",
                     "lifted"]
    # the source and cause are free again: a new warning, not the lifted one
    assert c.post("/api/v1/warnings", json=manual()).json()["id"] != w["id"]
    audit = clients["admin"].get("/api/v1/audit", params={"entity_type": "warnings", "entity_id": w["id"]}).json()
    assert audit["total"] == 8


def test_expiry(clients: Any, session: Session) -> None:
    c = clients["commander"]
    w = c.post("/api/v1/warnings", json=manual(expires_at=(utcnow() + timedelta(hours=1)).isoformat())).json()
    assert ws.expire_due(session=session, now=utcnow()) == []
    [gone] = ws.expire_due(session=session, now=utcnow() + timedelta(hours=2))
    assert gone.id == w["id"]
    session.commit()
    assert c.get(f"/api/v1/warnings/{w['id']}").json()["status"] == "expired"
    bad = c.post("/api/v1/warnings", json=manual(cause="x", expires_at=(utcnow() - timedelta(hours=1)).isoformat()))
    assert bad.status_code == 422 and "expires_at" in bad.text


def test_bad_input_and_permissions(clients: Any) -> None:
    c = clients["commander"]
    for body, field in [(manual(level=0), "level"), (manual(level=5), "level"), (manual(cause="Bad Cause"), "cause"),
                        (manual(category="Weather"), "category"), (manual(division_code="371599"), "division_code"),
                        (manual(area={"type": "Point", "coordinates": [1, 2]}), "area"),
                        (manual(geocodes=["37"]), "geocodes"), (manual(hazard_source_id=999999), "hazard_source_id"),
                        (manual(colour="red"), "colour")]:
        r = c.post("/api/v1/warnings", json=body)
        assert r.status_code == 422 and field in r.text, (field, r.text)
    assert clients["viewer"].post("/api/v1/warnings", json=manual()).status_code == 403
    assert clients["dongchangfu"].post("/api/v1/warnings", json=manual()).status_code == 403  # not its county
    w = clients["linqing"].post("/api/v1/warnings", json=manual()).json()
    assert clients["dongchangfu"].get(f"/api/v1/warnings/{w['id']}").status_code == 404
    assert clients["dongchangfu"].post(f"/api/v1/warnings/{w['id']}/lift", json={"reason": "x"}).status_code == 404
    assert clients["viewer"].post(f"/api/v1/warnings/{w['id']}/acknowledge").status_code == 403
    assert clients["linqing"].post(f"/api/v1/warnings/{w['id']}/lift", json={}).status_code == 422
    assert clients["dongchangfu"].post(f"/api/v1/warnings/{w['id']}/acknowledge",
                                       json={"reason": "越界"}).status_code == 404
    assert clients["dongchangfu"].get("/api/v1/warnings").json()["total"] == 0
    layer = clients["linqing"].get("/api/v1/warnings", params={"format": "geojson"}).json()
    assert layer["features"][0]["geometry"]["type"] == "Polygon"
    assert layer["features"][0]["properties"]["level_zh"] == "三级（黄色）预警"


def test_hazard_source_warning_takes_its_polygon(clients: Any) -> None:
    c = clients["admin"]
    hid = c.post("/api/v1/hazard_sources", json={
        "name": "尾矿库A", "kind": "tailings_pond", "division_code": "371581", "lon": 115.7, "lat": 36.85,
        "geometry": AREA}).json()["id"]
    w = c.post("/api/v1/warnings", json=manual(cause="dam", hazard_source_id=hid, area=None)).json()
    assert w["source_type"] == "hazard_source" and w["area"]["type"] == "Polygon"
    assert w["lon"] == 115.7


def test_notification_hook_runs_after_commit_only(clients: Any, session: Session) -> None:
    got: list[list[hooks.WarningChange]] = []
    hooks.subscribe(got.append)
    try:
        w = clients["duty"].post("/api/v1/warnings", json=manual()).json()
        clients["duty"].patch(f"/api/v1/warnings/{w['id']}", json={"level": 2})
        assert [[(ch.kind, ch.level) for ch in batch] for batch in got] == [[("raised", 3)], [("escalated", 2)]]
        assert got[0][0].warning_id == w["id"] and got[0][0].division_code == "371581"
        ws.raise_warning(session=session, actor=None, origin="manual", source_type="division", source_id="371502",
                         cause="test", level=4, event="x", headline="x", division_code="371502")
        session.rollback()  # rolled back: nobody is told
        assert len(got) == 2
    finally:
        hooks.unsubscribe(got.append)


def test_incident_escalation_hook(clients: Any, session: Session) -> None:
    w = clients["duty"].post("/api/v1/warnings", json=manual()).json()
    from yingji.auth.models import User

    user = session.scalar(__import__("sqlalchemy").select(User).where(User.username == "commander"))
    import pytest

    from yingji.errors import Conflict

    previous = hooks.incident_escalator()
    hooks.set_incident_escalator(None)
    try:
        with pytest.raises(Conflict, match="incidents module"):
            ws.escalate_to_incident(session=session, user=user, warning_id=w["id"])
        hooks.set_incident_escalator(lambda *, session, warning, actor: 4242)
        assert ws.escalate_to_incident(session=session, user=user, warning_id=w["id"]) == 4242
    finally:
        hooks.set_incident_escalator(previous)


def test_changes_reach_the_live_event_bus(clients: Any) -> None:
    from yingji.events import ThreadQueueSink, get_bus

    sink = ThreadQueueSink()
    sub = get_bus().subscribe(sink)
    try:
        w = clients["duty"].post("/api/v1/warnings", json=manual()).json()
        events = []
        while not sink.queue.empty():
            events.append(sink.queue.get_nowait())
        mine = [e for e in events if e.topic == "warnings"]
        assert [(e.action, e.data["warning_id"], e.resource, e.division_code) for e in mine] == \
            [("raised", w["id"], "warnings", "371581")]
    finally:
        get_bus().unsubscribe(sub)


def test_savepoint_rollback_drops_only_its_changes(session: Session) -> None:
    got: list[list[hooks.WarningChange]] = []
    hooks.subscribe(got.append)
    try:
        ws.raise_warning(session=session, actor=None, origin="manual", source_type="division", source_id="371502",
                         cause="kept", level=4, event="x", headline="kept", division_code="371502")
        try:
            with session.begin_nested():
                ws.raise_warning(session=session, actor=None, origin="manual", source_type="division",
                                 source_id="371502", cause="dropped", level=4, event="x", headline="dropped",
                                 division_code="371502")
                raise RuntimeError("abandon the savepoint")
        except RuntimeError:
            pass
        session.commit()
        assert [[c.cause for c in batch] for batch in got] == [["kept"]]
    finally:
        hooks.unsubscribe(got.append)
