"""Demand drawn as an area or taken from an incident (allocation page): the persons living in the
area come from the population grid (cells counted by the share the area covers) and their centre
is the delivery point; an incident gives its place and affected people. On the ladder of
supplykit: 1,000 persons in the 1 km cell centred on column 5 (临清市)."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session
from supplykit import Depots, add_lot, lonlat  # type: ignore[import-not-found]

from yingji.db.base import utcnow
from yingji.engines.network.geo import EARTH_RADIUS_M
from yingji.engines.network.graph import RoadGraph
from yingji.incidents.models import Incident
from yingji.supplies import reserve

PLAN = "/api/v1/supplies/allocation/plan"
HALF_LAT = 500 / (EARTH_RADIUS_M * math.pi / 180)


def _cell(graph: RoadGraph, i: int, west_share: float = 1.0) -> dict[str, Any]:
    """The square of the population cell about column ``i`` (its western ``west_share`` only)."""
    lon, lat = lonlat(graph, i)
    half_lon = HALF_LAT / math.cos(math.radians(lat))
    x0, x1 = lon - half_lon, lon - half_lon + 2 * half_lon * west_share
    ring = [[x0, lat - HALF_LAT], [x1, lat - HALF_LAT], [x1, lat + HALF_LAT], [x0, lat + HALF_LAT],
            [x0, lat - HALF_LAT]]
    return {"type": "Polygon", "coordinates": [ring]}


def _stock(session: Session, depots: Depots) -> None:
    for item, _ in reserve.relief_profile(session):
        add_lot(session, depots, warehouse=depots.linqing, item=item.code, quantity=100_000)


def _totals(plan: dict[str, Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    for s in plan["shipments"]:
        out[s["item_code"]] = out.get(s["item_code"], 0) + s["quantity"]
    return out


def test_an_area_brings_the_people_living_in_it(
    clients: Any, session: Session, depots: Depots, ladder_graph: RoadGraph
) -> None:
    _stock(session, depots)
    c = clients["commander"]
    whole = c.post(PLAN, json={"points": [{"name": "画区", "area": _cell(ladder_graph, 5)}]})
    assert whole.status_code == 200, whole.text
    body = whole.json()
    point = body["points"][0]
    assert point["people"] == 1000
    assert (point["lon"], point["lat"]) == pytest.approx(lonlat(ladder_graph, 5), abs=1e-6)
    # the same demand as 1,000 people stated at the cell's centre
    stated = c.post(PLAN, json={"points": [{"name": "画区", "people": 1000, "lon": point["lon"],
                                           "lat": point["lat"]}]}).json()
    assert _totals(body) == _totals(stated) and _totals(body)
    # the western 40 % of the cell: 400 persons, centred 300 m west of the node
    part = c.post(PLAN, json={"points": [{"name": "西", "area": _cell(ladder_graph, 5, 0.4)}]}).json()
    assert part["points"][0]["people"] == 400
    lon5, _ = lonlat(ladder_graph, 5)
    west_m = (lon5 - part["points"][0]["lon"]) * EARTH_RADIUS_M * math.pi / 180 * math.cos(
        math.radians(part["points"][0]["lat"]))
    assert west_m == pytest.approx(300, abs=1)
    # stated people and place win over the area's
    mine = c.post(PLAN, json={"points": [{"name": "定", "area": _cell(ladder_graph, 5), "people": 50,
                                         "lon": lonlat(ladder_graph, 7)[0], "lat": lonlat(ladder_graph, 7)[1]}]})
    assert mine.json()["points"][0]["people"] == 50
    assert mine.json()["points"][0]["lon"] == pytest.approx(lonlat(ladder_graph, 7)[0])


def test_bad_areas_name_the_field(clients: Any, session: Session, depots: Depots, ladder_graph: RoadGraph) -> None:
    _stock(session, depots)
    c = clients["commander"]
    lon, lat = lonlat(ladder_graph, 2)
    empty_land = {"type": "Polygon", "coordinates": [[[lon, lat], [lon + 0.001, lat], [lon + 0.001, lat + 0.001],
                                                      [lon, lat + 0.001], [lon, lat]]]}
    bowtie = {"type": "Polygon", "coordinates": [[[lon, lat], [lon + 0.01, lat + 0.01], [lon + 0.01, lat],
                                                  [lon, lat + 0.01], [lon, lat]]]}
    cases = [
        (empty_land, "nobody lives"),
        (bowtie, "invalid polygon"),
        ({"type": "Point", "coordinates": [lon, lat]}, "GeoJSON type"),
        ({"type": "Polygon", "coordinates": [[[400, 0], [401, 0], [401, 1], [400, 0]]]}, "degrees"),
    ]
    for area, words in cases:
        r = c.post(PLAN, json={"points": [{"name": "X", "area": area}]})
        assert r.status_code == 422, r.text
        err = r.json()["detail"][0]
        assert err["loc"][-3:] == ["points", 0, "area"] and words in err["msg"], r.text
    r = c.post(PLAN, json={"points": [{"name": "X", "lon": lon}]})
    assert r.status_code == 422 and "lat" in r.text


def test_an_incident_gives_its_place_and_affected_people(
    clients: Any, session: Session, depots: Depots, world: Any, ladder_graph: RoadGraph
) -> None:
    _stock(session, depots)
    lon, lat = lonlat(ladder_graph, 15)
    now = utcnow()

    def incident(affected: int | None) -> int:
        inc = Incident(title="测试内涝", category="natural", type="flood", division_code="371581", lon=lon, lat=lat,
                       occurred_at=now - timedelta(hours=1), reported_at=now, created_by="test",
                       affected_people=affected)
        session.add(inc)
        session.flush()
        return inc.id

    c = clients["commander"]
    with_people = incident(300)
    r = c.post(PLAN, json={"points": [{"name": "事件", "incident_id": with_people}]})
    assert r.status_code == 200, r.text
    p = r.json()["points"][0]
    assert (p["people"], p["lon"], p["lat"], p["division_code"]) == (300, lon, lat, "371581")
    stated = c.post(PLAN, json={"points": [{"name": "事件", "people": 300, "lon": lon, "lat": lat}]}).json()
    assert _totals(r.json()) == _totals(stated)
    # an incident without a count needs people or an area; an unknown incident is named
    bare = incident(None)
    r = c.post(PLAN, json={"points": [{"name": "事件", "incident_id": bare}]})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-3:] == ["points", 0, "people"], r.text
    r = c.post(PLAN, json={"points": [{"name": "事件", "incident_id": bare, "people": 20}]})
    assert r.status_code == 200 and r.json()["points"][0]["lon"] == lon
    r = c.post(PLAN, json={"points": [{"name": "事件", "incident_id": 2_000_000}]})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-3:] == ["points", 0, "incident_id"], r.text
