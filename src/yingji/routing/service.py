"""Routing use cases over the installation's network: every answer sees the active closures
and says which it took into account."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping, shape
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.auth import permissions as perm
from yingji.common.geo import AREA, check_geometry
from yingji.db.base import utcnow
from yingji.engines import network as ne
from yingji.engines.network import NetworkError, NoRoute, PointOffNetwork
from yingji.errors import Conflict, InvalidField, NotFound
from yingji.registry import service as registry
from yingji.registry.specs import REGISTRIES
from yingji.routing.models import RoadClosure
from yingji.routing.schemas import ClosureCreate, ClosureUpdate, Point
from yingji.routing.store import Network, load_network

SNAP_M = 3_000.0
"""Largest distance (m) from a query point to the network; beyond it the point is refused."""
RESOURCE_SNAP_M = 5_000.0

FIRE_TURNOUT_S = 60.0
FIRE_DRIVE_S = 240.0
MEDICAL_DRIVE_S = 7_200.0
SHELTER_DRIVE_S = 1_800.0
BUILT_UP_DENSITY = 1_000.0
"""Persons per km² from which a cell counts as built-up (建成区) for the 5-minute fire circle."""


def _engine_error(exc: NetworkError, field: str) -> InvalidField:
    return InvalidField(getattr(exc, "field", None) or field, str(exc))


@dataclass
class ClosureState:
    edges: frozenset[int]
    considered: list[dict[str, Any]]
    hidden: int

    def as_dict(self) -> dict[str, Any]:
        return {"closures": self.considered, "closures_outside_scope": self.hidden}


def _resolve_edges(net: Network, geometry: dict[str, Any]) -> list[int]:
    geom = shape(geometry)
    if geom.geom_type in ("LineString", "MultiLineString"):
        geom = geom.buffer(0.00005)  # ~5 m: the closed lines themselves
    return [int(e) for e in ne.edges_in_polygon(net.graph, polygon=geom)]


_resolved_cache: dict[tuple[int, str, str], list[int]] = {}


def _resolved(net: Network, c: RoadClosure) -> list[int]:
    """Edges of a closure stored against another network, re-resolved from its geometry.

    Kept in memory (not written back), so a read never writes another division's record.
    """
    key = (c.id, net.key, repr(c.geometry))
    hit = _resolved_cache.get(key)
    if hit is None:
        if len(_resolved_cache) > 10_000:
            _resolved_cache.clear()
        hit = _resolved_cache[key] = _resolve_edges(net, c.geometry)
    return hit


def active_closures(
    *, session: Session, net: Network, user: perm.Principal, at: datetime | None = None
) -> ClosureState:
    """Closures in force at ``at`` (now): all of them cost infinity; the user is told of those in scope."""
    at = at or utcnow()
    rows = session.scalars(
        select(RoadClosure)
        .where(
            RoadClosure.opened_at <= at, or_(RoadClosure.cleared_at.is_(None), RoadClosure.cleared_at > at)
        )
        .order_by(RoadClosure.id)
    )
    edges: set[int] = set()
    considered: list[dict[str, Any]] = []
    hidden = 0
    for c in rows:
        closed = c.edges if c.network_key == net.key else _resolved(net, c)
        edges.update(e for e in closed if 0 <= e < net.graph.n_edges)
        if perm.in_scope(user, c.division_code):
            considered.append({"id": c.id, "reason": c.reason})
        else:
            hidden += 1
    return ClosureState(edges=frozenset(edges), considered=considered, hidden=hidden)


def _snap(net: Network, p: Point, field: str) -> int:
    try:
        node, _ = ne.snap(net.graph, lon=p.lon, lat=p.lat, max_distance_m=SNAP_M)
    except PointOffNetwork as exc:
        raise InvalidField(
            field,
            f"point is {exc.distance_m:.0f} m from the nearest road (limit {SNAP_M:.0f} m)"
            if hasattr(exc, "distance_m")
            else str(exc),
        ) from None
    return node


def route(
    *, session: Session, data_dir: Path, user: perm.Principal, origin: Point, destination: Point
) -> dict[str, Any]:
    net = load_network(data_dir)
    state = active_closures(session=session, net=net, user=user)
    o, d = _snap(net, origin, "origin"), _snap(net, destination, "destination")
    try:
        r = ne.route(net.graph, origin=o, destination=d, closures=state.edges)
    except NoRoute:
        raise Conflict("no open route between origin and destination (closures or one-way roads)") from None
    return {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": [list(c) for c in r.coordinates]},
        "properties": {"time_s": r.time_s, "length_m": r.length_m, "edges": r.edges, **state.as_dict()},
    }


def matrix(
    *, session: Session, data_dir: Path, user: perm.Principal, origins: list[Point], destinations: list[Point]
) -> dict[str, Any]:
    net = load_network(data_dir)
    state = active_closures(session=session, net=net, user=user)
    o = [_snap(net, p, f"origins.{i}") for i, p in enumerate(origins)]
    d = [_snap(net, p, f"destinations.{i}") for i, p in enumerate(destinations)]
    m = ne.matrix(net.graph, origins=o, destinations=d, closures=state.edges)
    seconds = [[None if not np.isfinite(v) else float(v) for v in row] for row in m]
    return {"seconds": seconds, **state.as_dict()}


def nearest_resources(
    *,
    session: Session,
    data_dir: Path,
    user: perm.Principal,
    point: Point,
    resource: str,
    kind: str | None,
    status: str | None,
    capability: str | None,
    k: int,
    limit_s: float | None,
) -> dict[str, Any]:
    """The ``k`` resources (in the user's scope) with the shortest drive *to* the point."""
    spec = REGISTRIES.get(resource)
    if spec is None or resource not in ("teams", "facilities", "vehicles"):
        raise InvalidField("resource", "must be one of teams, facilities, vehicles")
    net = load_network(data_dir)
    state = active_closures(session=session, net=net, user=user)
    origin = _snap(net, point, "point")
    rows = registry.all_records(
        session=session, spec=spec, user=user, filters=registry.ListFilters(kind=kind, status=status)
    )
    if capability:
        rows = [
            r
            for r in rows
            if capability == getattr(r, "specialty", None)
            or capability in (getattr(r, "capabilities", None) or [])
        ]
    rows = [r for r in rows if r.lon is not None and r.lat is not None]
    if not rows:
        return {"items": [], "unreachable": 0, "off_network": 0, **state.as_dict()}
    snapped = ne.snap_many(
        net.graph, lon=[r.lon for r in rows], lat=[r.lat for r in rows], max_distance_m=RESOURCE_SNAP_M
    )
    on = snapped.on_network
    times = ne.travel_times(
        net.graph, sources=origin, closures=state.edges, limit_s=limit_s, direction="to_origin"
    ).seconds
    eta = np.full(len(rows), np.inf)
    eta[on] = times[snapped.node[on]]
    order = [int(i) for i in np.lexsort((np.arange(len(rows)), eta)) if np.isfinite(eta[i])][:k]
    items = []
    for i in order:
        props = spec.read.model_validate(rows[i]).model_dump(mode="json")
        items.append(
            {
                "resource": resource,
                "id": rows[i].id,
                "name": rows[i].name,
                "eta_s": float(eta[i]),
                "lon": rows[i].lon,
                "lat": rows[i].lat,
                "record": props,
            }
        )
    return {
        "items": items,
        "unreachable": int(np.sum(on & ~np.isfinite(eta))),
        "off_network": int(np.sum(~on)),
        **state.as_dict(),
    }


def isochrones(
    *, session: Session, data_dir: Path, user: perm.Principal, point: Point, thresholds_s: list[float]
) -> dict[str, Any]:
    net = load_network(data_dir)
    state = active_closures(session=session, net=net, user=user)
    origin = _snap(net, point, "point")
    try:
        polys = ne.isochrones(net.graph, origins=[origin], thresholds_s=thresholds_s, closures=state.edges)
    except NetworkError as exc:
        raise _engine_error(exc, "thresholds") from None
    features = [
        {"type": "Feature", "geometry": mapping(poly), "properties": {"threshold_s": float(t)}}
        for t, poly in sorted(polys.items(), key=lambda kv: -kv[0])
    ]
    return {"type": "FeatureCollection", "features": features, **state.as_dict()}


def _facilities(session: Session, kinds: tuple[str, ...]) -> list[Any]:
    from yingji.registry.models import Facility

    return list(
        session.scalars(
            select(Facility)
            .where(Facility.kind.in_(kinds), Facility.status == "in_service")
            .order_by(Facility.id)
        )
    )


def _division_names(session: Session) -> dict[str, str]:
    from yingji.registry.models import Division

    return {code: name for code, name in session.execute(select(Division.code, Division.name))}


def coverage(
    *,
    session: Session,
    data_dir: Path,
    user: perm.Principal,
    kind: str,
    turnout_s: float | None = None,
    drive_s: float | None = None,
    built_up_density: float = BUILT_UP_DENSITY,
) -> dict[str, Any]:
    """Population coverage per division. Sources are every in-service facility of the kind in the
    city (a station across a county line still covers); rows are limited to the user's scope."""
    net = load_network(data_dir)
    if net.grid is None:
        raise NotFound("no population grid is loaded (network/population.csv)")
    state = active_closures(session=session, net=net, user=user)
    names = _division_names(session)
    kinds: tuple[str, ...]
    if kind == "fire":
        kinds, t0, budget = ("fire_station",), FIRE_TURNOUT_S, FIRE_DRIVE_S
    elif kind == "medical":
        kinds, t0, budget = ("hospital", "medical_centre"), 0.0, MEDICAL_DRIVE_S
    elif kind == "shelter":
        return _shelter_coverage(
            session=session,
            net=net,
            user=user,
            state=state,
            names=names,
            drive_s=drive_s if drive_s is not None else SHELTER_DRIVE_S,
        )
    else:
        raise InvalidField("kind", "must be fire, medical or shelter")
    t0 = t0 if turnout_s is None else turnout_s
    budget = budget if drive_s is None else drive_s
    sources = _facilities(session, kinds)
    if not sources:
        raise InvalidField("kind", f"no in-service {'/'.join(kinds)} to measure from")
    snapped = ne.snap_many(
        net.graph, lon=[f.lon for f in sources], lat=[f.lat for f in sources], max_distance_m=RESOURCE_SNAP_M
    )
    nodes = snapped.node[snapped.on_network]
    try:
        res = ne.coverage(
            net.graph,
            sources=nodes,
            turnout_s=t0,
            drive_budget_s=budget,
            cells=net.grid,
            closures=state.edges,
        )
    except NetworkError as exc:
        raise _engine_error(exc, "drive_s") from None
    grid = net.grid
    pop = np.asarray(grid.population, dtype=float)
    divisions = np.asarray(grid.division).astype(str)
    covered = np.asarray(res.cell_drive_s) <= budget
    built_up = pop / grid.cell_area_km2 >= built_up_density
    rows: list[dict[str, Any]] = []
    for code, dc in sorted(res.by_division.items()):
        if not perm.in_scope(user, code):
            continue
        bmask = built_up & (divisions == code)
        b_total = float(pop[bmask].sum())
        b_cov = float(pop[bmask & covered].sum())
        rows.append(
            {
                "division_code": code,
                "division": names.get(code, code),
                "covered_population": dc.covered_population,
                "total_population": dc.total_population,
                "share": dc.share,
                "covered_area_km2": dc.covered_area_km2,
                "total_area_km2": dc.total_area_km2,
                "built_up_population": b_total,
                "built_up_covered_population": b_cov,
                "built_up_share": b_cov / b_total if b_total else None,
            }
        )
    unc = [int(i) for i in res.uncovered_cells if perm.in_scope(user, str(grid.division[i]))]
    uncovered = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(grid.lon[i]), float(grid.lat[i])]},
            "properties": {
                "population": float(grid.population[i]),
                "division_code": str(grid.division[i]),
                "built_up": bool(built_up[i]),
            },
        }
        for i in unc
    ]
    in_scope_total = float(sum(r["total_population"] for r in rows))
    in_scope_cov = float(sum(r["covered_population"] for r in rows))
    b_all = float(sum(r["built_up_population"] for r in rows))
    b_cov_all = float(sum(r["built_up_covered_population"] for r in rows))
    return {
        "kind": kind,
        "turnout_s": t0,
        "drive_budget_s": budget,
        "sources": len(nodes),
        "cell_size_m": grid.cell_size_m,
        "by_division": rows,
        "covered_population": in_scope_cov,
        "total_population": in_scope_total,
        "share": in_scope_cov / in_scope_total if in_scope_total else None,
        "built_up_density": built_up_density,
        "built_up_share": b_cov_all / b_all if b_all else None,
        "uncovered_cells": {"type": "FeatureCollection", "features": uncovered},
        **state.as_dict(),
    }


