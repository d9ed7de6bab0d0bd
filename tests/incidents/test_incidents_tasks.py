"""Tasks: assignment to a unit, a team or a person; accept / reject / progress / done; the inbox;
overdue flags; who may change which task."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from yingji.db.base import utcnow
from yingji.incidents.models import Task


def _task(clients: Any, incident_id: int, as_: str = "commander", **kw: Any) -> Any:
    body = {"title": "组织医疗救治", "assignee_type": "unit", "deadline_minutes": 30, **kw}
    return clients[as_].post(f"/api/v1/incidents/{incident_id}/tasks", json=body)


def test_assignee_lifecycle_and_inbox(
    clients: Any, world: Any, new_incident: Callable[..., dict[str, Any]]
) -> None:
    inc = new_incident()
    r = _task(clients, inc["id"], unit_id=world.units["health"])
    assert r.status_code == 201, r.text
    task = r.json()
    assert task["status"] == "assigned" and task["overdue"] is False and task["unit_id"] == world.units["health"]
    health = clients["health"]
    inbox = health.get("/api/v1/tasks", params={"mine": "true"}).json()
    assert [t["id"] for t in inbox["items"]] == [task["id"]]
    # the incident is visible to the department because its unit has a task there
    assert health.get(f"/api/v1/incidents/{inc['id']}").status_code == 200
    url = f"/api/v1/tasks/{task['id']}"
    assert health.post(f"{url}/progress", json={"progress": 10}).status_code == 409  # accept first
    assert health.post(f"{url}/accept").json()["status"] == "accepted"
    assert health.post(f"{url}/accept").status_code == 409
    p = health.post(f"{url}/progress", json={"progress": 60, "note": "已派出2支医疗队"})
    assert p.status_code == 200 and p.json()["status"] == "in_progress" and p.json()["progress"] == 60
    d = health.post(f"{url}/done", json={"note": "伤员全部转运"})
    assert d.status_code == 200 and d.json()["status"] == "done" and d.json()["progress"] == 100
    assert health.post(f"{url}/reject", json={"reason": "x"}).status_code == 409
    kinds = [e["summary"] for e in clients["commander"].get(f"/api/v1/incidents/{inc['id']}/timeline").json()
             if e["kind"] == "task"]
    assert len(kinds) == 4 and kinds[0].startswith("下达任务：组织医疗救治（市卫生健康委")
    assert kinds[-1].startswith("任务完成")


def test_reject_needs_a_reason_and_departments_change_only_their_tasks(
    clients: Any, world: Any, new_incident: Callable[..., dict[str, Any]]
) -> None:
    inc = new_incident()
    mine = _task(clients, inc["id"], unit_id=world.units["health"]).json()
    theirs = _task(clients, inc["id"], title="疏散群众", unit_id=world.units["linqing_bureau"]).json()
    health = clients["health"]
    assert health.post(f"/api/v1/tasks/{mine['id']}/reject", json={}).status_code == 422
    assert health.post(f"/api/v1/tasks/{theirs['id']}/accept").status_code == 403
    assert health.post(f"/api/v1/tasks/{mine['id']}/cancel", json={"reason": "x"}).status_code == 403
    r = health.post(f"/api/v1/tasks/{mine['id']}/reject", json={"reason": "非我委职责，建议交应急局"})
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert r.json()["reject_reason"] == "非我委职责，建议交应急局"
    # the county accepts for its bureau; the commander cancels
    assert clients["linqing"].post(f"/api/v1/tasks/{theirs['id']}/accept").status_code == 200
    c = clients["commander"].post(f"/api/v1/tasks/{theirs['id']}/cancel", json={"reason": "合并到新任务"})
    assert c.status_code == 200 and c.json()["status"] == "cancelled"


def test_team_and_person_assignees(
    clients: Any, world: Any, registry_rows: Callable[..., Any], new_incident: Callable[..., dict[str, Any]]
) -> None:
    inc = new_incident()
    team = registry_rows("team")
    r = _task(clients, inc["id"], assignee_type="team", team_id=team.id)
    assert r.status_code == 201 and r.json()["team_id"] == team.id and r.json()["unit_id"] == world.units["emergency"]
    r = _task(clients, inc["id"], assignee_type="person", user_id=world.users["health"])
    assert r.status_code == 201 and r.json()["assignee_user_id"] == world.users["health"]
    bad = _task(clients, inc["id"], assignee_type="person", unit_id=world.units["health"])
    assert bad.status_code == 422


def test_overdue_flag_and_filter(
    clients: Any, session: Session, world: Any, new_incident: Callable[..., dict[str, Any]]
) -> None:
    inc = new_incident()
    late = _task(clients, inc["id"], unit_id=world.units["health"]).json()
    _task(clients, inc["id"], title="准时", unit_id=world.units["health"])
    session.execute(update(Task).where(Task.id == late["id"]).values(deadline=utcnow() - timedelta(minutes=5)))
    session.flush()
    c = clients["commander"]
    assert c.get(f"/api/v1/tasks/{late['id']}").json()["overdue"] is True
    overdue = c.get("/api/v1/tasks", params={"overdue": "true"}).json()
    assert [t["id"] for t in overdue["items"]] == [late["id"]]
    assert c.get("/api/v1/tasks", params={"overdue": "false"}).json()["total"] == 1
    # done tasks are never overdue
    clients["health"].post(f"/api/v1/tasks/{late['id']}/accept")
    clients["health"].post(f"/api/v1/tasks/{late['id']}/done", json={})
    assert c.get(f"/api/v1/tasks/{late['id']}").json()["overdue"] is False


def test_deadline_in_the_past_is_refused(clients: Any, world: Any, new_incident: Callable[..., dict[str, Any]]) -> None:
    inc = new_incident()
    past = (utcnow() - timedelta(hours=1)).isoformat()
    r = _task(clients, inc["id"], unit_id=world.units["health"], deadline_minutes=None, deadline=past)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "deadline"


def test_terminal_incident_cancels_open_tasks(
    clients: Any, world: Any, new_incident: Callable[..., dict[str, Any]], move: Callable[..., dict[str, Any]]
) -> None:
    inc = new_incident()
    t = _task(clients, inc["id"], unit_id=world.units["health"]).json()
    move(inc["id"], "false_alarm")
    assert clients["commander"].get(f"/api/v1/tasks/{t['id']}").json()["status"] == "cancelled"
