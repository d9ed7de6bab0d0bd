"""Against a real server on a fresh database (committed transactions, one connection per request):

* 20 parallel requests dispatch the same team to 20 different incidents: exactly one succeeds, the
  others get 409, and the database holds one active dispatch — on SQLite and on PostgreSQL;
* server-sent events reach a second client within a second of the change, filtered by scope.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from yingji.audit.models import AuditEntry
from yingji.db.base import utcnow
from yingji.incidents.models import Dispatch, Incident, TimelineEntry
from yingji.registry.models import Team

N = 20


def _incident(i: int, division: str = "371581") -> dict[str, Any]:
    lon, lat = (115.705, 36.838) if division == "371581" else (115.985, 36.457)
    return {"title": f"并发测试事件{i}", "category": "accident", "type": "fire", "division_code": division,
            "lon": lon + 0.001 * i, "lat": lat, "occurred_at": (utcnow() - timedelta(minutes=5)).isoformat()}


def test_one_team_twenty_parallel_dispatches(live: Any) -> None:
    with httpx.Client(base_url=live.server.url, headers=live.headers("commander"), timeout=30) as c:
        ids = []
        for i in range(N):
            r = c.post("/api/v1/incidents", json=_incident(i))
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
    with live.session() as s, s.begin():
        team = Team(name=f"并发测试队伍{ids[0]}", kind="fire_rescue", specialty="fire", level="county", headcount=10,
                    capabilities=["fire"], equipment=[], status="available", division_code="371581",
                    lon=115.70, lat=36.83)
        s.add(team)
        s.flush()
        team_id = team.id
    barrier = threading.Barrier(N)

    def attempt(incident_id: int) -> tuple[int, str]:
        with httpx.Client(base_url=live.server.url, headers=live.headers("commander"), timeout=60) as client:
            barrier.wait(timeout=30)
            r = client.post(f"/api/v1/incidents/{incident_id}/dispatches",
                            json={"resource_type": "team", "resource_id": team_id})
            return r.status_code, r.text

    with ThreadPoolExecutor(max_workers=N) as pool:
        results = list(pool.map(attempt, ids))
    codes = [code for code, _ in results]
    assert codes.count(201) == 1, results
    assert codes.count(409) == N - 1, results
    for code, text in results:
        if code == 409:
            assert "resource_id" in json.loads(text)["detail"]
    winner = ids[codes.index(201)]
    with live.session() as s:
        active = s.scalars(select(Dispatch).where(Dispatch.resource_type == "team", Dispatch.resource_id == team_id,
                                                  Dispatch.status.in_(("requested", "en_route", "on_scene")))).all()
        assert [d.incident_id for d in active] == [winner]
        row = s.get(Team, team_id)
        assert row is not None and row.status == "deployed"
        lines = s.scalar(select(func.count()).select_from(TimelineEntry).where(
            TimelineEntry.kind == "dispatch", TimelineEntry.incident_id.in_(ids)))
        audits = s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.entity_type == "dispatches", AuditEntry.action == "create"))
        assert (lines, audits) == (1, 1)


@dataclass
class Listener:
    """A client following /api/v1/events in a thread; events land in ``events`` with their arrival time."""

    live: Any
    username: str
    events: queue.Queue[tuple[float, dict[str, Any]]] = field(default_factory=queue.Queue)
    ready: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)
    error: list[BaseException] = field(default_factory=list)
    response: Any = None

    def run(self) -> None:
        try:
            with httpx.Client(timeout=httpx.Timeout(30.0, read=30.0)) as c, c.stream(
                "GET", f"{self.live.server.url}/api/v1/events", headers=self.live.headers(self.username)
            ) as r:
                self.response = r
                assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
                for line in r.iter_lines():
                    if line.startswith(": connected"):
                        self.ready.set()
                    elif line.startswith("data: "):
                        self.events.put((time.monotonic(), json.loads(line[6:])))
                    if self.stop.is_set():
                        return
        except BaseException as exc:  # noqa: BLE001 - closing the stream from outside ends up here
            if not self.stop.is_set():
                self.error.append(exc)
            self.ready.set()

    def next(self, timeout: float = 5.0) -> tuple[float, dict[str, Any]]:
        return self.events.get(timeout=timeout)


@pytest.fixture
def listeners(live: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Listener]]:
    # keep-alive comments every 0.2 s, so that the listening threads notice ``stop`` promptly
    monkeypatch.setattr("yingji.events.views.KEEPALIVE_S", 0.2)
    out = {u: Listener(live, u) for u in ("commander", "linqing", "dongchangfu", "health")}
    threads = [threading.Thread(target=lst.run, daemon=True) for lst in out.values()]
    for t in threads:
        t.start()
    for lst in out.values():
        assert lst.ready.wait(10), f"{lst.username}: stream did not open"
        assert not lst.error, lst.error
    yield out
    for lst in out.values():
        lst.stop.set()
    for t in threads:
        t.join(timeout=5)


def test_sse_delivers_to_a_second_client_within_a_second(live: Any, listeners: dict[str, Listener]) -> None:
    with httpx.Client(base_url=live.server.url, headers=live.headers("duty"), timeout=30) as c:
        r = c.post("/api/v1/incidents", json=_incident(1))
        done = time.monotonic()
        assert r.status_code == 201, r.text
        inc = r.json()
        for name in ("commander", "linqing"):
            arrived, event = listeners[name].next(timeout=5)
            assert arrived - done < 1.0, f"{name}: event arrived {arrived - done:.3f} s after the response"
            assert event["topic"] == "incident" and event["action"] == "created"
            assert event["incident_id"] == inc["id"] and event["data"]["title"] == inc["title"]
        # scope: 东昌府区 does not hear of 临清's incident, but hears of its own
        r2 = c.post("/api/v1/incidents", json=_incident(2, division="371502"))
        assert r2.status_code == 201
        _, event = listeners["dongchangfu"].next(timeout=5)
        assert event["incident_id"] == r2.json()["id"]
        # 东昌府区 has it, so a leak to 临清 would be there by now (give it half a second more)
        time.sleep(0.5)
        leaked = [e for _, e in list(listeners["linqing"].events.queue) if e.get("incident_id") == r2.json()["id"]]
        assert leaked == []
        # a department hears of a task for its unit on an incident it could not see before
        task = c.post(f"/api/v1/incidents/{inc['id']}/tasks", json={
            "title": "医疗救治", "assignee_type": "unit", "unit_id": live.ids["units"]["health"],
            "deadline_minutes": 30})
        task_done = time.monotonic()
        assert task.status_code == 201, task.text
        arrived, event = listeners["health"].next(timeout=5)
        assert (event["topic"], event["action"], event["data"]["id"]) == ("task", "created", task.json()["id"])
        assert arrived - task_done < 1.0, f"task event arrived {arrived - task_done:.3f} s after the response"
        # a change that fails is never announced
        bad = c.post(f"/api/v1/incidents/{inc['id']}/transitions", json={"to": "closed"})
        assert bad.status_code == 409
        ok = c.post(f"/api/v1/incidents/{inc['id']}/transitions", json={"to": "verified"})
        assert ok.status_code == 200
    seen = []
    while True:
        try:
            seen.append(listeners["commander"].next(timeout=2)[1])
        except queue.Empty:
            break
        if seen[-1]["action"] == "status":
            break
    assert [(e["topic"], e["action"]) for e in seen] == [("incident", "created"), ("task", "created"),
                                                         ("incident", "status")]
    assert seen[-1]["data"]["status"] == "verified"
    # an incident that ends cancels its open tasks, each announced like a cancellation by hand
    with httpx.Client(base_url=live.server.url, headers=live.headers("duty"), timeout=30) as c:
        end = c.post(f"/api/v1/incidents/{inc['id']}/transitions", json={"to": "closed", "reason": "处置完毕"})
        assert end.status_code == 200, end.text
    cancelled = []
    while not cancelled:
        _, event = listeners["health"].next(timeout=5)
        if (event["topic"], event["action"]) == ("task", "cancel"):
            cancelled.append(event)
    assert cancelled[0]["data"]["id"] == task.json()["id"] and cancelled[0]["data"]["status"] == "cancelled"


def test_incident_rows_of_the_live_database(live: Any) -> None:
    """The live database is a real, migrated one: what the server wrote is committed.

    Self-contained: it writes its own incidents rather than counting those of another test, because
    the tests of this module may run on different xdist workers (each builds its own ``live``
    database) or alone."""
    with httpx.Client(base_url=live.server.url, headers=live.headers("commander"), timeout=30) as c:
        ids = []
        for i in range(3):
            r = c.post("/api/v1/incidents", json=_incident(100 + i))
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
    with live.session() as s:  # a connection of its own, not the server's: only committed rows are seen
        rows = s.scalars(select(Incident).where(Incident.id.in_(ids))).all()
        assert sorted(r.id for r in rows) == sorted(ids)
        assert {r.title for r in rows} == {f"并发测试事件{100 + i}" for i in range(3)}
        assert (s.scalar(select(func.count()).select_from(Incident)) or 0) >= len(ids)