def _shelter_coverage(
    *,
    session: Session,
    net: Network,
    user: perm.Principal,
    state: ClosureState,
    names: dict[str, str],
    drive_s: float,
) -> dict[str, Any]:
    """Each populated cell goes to its nearest shelter within ``drive_s``; a shelter serves up to its
    capacity (persons); a division's share is the persons served over its population."""
    grid = net.grid
    assert grid is not None
    shelters = [f for f in _facilities(session, ("shelter",)) if (f.capacity or {}).get("persons")]
    if not shelters:
        raise InvalidField("kind", "no in-service shelter with a capacity to measure from")
    snapped = ne.snap_many(
        net.graph,
        lon=[f.lon for f in shelters],
        lat=[f.lat for f in shelters],
        max_distance_m=RESOURCE_SNAP_M,
    )
    ok = np.flatnonzero(snapped.on_network)
    cells = ne.snap_cells(net.graph, grid)
    tt = ne.travel_times(
        net.graph, sources=snapped.node[ok], closures=state.edges, limit_s=drive_s, direction="to_origin"
    )
    cell_on = cells.node >= 0
    cell_src = np.full(len(grid), -1)
    cell_src[cell_on] = tt.source_index[cells.node[cell_on]]
    pop = np.asarray(grid.population, dtype=float)
    capacity = np.array([float(shelters[int(i)].capacity["persons"]) for i in ok])
    demand = np.bincount(cell_src[cell_src >= 0], weights=pop[cell_src >= 0], minlength=len(ok))
    fill = np.divide(np.minimum(capacity, demand), demand, out=np.zeros_like(demand), where=demand > 0)
    served_cell = np.where(cell_src >= 0, pop * fill[np.maximum(cell_src, 0)], 0.0)
    divisions = np.asarray(grid.division).astype(str)
    rows = []
    for code in sorted(set(divisions.tolist())):
        if not perm.in_scope(user, code):
            continue
        mask = divisions == code
        total = float(pop[mask].sum())
        reach = float(pop[mask & (cell_src >= 0)].sum())
        served = float(served_cell[mask].sum())
        rows.append(
            {
                "division_code": code,
                "division": names.get(code, code),
                "total_population": total,
                "population_in_reach": reach,
                "persons_served": served,
                "share": served / total if total else None,
            }
        )
    shelters_out = [
        {
            "id": shelters[int(i)].id,
            "name": shelters[int(i)].name,
            "capacity": float(capacity[j]),
            "population_in_reach": float(demand[j]),
        }
        for j, i in enumerate(ok)
        if perm.in_scope(user, shelters[int(i)].division_code)
    ]
    total = sum(r["total_population"] for r in rows)
    served_total = sum(r["persons_served"] for r in rows)
    return {
        "kind": "shelter",
        "drive_budget_s": drive_s,
        "sources": int(ok.size),
        "by_division": rows,
        "shelters": shelters_out,
        "persons_served": served_total,
        "total_population": total,
        "share": served_total / total if total else None,
        **state.as_dict(),
    }


