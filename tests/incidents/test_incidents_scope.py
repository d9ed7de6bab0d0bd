"""Row rules: county users see and change only their division's incidents; department users see
the incidents of their unit's tasks, the city's own, and those graded 较大 or above; bad input gets a
clear 4xx and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.audit.models import AuditEntry
from yingji.incidents.models import Incident, Task, TimelineEntry


def _counts(session: Session) -> tuple[int, ...]:
    return tuple(session.scalar(select(func.count()).select_from(m)) or 0
                 for m in (Incident, Task, TimelineEntry, AuditEntry))


def test_county_scope(
    clients: Any, new_incident: Callable[..., dict[str, Any]], incident_body: Callable[..., dict[str, Any]]
) -> None:
    lq = new_incident()
    dcf = new_incident(division_code="371502", lon=115.98, lat=36.45)
    assert [i["id"] for i in clients["linqing"].get("/api/v1/incidents").json()["items"]] == [lq["id"]]
    assert clients["linqing"].get(f"/api/v1/incidents/{dcf['id']}").status_code == 404
    assert clients["linqing"].patch(f"/api/v1/incidents/{dcf['id']}", json={"dead": 1}).status_code == 404
    assert clients["linqing"].get(f"/api/v1/incidents/{dcf['id']}/timeline").status_code == 404
    assert clients["dongchangfu"].post(f"/api/v1/incidents/{lq['id']}/transitions",
                                       json={"to": "verified"}).status_code == 404
    geo = clients["linqing"].get("/api/v1/incidents", params={"format": "geojson"}).json()
    assert [f["id"] for f in geo["features"]] == [lq["id"]]
    assert clients["commander"].get("/api/v1/incidents").json()["total"] == 2
    # a county reports only in its own division
    r = clients["linqing"].post("/api/v1/incidents", json=incident_body(division_code="371502"))
    assert r.status_code == 403 and "division_code" in r.json()["detail"]


def test_department_visibility(
    clients: Any, world: Any, new_incident: Callable[..., dict[str, Any]]
) -> None:
    minor = new_incident()  # 一般, in a county, nothing of the health commission's: hidden
    major = new_incident(dead=3)  # 较大: handled at city level, every department sees it
    city = new_incident(division_code="371500", lon=115.98, lat=36.45)  # at the city itself
    tasked = new_incident(title="有任务")
    clients["commander"].post(f"/api/v1/incidents/{tasked['id']}/tasks", json={
        "title": "医疗救治", "assignee_type": "unit", "unit_id": world.units["health"], "deadline_minutes": 30})
    seen = {i["id"] for i in clients["health"].get("/api/v1/incidents").json()["items"]}
    assert seen == {major["id"], city["id"], tasked["id"]}
    assert clients["health"].get(f"/api/v1/incidents/{minor['id']}").status_code == 404
    # what it reports itself it sees
    own = new_incident(as_="health", title="医院报告食物中毒", category="public_health", type="food_safety",
                       injured=5)
    assert own["reporter_unit_id"] == world.units["health"]
    assert clients["health"].get(f"/api/v1/incidents/{own['id']}").status_code == 200
    # but it cannot change incidents
    assert clients["health"].patch(f"/api/v1/incidents/{own['id']}", json={"injured": 6}).status_code == 403


@pytest.mark.parametrize(
    ("patch", "loc"),
    [
        ({"type": "no_such_type"}, "type"),
        ({"type": "flood"}, "type"),  # a natural-disaster type under category accident
        ({"dead": -1}, "dead"),
        ({"seriously_injured": -3}, "seriously_injured"),
        ({"direct_loss_wan": -0.5}, "direct_loss_wan"),
        ({"occurred_at": "2026-01-01T08:00:00"}, "occurred_at"),  # naive: no zone
        ({"lon": 200}, "lon"),
        ({"category": "weather"}, "category"),
        ({"division_code": "371599"}, "division_code"),  # in scope, but no such division
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_incident_input_names_the_field_and_changes_nothing(
    clients: Any, session: Session, incident_body: Callable[..., dict[str, Any]], patch: dict[str, Any], loc: str
) -> None:
    before = _counts(session)
    r = clients["commander"].post("/api/v1/incidents", json=incident_body(**patch))
    assert r.status_code == 422, r.text
    assert loc in [str(p) for p in r.json()["detail"][0]["loc"]], r.json()
    assert _counts(session) == before


def test_negative_casualties_on_update_change_nothing(
    clients: Any, session: Session, new_incident: Callable[..., dict[str, Any]]
) -> None:
    inc = new_incident(dead=1)
    before = _counts(session)
    r = clients["commander"].patch(f"/api/v1/incidents/{inc['id']}", json={"dead": -2})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "dead"
    r = clients["commander"].patch(f"/api/v1/incidents/{inc['id']}", json={"dead": None})
    assert r.status_code == 422
    assert _counts(session) == before
    assert clients["commander"].get(f"/api/v1/incidents/{inc['id']}").json()["dead"] == 1


def test_task_for_a_unit_outside_the_scope_is_refused_and_changes_nothing(
    clients: Any, session: Session, world: Any, new_incident: Callable[..., dict[str, Any]]
) -> None:
    inc = new_incident()
    before = _counts(session)
    body = {"title": "跨区任务", "assignee_type": "unit", "unit_id": world.units["dcf_bureau"],
            "deadline_minutes": 30}
    r = clients["linqing"].post(f"/api/v1/incidents/{inc['id']}/tasks", json=body)
    assert r.status_code == 403 and "unit_id" in r.json()["detail"] and "outside your division" in r.json()["detail"]
    r = clients["linqing"].post(f"/api/v1/incidents/{inc['id']}/tasks", json={**body, "unit_id": 999_999})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "unit_id"
    assert _counts(session) == before
    ok = clients["linqing"].post(f"/api/v1/incidents/{inc['id']}/tasks",
                                 json={**body, "unit_id": world.units["linqing_bureau"]})
    assert ok.status_code == 201


def test_future_times_and_reversed_times(clients: Any, incident_body: Callable[..., dict[str, Any]]) -> None:
    from datetime import timedelta

    from yingji.db.base import utcnow

    future = (utcnow() + timedelta(hours=2)).isoformat()
    r = clients["commander"].post("/api/v1/incidents", json=incident_body(occurred_at=future))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "occurred_at"
    body = incident_body(reported_at=(utcnow() - timedelta(hours=3)).isoformat())
    assert clients["commander"].post("/api/v1/incidents", json=body).status_code == 422


def test_unknown_ids_are_404(clients: Any) -> None:
    c = clients["commander"]
    for url in ("/api/v1/incidents/999999", "/api/v1/incidents/99999999999", "/api/v1/tasks/999999",
                "/api/v1/dispatches/999999", "/api/v1/plans/999999", "/api/v1/duty/shifts/999999"):
        assert c.get(url).status_code == 404, url
