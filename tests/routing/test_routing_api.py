"""The routing API through HTTP on a real database, on a network whose answers are worked by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from gridnet import NX, lonlat  # type: ignore[import-not-found]

from yingji.engines.network.graph import RoadGraph

ART = 200.0 / (60 / 3.6)  # seconds per 200 m arterial block: 12 s
LOCAL = 200.0 / (30 / 3.6)  # seconds per 200 m local block: 24 s


def pt(graph: RoadGraph, i: int, j: int) -> dict[str, float]:
    lon, lat = lonlat(graph, i, j)
    return {"lon": lon, "lat": lat}


def _route(c: Any, g: RoadGraph, a: tuple[int, int], b: tuple[int, int]) -> dict[str, Any]:
    r = c.post("/api/v1/routing/route", json={"origin": pt(g, *a), "destination": pt(g, *b)})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def test_route_along_an_arterial_is_exact(clients: Any, grid_graph: RoadGraph) -> None:
    f = _route(clients["duty"], grid_graph, (0, 0), (5, 0))
    assert f["properties"]["time_s"] == pytest.approx(5 * ART)  # 1 km at 60 km/h = 60 s
    assert f["properties"]["length_m"] == pytest.approx(1000.0)
    assert f["geometry"]["type"] == "LineString" and len(f["geometry"]["coordinates"]) == 6
    assert f["properties"]["closures"] == []


def test_local_street_takes_the_faster_way_round(clients: Any, grid_graph: RoadGraph) -> None:
    # (1,1)→(2,1): direct local block 24 s; via arterials (1,0),(2,0) = 24+12+24: the direct block wins
    f = _route(clients["duty"], grid_graph, (1, 1), (2, 1))
    assert f["properties"]["time_s"] == pytest.approx(LOCAL)


def test_matrix(clients: Any, grid_graph: RoadGraph) -> None:
    r = clients["viewer"].post(
        "/api/v1/routing/matrix",
        json={
            "origins": [pt(grid_graph, 0, 0)],
            "destinations": [pt(grid_graph, 5, 0), pt(grid_graph, 10, 0)],
        },
    )
    assert r.status_code == 200, r.text
    assert r.json()["seconds"][0] == pytest.approx([5 * ART, 10 * ART])


def test_a_closure_never_shortens_is_reported_and_clearing_restores(
    clients: Any, grid_graph: RoadGraph
) -> None:
    c = clients["linqing"]
    before = _route(c, grid_graph, (0, 0), (5, 0))["properties"]["time_s"]
    lon_a, lat_a = lonlat(grid_graph, 2, 0)
    lon_b, lat_b = lonlat(grid_graph, 3, 0)
    d = 0.0003
    box = {
        "type": "Polygon",
        "coordinates": [
            [
                [lon_a + 0.0005, lat_a - d],
                [lon_b - 0.0005, lat_b - d],
                [lon_b - 0.0005, lat_b + d],
                [lon_a + 0.0005, lat_a + d],
                [lon_a + 0.0005, lat_a - d],
            ]
        ],
    }
    r = c.post("/api/v1/routing/closures", json={"reason": "积水", "division_code": "371581", "area": box})
    assert r.status_code == 201, r.text
    closure = r.json()
    assert closure["active"] and len(closure["edges"]) == 2  # both directions of one block
    after = _route(c, grid_graph, (0, 0), (5, 0))["properties"]
    assert after["time_s"] > before
    # the detour: up a local block, 5 blocks along row 1 … or the next arterial; at least 2 local blocks more
    assert after["time_s"] >= before + 2 * LOCAL - ART - 1e-6
    assert after["closures"] == [{"id": closure["id"], "reason": "积水"}]
    r = c.patch(
        f"/api/v1/routing/closures/{closure['id']}", json={"cleared_at": datetime.now(UTC).isoformat()}
    )
    assert r.status_code == 200, r.text
    assert not r.json()["active"]
    assert _route(c, grid_graph, (0, 0), (5, 0))["properties"]["time_s"] == pytest.approx(before)


def test_closures_outside_scope_count_but_are_not_named(clients: Any, grid_graph: RoadGraph) -> None:
    g = grid_graph
    edges = _route(clients["admin"], g, (0, 0), (1, 0))["properties"]["edges"]
    r = clients["dongchangfu"].post(
        "/api/v1/routing/closures", json={"reason": "塌方", "division_code": "371502", "edges": edges}
    )
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    f = _route(clients["linqing"], g, (0, 0), (5, 0))["properties"]
    assert f["closures"] == [] and f["closures_outside_scope"] == 1
    assert f["time_s"] > 5 * ART
    assert clients["linqing"].get(f"/api/v1/routing/closures/{cid}").status_code == 404
    assert (
        clients["linqing"].patch(f"/api/v1/routing/closures/{cid}", json={"reason": "x"}).status_code == 404
    )
    assert clients["linqing"].get("/api/v1/routing/closures").json()["total"] == 0
    r = clients["linqing"].post(
        "/api/v1/routing/closures", json={"reason": "x", "division_code": "371502", "edges": edges}
    )
    assert r.status_code == 403


def test_clearance_report(clients: Any, grid_graph: RoadGraph) -> None:
    c = clients["commander"]
    edges = _route(c, grid_graph, (0, 0), (1, 0))["properties"]["edges"]
    t0 = datetime(2026, 7, 1, 8, tzinfo=UTC)
    for hours in (3, 20, 30, None):
        body = {"reason": "洪水", "division_code": "371581", "edges": edges, "opened_at": t0.isoformat()}
        if hours is not None:
            body["cleared_at"] = (t0 + timedelta(hours=hours)).isoformat()
        assert c.post("/api/v1/routing/closures", json=body).status_code == 201
    r = c.get(
        "/api/v1/routing/closures/report",
        params={"since": "2026-07-01T00:00:00Z", "until": "2026-08-01T00:00:00Z"},
    )
    assert r.status_code == 200, r.text
    rep = r.json()
    assert rep["opened"] == 4 and rep["cleared_within_24h"] == 2 and rep["share"] == pytest.approx(0.5)
    assert rep["pending"] == 0
    # a closure opened an hour ago and still open is pending: counted as opened, not yet judged, and
    # the figures still agree (share = cleared / (opened - pending))
    now = datetime.now(UTC)
    body = {"reason": "塌方", "division_code": "371581", "edges": edges,
            "opened_at": (now - timedelta(hours=1)).isoformat()}
    assert c.post("/api/v1/routing/closures", json=body).status_code == 201
    rep = c.get("/api/v1/routing/closures/report", params={
        "since": (now - timedelta(days=400)).isoformat(), "until": now.isoformat()}).json()
    assert (rep["opened"], rep["pending"], rep["cleared_within_24h"]) == (5, 1, 2)
    assert rep["share"] == pytest.approx(rep["cleared_within_24h"] / (rep["opened"] - rep["pending"]))


def _team(c: Any, g: RoadGraph, name: str, i: int, j: int, **extra: Any) -> int:
    lon, lat = lonlat(g, i, j)
    body = {
        "name": name,
        "kind": "professional",
        "specialty": "hazmat",
        "level": "county",
        "division_code": "371581",
        "lon": lon,
        "lat": lat,
        **extra,
    }
    r = c.post("/api/v1/teams", json=body)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_nearest_teams_ranked_by_eta_with_filters(clients: Any, grid_graph: RoadGraph) -> None:
    c = clients["admin"]
    near = _team(c, grid_graph, "近队", 5, 0)
    far = _team(c, grid_graph, "远队", 20, 0, capabilities=["flood"])
    _team(c, grid_graph, "休整队", 1, 0, status="off_duty")
    p = pt(grid_graph, 0, 0)
    r = c.get("/api/v1/routing/nearest", params={**p, "resource": "teams", "status": "available", "k": 5})
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [i["id"] for i in items] == [near, far]
    assert items[0]["eta_s"] == pytest.approx(5 * ART) and items[1]["eta_s"] == pytest.approx(20 * ART)
    r = c.get("/api/v1/routing/nearest", params={**p, "resource": "teams", "capability": "flood"})
    assert [i["id"] for i in r.json()["items"]] == [far]
    r = c.get("/api/v1/routing/nearest", params={**p, "resource": "teams", "k": 1, "status": "available"})
    assert [i["id"] for i in r.json()["items"]] == [near]


def test_isochrones_are_nested_polygons(clients: Any, grid_graph: RoadGraph) -> None:
    from shapely.geometry import Point, shape

    p = pt(grid_graph, 20, 20)
    r = clients["viewer"].get("/api/v1/routing/isochrones", params={**p, "thresholds": "60,180"})
    assert r.status_code == 200, r.text
    fc = r.json()
    assert fc["type"] == "FeatureCollection"
    polys = {f["properties"]["threshold_s"]: shape(f["geometry"]) for f in fc["features"]}
    assert set(polys) == {60.0, 180.0}
    assert polys[180.0].area > polys[60.0].area
    assert polys[60.0].contains(Point(p["lon"], p["lat"]))
    far = pt(grid_graph, 40, 40)
    assert not polys[180.0].contains(Point(far["lon"], far["lat"]))


def _station(c: Any, g: RoadGraph, i: int, j: int) -> None:
    lon, lat = lonlat(g, i, j)
    r = c.post(
        "/api/v1/facilities",
        json={
            "name": f"消防站{i}-{j}",
            "kind": "fire_station",
            "division_code": "371581",
            "lon": lon,
            "lat": lat,
            "capacity": {"station_class": "standard_1"},
        },
    )
    assert r.status_code == 201, r.text


def test_fire_coverage_per_division_and_scope(clients: Any, grid_graph: RoadGraph) -> None:
    _station(clients["admin"], grid_graph, 0, 0)
    r = clients["admin"].get("/api/v1/routing/coverage/fire")
    assert r.status_code == 200, r.text
    cov = r.json()
    assert cov["turnout_s"] == 60 and cov["drive_budget_s"] == 240
    rows = {row["division_code"]: row for row in cov["by_division"]}
    assert rows["371581"]["share"] == pytest.approx(1.0)  # the cell at the station
    assert rows["371502"]["share"] == pytest.approx(0.0)  # 8 km away: 480 s on arterials
    assert cov["share"] == pytest.approx(1000 / 1500)
    # built-up: ≥ 1000 persons/km²; the 1 km² cell of 1000 is, the cell of 500 is not
    assert rows["371581"]["built_up_share"] == pytest.approx(1.0)
    assert rows["371502"]["built_up_population"] == 0 and rows["371502"]["built_up_share"] is None
    assert cov["built_up_share"] == pytest.approx(1.0)
    assert len(cov["uncovered_cells"]["features"]) == 1
    mine = clients["linqing"].get("/api/v1/routing/coverage/fire").json()
    assert [row["division_code"] for row in mine["by_division"]] == ["371581"]
    assert mine["uncovered_cells"]["features"] == []


def test_siting_picks_the_uncovered_cell(clients: Any, grid_graph: RoadGraph) -> None:
    _station(clients["admin"], grid_graph, 0, 0)
    r = clients["admin"].get("/api/v1/routing/siting", params={"k": 1, "method": "mip"})
    assert r.status_code == 200, r.text
    res = r.json()
    assert len(res["sites"]) == 1 and res["sites"][0]["population_gained"] == pytest.approx(500)
    assert res["covered_population"] == pytest.approx(1500)


def test_bad_input_is_4xx_naming_the_problem(clients: Any, grid_graph: RoadGraph) -> None:
    c = clients["admin"]
    r = c.get("/api/v1/routing/nearest", params={"lon": 100.0, "lat": 30.0})
    assert r.status_code == 422 and "point" in r.text and "from the nearest road" in r.text
    r = c.get("/api/v1/routing/nearest", params={"lon": 200.0, "lat": 30.0})
    assert r.status_code == 422 and "lon" in r.text
    r = c.get("/api/v1/routing/nearest", params={**pt(grid_graph, 0, 0), "resource": "spaceships"})
    assert r.status_code == 422 and "resource" in r.text
    r = c.get("/api/v1/routing/isochrones", params={**pt(grid_graph, 0, 0), "thresholds": "abc"})
    assert r.status_code == 422 and "thresholds" in r.text
    r = c.get("/api/v1/routing/isochrones", params={**pt(grid_graph, 0, 0), "thresholds": "-5"})
    assert r.status_code == 422 and "thresholds" in r.text
    r = c.get("/api/v1/routing/coverage/fire")
    assert r.status_code == 422 and "fire_station" in r.text  # empty source set
    r = c.post("/api/v1/routing/closures", json={"reason": "x", "division_code": "371581"})
    assert r.status_code == 422
    r = c.post("/api/v1/routing/closures", json={"reason": "x", "division_code": "371581", "edges": [10**9]})
    assert r.status_code == 422 and "edges" in r.text
    r = c.post(
        "/api/v1/routing/closures",
        json={"reason": "x", "division_code": "371581", "area": {"type": "Point", "coordinates": [1, 2]}},
    )
    assert r.status_code == 422 and "area" in r.text
    r = c.post("/api/v1/routing/route", json={"origin": {"lon": 1}, "destination": pt(grid_graph, 0, 0)})
    assert r.status_code == 422 and "lat" in r.text
    assert NX == 41