def siting(
    *, session: Session, data_dir: Path, user: perm.Principal, k: int, method: str, candidates: int = 400
) -> dict[str, Any]:
    """Best ``k`` new fire-station sites among the most populous uncovered cells (in the user's scope)."""
    net = load_network(data_dir)
    grid = net.grid
    if grid is None:
        raise NotFound("no population grid is loaded (network/population.csv)")
    state = active_closures(session=session, net=net, user=user)
    stations = _facilities(session, ("fire_station",))
    snapped = ne.snap_many(
        net.graph,
        lon=[f.lon for f in stations],
        lat=[f.lat for f in stations],
        max_distance_m=RESOURCE_SNAP_M,
    )
    existing = snapped.node[snapped.on_network]
    base = (
        ne.coverage(
            net.graph,
            sources=existing,
            turnout_s=FIRE_TURNOUT_S,
            drive_budget_s=FIRE_DRIVE_S,
            cells=grid,
            closures=state.edges,
        )
        if existing.size
        else None
    )
    cells = ne.snap_cells(net.graph, grid)
    unc = base.uncovered_cells if base is not None else np.arange(len(grid))
    unc = np.array(
        [i for i in unc if cells.node[i] >= 0 and perm.in_scope(user, str(grid.division[i]))], dtype=int
    )
    if unc.size == 0:
        return {"method": method, "sites": [], "population_gained": 0.0, **state.as_dict()}
    top = unc[np.argsort(-np.asarray(grid.population)[unc], kind="stable")[:candidates]]
    cand_nodes = cells.node[top]
    try:
        res = ne.site_stations(
            net.graph,
            existing_sources=existing,
            candidate_nodes=cand_nodes,
            cells=grid,
            turnout_s=FIRE_TURNOUT_S,
            drive_budget_s=FIRE_DRIVE_S,
            k=k,
            method=method,  # type: ignore[arg-type]
            closures=state.edges,
            time_limit_s=30.0,
        )
    except NetworkError as exc:
        raise _engine_error(exc, "k") from None
    sites = [
        {
            "rank": n + 1,
            "lon": float(net.graph.node_lon[c.node]),
            "lat": float(net.graph.node_lat[c.node]),
            "division_code": str(grid.division[top[c.index]]),
            "population_gained": c.population_gained,
        }
        for n, c in enumerate(res.chosen)
    ]
    return {
        "method": res.method,
        "optimal": res.optimal,
        "sites": sites,
        "population_gained": res.population_gained,
        "baseline_covered_population": res.baseline_covered_population,
        "covered_population": res.covered_population,
        "total_population": res.total_population,
        **state.as_dict(),
    }


