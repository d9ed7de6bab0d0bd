"""Row rules on top of the matrix: division scope by GB/T 2260 prefix, and a department's own unit."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from yingji.auth.permissions import division_prefix, in_scope

FACILITY = {"name": "部门设施", "kind": "school", "division_code": "371581", "lon": 115.7, "lat": 36.8}


@pytest.mark.parametrize(("code", "prefix"), [
    ("370000", "37"), ("371500", "3715"), ("371581", "371581"), ("371502", "371502"),
    ("371581001", "371581001"), ("371581001002", "371581001002"),
])
def test_division_prefix(code: str, prefix: str) -> None:
    assert division_prefix(code) == prefix


@pytest.mark.parametrize(("user_division", "record_division", "expected"), [
    (None, "371502", True), (None, None, True), ("371500", "371581", True), ("371500", "371581001", True),
    ("371581", "371581001", True), ("371581", "371502", False), ("371581", "3715", False),
    ("371581", None, False), ("371500", "372300", False), ("370000", "371502", True),
])
def test_in_scope(user_division: str | None, record_division: str | None, expected: bool) -> None:
    user = SimpleNamespace(division_code=user_division)
    assert in_scope(user, record_division) is expected  # type: ignore[arg-type]


def test_city_users_see_every_county_and_counties_only_their_own(clients: Any) -> None:
    admin = clients["admin"]
    ids = {}
    for code in ("371581", "371502"):
        r = admin.post("/api/v1/facilities", json={**FACILITY, "name": f"设施{code}", "division_code": code})
        ids[code] = r.json()["id"]
    for user, visible in (("commander", {"371581", "371502"}), ("viewer", {"371581", "371502"}),
                          ("linqing", {"371581"}), ("dongchangfu", {"371502"})):
        items = clients[user].get("/api/v1/facilities", params={"q": "设施3715"}).json()["items"]
        assert {x["division_code"] for x in items} == visible, user
        for code, fid in ids.items():
            assert clients[user].get(f"/api/v1/facilities/{fid}").status_code == (200 if code in visible else 404)


def test_department_writes_only_its_own_units_records(clients: Any, world: Any) -> None:
    admin, health = clients["admin"], clients["health"]
    own, other = world.units["health"], world.units["emergency"]

    r = health.post("/api/v1/facilities", json=FACILITY)  # no unit given: the user's unit
    assert r.status_code == 201 and r.json()["unit_id"] == own, r.text
    mine = r.json()["id"]
    r = health.post("/api/v1/facilities", json={**FACILITY, "name": "别人的", "unit_id": other})
    assert r.status_code == 403 and "unit_id" in r.text

    theirs = admin.post("/api/v1/facilities", json={**FACILITY, "name": "应急局的", "unit_id": other}).json()["id"]
    assert health.get(f"/api/v1/facilities/{theirs}").status_code == 200  # reading is not limited by unit
    assert health.patch(f"/api/v1/facilities/{theirs}", json={"notes": "x"}).status_code == 403
    assert health.delete(f"/api/v1/facilities/{theirs}").status_code == 403
    assert health.patch(f"/api/v1/facilities/{theirs}", json={"unit_id": own}).status_code == 403  # no taking

    assert health.patch(f"/api/v1/facilities/{mine}", json={"notes": "ok"}).status_code == 200
    assert health.patch(f"/api/v1/facilities/{mine}", json={"unit_id": other}).status_code == 403  # no giving
    assert health.patch(f"/api/v1/facilities/{mine}", json={"unit_id": None}).status_code == 403
    assert health.delete(f"/api/v1/facilities/{mine}").status_code == 204
