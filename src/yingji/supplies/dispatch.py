"""Allocation plans on the road network, dispatch orders (stock issued FEFO, atomically), receipt,
and the 12-hour relief check.

Travel times come from the routing domain's network with the road closures in force applied
(``yingji.routing.service.active_closures``): warehouses → demand points, seconds, ``inf`` where no
open road leads. The plans themselves are the pure engine's (:mod:`yingji.engines.allocation`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.orm import Session, aliased

from yingji.auth import permissions as perm
from yingji.db.base import utcnow
from yingji.engines import allocation as alloc
from yingji.engines import network as ne
from yingji.errors import Conflict, Forbidden, InvalidField, NotFound
from yingji.registry.models import Division, Facility
from yingji.routing import service as routing
from yingji.supplies import common, requests, reserve, stock
from yingji.supplies.catalogue import default_deadline_s
from yingji.supplies.common import as_dict, page_out, record
from yingji.supplies.enums import PHYSICAL_OWNERSHIPS, DispatchStatus, MoveKind
from yingji.supplies.models import DispatchLine, DispatchOrder, Item, StockLot, SupplyRequest
from yingji.supplies.schemas import (
    DemandPoint,
    DispatchCreate,
    DispatchLineRead,
    DispatchRead,
    PlanRequest,
)

WAREHOUSE_SNAP_M = routing.RESOURCE_SNAP_M
POINT_SNAP_M = routing.SNAP_M


@dataclass
class _Stock:
    warehouses: list[Facility]
    items: list[Item]
    supply: npt.NDArray[np.float64]  # (W, K)


def _stock_matrix(session: Session, items: list[Item], ownerships: Sequence[str]) -> _Stock:
    avail = stock.available(session=session, ownerships=ownerships, item_ids=[i.id for i in items])
    wids = sorted({w for w, _ in avail})
    whs = {f.id: f for f in session.scalars(select(Facility).where(Facility.id.in_(wids)))} if wids else {}
    warehouses = [whs[w] for w in wids]
    col = {it.id: k for k, it in enumerate(items)}
    supply = np.zeros((len(warehouses), len(items)))
    for i, w in enumerate(wids):
        for it in items:
            supply[i, col[it.id]] = avail.get((w, it.id), 0)
    return _Stock(warehouses=warehouses, items=items, supply=supply)


def _times(
    session: Session, data_dir: Path, user: perm.Principal, warehouses: list[Facility],
    points: list[tuple[float, float]], point_field: str,
) -> tuple[npt.NDArray[np.float64], routing.ClosureState, list[int]]:
    """(W, P) seconds with the closures in force; warehouses off the network get ``inf`` rows."""
    net = routing.load_network(data_dir)
    state = routing.active_closures(session=session, net=net, user=user)
    pts = ne.snap_many(net.graph, lon=[p[0] for p in points], lat=[p[1] for p in points], max_distance_m=POINT_SNAP_M)
    off = np.flatnonzero(~pts.on_network)
    if off.size:
        i = int(off[0])
        raise InvalidField([point_field, i], f"point is {pts.distance_m[i]:.0f} m from the nearest road "
                                              f"(limit {POINT_SNAP_M:.0f} m)")
    out = np.full((len(warehouses), len(points)), np.inf)
    off_wh: list[int] = []
    if warehouses:
        wh = ne.snap_many(net.graph, lon=[f.lon for f in warehouses], lat=[f.lat for f in warehouses],
                          max_distance_m=WAREHOUSE_SNAP_M)
        on = np.flatnonzero(wh.on_network)
        off_wh = [warehouses[int(i)].id for i in np.flatnonzero(~wh.on_network)]
        if on.size:
            out[on] = ne.matrix(net.graph, origins=wh.node[on], destinations=pts.node, closures=state.edges)
    return out, state, off_wh


def _plan_items(session: Session, data: PlanRequest, points: list[DemandPoint]) -> tuple[list[Item], np.ndarray]:
    """Items to plan and the (P, K) demand: a point's explicit quantities, or else its people × the
    relief profile (× days)."""
    by_code = common.items_by_code(session)
    profile = reserve.relief_profile(session)
    need: dict[str, float] = {it.code: reserve.need_per_person(n, data.days) for it, n in profile}
    codes: list[str] = []
    for i, p in enumerate(points):
        if p.people and not p.quantities:
            if not need:
                raise InvalidField(["points", i, "people"], "no relief profile is defined (norms of profile relief)")
            codes.extend(c for c in need if c not in codes)
        for code in p.quantities or {}:
            if code not in by_code:
                raise InvalidField(["points", i, "quantities", code], f"unknown item {code!r}")
            if code not in codes:
                codes.append(code)
    if data.items is not None:
        for j, code in enumerate(data.items):
            if code not in by_code:
                raise InvalidField(["items", j], f"unknown item {code!r}")
        codes = [c for c in codes if c in data.items]
    if not codes:
        raise InvalidField("items", "nothing to plan: no demanded item is left")
    demand = np.zeros((len(points), len(codes)))
    for i, p in enumerate(points):
        for k, code in enumerate(codes):
            if p.quantities:
                demand[i, k] = float(p.quantities.get(code, 0))
            elif p.people and code in need:
                demand[i, k] = math.ceil(p.people * need[code] - 1e-9)
    return [by_code[c] for c in codes], demand


def _request_points(session: Session, user: perm.Principal, request_id: int) -> tuple[list[DemandPoint], SupplyRequest]:
    r = requests.open_request(session, user, request_id)
    left = requests.outstanding(session, r)
    by_id = {it.id: it for it in session.scalars(select(Item).where(Item.id.in_(list(left))))}
    quantities = {by_id[i].code: q for i, (_, q) in left.items() if q > 0}
    if not quantities:
        raise Conflict(f"request_id: supply request {request_id} has nothing left to dispatch")
    point = DemandPoint(name=r.destination, lon=r.lon, lat=r.lat, division_code=r.division_code,
                        quantities=quantities)
    return [point], r


def _locate_points(
    session: Session, user: perm.Principal, data_dir: Path, points: list[DemandPoint]
) -> list[DemandPoint]:
    """Fill what a point leaves to be derived: from its incident (visible to the user) the place and,
    when no other demand is given, the affected people; from its drawn area the persons living in it
    (population grid, cells counted by the share the area covers) and, when it has no place, their
    centre."""
    from shapely.geometry import shape

    from yingji.common.geo import AREA, check_geometry
    from yingji.incidents import service as incidents

    out: list[DemandPoint] = []
    for i, p in enumerate(points):
        upd: dict[str, Any] = {}
        if p.incident_id is not None:
            try:
                inc = incidents.get_incident(session=session, user=user, incident_id=p.incident_id)
            except NotFound:
                raise InvalidField(["points", i, "incident_id"], f"incident {p.incident_id} not found") from None
            if p.lon is None and p.area is None:
                upd.update(lon=inc.lon, lat=inc.lat)
            if p.people is None and not p.quantities and p.area is None:
                if not inc.affected_people:
                    raise InvalidField(["points", i, "people"],
                                       f"incident {inc.id} records no affected people: give people or an area")
                upd["people"] = inc.affected_people
            if p.division_code is None:
                upd["division_code"] = inc.division_code
        if p.area is not None:
            area = check_geometry(p.area, ["points", i, "area"], AREA)
            grid = routing.load_network(data_dir).grid
            if grid is None:
                raise NotFound("no population grid is loaded (network/population.csv): give people, not an area")
            try:
                found = grid.in_area(shape(area))
            except ne.NetworkError as exc:
                raise InvalidField(["points", i, "area"], str(exc)) from None
            if p.people is None and not p.quantities and "people" not in upd:
                if found.people < 0.5:
                    raise InvalidField(["points", i, "area"], "nobody lives in the area (population grid): "
                                                               "give people or draw another area")
                upd["people"] = int(round(found.people))
            if p.lon is None and "lon" not in upd:
                upd.update(lon=round(found.lon, 6), lat=round(found.lat, 6))
        out.append(p.model_copy(update=upd) if upd else p)
    return out


def _plan_out(plan: alloc.Plan, st: _Stock, points: list[DemandPoint]) -> dict[str, Any]:
    shipments = []
    for w, p, k, q, t in zip(plan.warehouse, plan.point, plan.item, plan.quantity, plan.time_s, strict=True):
        f, it, pt = st.warehouses[int(w)], st.items[int(k)], points[int(p)]
        shipments.append({
            "warehouse_id": f.id, "warehouse": f.name, "item_code": it.code, "item": it.name, "unit": it.unit,
            "quantity": int(round(q)), "point": int(p), "destination": pt.name, "lon": pt.lonlat[0],
            "lat": pt.lonlat[1],
            "division_code": pt.division_code, "eta_s": float(t),
        })
    shipments.sort(key=lambda s: (s["point"], s["item_code"], s["eta_s"]))
    unmet = [
        {"point": int(p), "destination": points[int(p)].name, "item_code": st.items[int(k)].code,
         "item": st.items[int(k)].name, "quantity": int(round(plan.unmet[p, k])),
         "demand": int(round(plan.demand[p, k]))}
        for p, k in zip(*np.nonzero(plan.unmet > 0.5), strict=True)
    ]
    return {
        "method": plan.method, "shipments": shipments, "unmet": unmet,
        "objective_person_s": plan.objective, "mean_delivery_s": plan.mean_delivery_s,
        "served_share": plan.served_share, "delivered_units": int(round(float(plan.delivered.sum()))),
        "demand_units": int(round(float(plan.demand.sum()))), "solve_s": plan.solve_s,
    }


def plan(*, session: Session, user: perm.Principal, data_dir: Path, data: PlanRequest) -> dict[str, Any]:
    """A shipment plan from every in-service warehouse's issuable stock to the demand points, with
    the unmet demand per point and item, and the greedy nearest-first plan beside it."""
    perm.require(user, "dispatch_orders", "create")
    if data.request_id is not None:
        points, _ = _request_points(session, user, data.request_id)
    else:
        points = _locate_points(session, user, data_dir, data.points)
    items, demand = _plan_items(session, data, points)
    ownerships = [str(o) for o in (data.ownerships or PHYSICAL_OWNERSHIPS)]
    st = _stock_matrix(session, items, ownerships)
    times, state, off_wh = _times(session, data_dir, user, st.warehouses, [p.lonlat for p in points],
                                  "points")
    deadline = data.deadline_s or default_deadline_s()
    people = np.array([float(p.people or 0) for p in points]) if any(p.people for p in points) else None
    kwargs: dict[str, Any] = {"supply": st.supply, "demand": demand, "times": times, "people": people,
                              "deadline_s": deadline}
    greedy = alloc.greedy_plan(**kwargs)
    chosen = alloc.optimal_plan(**kwargs) if data.method == "optimal" else greedy
    out = _plan_out(chosen, st, points)
    out.update({
        "deadline_s": deadline, "days": data.days, "ownerships": ownerships, "request_id": data.request_id,
        "points": [p.model_dump(mode="json") for p in points],
        "items": [{"item_code": it.code, "item": it.name, "unit": it.unit} for it in items],
        "warehouses_off_network": off_wh,
        "greedy": {"objective_person_s": greedy.objective, "mean_delivery_s": greedy.mean_delivery_s,
                   "served_share": greedy.served_share,
                   "unmet_units": int(round(float(greedy.unmet.sum())))},
        **state.as_dict(),
    })
    if data.method == "optimal" and chosen.objective > 0:
        out["greedy"]["objective_over_optimal"] = greedy.objective / chosen.objective
    return out


# ---- dispatch orders -----------------------------------------------------------------------------


def dispatch_clause(user: perm.Principal) -> ColumnElement[bool]:
    """Orders the user sees: from a warehouse in its division or to a destination in it; a department
    only those from its unit's warehouses or for its unit's requests."""
    clause = or_(perm.scope_clause(user, Facility.division_code),
                 perm.scope_clause(user, DispatchOrder.destination_division_code))
    if common.is_department(user):
        if user.unit_id is None:
            return false()
        clause = and_(clause, or_(Facility.unit_id == user.unit_id, SupplyRequest.unit_id == user.unit_id))
    return clause


def _orders_query(user: perm.Principal) -> Any:
    return (
        select(DispatchOrder, Facility)
        .join(Facility, Facility.id == DispatchOrder.warehouse_id)
        .outerjoin(SupplyRequest, SupplyRequest.id == DispatchOrder.request_id)
        .where(dispatch_clause(user))
    )


def orders_out(session: Session, rows: list[tuple[DispatchOrder, Facility]]) -> list[DispatchRead]:
    ids = [o.id for o, _ in rows]
    lines: dict[int, list[DispatchLineRead]] = defaultdict(list)
    if ids:
        lot = aliased(StockLot)
        for ln, it, batch in session.execute(
            select(DispatchLine, Item, lot.batch).join(Item, Item.id == DispatchLine.item_id)
            .join(lot, lot.id == DispatchLine.lot_id).where(DispatchLine.order_id.in_(ids)).order_by(DispatchLine.id)
        ):
            lines[ln.order_id].append(DispatchLineRead(
                id=ln.id, lot_id=ln.lot_id, batch=batch, item_id=it.id, item_code=it.code, item=it.name,
                quantity=ln.quantity, request_line_id=ln.request_line_id))
    return [
        DispatchRead(
            id=o.id, warehouse_id=f.id, warehouse=f.name, request_id=o.request_id, destination=o.destination,
            destination_division_code=o.destination_division_code, lon=o.lon, lat=o.lat, eta_s=o.eta_s,
            status=DispatchStatus(o.status), created_by=o.created_by, created_at=o.created_at,
            received_at=o.received_at, received_by=o.received_by, note=o.note, lines=lines[o.id],
        )
        for o, f in rows
    ]


def list_orders(
    *, session: Session, user: perm.Principal, status: str | None = None, request_id: int | None = None,
    page: int = 1, size: int = 50,
) -> dict[str, Any]:
    perm.require(user, "dispatch_orders", "read")
    stmt = _orders_query(user)
    if status is not None:
        if status not in {s.value for s in DispatchStatus}:
            raise InvalidField("status", f"unknown status {status!r}")
        stmt = stmt.where(DispatchOrder.status == status)
    if request_id is not None:
        stmt = stmt.where(DispatchOrder.request_id == request_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = [(o, f) for o, f in session.execute(stmt.order_by(DispatchOrder.id.desc())
                                               .offset((page - 1) * size).limit(size))]
    return page_out(orders_out(session, rows), total, page, size)


def _visible_order(session: Session, user: perm.Principal, order_id: int) -> tuple[DispatchOrder, Facility]:
    row = session.execute(_orders_query(user).where(DispatchOrder.id == order_id)).first()
    if row is None:
        raise NotFound(f"dispatch order {order_id} not found")
    return row[0], row[1]


def get_order(*, session: Session, user: perm.Principal, order_id: int) -> DispatchRead:
    perm.require(user, "dispatch_orders", "read")
    return orders_out(session, [_visible_order(session, user, order_id)])[0]


def create_orders(*, session: Session, user: perm.Principal, data: DispatchCreate) -> list[DispatchRead]:
    """Accept a plan: one order per warehouse and destination, its stock issued from the warehouse's
    lots first-expiry-first-out. All or nothing: a shortfall anywhere writes nothing (409)."""
    perm.require(user, "dispatch_orders", "create")
    by_code = common.items_by_code(session)
    ownerships = [str(o) for o in (data.ownerships or PHYSICAL_OWNERSHIPS)]
    req: SupplyRequest | None = None
    left: dict[int, Any] = {}
    if data.request_id is not None:
        req = requests.open_request(session, user, data.request_id)
        left = requests.outstanding(session, req)
    groups: dict[tuple[int, str, float, float], list[int]] = defaultdict(list)
    per_item: dict[int, int] = defaultdict(int)
    for i, s in enumerate(data.shipments):
        it = by_code.get(s.item_code)
        if it is None:
            raise InvalidField(["shipments", i, "item_code"], f"unknown item {s.item_code!r}")
        common.warehouse(session, s.warehouse_id, field=f"shipments.{i}.warehouse_id")
        if s.division_code is not None:
            common.division(session, s.division_code, field=f"shipments.{i}.division_code")
        if req is not None:
            if it.id not in left:
                raise InvalidField(["shipments", i, "item_code"], f"{s.item_code} is not in request {req.id}")
            per_item[it.id] += s.quantity
            if per_item[it.id] > left[it.id][1]:
                raise InvalidField(["shipments", i, "quantity"],
                                   f"more {s.item_code} than the {left[it.id][1]} approved and not yet dispatched")
        groups[(s.warehouse_id, s.destination, s.lon, s.lat)].append(i)
    made: list[tuple[DispatchOrder, Facility]] = []
    with session.begin_nested():
        for (wid, dest, lon, lat), idx in groups.items():
            first = data.shipments[idx[0]]
            division_code = first.division_code or (req.division_code if req is not None else None)
            order = DispatchOrder(
                warehouse_id=wid, request_id=req.id if req else None, destination=dest,
                destination_division_code=division_code, lon=lon, lat=lat,
                eta_s=max((data.shipments[i].eta_s or 0.0) for i in idx) or None,
                status=DispatchStatus.in_transit, created_by=user.username, note=data.note,
            )
            session.add(order)
            session.flush()
            for i in idx:
                s = data.shipments[i]
                it = by_code[s.item_code]
                used = stock.issue_fefo(
                    session=session, actor=user, warehouse_id=wid, item_id=it.id, quantity=s.quantity,
                    ownerships=ownerships, dispatch_order_id=order.id, request_id=order.request_id,
                    reason=f"调运单 {order.id}: {dest}",
                )
                line_id = left[it.id][0].id if req is not None else None
                for lot, q in used:
                    session.add(DispatchLine(order_id=order.id, lot_id=lot.id, item_id=it.id, quantity=q,
                                             request_line_id=line_id))
            session.flush()
            f = session.get(Facility, wid)
            assert f is not None
            made.append((order, f))
        out = orders_out(session, made)
        for o in out:
            record(session, user, "create", "dispatch_orders", o.id, None, o.model_dump(mode="json"))
    return out


def receive(*, session: Session, user: perm.Principal, order_id: int, note: str | None = None) -> DispatchRead:
    """The receipt at the destination closes the order (and counts toward its request)."""
    perm.require(user, "dispatch_orders", "read")
    order, f = _visible_order(session, user, order_id)
    perm.require(user, "dispatch_orders", "update")
    receiving = order.destination_division_code or f.division_code
    if not perm.in_scope(user, receiving):
        raise Forbidden(f"dispatch order {order_id} is received in {receiving}, outside your division")
    if order.status != DispatchStatus.in_transit:
        raise Conflict(f"dispatch order {order_id} is {order.status}; only an order in transit can be received")
    before = as_dict(order)
    order.status = DispatchStatus.received
    order.received_at, order.received_by = utcnow(), user.username
    if note:
        order.note = f"{order.note}\n{note}" if order.note else note
    session.flush()
    if order.request_id is not None:
        requests.refresh_status(session, order.request_id)
    record(session, user, "update", "dispatch_orders", order.id, before, as_dict(order))
    return orders_out(session, [(order, f)])[0]


def cancel_order(*, session: Session, user: perm.Principal, order_id: int) -> DispatchRead:
    """Call an order back before its receipt: its goods go back into the lots they came from."""
    perm.require(user, "dispatch_orders", "read")
    order, f = _visible_order(session, user, order_id)
    perm.require(user, "dispatch_orders", "create")
    if order.status != DispatchStatus.in_transit:
        raise Conflict(f"dispatch order {order_id} is {order.status}; only an order in transit can be cancelled")
    before = as_dict(order)
    with session.begin_nested():
        for ln in session.scalars(select(DispatchLine).where(DispatchLine.order_id == order.id)):
            stock.apply_move(session=session, lot_id=ln.lot_id, delta=ln.quantity, kind=MoveKind.receipt, actor=user,
                             reason=f"调运单 {order.id} 撤销，退回", dispatch_order_id=order.id,
                             request_id=order.request_id)
        order.status = DispatchStatus.cancelled
        session.flush()
        record(session, user, "update", "dispatch_orders", order.id, before, as_dict(order))
    return orders_out(session, [(order, f)])[0]


# ---- the 12-hour relief check --------------------------------------------------------------------


def relief_check(
    *, session: Session, user: perm.Principal, data_dir: Path, deadline_s: float | None = None, days: int = 1,
    ownerships: Sequence[str] | None = None,
) -> dict[str, Any]:
    """For each division (and the city): the largest number of affected people, spread like the
    population over its grid cells in reach, whose relief needs (``days`` days of the relief
    profile) can be delivered within the deadline from the current stock over the roads as they
    are now (closures applied). People in cells no warehouse reaches in time are reported apart."""
    perm.require(user, "stock", "read")
    deadline = deadline_s or default_deadline_s()
    profile = reserve.relief_profile(session)
    if not profile:
        raise NotFound("no relief profile (norms of profile relief): load the defaults first")
    items = [it for it, _ in profile]
    need = np.array([reserve.need_per_person(n, days) for _, n in profile])
    owns = [str(o) for o in (ownerships or PHYSICAL_OWNERSHIPS)]
    st = _stock_matrix(session, items, owns)
    net = routing.load_network(data_dir)
    grid = net.grid
    if grid is None:
        raise NotFound("no population grid is loaded (network/population.csv)")
    state = routing.active_closures(session=session, net=net, user=user)
    cells = ne.snap_cells(net.graph, grid)
    pop = np.asarray(grid.population, dtype=float)
    cell_div = np.asarray(grid.division).astype(str)
    live = np.flatnonzero((cells.node >= 0) & (pop > 0))
    nodes, node_of = np.unique(cells.node[live], return_inverse=True)
    times = np.full((len(st.warehouses), nodes.size), np.inf)
    if st.warehouses and nodes.size:
        wh = ne.snap_many(net.graph, lon=[f.lon for f in st.warehouses], lat=[f.lat for f in st.warehouses],
                          max_distance_m=WAREHOUSE_SNAP_M)
        on = np.flatnonzero(wh.on_network)
        if on.size:
            times[on] = ne.matrix(net.graph, origins=wh.node[on], destinations=nodes, closures=state.edges)
    in_reach = np.asarray((times <= deadline).any(axis=0), dtype=bool)
    divisions = {d.code: d for d in session.scalars(select(Division))}
    planned = {r.division_code: r.persons for r in reserve.relief_populations(session=session, user=user)}

    def figure(mask_live: npt.NDArray[np.bool_], code: str) -> dict[str, Any]:
        sel = live[mask_live]
        cols = node_of[mask_live]
        reach = in_reach[cols]
        total = float(pop[sel].sum())
        reachable = float(pop[sel][reach].sum())
        row: dict[str, Any] = {
            "division_code": code, "division": divisions[code].name if code in divisions else code,
            "population": total, "population_out_of_reach": total - reachable,
            "planned_relief_population": planned.get(code),
        }
        if reachable <= 0 or not st.warehouses:
            row.update({"max_people": 0, "binding_item": None, "binding_item_name": None, "per_item": {},
                        "all_in_reach_served": False})
        else:
            cap = alloc.max_relief_population(
                supply=st.supply, need_per_person=need, shares=pop[sel][reach], times=times[:, cols[reach]],
                deadline_s=deadline,
            )
            people = min(cap.people, reachable)
            row.update({
                "max_people": int(math.floor(people + 1e-6)),
                "binding_item": items[cap.binding_item].code if cap.binding_item >= 0 else None,
                "binding_item_name": items[cap.binding_item].name if cap.binding_item >= 0 else None,
                "per_item": {items[k].code: (None if math.isinf(v) else int(math.floor(v + 1e-6)))
                             for k, v in enumerate(cap.per_item)},
                "all_in_reach_served": cap.people >= reachable,
            })
        p = row["planned_relief_population"]
        row["meets_planned"] = bool(p is not None and row["max_people"] >= p)
        row["share_of_planned"] = (min(1.0, row["max_people"] / p) if p else None)
        return row

    county_codes = sorted({c for c in cell_div[live].tolist()})
    rows = [figure(cell_div[live] == c, c) for c in county_codes if perm.in_scope(user, c)]
    city = None
    city_codes = [c for c, d in divisions.items() if d.level == "city"]
    for c in city_codes:
        if perm.in_scope(user, c):
            prefix = perm.division_prefix(c)
            mask = np.char.startswith(cell_div[live], prefix)
            if mask.any():
                city = figure(mask, c)
    return {
        "deadline_s": deadline, "days": days, "ownerships": owns,
        "profile": [{"item_code": it.code, "item": it.name, "unit": it.unit, "per_person": float(need[k])}
                    for k, it in enumerate(items)],
        "divisions": rows, "city": city, **state.as_dict(),
        "note": "affected people are spread like the population over the division's grid cells that a "
                "warehouse reaches within the deadline; population_out_of_reach is counted apart",
    }