# ---- closures CRUD ---------------------------------------------------------------------


def closure_out(c: RoadClosure, at: datetime | None = None) -> dict[str, Any]:
    at = at or utcnow()
    d = c.to_dict()
    d["active"] = c.opened_at <= at and (c.cleared_at is None or c.cleared_at > at)
    return d


def create_closure(
    *, session: Session, data_dir: Path, user: perm.Principal, data: ClosureCreate
) -> RoadClosure:
    perm.require(user, "road_closures", "create")
    perm.require_row(
        user,
        "road_closures",
        "create",
        {"division_code": data.division_code, "unit_id": getattr(user, "unit_id", None)},
    )
    from yingji.registry.models import Division

    if session.get(Division, data.division_code) is None:
        raise InvalidField("division_code", f"unknown division {data.division_code}")
    net = load_network(data_dir)
    if data.area is not None:
        geometry = check_geometry(data.area, "area", AREA)
        assert geometry is not None
        geom = shape(geometry)
        edges = _resolve_edges(net, geometry)
    else:
        assert data.edges is not None
        bad = [e for e in data.edges if not 0 <= e < net.graph.n_edges]
        if bad:
            raise InvalidField(
                "edges", f"unknown edge index {bad[0]} (network has {net.graph.n_edges} edges)"
            )
        edges = sorted(set(data.edges))
        g = net.graph
        lines = [
            [
                (float(g.node_lon[g.edge_src[e]]), float(g.node_lat[g.edge_src[e]])),
                (float(g.node_lon[g.edge_dst[e]]), float(g.node_lat[g.edge_dst[e]])),
            ]
            for e in edges
        ]
        geom = shapely.MultiLineString(lines)
        geometry = json.loads(json.dumps(mapping(geom)))  # tuples → lists
    if not edges:
        raise InvalidField("area", "closes no road of the network")
    c = geom.centroid
    closure = RoadClosure(
        reason=data.reason,
        division_code=data.division_code,
        geometry=geometry,
        edges=edges,
        network_key=net.key,
        opened_at=data.opened_at or utcnow(),
        cleared_at=data.cleared_at,
        created_by=user.username,
        notes=data.notes,
        lon=float(c.x),
        lat=float(c.y),
    )
    session.add(closure)
    session.flush()
    audit.record(
        session=session,
        actor=user,
        action="create",
        entity_type="road_closures",
        entity_id=closure.id,
        before=None,
        after=closure.to_dict(),
    )
    return closure


