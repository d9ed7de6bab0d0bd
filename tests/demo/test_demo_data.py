"""The demo city's records validate against the registry schemas and meet the demo's targets."""

from __future__ import annotations

import math
import re
import time
from collections import Counter, defaultdict
from typing import Any

import pytest
from pydantic import BaseModel

from yingji.auth.enums import Role
from yingji.auth.schemas import UserCreate
from yingji.demo.data import CITY_CODE, DemoCity, demo_city
from yingji.registry.schemas import (
    ContactCreate,
    DivisionCreate,
    ExpertCreate,
    FacilityCreate,
    TeamCreate,
    UnitCreate,
    VehicleCreate,
)
from yingji.registry.validation import validate_capacity

COUNTY_CODES = {
    "371502": "东昌府区",
    "371503": "茌平区",
    "371521": "阳谷县",
    "371522": "莘县",
    "371524": "东阿县",
    "371525": "冠县",
    "371526": "高唐县",
    "371581": "临清市",
}
# Every municipal body the seed (the 2021 action plan) names as 牵头单位 or 负责单位.
SEED_UNITS = [
    "市委编办", "市委网信办", "市发展改革委", "市卫生健康委", "市应急局", "市公安局", "市水利局",
    "市自然资源和规划局", "市财政局", "市大数据局", "市消防救援支队", "市工业和信息化局", "市农业农村局",
    "市气象局", "市生态环境局", "聊城黄河河务局", "市住房城乡建设局", "市城管局", "市交通运输局",
    "济南铁路局集团有限公司聊城工务段", "济南铁路局集团有限公司聊城车务段", "市教育体育局",
    "市文化和旅游局", "市化工产业安全生产转型升级专项行动领导小组办公室", "市邮政管理局", "市地震监测中心",
    "市商务投资促进局", "市市场监管局", "市科技局", "市医保局", "市司法局", "市中级人民法院", "市检察院",
    "市委宣传部", "市民政局", "市广播电视台",
]


@pytest.fixture(scope="module")
def city() -> DemoCity:
    return demo_city()


def _with_ids(record: dict[str, Any], **refs: str) -> dict[str, Any]:
    """Replace natural-key references (``unit`` → ``unit_id`` …) by dummy ids."""
    out = dict(record)
    for key, id_key in refs.items():
        out[id_key] = None if out.pop(key) is None else 1
    return out


def _validate(model: type[BaseModel], records: list[dict[str, Any]], **refs: str) -> None:
    for r in records:
        model.model_validate(_with_ids(r, **refs))


def _dist_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    k = math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot((lon2 - lon1) * 111.32 * k, (lat2 - lat1) * 110.574)


# ---- schemas ---------------------------------------------------------------------------------


def test_every_record_validates_against_its_create_schema(city: DemoCity) -> None:
    _validate(DivisionCreate, city.divisions)
    _validate(UnitCreate, city.units)
    _validate(ContactCreate, city.contacts, unit="unit_id")
    _validate(FacilityCreate, city.facilities, unit="unit_id")
    _validate(TeamCreate, city.teams, unit="unit_id")
    _validate(ExpertCreate, city.experts, unit="unit_id")
    _validate(VehicleCreate, city.vehicles, unit="unit_id", team="team_id")
    _validate(UserCreate, city.users, unit="unit_id")


def test_facility_capacities_validate_for_their_kind(city: DemoCity) -> None:
    for f in city.facilities:
        assert validate_capacity(f["kind"], f["capacity"]) == f["capacity"], f["name"]


def test_references_resolve_by_natural_key(city: DemoCity) -> None:
    units = {u["name"] for u in city.units}
    teams = {t["name"] for t in city.teams}
    divisions = {d["code"] for d in city.divisions}
    for registry in ("contacts", "facilities", "teams", "experts", "vehicles", "users"):
        for r in getattr(city, registry):
            assert r["unit"] is None or r["unit"] in units, (registry, r)
            assert r.get("division_code") is None or r["division_code"] in divisions, (registry, r)
    for v in city.vehicles:
        assert v["team"] is None or v["team"] in teams, v
    for u in city.units:
        assert u["division_code"] in divisions
    assert len(teams) == len(city.teams), "team names resolve teams, so they are unique city-wide"


def test_natural_keys_are_unique(city: DemoCity) -> None:
    def dupes(keys: list[Any]) -> list[Any]:
        return [k for k, n in Counter(keys).items() if n > 1]

    assert not dupes([d["code"] for d in city.divisions])
    assert not dupes([u["name"] for u in city.units])
    for registry in ("facilities", "teams", "vehicles"):
        assert not dupes([(r["name"], r["division_code"]) for r in getattr(city, registry)]), registry
    for registry in ("contacts", "experts"):
        assert not dupes([(r["name"], r["unit"]) for r in getattr(city, registry)]), registry
    assert not dupes([u["username"] for u in city.users])
    assert not dupes([v["plate"] for v in city.vehicles if v["plate"] is not None])


# ---- determinism and cost ----------------------------------------------------------------------


