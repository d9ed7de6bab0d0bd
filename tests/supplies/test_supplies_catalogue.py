"""The item catalogue: loaded from the data file, editable through the API, refusing bad input."""

from __future__ import annotations

from typing import Any

from supplykit import Depots  # type: ignore[import-not-found]

from yingji.supplies import service

GLOSSARY_NAMES = ("帐篷", "棉被", "折叠床", "方便食品", "饮用水", "救生衣", "冲锋舟", "编织袋", "防护服", "N95口罩")
CATEGORIES = {"basic_living", "rescue", "protection", "medical", "flood_control", "forest_fire",
              "communications", "transport"}


def test_default_catalogue_has_the_named_items_in_every_category(clients: Any, depots: Depots) -> None:
    r = clients["viewer"].get("/api/v1/supplies/items", params={"size": 500})
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert r.json()["total"] == len(service.default_catalogue()["items"]) == len(items)
    names = {i["name"] for i in items}
    assert set(GLOSSARY_NAMES) <= names
    assert {i["category"] for i in items} >= CATEGORIES
    tent = next(i for i in items if i["code"] == "tent")
    assert (tent["unit"], tent["weight_kg"], tent["volume_m3"]) == ("顶", 40.0, 0.25)
    water = next(i for i in items if i["code"] == "drinking_water")
    assert water["shelf_life_days"] == 365
    only_medical = clients["viewer"].get("/api/v1/supplies/items", params={"category": "medical"}).json()["items"]
    assert {i["code"] for i in only_medical} >= {"protective_suit", "n95_mask"}
    assert all(i["category"] == "medical" for i in only_medical)


def test_loading_the_defaults_again_adds_nothing(clients: Any, depots: Depots) -> None:
    r = clients["admin"].post("/api/v1/supplies/defaults")
    assert r.status_code == 200, r.text
    assert r.json() == {"items": 0, "norms": 0, "levels": 0}


def test_commander_edits_the_catalogue_and_the_audit_log_records_it(clients: Any, depots: Depots) -> None:
    c = clients["commander"]
    body = {"code": "rescue_boat_engine", "name": "船外机", "category": "flood_control", "unit": "台",
            "weight_kg": 60, "volume_m3": 0.2}
    r = c.post("/api/v1/supplies/items", json=body)
    assert r.status_code == 201, r.text
    item = r.json()
    r = c.patch(f"/api/v1/supplies/items/{item['id']}", json={"shelf_life_days": 3650, "spec": "40 hp"})
    assert r.status_code == 200 and r.json()["shelf_life_days"] == 3650
    log = clients["admin"].get("/api/v1/audit", params={"entity_type": "supply_items", "entity_id": item["id"]})
    assert [e["action"] for e in log.json()["items"]] == ["update", "create"]
    assert c.delete(f"/api/v1/supplies/items/{item['id']}").status_code == 204
    assert c.get(f"/api/v1/supplies/items/{item['id']}").status_code == 404


def test_bad_items_are_refused_with_the_field_named(clients: Any, depots: Depots) -> None:
    c = clients["commander"]
    bad = [
        ({"code": "x", "name": "X", "category": "weapons", "unit": "个"}, "category"),
        ({"code": "Bad Code", "name": "X", "category": "other", "unit": "个"}, "code"),
        ({"code": "x", "name": "X", "category": "other", "unit": "个", "weight_kg": -1}, "weight_kg"),
        ({"code": "x", "name": "X", "category": "other", "unit": "个", "colour": "red"}, "colour"),
    ]
    for body, field in bad:
        r = c.post("/api/v1/supplies/items", json=body)
        assert r.status_code == 422, (body, r.text)
        assert field in {str(p) for e in r.json()["detail"] for p in e["loc"]}, r.text
    dup = c.post("/api/v1/supplies/items",
                 json={"code": "tent", "name": "另一个帐篷", "category": "other", "unit": "顶"})
    assert dup.status_code == 409
    total = c.get("/api/v1/supplies/items").json()["total"]
    assert total == len(service.default_catalogue()["items"])


def test_only_the_city_changes_the_catalogue(clients: Any, depots: Depots) -> None:
    body = {"code": "x_item", "name": "某物资", "category": "other", "unit": "个"}
    for user in ("linqing", "health", "duty", "viewer"):
        assert clients[user].post("/api/v1/supplies/items", json=body).status_code == 403, user
    used = depots.items["tent"]
    r = clients["commander"].delete(f"/api/v1/supplies/items/{used}")
    assert r.status_code == 409  # the tent has norms


def test_search_takes_wildcards_literally(clients: Any, depots: Depots) -> None:
    c = clients["viewer"]
    found = c.get("/api/v1/supplies/items", params={"q": "帐篷"}).json()
    assert found["total"] >= 1 and all("帐篷" in i["name"] for i in found["items"])
    assert c.get("/api/v1/supplies/items", params={"q": "tEnT"}).json()["total"] >= 1  # case-insensitive
    assert c.get("/api/v1/supplies/items", params={"q": "%"}).json()["total"] == 0
    every = c.get("/api/v1/supplies/items", params={"size": 500}).json()["total"]
    underscored = c.get("/api/v1/supplies/items", params={"q": "_", "size": 500}).json()
    assert 0 < underscored["total"] < every  # codes with an underscore, not every item
    assert all("_" in i["code"] for i in underscored["items"])