def get_closure(*, session: Session, user: perm.Principal, closure_id: int) -> RoadClosure:
    perm.require(user, "road_closures", "read")
    c = session.get(RoadClosure, closure_id)
    if c is None or not perm.in_scope(user, c.division_code):
        raise NotFound(f"road closure {closure_id} not found")
    return c


def list_closures(
    *, session: Session, user: perm.Principal, active: bool | None = None
) -> list[dict[str, Any]]:
    perm.require(user, "road_closures", "read")
    rows = session.scalars(
        select(RoadClosure)
        .where(perm.scope_clause(user, RoadClosure.division_code))
        .order_by(RoadClosure.id.desc())
    )
    out = [closure_out(c) for c in rows]
    return [c for c in out if active is None or c["active"] == active]


def update_closure(
    *, session: Session, user: perm.Principal, closure_id: int, data: ClosureUpdate
) -> RoadClosure:
    c = get_closure(session=session, user=user, closure_id=closure_id)
    perm.require(user, "road_closures", "update")
    before = c.to_dict()
    changes = data.model_dump(exclude_unset=True)
    if changes.get("cleared_at") is not None and changes["cleared_at"] < c.opened_at:
        raise InvalidField("cleared_at", "must not be before opened_at")
    for k, v in changes.items():
        setattr(c, k, v)
    session.flush()
    audit.record(
        session=session,
        actor=user,
        action="update",
        entity_type="road_closures",
        entity_id=c.id,
        before=before,
        after=c.to_dict(),
    )
    return c