def test_deterministic_and_fast() -> None:
    start = time.perf_counter()
    a = demo_city()
    elapsed = time.perf_counter() - start
    assert a == demo_city()
    assert elapsed < 0.5


# ---- divisions ---------------------------------------------------------------------------------


def test_divisions(city: DemoCity) -> None:
    by_code = {d["code"]: d for d in city.divisions}
    assert set(by_code) == {CITY_CODE, *COUNTY_CODES}
    root = by_code[CITY_CODE]
    assert (root["name"], root["level"], root["parent_code"]) == ("聊城市", "city", None)
    counties = [d for d in city.divisions if d["code"] != CITY_CODE]
    for d in counties:
        assert d["name"] == COUNTY_CODES[d["code"]]
        assert (d["level"], d["parent_code"]) == ("county", CITY_CODE)
        assert d["name_en"] and d["boundary"] is None
    assert sum(d["population"] for d in counties) == root["population"]
    assert 5_900_000 <= root["population"] <= 6_000_000
    assert abs(root["area_km2"] - 8715) < 50
    assert 2200 <= root["gdp_100m_yuan"] <= 2400
    assert (root["lon"], root["lat"]) == (by_code["371502"]["lon"], by_code["371502"]["lat"])
    assert (by_code["371581"]["lon"], by_code["371581"]["lat"]) == (115.705, 36.838)


# ---- units and contacts -------------------------------------------------------------------------


def test_units_cover_the_seed_and_counties(city: DemoCity) -> None:
    by_name = {u["name"]: u for u in city.units}
    for name in SEED_UNITS:
        assert by_name[name]["kind"] == "department" and by_name[name]["division_code"] == CITY_CODE, name
    for code, county in COUNTY_CODES.items():
        assert by_name[f"{county}人民政府"]["kind"] == "county_government"
        bureau = by_name[f"{county}应急管理局"]
        assert (bureau["kind"], bureau["division_code"]) == ("department", code)
    kinds = Counter(u["kind"] for u in city.units)
    assert kinds["hospital"] >= 16 and kinds["operator"] >= 4 and kinds["enterprise"] == 3
    enterprise_counties = {u["division_code"] for u in city.units if u["kind"] == "enterprise"}
    assert len(enterprise_counties) == 3


def test_two_contacts_per_department(city: DemoCity) -> None:
    per_unit = Counter(c["unit"] for c in city.contacts)
    departments = [u["name"] for u in city.units if u["kind"] == "department"]
    assert len(departments) == len(SEED_UNITS) + len(COUNTY_CODES)
    assert all(per_unit[name] == 2 for name in departments)
    for c in city.contacts:
        assert re.fullmatch(r"1[3-9]\d{9}", c["phone_mobile"])
    assert len({c["phone_mobile"] for c in city.contacts}) == len(city.contacts)


# ---- facilities ----------------------------------------------------------------------------------


