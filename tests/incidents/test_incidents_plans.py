"""Plans: create with response levels and actions, matching to an incident, activation creating
exactly the plan level's tasks for their units."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from yingji.db.base import utcnow


@pytest.fixture
def plan_body(world: Any) -> Callable[..., dict[str, Any]]:
    u = world.units

    def make(**kw: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": "聊城市危险化学品事故专项应急预案（测试）", "kind": "special", "division_code": "371500",
            "incident_types": ["hazmat_leak", "explosion"], "source": "测试",
            "levels": [
                {"response_level": 1, "incident_levels": ["I"], "criteria": "特别重大事故",
                 "actions": [{"unit_id": u["emergency"], "action": "市政府主要领导到场指挥", "deadline_minutes": 60}]},
                {"response_level": 2, "incident_levels": ["II", "III"], "criteria": "重大、较大事故",
                 "actions": [
                     {"unit_id": u["emergency"], "action": "成立现场指挥部", "deadline_minutes": 30},
                     {"unit_id": u["health"], "action": "组织医疗救治", "deadline_minutes": 45},
                     {"unit_id": u["linqing_bureau"], "action": "疏散群众", "deadline_minutes": 20},
                 ]},
                {"response_level": 4, "incident_levels": ["IV"], "criteria": "一般事故",
                 "actions": [{"unit_id": u["linqing_bureau"], "action": "属地处置", "deadline_minutes": 30}]},
            ],
        }
        body.update(kw)
        return body

    return make


@pytest.fixture
def plan(clients: Any, plan_body: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    r = clients["commander"].post("/api/v1/plans", json=plan_body())
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_create_and_read_a_plan(clients: Any, plan: dict[str, Any]) -> None:
    assert [lv["response_level"] for lv in plan["levels"]] == [1, 2, 4]
    assert [a["action"] for a in plan["levels"][1]["actions"]] == ["成立现场指挥部", "组织医疗救治", "疏散群众"]
    assert clients["linqing"].get(f"/api/v1/plans/{plan['id']}").status_code == 200  # a city plan applies there
    listed = clients["linqing"].get("/api/v1/plans", params={"incident_type": "hazmat_leak"}).json()
    assert [p["id"] for p in listed["items"]] == [plan["id"]]


def test_plan_input_is_checked(clients: Any, plan_body: Callable[..., dict[str, Any]]) -> None:
    c = clients["commander"]
    r = c.post("/api/v1/plans", json=plan_body(incident_types=["no_such_type"]))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-2:] == ["incident_types", 0]
    bad = plan_body()
    bad["levels"][0]["actions"][0]["unit_id"] = 999_999
    r = c.post("/api/v1/plans", json=bad)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-5:] == ["levels", 0, "actions", 0, "unit_id"]
    dup = plan_body()
    dup["levels"][1]["response_level"] = 1
    assert c.post("/api/v1/plans", json=dup).status_code == 422
    assert c.get("/api/v1/plans").json()["total"] == 0
    assert clients["linqing"].post("/api/v1/plans", json=plan_body()).status_code == 403  # a city plan
    assert clients["viewer"].post("/api/v1/plans", json=plan_body()).status_code == 403


def test_matching_suggests_plans_and_the_response_level(
    clients: Any, plan: dict[str, Any], plan_body: Callable[..., dict[str, Any]],
    new_incident: Callable[..., dict[str, Any]]
) -> None:
    master = clients["commander"].post("/api/v1/plans", json=plan_body(
        name="聊城市突发事件总体应急预案（测试）", kind="master", incident_types=[],
        levels=[{"response_level": 3, "incident_levels": ["III", "IV"], "criteria": "较大及以下", "actions": []}],
    )).json()
    flood_only = clients["commander"].post("/api/v1/plans", json=plan_body(
        name="防汛预案（测试）", incident_types=["flood"])).json()
    inc = new_incident(dead=4)  # 较大 (III)
    r = clients["commander"].get(f"/api/v1/incidents/{inc['id']}/plans")
    assert r.status_code == 200, r.text
    got = [(s["plan"]["id"], s["response_level"]) for s in r.json()]
    assert got == [(plan["id"], 2), (master["id"], 3)]
    assert flood_only["id"] not in [g[0] for g in got]
    assert "III" in r.json()[0]["reason"]


def test_activation_creates_exactly_the_plans_tasks(
    clients: Any, world: Any, plan: dict[str, Any], new_incident: Callable[..., dict[str, Any]],
    move: Callable[..., dict[str, Any]]
) -> None:
    c = clients["commander"]
    inc = new_incident(dead=4)
    move(inc["id"], "verified")
    before = utcnow()
    r = c.post(f"/api/v1/incidents/{inc['id']}/activations",
               json={"plan_id": plan["id"], "response_level": 2, "reason": "较大事故"})
    assert r.status_code == 201, r.text
    activation = r.json()
    tasks = c.get(f"/api/v1/incidents/{inc['id']}/tasks").json()
    assert tasks["total"] == 3 and sorted(t["id"] for t in tasks["items"]) == sorted(activation["task_ids"])
    actions = plan["levels"][1]["actions"]
    by_action = {t["plan_action_id"]: t for t in tasks["items"]}
    assert set(by_action) == {a["id"] for a in actions}
    for a in actions:
        t = by_action[a["id"]]
        assert (t["title"], t["unit_id"], t["assignee_type"], t["status"]) == (a["action"], a["unit_id"], "unit",
                                                                               "assigned")
        deadline = datetime.fromisoformat(t["deadline"])
        expected = before + timedelta(minutes=a["deadline_minutes"])
        assert abs((deadline - expected).total_seconds()) < 60
        assert t["activation_id"] == activation["id"]
    after = c.get(f"/api/v1/incidents/{inc['id']}").json()
    assert after["response_level"] == 2 and after["status"] == "responding"
    kinds = [e["kind"] for e in c.get(f"/api/v1/incidents/{inc['id']}/timeline").json()]
    assert kinds.count("plan") == 1 and kinds.count("task") == 3
    # once per plan and level; another level adds exactly its own tasks
    again = c.post(f"/api/v1/incidents/{inc['id']}/activations", json={"plan_id": plan["id"], "response_level": 2})
    assert again.status_code == 409
    up = c.post(f"/api/v1/incidents/{inc['id']}/activations", json={"plan_id": plan["id"], "response_level": 1})
    assert up.status_code == 201 and len(up.json()["task_ids"]) == 1
    assert c.get(f"/api/v1/incidents/{inc['id']}/tasks").json()["total"] == 4
    assert c.get(f"/api/v1/incidents/{inc['id']}").json()["response_level"] == 1
    assert len(c.get(f"/api/v1/incidents/{inc['id']}/activations").json()) == 2
    # the health commission finds its task in its inbox
    inbox = clients["health"].get("/api/v1/tasks", params={"mine": "true"}).json()
    assert [t["title"] for t in inbox["items"]] == ["组织医疗救治"]


def test_activation_refusals(
    clients: Any, plan: dict[str, Any], new_incident: Callable[..., dict[str, Any]],
    move: Callable[..., dict[str, Any]]
) -> None:
    c = clients["commander"]
    inc = new_incident()
    url = f"/api/v1/incidents/{inc['id']}/activations"
    assert c.post(url, json={"plan_id": plan["id"], "response_level": 2}).status_code == 409  # not verified
    move(inc["id"], "verified")
    r = c.post(url, json={"plan_id": plan["id"], "response_level": 3})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "response_level"
    r = c.post(url, json={"plan_id": 999_999, "response_level": 2})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "plan_id"
    fire = new_incident(type="fire")
    move(fire["id"], "verified")
    r = c.post(f"/api/v1/incidents/{fire['id']}/activations", json={"plan_id": plan["id"], "response_level": 2})
    assert r.status_code == 422 and "does not apply" in r.text
    assert c.get(f"/api/v1/incidents/{inc['id']}/tasks").json()["total"] == 0
    assert clients["viewer"].post(url, json={"plan_id": plan["id"], "response_level": 2}).status_code == 403


def test_levels_are_frozen_once_activated(
    clients: Any, plan: dict[str, Any], plan_body: Callable[..., dict[str, Any]],
    new_incident: Callable[..., dict[str, Any]], move: Callable[..., dict[str, Any]]
) -> None:
    c = clients["commander"]
    levels = plan_body()["levels"][:1]
    assert c.patch(f"/api/v1/plans/{plan['id']}", json={"levels": levels}).status_code == 200
    inc = new_incident(dead=40)
    move(inc["id"], "verified")
    assert c.post(f"/api/v1/incidents/{inc['id']}/activations",
                  json={"plan_id": plan["id"], "response_level": 1}).status_code == 201
    assert c.patch(f"/api/v1/plans/{plan['id']}", json={"levels": levels}).status_code == 409
    r = c.patch(f"/api/v1/plans/{plan['id']}", json={"status": "retired"})
    assert r.status_code == 200 and r.json()["status"] == "retired"
    assert c.get(f"/api/v1/incidents/{inc['id']}/plans").json() == []
