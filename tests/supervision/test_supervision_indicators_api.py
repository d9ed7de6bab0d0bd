"""Indicators through HTTP: each computed one against the registry or engine it reads, and changing
the underlying records changes it; snapshots and history; reported and unavailable indicators."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from svhelpers import API, indicator, lonlat, ok  # type: ignore[import-not-found]

from yingji.audit.models import AuditEntry
from yingji.engines.network.graph import RoadGraph
from yingji.supervision.common import local_today
from yingji.supervision.models import Indicator, IndicatorValue

pytestmark = pytest.mark.usefixtures("plan")


def _facility(c: TestClient, name: str, kind: str, division: str, lon: float, lat: float, **capacity: Any) -> int:
    body = {"name": name, "kind": kind, "division_code": division, "lon": lon, "lat": lat, "capacity": capacity}
    return int(ok(c.post("/api/v1/facilities", json=body), 201)["id"])


def _at(g: RoadGraph, i: int, j: int) -> dict[str, float]:
    lon, lat = lonlat(g, i, j)
    return {"lon": lon, "lat": lat}


def _rows(ind: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["division_code"]: r for r in ind["detail"]["by_division"]}


def test_infectious_beds_sum_the_registry_and_follow_it(clients: Any, grid_graph: RoadGraph) -> None:
    admin = clients["admin"]
    ind = indicator(admin, "infectious_disease_beds")
    assert ind["value"] == 0 and ind["met"] is False and ind["light"] == "red"  # due 2022-12-31, long past
    assert (ind["target"], ind["comparator"], ind["unit"]) == (600, "ge", "张")
    assert ind["source"] == "全市传染病临床诊疗规模达到600张床位以上" and ind["kind"] == "computed"
    _facility(admin, "临清传染病院", "hospital", "371581", **_at(grid_graph, 1, 1), beds=500, infectious_beds=400)
    b = _facility(admin, "东昌府医院", "hospital", "371502", **_at(grid_graph, 39, 39), beds=800, infectious_beds=250)
    closed = _facility(admin, "停用医院", "hospital", "371502", **_at(grid_graph, 30, 30), beds=100,
                       infectious_beds=1000)
    ok(admin.patch(f"/api/v1/facilities/{closed}", json={"status": "out_of_service"}))
    ind = indicator(admin, "infectious_disease_beds")
    registry = ok(admin.get("/api/v1/facilities", params={"kind": "hospital", "status": "in_service"}))["items"]
    assert ind["value"] == sum(f["capacity"]["infectious_beds"] for f in registry) == 650
    assert ind["met"] is True and ind["light"] == "green"
    assert _rows(ind)["371581"]["value"] == 400 and _rows(ind)["371502"]["value"] == 250
    ok(admin.patch(f"/api/v1/facilities/{b}", json={"capacity": {"beds": 800, "infectious_beds": 100}}))
    assert indicator(admin, "infectious_disease_beds")["value"] == 500
    # a county user sees the city's value, and of the breakdown only its own county
    mine = indicator(clients["linqing"], "infectious_disease_beds")
    assert mine["value"] == 500 and list(_rows(mine)) == ["371581"]
    assert all(h["division_code"] == "371581" for h in mine["detail"]["hospitals"])


def test_isolation_rooms_are_met_only_when_every_county_meets_them(clients: Any, grid_graph: RoadGraph) -> None:
    admin = clients["admin"]
    ind = indicator(admin, "isolation_rooms_per_county")
    assert ind["value"] == 0 and ind["light"] == "red" and ind["detail"]["counties"] == 2
    assert {r["rooms"] for r in ind["detail"]["by_division"]} == {0}
    _facility(admin, "临清隔离点", "isolation_site", "371581", **_at(grid_graph, 2, 2), rooms=450)
    ind = indicator(admin, "isolation_rooms_per_county")
    rows = _rows(ind)
    assert rows["371581"] == {"division_code": "371581", "division": "临清市", "sites": 1, "rooms": 450,
                              "value": 450.0, "met": True}
    assert rows["371502"]["rooms"] == 0 and not rows["371502"]["met"]
    assert ind["value"] == 0 and ind["met"] is False and ind["detail"]["counties_met"] == 1
    _facility(admin, "东昌府隔离点一", "isolation_site", "371502", **_at(grid_graph, 38, 38), rooms=250)
    second = _facility(admin, "东昌府隔离点二", "isolation_site", "371502", **_at(grid_graph, 37, 38), rooms=150)
    ind = indicator(admin, "isolation_rooms_per_county")
    assert ind["value"] == 400 and ind["met"] is True and ind["light"] == "green"
    assert _rows(ind)["371502"]["sites"] == 2 and ind["detail"]["counties_met"] == 2
    ok(admin.patch(f"/api/v1/facilities/{second}", json={"status": "out_of_service"}))
    ind = indicator(admin, "isolation_rooms_per_county")
    assert ind["value"] == 250 and ind["met"] is False
    assert list(_rows(indicator(clients["linqing"], "isolation_rooms_per_county"))) == ["371581"]


def test_chemical_parks_count_a_team_of_the_park_or_within_2_km(clients: Any, grid_graph: RoadGraph) -> None:
    admin = clients["admin"]
    park_unit = ok(admin.post("/api/v1/units", json={"name": "甲园区管委会", "kind": "enterprise",
                                                     "division_code": "371581"}), 201)["id"]
    other_unit = ok(admin.post("/api/v1/units", json={"name": "乙化工企业", "kind": "enterprise",
                                                      "division_code": "371581"}), 201)["id"]

    def park(name: str, i: int, j: int, unit: int | None = None) -> None:
        body = {"name": name, "kind": "chemical_park", "division_code": "371581", **_at(grid_graph, i, j),
                "capacity": {"enterprises": 10, "area_km2": 3.0}, "unit_id": unit}
        ok(admin.post("/api/v1/facilities", json=body), 201)

    def team(name: str, i: int, j: int, unit: int | None, kind: str = "enterprise", specialty: str = "hazmat") -> None:
        body = {"name": name, "kind": kind, "specialty": specialty, "level": "enterprise", "division_code": "371581",
                **_at(grid_graph, i, j), "unit_id": unit}
        ok(admin.post("/api/v1/teams", json=body), 201)

    park("甲园区", 0, 0, park_unit)  # its own team is based 8 km away: counts (same unit)
    park("乙园区", 20, 0)  # a team of another unit 1 km away: counts (distance)
    park("丙园区", 40, 0)  # only a team 5 km away and a non-hazmat team nearby: does not count
    team("甲园区专职队", 40, 40, park_unit)
    team("乙企业专职队", 25, 0, other_unit)
    team("远处专职队", 40, 25, other_unit)
    team("丙园区消防队", 40, 1, None, kind="fire_rescue", specialty="fire")
    ind = indicator(admin, "chemical_park_rescue_teams")
    parks = {p["name"]: p for p in ind["detail"]["parks"]}
    assert parks["甲园区"]["teams"] == [{"team": "甲园区专职队", "basis": "unit", "distance_m": None}]
    assert parks["乙园区"]["teams"][0]["basis"] == "distance" and parks["乙园区"]["teams"][0]["distance_m"] == 1000
    assert parks["丙园区"]["teams"] == [] and not parks["丙园区"]["met"]
    assert ind["value"] == 2 and ind["met"] is False and ind["target"] == 3
    team("丙园区专职队", 38, 0, other_unit)  # 400 m away
    ind = indicator(admin, "chemical_park_rescue_teams")
    assert ind["value"] == 3 and ind["light"] == "green"


def test_fire_coverage_is_the_routing_engines_built_up_share(clients: Any, grid_graph: RoadGraph) -> None:
    admin = clients["admin"]
    ind = indicator(admin, "fire_rescue_5min")
    assert ind["value"] is None and ind["light"] == "grey" and "fire_station" in ind["reason"]
    _facility(admin, "临清消防站", "fire_station", "371581", **_at(grid_graph, 0, 0), station_class="standard_1")
    routing = ok(admin.get("/api/v1/routing/coverage/fire"))
    ind = indicator(admin, "fire_rescue_5min")
    # built-up cells: 1000 persons at the station (covered), 2000 at 8+8 km (not): one third
    assert ind["value"] == pytest.approx(100 * routing["built_up_share"]) == pytest.approx(100 / 3)
    assert ind["met"] is False and ind["light"] == "red"
    assert _rows(ind)["371581"]["value"] == pytest.approx(100.0) and _rows(ind)["371502"]["value"] == 0
    assert ind["detail"]["turnout_s"] == 60 and ind["detail"]["drive_budget_s"] == 240
    # a station 1 km along the arterial from the far cell (60 s at 60 km/h) covers it
    _facility(admin, "东昌府消防站", "fire_station", "371502", **_at(grid_graph, 35, 40), station_class="standard_1")
    ind = indicator(admin, "fire_rescue_5min")
    assert ind["value"] == pytest.approx(100.0) and ind["light"] == "green"
    # closing the roads around the far cell takes it out of the second station's reach again
    lon, lat = lonlat(grid_graph, 40, 40)
    d = 0.0035
    box = {"type": "Polygon", "coordinates": [[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d],
                                               [lon - d, lat + d], [lon - d, lat - d]]]}
    ok(admin.post("/api/v1/routing/closures", json={"reason": "积水", "division_code": "371502", "area": box}), 201)
    ind = indicator(admin, "fire_rescue_5min")
    assert ind["value"] == pytest.approx(100 * ok(admin.get("/api/v1/routing/coverage/fire"))["built_up_share"])
    assert ind["value"] == pytest.approx(100 / 3) and ind["light"] == "red"  # the closure moved it back


def test_medical_reach_is_the_routing_engines_population_share(clients: Any, grid_graph: RoadGraph) -> None:
    admin = clients["admin"]
    ind = indicator(admin, "medical_rescue_2h")
    assert ind["value"] is None and ind["light"] == "grey"
    _facility(admin, "中心医院", "hospital", "371581", **_at(grid_graph, 20, 20), beds=300)
    ind = indicator(admin, "medical_rescue_2h")
    routing = ok(admin.get("/api/v1/routing/coverage/medical"))
    assert ind["value"] == pytest.approx(100 * routing["share"]) == pytest.approx(100.0)
    assert ind["light"] == "green" and ind["detail"]["drive_budget_s"] == 7200


def test_a_missing_network_is_reported_as_an_unavailable_source(clients: Any, settings: Any) -> None:
    (settings.data_dir / "network").unlink()  # the symlink to the test network
    ind = indicator(clients["admin"], "fire_rescue_5min")
    assert ind["available"] is False and ind["light"] == "grey" and "no road network" in ind["reason"]


def test_road_reopening_share_follows_closures(clients: Any) -> None:
    admin = clients["admin"]
    ind = indicator(admin, "road_reopened_24h")
    assert ind["value"] is None and ind["detail"]["opened"] == 0 and ind["comparator"] == "increase"
    now = datetime.now(UTC)

    def closure(opened_h_ago: float, cleared_after_h: float | None) -> int:
        opened = now - timedelta(hours=opened_h_ago)
        body: dict[str, Any] = {"reason": "阻断", "division_code": "371581", "edges": [0, 1],
                                "opened_at": opened.isoformat()}
        if cleared_after_h is not None:
            body["cleared_at"] = (opened + timedelta(hours=cleared_after_h)).isoformat()
        return int(ok(admin.post("/api/v1/routing/closures", json=body), 201)["id"])

    closure(24 * 400, 2)  # the previous 365-day window: cleared in time → baseline 100 %
    closure(24 * 10, 3)
    closure(24 * 5, 30)
    ind = indicator(admin, "road_reopened_24h")
    assert ind["value"] == pytest.approx(50.0) and ind["baseline"] == pytest.approx(100.0)
    assert ind["met"] is False and ind["light"] == "red"
    assert ind["detail"]["opened"] == 2 and ind["detail"]["cleared_within_24h"] == 1
    closure(24 * 3, 1)
    assert indicator(admin, "road_reopened_24h")["value"] == pytest.approx(200 / 3)
    closure(1, None)  # closed an hour ago: still within its 24 hours, not counted yet
    ind = indicator(admin, "road_reopened_24h")
    assert ind["value"] == pytest.approx(200 / 3) and ind["detail"]["pending"] == 1
    stuck = closure(48, None)  # closed two days ago and still closed: a failure
    assert indicator(admin, "road_reopened_24h")["value"] == pytest.approx(50.0)
    late = (now - timedelta(hours=18)).isoformat()  # reopened 30 hours after it closed: still late
    ok(admin.patch(f"/api/v1/routing/closures/{stuck}", json={"cleared_at": late}))
    assert indicator(admin, "road_reopened_24h")["value"] == pytest.approx(50.0)
    in_time = (now - timedelta(hours=40)).isoformat()  # corrected: reopened after 8 hours
    ok(admin.patch(f"/api/v1/routing/closures/{stuck}", json={"cleared_at": in_time}))
    assert indicator(admin, "road_reopened_24h")["value"] == pytest.approx(75.0)
    # as it stood six days ago: only the closure of ten days ago had happened, cleared in 3 hours
    past = (local_today() - timedelta(days=6)).isoformat()
    ind = indicator(admin, "road_reopened_24h", as_of=past)
    assert ind["value"] == pytest.approx(100.0) and ind["detail"]["opened"] == 1


def test_snapshots_keep_the_history_and_answer_for_past_days(
    clients: Any, session: Session, grid_graph: RoadGraph
) -> None:
    admin = clients["admin"]
    today = local_today().isoformat()
    indicator(admin, "infectious_disease_beds")
    _facility(admin, "医院甲", "hospital", "371581", **_at(grid_graph, 3, 3), beds=100, infectious_beds=120)
    indicator(admin, "infectious_disease_beds")
    hist = ok(admin.get(f"{API}/indicators/infectious_disease_beds/history"))
    assert [(h["on_date"], h["origin"], h["value"]) for h in hist] == [(today, "computed", 120.0)]  # the day's last
    ind = session.scalar(select(Indicator).where(Indicator.key == "infectious_disease_beds"))
    assert ind is not None
    session.add(IndicatorValue(indicator_id=ind.id, on_date=date(2022, 6, 30), origin="computed", value=480.0,
                               detail={"reason": "历史快照"}, recorded_by="system"))
    session.commit()
    past = indicator(admin, "infectious_disease_beds", as_of="2022-07-31")
    assert past["value"] == 480 and past["value_on"] == "2022-06-30" and past["light"] == "amber"  # not yet due
    assert "2022-06-30 快照" in past["reason"]
    none = indicator(admin, "infectious_disease_beds", as_of="2022-06-29")
    assert none["value"] is None and none["light"] == "grey"
    now = indicator(admin, "infectious_disease_beds")
    assert [p["value"] for p in now["trend"]] == [480.0, 120.0] and now["direction"] == "down_worse"
    ranged = ok(admin.get(f"{API}/indicators/infectious_disease_beds/history", params={"since": "2023-01-01"}))
    assert [h["value"] for h in ranged] == [120.0]
    snap = ok(clients["duty"].post(f"{API}/indicators/snapshot"))
    assert snap["recorded"] >= 5 and snap["on_date"] == today
    assert clients["viewer"].post(f"{API}/indicators/snapshot").status_code == 403


def test_reported_values_keep_who_when_and_source(clients: Any, session: Session) -> None:
    health = clients["health"]  # 市卫生健康委 leads task 21 (BSL-2 laboratories)
    url = f"{API}/indicators/county_cdc_bsl2/values"
    r = ok(health.post(url, json={"value": 75, "on_date": "2022-06-30", "source": "县级疾控中心建设台账"}), 201)
    assert r["recorded_by"] == "health" and r["origin"] == "reported"
    assert session.scalar(select(AuditEntry).where(AuditEntry.entity_type == "indicator_values")) is not None
    mid = indicator(health, "county_cdc_bsl2", as_of="2022-07-01")
    assert mid["value"] == 75 and mid["light"] == "amber" and mid["reported"]["source"] == "县级疾控中心建设台账"
    assert mid["reported"]["recorded_by"] == "health" and mid["reported"]["on_date"] == "2022-06-30"
    assert indicator(health, "county_cdc_bsl2", as_of="2022-01-01")["value"] is None
    assert indicator(health, "county_cdc_bsl2")["light"] == "red"
    ok(clients["commander"].post(url, json={"value": 100, "on_date": "2022-12-30", "source": "验收"}), 201)
    assert indicator(health, "county_cdc_bsl2")["light"] == "green"
    # not its task (task 9 is 市应急局's and others'); out of range; computed; future; not allowed
    r = health.post(f"{API}/indicators/hazchem_relocation/values", json={"value": 2, "source": "台账"})
    assert r.status_code == 403 and "task" in r.text
    r = health.post(url, json={"value": 120, "source": "台账"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "value"
    r = clients["admin"].post(f"{API}/indicators/infectious_disease_beds/values", json={"value": 700, "source": "x"})
    assert r.status_code == 422 and "computed" in r.text
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    r = health.post(url, json={"value": 50, "source": "x", "on_date": tomorrow})
    assert r.status_code == 422 and "on_date" in r.text
    r = health.post(url, json={"value": 50})
    assert r.status_code == 422 and "source" in r.text
    for user in ("viewer", "linqing", "duty"):
        assert clients[user].post(url, json={"value": 50, "source": "x"}).status_code == 403
    assert clients["viewer"].get(f"{API}/indicators/no_such_thing").status_code == 404


def test_unavailable_sources_say_so(clients: Any) -> None:
    items = ok(clients["viewer"].get(f"{API}/indicators", params={"kind": "unavailable"}))
    assert {i["key"] for i in items} == {"drills_on_schedule"}
    for i in items:
        assert i["value"] is None and i["available"] is False and i["light"] == "grey"
        assert "source module" in i["reason"]


def test_the_list_shows_every_indicator_with_value_target_light(clients: Any) -> None:
    items = ok(clients["viewer"].get(f"{API}/indicators", params={"as_of": "2022-06-30"}))
    assert len(items) == 19 and all(i["as_of"] == "2022-06-30" for i in items)
    kinds = {i["key"]: i["kind"] for i in items}
    assert kinds["deaths_per_100m_gdp"] == "statistics" and kinds["mass_gathering_handling_rate"] == "reported"
    assert kinds["fire_rescue_5min"] == "computed"
    greys = ok(clients["viewer"].get(f"{API}/indicators", params={"light": "grey"}))
    assert {i["light"] for i in greys} == {"grey"}
    assert clients["viewer"].get(f"{API}/indicators", params={"light": "purple"}).status_code == 422