def delete_closure(*, session: Session, user: perm.Principal, closure_id: int) -> None:
    c = get_closure(session=session, user=user, closure_id=closure_id)
    perm.require(user, "road_closures", "delete")
    before = c.to_dict()
    session.delete(c)
    session.flush()
    audit.record(
        session=session,
        actor=user,
        action="delete",
        entity_type="road_closures",
        entity_id=closure_id,
        before=before,
        after=None,
    )


def clearance_report(
    *, session: Session, user: perm.Principal, since: datetime, until: datetime, as_of: datetime | None = None
) -> dict[str, Any]:
    """Share of closures opened in [since, until) that were cleared within 24 hours."""
    perm.require(user, "road_closures", "read")
    rows = session.execute(
        select(RoadClosure.opened_at, RoadClosure.cleared_at).where(
            perm.scope_clause(user, RoadClosure.division_code),
            RoadClosure.opened_at >= since, RoadClosure.opened_at < until)
    ).all()
    try:
        counts = ne.closure_clearance(
            [(o, c) for o, c in rows], period_start=since, period_end=until, as_of=as_of or utcnow(),
            within=timedelta(hours=24),
        )
    except NetworkError as exc:
        raise _engine_error(exc, "since") from None
    # one count for all the figures: share = cleared_within_24h / (opened - pending)
    return {
        "since": since,
        "until": until,
        "opened": len(rows),
        "cleared_within_24h": counts.cleared_in_time,
        "pending": counts.pending,
        "share": counts.share,
    }
