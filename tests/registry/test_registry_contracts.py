"""Every registry keeps the shared contract (tests/api/contract.py); each class declares only its data.

``CONTRACTS`` maps a registry name to its class, so the permission and division-scope tests can
build valid records of any registry from the same declarations.
"""

from __future__ import annotations

from typing import Any

from api.contract import RegistryContract
from api.helpers import point


class TestDivisions(RegistryContract):
    registry = "divisions"
    update = {"name": "改名镇", "population": 4242, "area_km2": 12.5}
    invalid = ({"level": "galaxy"}, "level")
    kinds = ("township", "county")

    def body(self, *, division: str, n: int) -> dict[str, Any]:
        return {"code": f"{division}{n:03d}", "name": f"测试镇{n}", "level": "township",
                "parent_code": division, "population": 1000 + n, **point(division, n)}


class TestUnits(RegistryContract):
    registry = "units"
    update = {"short_name": "简称", "phone": "0635-1234567"}
    invalid = ({"phone": "call me maybe"}, "phone")
    kinds = ("enterprise", "hospital")

    def body(self, *, division: str, n: int) -> dict[str, Any]:
        return {"name": f"测试单位{n}", "kind": "enterprise", "division_code": division,
                "phone": "0635-8888888", "address": "测试路1号", **point(division, n)}


class TestContacts(RegistryContract):
    registry = "contacts"
    update = {"title": "处长", "phone_office": "0635-2222222"}
    invalid = ({"email": "not-an-email"}, "email")

    def body(self, *, division: str, n: int) -> dict[str, Any]:
        return {"name": f"联系人{n}", "division_code": division, "title": "科长", "duties": "值班",
                "phone_mobile": "13800000000", "email": f"person{n}@yingji.cn"}


class TestFacilities(RegistryContract):
    registry = "facilities"
    update = {"status": "out_of_service", "capacity": {"students": 1200}, "notes": "改造中"}
    invalid = ({"lat": 95}, "lat")
    kinds = ("school", "helipad")  # both have all-default capacities, so {} fits either
    statuses = ("in_service", "out_of_service")

    def body(self, *, division: str, n: int) -> dict[str, Any]:
        return {"name": f"测试设施{n}", "kind": "school", "division_code": division,
                "address": "学府路2号", **point(division, n)}


class TestTeams(RegistryContract):
    registry = "teams"
    update = {"headcount": 35, "status": "deployed", "capabilities": ["flood"]}
    invalid = ({"headcount": -1}, "headcount")
    kinds = ("professional", "volunteer")
    statuses = ("available", "deployed")

    def body(self, *, division: str, n: int) -> dict[str, Any]:
        return {"name": f"测试队伍{n}", "kind": "professional", "specialty": "flood", "level": "county",
                "headcount": 20, "capabilities": ["flood", "water_rescue"],
                "equipment": [{"name": "冲锋舟", "quantity": 2}], "division_code": division,
                "leader": "王队长", "phone": "13900000000", **point(division, n)}


class TestExperts(RegistryContract):
    registry = "experts"
    update = {"availability": "busy", "title": "研究员"}
    invalid = ({"specialties": []}, "specialties")
    statuses = ("available", "busy")

    def body(self, *, division: str, n: int) -> dict[str, Any]:
        return {"name": f"测试专家{n}", "specialties": ["hazmat", "fire"], "title": "教授",
                "division_code": division, "phone_mobile": "13700000000", **point(division, n)}


class TestVehicles(RegistryContract):
    registry = "vehicles"
    update = {"status": "deployed", "capacity_value": 12.0}
    invalid = ({"type": "flying_saucer"}, "type")
    kinds = ("fire_engine", "ambulance")
    statuses = ("available", "deployed")

    def body(self, *, division: str, n: int) -> dict[str, Any]:
        return {"name": f"测试车辆{n}", "type": "fire_engine", "division_code": division,
                "capacity_value": 8.0, "capacity_unit": "t", **point(division, n)}


CONTRACTS: dict[str, type[RegistryContract]] = {
    c.registry: c
    for c in (TestDivisions, TestUnits, TestContacts, TestFacilities, TestTeams, TestExperts, TestVehicles)
}


def test_every_registry_keeps_the_contract() -> None:
    from yingji.registry.specs import REGISTRIES

    assert set(CONTRACTS) == set(REGISTRIES)
