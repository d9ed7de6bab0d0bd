"""The two supplies indicators of the plan, connected: basic-living government reserves against the
standard (the supplies gap report) and 12-hour relief (the supplies relief check over the grid
network of tests/supervision/conftest.py). Stock changes move them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from svhelpers import API, lonlat, ok  # type: ignore[import-not-found]

from yingji.auth.models import User
from yingji.engines.network.graph import RoadGraph
from yingji.registry.models import Facility
from yingji.supervision.models import ActionPlan
from yingji.supplies import service as supplies
from yingji.supplies.models import Item

SUPPLIES = "/api/v1/supplies"
PLANNED = 100  # the city's planned relief population in these tests


def _setup(session: Session, world: Any, grid_graph: RoadGraph) -> int:
    admin = session.get(User, world.users["admin"])
    assert admin is not None
    supplies.load_defaults(session=session, user=admin)
    lon, lat = lonlat(grid_graph, 20, 20)  # the middle of the grid: both populated cells within 12 h
    depot = Facility(name="测试市级救灾物资储备库", kind="warehouse", division_code="371502",
                     unit_id=world.units["emergency"], lon=lon, lat=lat,
                     capacity={"level": "city", "area_m2": 1000.0})
    session.add(depot)
    session.commit()
    return depot.id


def _indicator(c: Any, key: str) -> dict[str, Any]:
    return ok(c.get(f"{API}/indicators/{key}"))  # type: ignore[no-any-return]


def _stock_to_standard(c: Any, session: Session, depot: int) -> dict[str, int]:
    """Government lots of every city-norm item, exactly the required quantity; returns lot ids."""
    gap = ok(c.get(f"{SUPPLIES}/reports/gap", params={"division": "371500"}))
    [city] = gap["divisions"]
    assert city["relief_population"] == PLANNED
    lots = {}
    for it in city["items"]:
        r = ok(c.post(f"{SUPPLIES}/lots", json={"warehouse_id": depot, "item_id": it["item_id"],
                                                 "batch": f"SV-{it['item_code']}", "quantity": it["required"],
                                                 "ownership": "government"}), 201)
        lots[it["item_code"]] = r["id"]
    return lots


def test_living_reserve_indicator_follows_the_stock(clients: Any, session: Session, world: Any, plan: ActionPlan,
                                                    grid_graph: RoadGraph) -> None:
    depot = _setup(session, world, grid_graph)
    c = clients["admin"]
    ok(c.put(f"{SUPPLIES}/relief-populations/371500", json={"persons": PLANNED, "source": "测试"}))
    before = _indicator(c, "living_supplies_reserve")
    assert before["kind"] == "computed" and before["available"] is True
    assert before["value"] == 0.0 and before["light"] == "red"  # nothing held; due 2022-12-31 has passed
    lots = _stock_to_standard(c, session, depot)
    met = _indicator(c, "living_supplies_reserve")
    assert met["value"] == 100.0 and met["light"] == "green", met["reason"]
    assert met["detail"]["relief_population"] == PLANNED
    basic = {code for code, in session.query(Item.code).filter(Item.category == "basic_living")}
    assert {i["item_code"] for i in met["detail"]["items"]} <= basic
    # issue half of the quilts: the weakest item sets the value
    quilts = next(i for i in met["detail"]["items"] if i["item_code"] == "quilt")
    ok(c.post(f"{SUPPLIES}/lots/{lots['quilt']}/moves",
              json={"kind": "issue", "quantity": quilts["required"] // 2, "reason": "测试发放"}), 201)
    half = _indicator(c, "living_supplies_reserve")
    assert half["value"] == 50.0 and half["light"] == "red" and "棉被" in half["reason"]
    # agreement stock does not count for the government reserve
    item_id = session.query(Item.id).filter(Item.code == "quilt").scalar()
    ok(c.post(f"{SUPPLIES}/lots", json={"warehouse_id": depot, "item_id": item_id, "batch": "SV-AGR",
                                         "quantity": 1000, "ownership": "enterprise_agreement"}), 201)
    assert _indicator(c, "living_supplies_reserve")["value"] == 50.0
    # today's snapshot follows the last computation
    history = ok(c.get(f"{API}/indicators/living_supplies_reserve/history"))
    assert len(history) == 1 and history[-1]["value"] == 50.0


def test_relief_12h_indicator_follows_the_stock(clients: Any, session: Session, world: Any, plan: ActionPlan,
                                               grid_graph: RoadGraph) -> None:
    depot = _setup(session, world, grid_graph)
    c = clients["admin"]
    ok(c.put(f"{SUPPLIES}/relief-populations/371500", json={"persons": PLANNED, "source": "测试"}))
    empty = _indicator(c, "relief_within_12h")
    assert empty["kind"] == "computed" and empty["value"] == 0.0 and empty["light"] == "red"
    lots = _stock_to_standard(c, session, depot)  # the city standard covers ≥ 1 day of the relief profile
    full = _indicator(c, "relief_within_12h")
    assert full["value"] == 100.0 and full["light"] == "green", full["reason"]
    assert full["detail"]["max_people"] >= PLANNED and full["detail"]["deadline_s"] == 12 * 3600
    # leave quilts (1 per person) for 40 people only: 40 % of the planned relief population
    quilts = ok(c.get(f"{SUPPLIES}/lots/{lots['quilt']}"))["quantity"]
    ok(c.post(f"{SUPPLIES}/lots/{lots['quilt']}/moves",
              json={"kind": "issue", "quantity": quilts - 40, "reason": "测试发放"}), 201)
    low = _indicator(c, "relief_within_12h")
    assert low["value"] == 40.0 and low["detail"]["binding_item"] == "quilt"
    assert "棉被" in low["reason"] and "40 人" in low["reason"]


def test_relief_12h_without_network_is_unavailable(clients: Any, session: Session, plan: ActionPlan,
                                                   settings: Any) -> None:
    (settings.data_dir / "network").unlink()  # the symlink to the shared grid
    got = _indicator(clients["viewer"], "relief_within_12h")
    assert got["value"] is None and got["light"] == "grey"
