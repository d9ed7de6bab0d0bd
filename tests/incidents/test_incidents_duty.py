"""Duty (值班值守): shifts, who is on duty now, handover, the duty log; consultations (会商)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from yingji.db.base import utcnow


def _shift(clients: Any, start_h: float, hours: float = 12, as_: str = "duty", division: str = "371500") -> Any:
    now = utcnow()
    return clients[as_].post("/api/v1/duty/shifts", json={
        "division_code": division, "starts_at": (now + timedelta(hours=start_h)).isoformat(),
        "ends_at": (now + timedelta(hours=start_h + hours)).isoformat(),
        "officer_name": "李值班", "leader_name": "王带班", "phone": "0635-1234567"})


def test_shifts_now_handover_and_log(clients: Any, world: Any) -> None:
    current = _shift(clients, -2)
    assert current.status_code == 201, current.text
    assert _shift(clients, 10).status_code == 201
    overlap = _shift(clients, 5)
    assert overlap.status_code == 409 and "overlaps" in overlap.json()["detail"]
    now = clients["viewer"].get("/api/v1/duty/now").json()["items"]
    assert [s["id"] for s in now] == [current.json()["id"]]
    assert now[0]["officer_name"] == "李值班" and now[0]["leader_name"] == "王带班"
    log = clients["duty"].post("/api/v1/duty/log", json={"division_code": "371500", "kind": "call",
                                                         "content": "群众来电反映异味"})
    assert log.status_code == 201 and log.json()["shift_id"] == current.json()["id"]
    ho = clients["duty"].post(f"/api/v1/duty/shifts/{current.json()['id']}/handover",
                              json={"notes": "化工园区异味事件持续关注"})
    assert ho.status_code == 200 and ho.json()["handed_over_at"]
    assert clients["duty"].post(f"/api/v1/duty/shifts/{current.json()['id']}/handover",
                                json={"notes": "again"}).status_code == 409
    entries = clients["duty"].get("/api/v1/duty/log").json()
    assert [e["kind"] for e in entries["items"]] == ["handover", "call"]
    assert clients["viewer"].post("/api/v1/duty/log", json={"division_code": "371500", "kind": "note",
                                                            "content": "x"}).status_code == 403


def test_county_duty_room_scope(clients: Any) -> None:
    assert _shift(clients, -1, as_="linqing", division="371581").status_code == 201
    assert _shift(clients, -1, as_="linqing", division="371502").status_code == 403
    assert _shift(clients, -1, as_="dongchangfu", division="371502").status_code == 201
    assert {s["division_code"] for s in clients["linqing"].get("/api/v1/duty/now").json()["items"]} == {"371581"}
    city = clients["commander"].get("/api/v1/duty/now").json()["items"]
    assert {s["division_code"] for s in city} == {"371581", "371502"}
    t = utcnow().isoformat()
    r = clients["duty"].post("/api/v1/duty/shifts", json={
        "division_code": "371500", "starts_at": t, "ends_at": t, "officer_name": "a", "leader_name": "b"})
    assert r.status_code == 422


def test_consultation(
    clients: Any, world: Any, registry_rows: Callable[..., Any], new_incident: Callable[..., dict[str, Any]]
) -> None:
    inc = new_incident()
    expert = registry_rows("expert", name="赵专家")
    body = {"title": "泄漏处置会商", "held_at": utcnow().isoformat(), "location": "市应急指挥中心",
            "participants": [{"kind": "expert", "id": expert.id, "role": "专家组长"},
                             {"kind": "unit", "id": world.units["health"]},
                             {"kind": "person", "name": "现场指挥长"}],
            "conclusions": "下风向500米疏散"}
    r = clients["commander"].post(f"/api/v1/incidents/{inc['id']}/consultations", json=body)
    assert r.status_code == 201, r.text
    c = r.json()
    assert [p["name"] for p in c["participants"]] == ["赵专家", "市卫生健康委", "现场指挥长"]
    line = [e for e in clients["commander"].get(f"/api/v1/incidents/{inc['id']}/timeline").json()
            if e["kind"] == "consultation"]
    assert "赵专家" in line[0]["summary"] and "下风向500米疏散" in line[0]["summary"]
    upd = clients["commander"].patch(f"/api/v1/consultations/{c['id']}", json={"conclusions": "扩大至1000米"})
    assert upd.status_code == 200 and upd.json()["conclusions"] == "扩大至1000米"
    bad = {**body, "participants": [{"kind": "expert", "id": 999_999}]}
    r = clients["commander"].post(f"/api/v1/incidents/{inc['id']}/consultations", json=bad)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-3:] == ["participants", 0, "id"]
    assert clients["commander"].post(f"/api/v1/incidents/{inc['id']}/consultations",
                                     json={**body, "participants": [{"kind": "expert"}]}).status_code == 422
    assert len(clients["viewer"].get(f"/api/v1/incidents/{inc['id']}/consultations").json()) == 1
