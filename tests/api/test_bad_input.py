"""Bad input anywhere gets a 4xx that names the problem, never a 500.

Clients here return a 500 as a response (``raw_clients``) so that a crash shows as a failed
assertion with the request that caused it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import example, given
from hypothesis import strategies as st
from pydantic import ValidationError

from api.helpers import names_field
from api.test_route_scope import STREAMS, api_routes
from yingji.registry.schemas import DivisionCreate

HUGE = 10**20  # larger than any database integer
FACILITY = {"name": "坏数据医院", "kind": "hospital", "division_code": "371581", "lon": 115.7, "lat": 36.8,
            "capacity": {"beds": 10}}
VEHICLE = {"name": "坏数据车", "type": "fire_engine", "division_code": "371581"}
DIVISION = {"code": "371581123", "name": "坏数据镇", "level": "township", "parent_code": "371581"}
TEAM = {"name": "坏数据队", "kind": "volunteer", "specialty": "flood", "level": "county", "division_code": "371581",
        "lon": 115.7, "lat": 36.8}


@pytest.mark.parametrize(("registry", "base", "patch", "field"), [
    ("facilities", FACILITY, {"lon": "east"}, "lon"),
    ("facilities", FACILITY, {"lat": [36.8]}, "lat"),
    ("facilities", FACILITY, {"capacity": "big"}, "capacity"),
    ("facilities", FACILITY, {"name": 42}, "name"),
    ("facilities", FACILITY, {"lon": 180.01}, "lon"),
    ("facilities", FACILITY, {"lon": -181}, "lon"),
    ("facilities", FACILITY, {"lat": 90.5}, "lat"),
    ("facilities", FACILITY, {"lat": -95}, "lat"),
    ("facilities", FACILITY, {"kind": "spaceport"}, "kind"),
    ("facilities", FACILITY, {"status": "haunted"}, "status"),
    ("facilities", FACILITY, {"division_code": "999999"}, "division_code"),
    ("facilities", FACILITY, {"division_code": "37158"}, "division_code"),
    ("facilities", FACILITY, {"unit_id": 987654}, "unit_id"),
    ("facilities", FACILITY, {"unit_id": "one"}, "unit_id"),
    ("facilities", FACILITY, {"unit_id": HUGE}, "unit_id"),
    ("facilities", FACILITY, {"unit_id": -HUGE}, "unit_id"),
    ("facilities", FACILITY, {"name": ""}, "name"),
    ("facilities", FACILITY, {"name": "长" * 201}, "name"),
    ("facilities", FACILITY, {"colour": "red"}, "colour"),
    ("facilities", FACILITY, {"capacity": {"beds": -1}}, "beds"),
    ("facilities", FACILITY, {"capacity": {"bedz": 1}}, "bedz"),
    ("facilities", FACILITY, {"capacity": {"beds": 1e400}}, "beds"),
    ("facilities", FACILITY, {"kind": "shelter", "capacity": {"persons": 10, "area_m2": 1e400}}, "area_m2"),
    ("facilities", FACILITY, {"phone": "call me"}, "phone"),
    ("vehicles", VEHICLE, {"team_id": 987654}, "team_id"),
    ("vehicles", VEHICLE, {"team_id": HUGE}, "team_id"),
    ("vehicles", VEHICLE, {"capacity_value": -1}, "capacity_value"),
    ("vehicles", VEHICLE, {"capacity_value": 1e400}, "capacity_value"),
    ("vehicles", VEHICLE, {"type": "hovercraft"}, "type"),
    ("divisions", DIVISION, {"parent_code": "999999"}, "parent_code"),
    ("divisions", DIVISION, {"population": 10**10}, "population"),
    ("divisions", DIVISION, {"area_km2": 1e400}, "area_km2"),
    ("divisions", DIVISION, {"gdp_100m_yuan": -1}, "gdp_100m_yuan"),
    ("teams", TEAM, {"capabilities": ["telepathy"]}, "capabilities"),
    ("teams", TEAM, {"equipment": [{"name": "船", "qty": 1}]}, "qty"),
    ("teams", TEAM, {"headcount": 1.5}, "headcount"),
    ("teams", TEAM, {"headcount": 10**6}, "headcount"),
    ("experts", {"name": "坏专家", "specialties": ["fire"], "division_code": "371581"},
     {"specialties": "fire"}, "specialties"),
    ("contacts", {"name": "坏联系人", "division_code": "371581"}, {"email": "nobody"}, "email"),
    ("units", {"name": "坏单位", "kind": "other", "division_code": "371581"}, {"kind": "club"}, "kind"),
])
def test_bad_create_bodies_are_422_naming_the_field(
    raw_clients: Callable[[str], TestClient], registry: str, base: dict[str, Any], patch: dict[str, Any],
    field: str,
) -> None:
    client = raw_clients("admin")
    assert client.post(f"/api/v1/{registry}", json=base).status_code == 201  # the base body is valid
    body = {**base, "name": f"{base['name']}2", **patch}
    if registry == "divisions":
        body["code"] = "371581124"
    # 1e400 is not JSON Python can write; send the literal the way other JSON libraries do
    content = _dumps(body)
    r = client.post(f"/api/v1/{registry}", content=content, headers={"Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    assert names_field(r, field), r.text


def _dumps(body: dict[str, Any]) -> bytes:
    import json

    return json.dumps(body, ensure_ascii=False).replace("Infinity", "1e400").encode()


@pytest.mark.parametrize(("content", "ctype"), [
    (b'{"name": "x", ', "application/json"),
    (b"[]", "application/json"),
    (b"null", "application/json"),
    (b'"just a string"', "application/json"),
    (b"", "application/json"),
    (b"name=x&kind=hospital", "application/x-www-form-urlencoded"),
    (b"\xff\xfe\x00garbage", "application/json"),
    (b'{"name": NaN}', "application/json"),
])
def test_malformed_bodies_are_422(raw_clients: Callable[[str], TestClient], content: bytes, ctype: str) -> None:
    r = raw_clients("admin").post("/api/v1/facilities", content=content, headers={"Content-Type": ctype})
    assert r.status_code == 422, r.text
    assert r.json()["detail"], r.text


@pytest.mark.parametrize(("params", "field"), [
    ({"bbox": "a,b,c,d"}, "bbox"),
    ({"bbox": "1,2,3"}, "bbox"),
    ({"bbox": "1,2,3,4,5"}, "bbox"),
    ({"bbox": "200,0,201,1"}, "bbox"),
    ({"bbox": "0,-91,1,0"}, "bbox"),
    ({"bbox": "10,10,0,0"}, "bbox"),
    ({"bbox": "nan,nan,nan,nan"}, "bbox"),
    ({"bbox": "-inf,-90,inf,90"}, "bbox"),
    ({"page": 0}, "page"),
    ({"page": "two"}, "page"),
    ({"page": HUGE}, "page"),
    ({"size": 0}, "size"),
    ({"size": 501}, "size"),
    ({"unit_id": "abc"}, "unit_id"),
    ({"unit_id": HUGE}, "unit_id"),
    ({"division": "abc"}, "division"),
    ({"division": "1"}, "division"),
    ({"kind": "k" * 41}, "kind"),
    ({"kind": "spaceport"}, "kind"),
    ({"status": "haunted"}, "status"),
    ({"q": "q" * 101}, "q"),
    ({"format": "pdf"}, "format"),
])
def test_bad_list_parameters_are_422_naming_them(
    raw_clients: Callable[[str], TestClient], params: dict[str, Any], field: str
) -> None:
    r = raw_clients("admin").get("/api/v1/facilities", params=params)
    assert r.status_code == 422, r.text
    assert names_field(r, field), r.text


def test_like_wildcards_in_q_are_literal(raw_clients: Callable[[str], TestClient]) -> None:
    client = raw_clients("admin")
    for name in ("百分之百%医院", "普通医院"):
        assert client.post("/api/v1/facilities", json={**FACILITY, "name": name}).status_code == 201
    for q, expected in (("%", ["百分之百%医院"]), ("_", []), ("医院", ["普通医院", "百分之百%医院"])):
        r = client.get("/api/v1/facilities", params={"q": q})
        assert sorted(x["name"] for x in r.json()["items"]) == sorted(expected), q


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/api/v1/facilities/abc", 422),
    ("GET", "/api/v1/facilities/1.5", 422),
    ("PATCH", "/api/v1/facilities/abc", 422),
    ("DELETE", "/api/v1/facilities/abc", 422),
    ("GET", "/api/v1/facilities/-1", 404),
    ("GET", "/api/v1/facilities/0", 404),
    ("GET", f"/api/v1/facilities/{HUGE}", 404),
    ("DELETE", f"/api/v1/vehicles/{HUGE}", 404),
    ("PATCH", f"/api/v1/teams/{-HUGE}", 404),
    ("GET", "/api/v1/divisions/not-a-code", 404),
    ("GET", "/api/v1/divisions/" + "9" * 300, 404),
])
def test_bad_ids_in_paths(raw_clients: Callable[[str], TestClient], method: str, path: str, status: int) -> None:
    r = raw_clients("admin").request(method, path, json={} if method == "PATCH" else None)
    assert r.status_code == status, r.text
    if status == 422:
        assert names_field(r, "key"), r.text


def test_bad_user_bodies(raw_clients: Callable[[str], TestClient]) -> None:
    client = raw_clients("admin")
    base = {"username": "someone", "password": "a-long-password", "role": "viewer"}
    for patch, field in (({"unit_id": HUGE}, "unit_id"), ({"division_code": "37"}, "division_code"),
                         ({"language": "fr"}, "language"), ({"role": None}, "role")):
        r = client.post("/api/v1/users", json={**base, **patch})
        assert r.status_code == 422 and names_field(r, field), (patch, r.text)


@pytest.mark.parametrize("params", [{"page": HUGE}, {"since": "soon"}, {"until": "2024-13-45"}, {"size": -1}])
def test_bad_audit_parameters(raw_clients: Callable[[str], TestClient], params: dict[str, Any]) -> None:
    r = raw_clients("admin").get("/api/v1/audit", params=params)
    assert r.status_code == 422 and names_field(r, next(iter(params))), r.text


def test_content_length_that_is_not_a_number_is_400(raw_clients: Callable[[str], TestClient]) -> None:
    r = raw_clients("admin").post("/api/v1/facilities", content=b"{}",
                                  headers={"Content-Type": "application/json", "Content-Length": "many"})
    assert r.status_code == 400 and "Content-Length" in r.text


GARBAGE_KEYS = ["abc", "9" * 25]  # not a number; a number past every integer column
GARBAGE_BODIES: list[dict[str, Any]] = [
    {"content": b"{not json", "headers": {"Content-Type": "application/json"}},
    {"json": {"name": None, "lon": "x", "lat": 1e308, "unit_id": HUGE, "division_code": 371581, "id": HUGE}},
    {"files": {"file": ("a.xlsx", b"not a workbook")}},
]


def test_no_route_answers_garbage_with_a_500(app: Any, raw_clients: Callable[[str], TestClient]) -> None:
    """Every API route, every method, fed wrong keys, bodies and parameters: always a 4xx or a 2xx.
    (As the administrator, who may do the most and so reaches the most code.)"""
    client = raw_clients("admin")
    crashes = []
    for method, path in sorted(api_routes(app) - STREAMS):
        urls = [re.sub(r"\{\w+\}", k, path) for k in GARBAGE_KEYS] if "{" in path else [path]
        for url in urls:
            attempts: list[dict[str, Any]] = [{"params": {"page": "x", "size": HUGE, "bbox": "1,2"}}]
            if method in ("POST", "PATCH", "PUT"):
                attempts += GARBAGE_BODIES
            for kwargs in attempts:
                r = client.request(method, url, **kwargs)
                if r.status_code >= 500:
                    crashes.append((method, url, kwargs, r.status_code, r.text[:200]))
    assert not crashes, crashes


SQUARE = [[115.6, 36.7], [115.8, 36.7], [115.8, 36.9], [115.6, 36.9], [115.6, 36.7]]


@pytest.mark.parametrize("boundary", [
    {"type": "Point", "coordinates": [115.7, 36.8]},
    {"foo": 1},
    {"type": "Polygon", "coordinates": [SQUARE[:-1]]},  # not closed
    {"type": "Polygon", "coordinates": [[[200, 0], [0, 0], [0, 1], [200, 0]]]},
    {"type": "Polygon", "coordinates": [[["a", "b"], [0, 0], [0, 1], ["a", "b"]]]},
    {"type": "Polygon", "coordinates": [[1, 2, 3, 4]]},
    {"type": "Polygon", "coordinates": "nope"},
    {"type": "MultiPolygon", "coordinates": [[]]},
    {"type": "Polygon", "coordinates": [SQUARE], "properties": {}},
])
def test_division_boundary_must_be_a_geojson_polygon(
    raw_clients: Callable[[str], TestClient], boundary: dict[str, Any]
) -> None:
    client = raw_clients("admin")
    r = client.post("/api/v1/divisions", json={**DIVISION, "boundary": boundary})
    assert r.status_code == 422 and names_field(r, "boundary"), r.text
    r = client.patch("/api/v1/divisions/371581", json={"boundary": boundary})
    assert r.status_code == 422 and names_field(r, "boundary"), r.text


def test_a_valid_boundary_is_kept(raw_clients: Callable[[str], TestClient]) -> None:
    client = raw_clients("admin")
    for boundary in ({"type": "Polygon", "coordinates": [SQUARE]},
                     {"type": "MultiPolygon", "coordinates": [[SQUARE], [SQUARE]]}):
        r = client.patch("/api/v1/divisions/371581", json={"boundary": boundary})
        assert r.status_code == 200, r.text


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=30,
)
_shapes = st.fixed_dictionaries({"type": st.sampled_from(["Polygon", "MultiPolygon", "Point"]),
                                 "coordinates": _json})


@given(st.one_of(_json, _shapes))
@example({"type": "Polygon", "coordinates": [[None, None, None, None]]})  # found by hypothesis in CI
def test_any_boundary_either_validates_or_is_a_validation_error(value: Any) -> None:
    """The boundary check raises nothing but a validation error, whatever JSON it is given."""
    try:
        DivisionCreate.model_validate({**DIVISION, "boundary": value})
    except ValidationError as exc:
        assert all(err["loc"][0] == "boundary" for err in exc.errors())
