"""Allocation on the road network through the API, on the ladder of 100-second blocks (supplykit):
plans solved by hand, unmet demand, closures, dispatch (FEFO, all or nothing), receipt, requests,
and the 12-hour relief check."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from supplykit import Depots, add_lot, block_polygon, point  # type: ignore[import-not-found]

from yingji.engines.network.graph import RoadGraph
from yingji.supplies.models import DispatchOrder, StockLot, StockMove

PLAN = "/api/v1/supplies/allocation/plan"


def _point(g: RoadGraph, name: str, i: int, j: int = 0, **extra: Any) -> dict[str, Any]:
    return {"name": name, **point(g, i, j), **extra}


def _plan(client: Any, body: dict[str, Any]) -> dict[str, Any]:
    r = client.post(PLAN, json=body)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def _flows(plan: dict[str, Any]) -> set[tuple[int, str, str, int, float]]:
    return {(s["warehouse_id"], s["destination"], s["item_code"], s["quantity"], s["eta_s"]) for s in plan["shipments"]}


def test_plan_solved_by_hand_beats_greedy(
    clients: Any, session: Session, depots: Depots, ladder_graph: RoadGraph
) -> None:
    # city depot at column 0 and 临清 depot at column 20 hold 10 tents each. A (column 9, 200 people)
    # and B (column 1, 100 people) need 10 each. Greedy serves A first from its nearest depot (city,
    # 900 s), leaving B the 临清 depot (1,900 s): 200·900 + 100·1900 = 370,000 person-seconds.
    # The optimum sends 临清 → A (1,100 s) and city → B (100 s): 200·1100 + 100·100 = 230,000.
    add_lot(session, depots, warehouse=depots.city, item="tent", quantity=10)
    add_lot(session, depots, warehouse=depots.linqing, item="tent", quantity=10)
    body = {"points": [_point(ladder_graph, "A", 9, quantities={"tent": 10}),
                       _point(ladder_graph, "B", 1, quantities={"tent": 10})]}
    plain = _plan(clients["commander"], body)
    assert _flows(plain) == {(depots.linqing, "A", "tent", 10, 1100.0), (depots.city, "B", "tent", 10, 100.0)}
    assert plain["objective_person_s"] == 10 * 1100 + 10 * 100  # unit-seconds without people
    assert plain["unmet"] == [] and plain["served_share"] == 1.0
    # with people, explicit quantities stay the demand and the people weight the waiting
    weighted = _plan(clients["commander"], {"points": [
        {**body["points"][0], "people": 200}, {**body["points"][1], "people": 100}]})
    assert weighted["objective_person_s"] == pytest.approx(230_000)
    assert weighted["greedy"]["objective_person_s"] == pytest.approx(370_000)
    assert weighted["greedy"]["objective_over_optimal"] == pytest.approx(370 / 230)
    greedy = _plan(clients["commander"], {"points": weighted["points"], "method": "greedy"})
    assert _flows(greedy) == {(depots.city, "A", "tent", 10, 900.0), (depots.linqing, "B", "tent", 10, 1900.0)}


def test_unmet_demand_is_reported_when_stock_or_time_is_short(
    clients: Any, session: Session, depots: Depots, ladder_graph: RoadGraph
) -> None:
    add_lot(session, depots, warehouse=depots.linqing, item="quilt", quantity=15)
    c = clients["duty"]
    short = _plan(c, {"points": [_point(ladder_graph, "P", 15, quantities={"quilt": 20})]})
    assert _flows(short) == {(depots.linqing, "P", "quilt", 15, 500.0)}
    assert short["unmet"] == [{"point": 0, "destination": "P", "item_code": "quilt", "item": "棉被",
                               "quantity": 5, "demand": 20}]
    # column 1 is 1,900 s from 临清: nothing arrives within 1,000 s
    late = _plan(c, {"points": [_point(ladder_graph, "Q", 1, quantities={"quilt": 10})], "deadline_s": 1000})
    assert late["shipments"] == [] and late["unmet"][0]["quantity"] == 10
    in_time = _plan(c, {"points": [_point(ladder_graph, "Q", 1, quantities={"quilt": 10})], "deadline_s": 2000})
    assert _flows(in_time) == {(depots.linqing, "Q", "quilt", 10, 1900.0)}
    # the default deadline is 12 h
    assert short["deadline_s"] == 12 * 3600 and in_time["deadline_s"] == 2000
    # expired and production-capacity stock is not planned
    add_lot(session, depots, warehouse=depots.city, item="quilt", quantity=100, expires_in_days=-1, batch="expired")
    add_lot(session, depots, warehouse=depots.city, item="quilt", quantity=100, ownership="production_capacity")
    again = _plan(c, {"points": [_point(ladder_graph, "P", 15, quantities={"quilt": 20})]})
    assert again["unmet"][0]["quantity"] == 5


def test_closures_change_the_plan(clients: Any, session: Session, depots: Depots, ladder_graph: RoadGraph) -> None:
    # P at column 5: the city depot (column 0) is 500 s away, the 东昌府 depot (column 10, row 1) 600 s.
    add_lot(session, depots, warehouse=depots.city, item="tent", quantity=10)
    add_lot(session, depots, warehouse=depots.dcf, item="tent", quantity=10)
    body = {"points": [_point(ladder_graph, "P", 5, quantities={"tent": 10})]}
    before = _plan(clients["commander"], body)
    assert _flows(before) == {(depots.city, "P", "tent", 10, 500.0)} and before["closures"] == []
    r = clients["commander"].post("/api/v1/routing/closures", json={
        "reason": "积水", "division_code": "371581", "area": block_polygon(ladder_graph, 2, 0)})
    assert r.status_code == 201, r.text
    assert len(r.json()["edges"]) == 2
    after = _plan(clients["commander"], body)
    # the city's way round is now 700 s: the 东昌府 depot is nearer
    assert _flows(after) == {(depots.dcf, "P", "tent", 10, 600.0)}
    assert [c["id"] for c in after["closures"]] == [r.json()["id"]]


def test_plans_need_the_city_and_refuse_bad_points(clients: Any, depots: Depots, ladder_graph: RoadGraph) -> None:
    body = {"points": [_point(ladder_graph, "P", 5, quantities={"tent": 1})]}
    for user in ("linqing", "health", "viewer"):
        assert clients[user].post(PLAN, json=body).status_code == 403, user
    c = clients["commander"]
    bad = [
        ({"points": [_point(ladder_graph, "P", 5, quantities={"unicorn": 1})]}, "unicorn"),
        ({"points": [_point(ladder_graph, "P", 5, quantities={"tent": -1})]}, "tent"),
        ({"points": [{"name": "far", "lon": 120.0, "lat": 30.0, "quantities": {"tent": 1}}]}, "points"),
        ({"points": [_point(ladder_graph, "P", 5)]}, "points"),
        ({"points": []}, "body"),
        ({**body, "deadline_s": 0}, "deadline_s"),
    ]
    for b, field in bad:
        r = c.post(PLAN, json=b)
        assert r.status_code == 422, (b, r.text)
        assert field in {str(p) for e in r.json()["detail"] for p in e["loc"]} | {"body"}, r.text


def test_dispatch_issues_fefo_atomically_and_receipt_closes(
    clients: Any, session: Session, depots: Depots, ladder_graph: RoadGraph
) -> None:
    late = add_lot(session, depots, warehouse=depots.linqing, item="tent", quantity=10, expires_in_days=300, batch="L")
    soon = add_lot(session, depots, warehouse=depots.linqing, item="tent", quantity=5, expires_in_days=30, batch="S")
    never = add_lot(session, depots, warehouse=depots.linqing, item="tent", quantity=10, batch="N")
    water = add_lot(session, depots, warehouse=depots.linqing, item="drinking_water", quantity=100, expires_in_days=90)
    plan = _plan(clients["commander"], {"points": [
        _point(ladder_graph, "安置点", 15, division_code="371581", quantities={"tent": 12, "drinking_water": 40})]})
    assert plan["unmet"] == []
    c = clients["commander"]
    # a shortfall anywhere writes nothing
    too_much = [{**s, "quantity": s["quantity"] * 10} if s["item_code"] == "drinking_water" else s
                for s in plan["shipments"]]
    moves = session.scalar(select(func.count()).select_from(StockMove))
    r = c.post("/api/v1/supplies/dispatch-orders", json={"shipments": too_much})
    assert r.status_code == 409, r.text
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(StockMove)) == moves
    assert session.scalar(select(func.count()).select_from(DispatchOrder)) == 0
    assert session.get(StockLot, soon.id).quantity == 5  # type: ignore[union-attr]
    # accepting the plan
    r = c.post("/api/v1/supplies/dispatch-orders", json={"shipments": plan["shipments"], "note": "演练"})
    assert r.status_code == 201, r.text
    (order,) = r.json()
    assert order["status"] == "in_transit" and order["eta_s"] == 500.0
    assert order["destination_division_code"] == "371581"
    taken = {ln["lot_id"]: ln["quantity"] for ln in order["lines"]}
    assert taken == {soon.id: 5, late.id: 7, water.id: 40}  # first expiry first out; never-expiring last
    session.expire_all()
    assert [session.get(StockLot, x.id).quantity for x in (soon, late, never, water)] == [0, 3, 10, 60]  # type: ignore[union-attr]
    ledger = session.scalars(select(StockMove).where(StockMove.dispatch_order_id == order["id"])).all()
    assert {(m.lot_id, m.kind, m.quantity, m.actor_name) for m in ledger} == {
        (soon.id, "issue", -5, "commander"), (late.id, "issue", -7, "commander"), (water.id, "issue", -40, "commander")}
    # the receiving county signs for it; the order is closed
    receipt = f"/api/v1/supplies/dispatch-orders/{order['id']}/receipt"
    assert clients["dongchangfu"].post(receipt, json={}).status_code == 404
    r = clients["linqing"].post(receipt, json={"note": "已清点"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "received" and r.json()["received_by"] == "linqing"
    assert clients["linqing"].post(receipt, json={}).status_code == 409
    assert c.post(f"/api/v1/supplies/dispatch-orders/{order['id']}/cancel").status_code == 409


def test_cancelling_an_order_returns_its_goods(clients: Any, session: Session, depots: Depots) -> None:
    lot = add_lot(session, depots, warehouse=depots.city, item="quilt", quantity=30)
    c = clients["commander"]
    r = c.post("/api/v1/supplies/dispatch-orders", json={"shipments": [
        {"warehouse_id": depots.city, "item_code": "quilt", "quantity": 20, "destination": "X", "lon": 115.7,
         "lat": 36.84}]})
    assert r.status_code == 201, r.text
    order = r.json()[0]
    session.expire_all()
    assert session.get(StockLot, lot.id).quantity == 10  # type: ignore[union-attr]
    r = c.post(f"/api/v1/supplies/dispatch-orders/{order['id']}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    session.expire_all()
    assert session.get(StockLot, lot.id).quantity == 30  # type: ignore[union-attr]
    bad = c.post("/api/v1/supplies/dispatch-orders", json={"shipments": [
        {"warehouse_id": depots.city, "item_code": "nope", "quantity": 1, "destination": "X", "lon": 1, "lat": 1}]})
    assert bad.status_code == 422


def test_request_approval_partial_fulfilment_and_status_for_the_requester(
    clients: Any, session: Session, depots: Depots, ladder_graph: RoadGraph
) -> None:
    add_lot(session, depots, warehouse=depots.linqing, item="tent", quantity=8)
    add_lot(session, depots, warehouse=depots.city, item="tent", quantity=20)
    add_lot(session, depots, warehouse=depots.linqing, item="quilt", quantity=100)
    lq = clients["linqing"]
    body = {"division_code": "371581", "incident_ref": "2026-07 临清暴雨", "destination": "临清市体育馆安置点",
            **point(ladder_graph, 15), "people": 80,
            "lines": [{"item_id": depots.items["tent"], "quantity": 20},
                      {"item_id": depots.items["quilt"], "quantity": 50}]}
    assert lq.post("/api/v1/supplies/requests", json={**body, "division_code": "371502"}).status_code == 403
    assert lq.post("/api/v1/supplies/requests", json={**body, "lines": [
        {"item_id": 999_999, "quantity": 1}]}).status_code == 422
    r = lq.post("/api/v1/supplies/requests", json=body)
    assert r.status_code == 201, r.text
    req = r.json()
    assert req["status"] == "submitted" and req["created_by"] == "linqing"
    assert clients["dongchangfu"].get(f"/api/v1/supplies/requests/{req['id']}").status_code == 404
    assert lq.post(f"/api/v1/supplies/requests/{req['id']}/decision", json={"decision": "approve"}).status_code == 403
    c = clients["commander"]
    r = c.post(f"/api/v1/supplies/requests/{req['id']}/decision", json={
        "decision": "approve", "note": "帐篷先批 15 顶", "lines": [{"item_id": depots.items["tent"], "approved": 15}]})
    assert r.status_code == 200, r.text
    assert {ln["item_code"]: (ln["approved"], ln["outstanding"]) for ln in r.json()["lines"]} == {
        "tent": (15, 15), "quilt": (50, 50)}
    assert c.post(f"/api/v1/supplies/requests/{req['id']}/decision", json={"decision": "reject"}).status_code == 409
    plan = _plan(c, {"request_id": req["id"]})
    assert plan["unmet"] == []
    flows = _flows(plan)
    # 临清 depot (500 s) gives its 8 tents and the quilts; the city depot (1,500 s) the other 7 tents
    assert flows == {(depots.linqing, "临清市体育馆安置点", "tent", 8, 500.0),
                     (depots.city, "临清市体育馆安置点", "tent", 7, 1500.0),
                     (depots.linqing, "临清市体育馆安置点", "quilt", 50, 500.0)}
    r = c.post("/api/v1/supplies/dispatch-orders", json={"shipments": plan["shipments"], "request_id": req["id"]})
    assert r.status_code == 201, r.text
    orders = {o["warehouse_id"]: o for o in r.json()}
    over = c.post("/api/v1/supplies/dispatch-orders", json={"request_id": req["id"], "shipments": [
        {**plan["shipments"][0], "quantity": 1}]})
    assert over.status_code == 422  # nothing approved is left to dispatch
    lq.post(f"/api/v1/supplies/dispatch-orders/{orders[depots.linqing]['id']}/receipt", json={})
    seen = lq.get(f"/api/v1/supplies/requests/{req['id']}").json()
    assert seen["status"] == "partially_fulfilled"
    assert {ln["item_code"]: (ln["dispatched"], ln["received"]) for ln in seen["lines"]} == {
        "tent": (15, 8), "quilt": (50, 50)}
    lq.post(f"/api/v1/supplies/dispatch-orders/{orders[depots.city]['id']}/receipt", json={})
    assert lq.get(f"/api/v1/supplies/requests/{req['id']}").json()["status"] == "fulfilled"
    mine = lq.get("/api/v1/supplies/requests").json()
    assert [x["id"] for x in mine["items"]] == [req["id"]]
    assert clients["dongchangfu"].get("/api/v1/supplies/requests").json()["total"] == 0


def _stock_everything_but_tents(session: Session, depots: Depots) -> None:
    for code in ("drinking_water", "instant_food", "quilt", "folding_bed", "family_kit"):
        add_lot(session, depots, warehouse=depots.linqing, item=code, quantity=1_000_000,
                expires_in_days=300 if code in ("drinking_water", "instant_food", "quilt") else None)
    add_lot(session, depots, warehouse=depots.linqing, item="tent", quantity=300)
    add_lot(session, depots, warehouse=depots.city, item="tent", quantity=5000, ownership="production_capacity")


def test_relief_check_by_api(clients: Any, session: Session, depots: Depots) -> None:
    # people: 1,000 at column 5 and 1,000 at column 15 (临清市), 500 at column 10 (东昌府区);
    # 300 tents at 1 per 4 persons serve 1,200 people; everything else is plentiful.
    _stock_everything_but_tents(session, depots)
    r = clients["commander"].get("/api/v1/supplies/reports/relief-check")
    assert r.status_code == 200, r.text
    check = r.json()
    assert check["deadline_s"] == 43_200 and check["days"] == 1
    rows = {d["division_code"]: d for d in check["divisions"]}
    lq, dcf = rows["371581"], rows["371502"]
    assert (lq["max_people"], lq["binding_item"], lq["population"]) == (1200, "tent", 2000)
    assert lq["per_item"]["tent"] == 1200 and lq["population_out_of_reach"] == 0
    assert lq["planned_relief_population"] == round(730_000 * 0.008) and lq["meets_planned"] is False
    assert (dcf["max_people"], dcf["all_in_reach_served"]) == (500, True)
    assert check["city"]["division_code"] == "371500" and check["city"]["max_people"] == 1200
    # within 600 s the 临清 depot (column 20) reaches only column 15
    r = clients["linqing"].get("/api/v1/supplies/reports/relief-check", params={"deadline_s": 600})
    assert r.status_code == 200, r.text
    quick = r.json()
    assert [d["division_code"] for d in quick["divisions"]] == ["371581"] and quick["city"] is None
    assert (quick["divisions"][0]["max_people"], quick["divisions"][0]["population_out_of_reach"]) == (1000, 1000)
    assert clients["commander"].get("/api/v1/supplies/reports/relief-check",
                                    params={"deadline_s": -1}).status_code == 422
