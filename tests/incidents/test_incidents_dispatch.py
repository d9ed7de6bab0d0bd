"""Dispatch: recommendations (road ETA with a network, straight line without — and saying so;
capability match first), the resource lifecycle with times, registry status kept in step, and a
resource never committed twice."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.incidents.models import Dispatch, TimelineEntry
from yingji.registry.models import Expert, Team, Vehicle


def test_recommendations_without_a_network_fall_back_to_straight_line(
    clients: Any, registry_rows: Callable[..., Any], new_incident: Callable[..., dict[str, Any]]
) -> None:
    inc = new_incident()  # hazmat leak near 临清
    near_fire = registry_rows("team", specialty="fire", capabilities=["fire"], lon=inc["lon"], lat=inc["lat"])
    far_hazmat = registry_rows("team", specialty="hazmat", capabilities=["hazmat"], lon=inc["lon"] + 0.2,
                               lat=inc["lat"])
    registry_rows("team", status="off_duty", specialty="hazmat")
    unrelated = registry_rows("team", specialty="telecom", capabilities=["telecom"], lon=inc["lon"], lat=inc["lat"])
    r = clients["commander"].get(f"/api/v1/incidents/{inc['id']}/recommendations", params={"resource_type": "team"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["method"] == "straight_line" and "no road network" in body["note"]
    ids = [it["id"] for it in body["items"]]
    assert ids == [near_fire.id, far_hazmat.id, unrelated.id]  # matching first, each group by ETA
    assert body["items"][0]["matches"] == ["fire"] and body["items"][1]["matches"] == ["hazmat"]
    assert all(it["eta_method"] == "straight_line" and it["eta_s"] is not None for it in body["items"])
    assert body["items"][0]["eta_s"] < body["items"][1]["eta_s"]


def test_recommendations_by_road_with_a_network(
    clients: Any, road_network: Path, registry_rows: Callable[..., Any], new_incident: Callable[..., dict[str, Any]]
) -> None:
    inc = new_incident(lon=115.705 + 0.005, lat=36.838 + 0.005)
    a = registry_rows("team", lon=115.705 + 0.006, lat=36.838 + 0.006)
    b = registry_rows("team", lon=115.705 - 0.01, lat=36.838 - 0.01)
    body = clients["commander"].get(f"/api/v1/incidents/{inc['id']}/recommendations").json()
    assert body["method"] == "road" and "closures" in body
    assert [it["id"] for it in body["items"]] == [a.id, b.id]
    assert all(it["eta_method"] == "road" for it in body["items"])
    d = clients["commander"].post(f"/api/v1/incidents/{inc['id']}/dispatches",
                                  json={"resource_type": "team", "resource_id": a.id})
    assert d.status_code == 201 and d.json()["eta_method"] == "road" and d.json()["distance_m"] > 0


def test_dispatch_lifecycle_and_registry_status(
    clients: Any, session: Session, registry_rows: Callable[..., Any], new_incident: Callable[..., dict[str, Any]]
) -> None:
    c = clients["commander"]
    inc, other = new_incident(), new_incident()
    team = registry_rows("team")
    r = c.post(f"/api/v1/incidents/{inc['id']}/dispatches", json={"resource_type": "team", "resource_id": team.id})
    assert r.status_code == 201, r.text
    d = r.json()
    assert d["status"] == "requested" and d["requested_at"] and d["eta_method"] == "straight_line"
    session.expire_all()
    assert session.get(Team, team.id).status == "deployed"  # type: ignore[union-attr]
    # never twice at once
    twice = c.post(f"/api/v1/incidents/{other['id']}/dispatches",
                   json={"resource_type": "team", "resource_id": team.id})
    assert twice.status_code == 409 and f"incident {inc['id']}" in twice.json()["detail"]
    url = f"/api/v1/dispatches/{d['id']}/status"
    assert c.post(url, json={"status": "requested"}).status_code == 409
    en = c.post(url, json={"status": "en_route"}).json()
    on = c.post(url, json={"status": "on_scene", "note": "到达现场"}).json()
    assert en["en_route_at"] and on["on_scene_at"] and on["note"] == "到达现场"
    rel = c.post(url, json={"status": "released"})
    assert rel.status_code == 200 and rel.json()["released_at"]
    bad = c.post(url, json={"status": "en_route"})
    assert bad.status_code == 409 and "none (released)" in bad.json()["detail"]
    session.expire_all()
    assert session.get(Team, team.id).status == "available"  # type: ignore[union-attr]
    # released: free to go elsewhere
    again = c.post(f"/api/v1/incidents/{other['id']}/dispatches",
                   json={"resource_type": "team", "resource_id": team.id})
    assert again.status_code == 201
    board = c.get("/api/v1/dispatches", params={"active": "true"}).json()
    assert [x["incident_id"] for x in board["items"]] == [other["id"]]
    lines = [e["summary"] for e in c.get(f"/api/v1/incidents/{inc['id']}/timeline").json() if e["kind"] == "dispatch"]
    assert len(lines) == 4


def test_vehicles_and_experts(
    clients: Any, session: Session, registry_rows: Callable[..., Any], new_incident: Callable[..., dict[str, Any]]
) -> None:
    c = clients["commander"]
    inc = new_incident()
    v = registry_rows("vehicle")
    e = registry_rows("expert")
    rec = c.get(f"/api/v1/incidents/{inc['id']}/recommendations", params={"resource_type": "expert"}).json()
    assert [x["id"] for x in rec["items"]] == [e.id] and rec["items"][0]["matches"] == ["hazmat"]
    assert "experts are ranked" in rec["note"]
    assert c.post(f"/api/v1/incidents/{inc['id']}/dispatches",
                  json={"resource_type": "vehicle", "resource_id": v.id}).status_code == 201
    d = c.post(f"/api/v1/incidents/{inc['id']}/dispatches", json={"resource_type": "expert", "resource_id": e.id})
    assert d.status_code == 201
    session.expire_all()
    assert session.get(Vehicle, v.id).status == "deployed"  # type: ignore[union-attr]
    assert session.get(Expert, e.id).availability == "busy"  # type: ignore[union-attr]
    c.post(f"/api/v1/dispatches/{d.json()['id']}/status", json={"status": "released"})
    session.expire_all()
    assert session.get(Expert, e.id).availability == "available"  # type: ignore[union-attr]


def test_off_duty_team_is_refused_and_nothing_changes(
    clients: Any, session: Session, registry_rows: Callable[..., Any], new_incident: Callable[..., dict[str, Any]]
) -> None:
    inc = new_incident()
    team = registry_rows("team", status="off_duty")
    timeline_before = session.scalar(select(func.count()).select_from(TimelineEntry))
    r = clients["commander"].post(f"/api/v1/incidents/{inc['id']}/dispatches",
                                  json={"resource_type": "team", "resource_id": team.id})
    assert r.status_code == 409
    assert "off duty" in r.json()["detail"] and team.name in r.json()["detail"]
    session.expire_all()
    assert session.get(Team, team.id).status == "off_duty"  # type: ignore[union-attr]
    assert session.scalar(select(func.count()).select_from(Dispatch)) == 0
    assert session.scalar(select(func.count()).select_from(TimelineEntry)) == timeline_before


def test_dispatch_scope_and_closing_rules(
    clients: Any, registry_rows: Callable[..., Any], new_incident: Callable[..., dict[str, Any]],
    move: Callable[..., dict[str, Any]]
) -> None:
    inc = new_incident()
    dcf_team = registry_rows("team", division_code="371502")
    r = clients["linqing"].post(f"/api/v1/incidents/{inc['id']}/dispatches",
                                json={"resource_type": "team", "resource_id": dcf_team.id})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "resource_id"  # not in its registry view
    r = clients["commander"].post(f"/api/v1/incidents/{inc['id']}/dispatches",
                                  json={"resource_type": "team", "resource_id": dcf_team.id})
    assert r.status_code == 201
    move(inc["id"], "verified")
    close = clients["commander"].post(f"/api/v1/incidents/{inc['id']}/transitions", json={"to": "closed"})
    assert close.status_code == 409 and "release" in close.json()["detail"]
    assert clients["viewer"].post(f"/api/v1/incidents/{inc['id']}/dispatches",
                                  json={"resource_type": "team", "resource_id": dcf_team.id}).status_code == 403
