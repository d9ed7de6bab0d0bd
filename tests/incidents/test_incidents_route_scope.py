"""Every route of the incidents domain, enumerated from the app: a county user can neither read nor
change another county's incidents (or their tasks, dispatches, reports, consultations), plans or duty
rooms through any of them, and no answer so much as names them.

A route under the domain's prefixes that is not classified below fails the test, so a new route
cannot escape the check.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.routing import APIRoute

from yingji.db.base import utcnow

PREFIXES = ("/api/v1/incidents", "/api/v1/tasks", "/api/v1/dispatches", "/api/v1/plans", "/api/v1/duty",
            "/api/v1/consultations", "/api/v1/events")
MARKER = "机密"

#: (method, path) -> kind: item (404 on the other county's record whatever the body), list (only own
#: records), create (403 in the other county), reference (no division), stream (endless; see
#: test_incidents_live.py and tests/events for its filter).
ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/incidents"): "list",
    ("POST", "/api/v1/incidents"): "create",
    ("GET", "/api/v1/incidents/reference"): "reference",
    ("GET", "/api/v1/incidents/grade"): "reference",
    ("GET", "/api/v1/tasks"): "list",
    ("GET", "/api/v1/dispatches"): "list",
    ("GET", "/api/v1/plans"): "list",
    ("POST", "/api/v1/plans"): "create",
    ("GET", "/api/v1/duty/now"): "list",
    ("GET", "/api/v1/duty/shifts"): "list",
    ("POST", "/api/v1/duty/shifts"): "create",
    ("GET", "/api/v1/duty/log"): "list",
    ("POST", "/api/v1/duty/log"): "create",
    ("GET", "/api/v1/events"): "stream",
}


def domain_routes(app: Any) -> set[tuple[str, str]]:
    try:
        from fastapi.routing import iter_route_contexts

        contexts: list[Any] = list(iter_route_contexts(app.routes))
    except ImportError:  # pragma: no cover - older FastAPI keeps app.routes flat
        contexts = list(app.routes)
    out = set()
    for ctx in contexts:
        original = getattr(ctx, "original_route", ctx)
        path, methods = getattr(ctx, "path", None), getattr(ctx, "methods", None)
        if path and methods and path.startswith(PREFIXES) and isinstance(original, APIRoute):
            out |= {(m, path) for m in methods - {"HEAD", "OPTIONS"}}
    return out


def kind_of(method: str, path: str) -> str:
    if (method, path) in ROUTES:
        return ROUTES[(method, path)]
    if re.search(r"\{\w+\}", path):
        return "item"
    raise AssertionError(f"unclassified route {method} {path}")


def test_every_route_is_classified(app: Any) -> None:
    routes = domain_routes(app)
    assert len(routes) > 40
    for method, path in routes:
        kind_of(method, path)
    assert set(ROUTES) <= routes, sorted(set(ROUTES) - routes)


@pytest.fixture
def theirs(clients: Any, world: Any, registry_rows: Callable[..., Any],
           incident_body: Callable[..., dict[str, Any]]) -> dict[str, int]:
    """Records of 东昌府区 (371502), with the marker in their names, made by the administrator."""
    admin = clients["admin"]
    inc = admin.post("/api/v1/incidents", json=incident_body(title=f"{MARKER}事件", division_code="371502",
                                                             lon=115.98, lat=36.45)).json()
    task = admin.post(f"/api/v1/incidents/{inc['id']}/tasks", json={
        "title": f"{MARKER}任务", "assignee_type": "unit", "unit_id": world.units["dcf_bureau"],
        "deadline_minutes": 30}).json()
    team = registry_rows("team", name=f"{MARKER}队伍", division_code="371502", unit_id=world.units["dcf_bureau"])
    dispatch = admin.post(f"/api/v1/incidents/{inc['id']}/dispatches",
                          json={"resource_type": "team", "resource_id": team.id}).json()
    plan = admin.post("/api/v1/plans", json={
        "name": f"{MARKER}预案", "kind": "special", "division_code": "371502", "incident_types": ["fire"],
        "levels": [{"response_level": 4, "incident_levels": ["IV"], "criteria": "一般",
                    "actions": [{"unit_id": world.units["dcf_bureau"], "action": f"{MARKER}行动",
                                 "deadline_minutes": 30}]}]}).json()
    now = utcnow()
    shift = admin.post("/api/v1/duty/shifts", json={
        "division_code": "371502", "starts_at": (now - timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(hours=1)).isoformat(), "officer_name": f"{MARKER}值班员",
        "leader_name": f"{MARKER}带班"}).json()
    admin.post("/api/v1/duty/log", json={"division_code": "371502", "kind": "note", "content": f"{MARKER}日志"})
    consultation = admin.post(f"/api/v1/incidents/{inc['id']}/consultations", json={
        "title": f"{MARKER}会商", "held_at": now.isoformat(), "participants": [{"kind": "person", "name": "x"}]}).json()
    admin.post(f"/api/v1/incidents/{inc['id']}/reports", json={
        "kind": "initial", "channel": "phone", "recipient": f"{MARKER}总值班室", "content": f"{MARKER}"})
    return {"incident_id": inc["id"], "task_id": task["id"], "dispatch_id": dispatch["id"], "plan_id": plan["id"],
            "shift_id": shift["id"], "consultation_id": consultation["id"]}


CREATE_BODIES: dict[str, Callable[[Any], dict[str, Any]]] = {
    "/api/v1/incidents": lambda w: {"title": "越界", "category": "accident", "type": "fire", "division_code": "371502",
                                    "lon": 115.98, "lat": 36.45, "occurred_at": utcnow().isoformat()},
    "/api/v1/plans": lambda w: {"name": "越界", "kind": "special", "division_code": "371502", "levels": [
        {"response_level": 4, "criteria": "x", "actions": []}]},
    "/api/v1/duty/shifts": lambda w: {"division_code": "371502", "starts_at": utcnow().isoformat(),
                                      "ends_at": (utcnow() + timedelta(hours=8)).isoformat(),
                                      "officer_name": "a", "leader_name": "b"},
    "/api/v1/duty/log": lambda w: {"division_code": "371502", "kind": "note", "content": "越界"},
}


@pytest.mark.parametrize("user", ["linqing"])
def test_a_county_user_cannot_reach_another_county(
    clients: Any, app: Any, world: Any, theirs: dict[str, int], user: str
) -> None:
    c = clients[user]
    checked = 0
    for method, path in sorted(domain_routes(app)):
        kind = kind_of(method, path)
        if kind == "stream":
            continue
        if kind == "item":
            url = re.sub(r"\{(\w+)\}", lambda m: str(theirs[m.group(1)]), path)
            r = c.request(method, url, json={} if method in ("POST", "PATCH") else None)
            assert r.status_code == 404, (method, path, r.status_code, r.text)
        elif kind == "list":
            r = c.get(path, params={"size": 500} if path != "/api/v1/duty/now" else None)
            assert r.status_code == 200, (path, r.text)
            for item in r.json()["items"]:
                assert item["division_code"] in ("371581", "371500", "370000"), (path, item)
        elif kind == "create":
            r = c.post(path, json=CREATE_BODIES[path](world))
            assert r.status_code == 403, (path, r.status_code, r.text)
        else:
            r = c.get(path)
            assert r.status_code == 200, (path, r.text)
        assert MARKER not in r.text, (method, path, r.text)
        checked += 1
    assert checked > 40
    # nothing of theirs was changed
    admin = clients["admin"]
    inc = admin.get(f"/api/v1/incidents/{theirs['incident_id']}").json()
    assert inc["status"] == "reported" and inc["level"] is None
    assert admin.get(f"/api/v1/tasks/{theirs['task_id']}").json()["status"] == "assigned"
    assert admin.get(f"/api/v1/dispatches/{theirs['dispatch_id']}").json()["status"] == "requested"
    assert admin.get(f"/api/v1/duty/shifts/{theirs['shift_id']}").json()["handed_over_at"] is None