def _by_county(city: DemoCity, kind: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for f in city.facilities:
        if f["kind"] == kind:
            out[f["division_code"]].append(f)
    return out


def test_facilities_lie_near_their_county_seat(city: DemoCity) -> None:
    seats = {d["code"]: (d["lon"], d["lat"]) for d in city.divisions if d["code"] != CITY_CODE}
    for f in city.facilities:
        assert f["division_code"] in COUNTY_CODES, f["name"]
        own = _dist_km(f["lon"], f["lat"], *seats[f["division_code"]])
        assert own <= 15.0, f["name"]
        nearest = min(seats, key=lambda code: _dist_km(f["lon"], f["lat"], *seats[code]))
        assert nearest == f["division_code"], f["name"]


def test_fire_stations(city: DemoCity) -> None:
    stations = _by_county(city, "fire_station")
    assert set(stations) == set(COUNTY_CODES)
    assert all(len(s) >= 3 for s in stations.values())
    assert len(stations["371502"]) >= 6
    assert all(f["unit"] == "市消防救援支队" for s in stations.values() for f in s)


def test_hospitals_and_infectious_beds(city: DemoCity) -> None:
    hospitals = _by_county(city, "hospital")
    assert set(hospitals) == set(COUNTY_CODES) and all(len(h) >= 2 for h in hospitals.values())
    all_h = [f for h in hospitals.values() for f in h]
    assert sum(f["capacity"]["infectious_beds"] for f in all_h) >= 600
    assert sum(f["capacity"]["fever_clinic"] for f in all_h) > len(all_h) / 2
    assert all(f["unit"] == f["name"] for f in all_h)
    assert any(f["name"] == "聊城市传染病医院" for f in all_h)
    assert len([f for f in city.facilities if f["kind"] == "medical_centre"]) == 1


def test_shelters_warehouses_schools_helipads(city: DemoCity) -> None:
    shelters = _by_county(city, "shelter")
    assert set(shelters) == set(COUNTY_CODES) and all(len(s) >= 2 for s in shelters.values())
    warehouses = [f for f in city.facilities if f["kind"] == "warehouse"]
    assert any(f["name"] == "聊城市救灾物资储备库" and f["capacity"]["level"] == "city" for f in warehouses)
    county_depots = Counter(f["division_code"] for f in warehouses if f["capacity"]["level"] == "county")
    assert county_depots == dict.fromkeys(COUNTY_CODES, 1)
    assert len(_by_county(city, "school")) >= 3
    assert sum(len(v) for v in _by_county(city, "helipad").values()) == 2


def test_isolation_rooms_meet_the_target_except_guan(city: DemoCity) -> None:
    sites = _by_county(city, "isolation_site")
    rooms = {code: sum(f["capacity"]["rooms"] for f in fs) for code, fs in sites.items()}
    assert set(rooms) == set(COUNTY_CODES)
    short = {code for code, n in rooms.items() if n < 400}
    assert short == {"371525"}
    assert 250 <= rooms["371525"] <= 350


def test_three_chemical_parks_in_three_counties(city: DemoCity) -> None:
    parks = [f for f in city.facilities if f["kind"] == "chemical_park"]
    assert len(parks) == 3 and len({p["division_code"] for p in parks}) == 3
    enterprises = {u["name"] for u in city.units if u["kind"] == "enterprise"}
    assert {p["unit"] for p in parks} == enterprises
    park_teams = [t for t in city.teams if t["kind"] == "enterprise"]
    assert len(park_teams) == 3
    for p in parks:
        (team,) = [t for t in park_teams if t["unit"] == p["unit"]]
        assert team["specialty"] == "hazmat"
        assert (team["lon"], team["lat"]) == (p["lon"], p["lat"])


# ---- teams, experts, vehicles, users ---------------------------------------------------------------


def test_teams(city: DemoCity) -> None:
    stations = {(f["lon"], f["lat"]) for f in city.facilities if f["kind"] == "fire_station"}
    fire = [t for t in city.teams if t["kind"] == "fire_rescue"]
    assert len(fire) == len(stations)
    assert {(t["lon"], t["lat"]) for t in fire} == stations
    for t in fire:
        assert t["specialty"] == "fire" and t["unit"] == "市消防救援支队" and 15 <= t["headcount"] <= 40
        assert t["level"] in {"city", "county"}
    professional = {t["specialty"] for t in city.teams if t["kind"] == "professional"}
    wanted = {"hazmat", "flood", "mine", "medical", "road", "power", "telecom", "geological", "epidemic",
              "water_rescue", "forest_fire"}
    assert wanted <= professional
    assert len([t for t in city.teams if t["kind"] == "volunteer"]) >= 3
    status = Counter(t["status"] for t in city.teams)
    assert status["available"] > 0.8 * len(city.teams) and status["deployed"] and status["off_duty"]
    assert all(t["capabilities"] and t["specialty"] in t["capabilities"] for t in city.teams)
    assert all(t["equipment"] for t in city.teams)


def test_experts(city: DemoCity) -> None:
    assert 35 <= len(city.experts) <= 45
    assert all(1 <= len(e["specialties"]) <= 3 and len(set(e["specialties"])) == len(e["specialties"])
               for e in city.experts)
    covered = {s for e in city.experts for s in e["specialties"]}
    assert {"hazmat", "medical", "epidemic", "flood", "fire", "geological"} <= covered
    assert Counter(e["availability"] for e in city.experts)["available"] > 0.8 * len(city.experts)


def test_vehicles(city: DemoCity) -> None:
    assert 130 <= len(city.vehicles) <= 175
    for v in city.vehicles:
        if v["category"] == "equipment":
            assert v["plate"] is None, v["name"]
        else:
            assert re.fullmatch(r"鲁P·[0-9A-HJ-NP-Z]\d{4}", v["plate"]), v["plate"]
    types = Counter(v["type"] for v in city.vehicles)
    for t in ("fire_engine", "ladder_truck", "hazmat_unit", "ambulance", "rescue_truck", "command_vehicle",
              "comms_vehicle", "cargo_truck", "pump", "boat", "generator", "drone"):
        assert types[t] > 0, t
    teams = {t["name"]: t for t in city.teams}
    for v in city.vehicles:
        if v["type"] in {"fire_engine", "ladder_truck"} and v["team"] is not None:
            assert teams[v["team"]]["kind"] in {"fire_rescue", "enterprise"}
    on_stations = [v for v in city.vehicles if v["team"] and teams[v["team"]]["kind"] == "fire_rescue"]
    assert {v["team"] for v in on_stations} == {t["name"] for t in city.teams if t["kind"] == "fire_rescue"}


def test_users_one_per_role(city: DemoCity) -> None:
    assert sorted(u["role"] for u in city.users) == sorted(r.value for r in Role)
    by_name = {u["username"]: u for u in city.users}
    assert set(by_name) == {"admin", "commander", "duty", "health", "linqing", "viewer"}
    for name, u in by_name.items():
        assert u["password"] == f"Yingji-{name}-2026"
        assert u["display_name"] and re.search(r"[\u4e00-\u9fff]", u["display_name"])
    assert (by_name["health"]["unit"], by_name["health"]["division_code"]) == ("市卫生健康委", CITY_CODE)
    assert (by_name["linqing"]["unit"], by_name["linqing"]["division_code"]) == ("临清市应急管理局", "371581")
