"""Dispatch (调度): recommend teams, vehicles and experts for an incident, commit them, follow them.

Recommendations rank the available resources in the user's scope: those whose specialty (teams,
experts) or vehicle type matches what the incident type needs (``capabilities.json``) come first,
each group by ETA. ETAs come from the routing service over the road network with the closures in
force; when no network is loaded, or the incident lies off it, they are estimated from the
straight-line distance (× a detour factor at an assumed speed) and the answer says so.

A resource is committed to at most one incident at a time. The service checks first (for a clear
message) and the database enforces it: a partial unique index on (resource_type, resource_id) over
the active states, so that of concurrent requests exactly one wins and the others get 409.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from yingji.auth import permissions as perm
from yingji.db.base import utcnow
from yingji.errors import Conflict, InvalidField, NotFound
from yingji.incidents import journal
from yingji.incidents.access import incident_clause, load_incident
from yingji.incidents.enums import (
    DISPATCH_ACTIVE,
    DISPATCH_TRANSITIONS,
    TERMINAL_STATUSES,
    DispatchStatus,
    ResourceType,
)
from yingji.incidents.models import Dispatch, Incident
from yingji.incidents.permissions import DISPATCHES
from yingji.incidents.reference import CapabilityTable, load_reference
from yingji.incidents.schemas import DispatchCreate, DispatchStatusIn
from yingji.registry import service as registry
from yingji.registry.specs import REGISTRIES
from yingji.routing import service as routing
from yingji.routing.schemas import Point

REGISTRY_OF = {ResourceType.team: "teams", ResourceType.vehicle: "vehicles", ResourceType.expert: "experts"}
ACTIVE = [s.value for s in DISPATCH_ACTIVE]
EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class Eta:
    seconds: float | None
    distance_m: float | None
    method: str  # road | straight_line | unknown


def straight_line(caps: CapabilityTable, lon: float | None, lat: float | None, incident: Incident) -> Eta:
    if lon is None or lat is None:
        return Eta(None, None, "unknown")
    d = haversine_m(lon, lat, incident.lon, incident.lat) * caps.detour_factor
    return Eta(d / (caps.speed_kmh / 3.6), d, "straight_line")


def _straight_note(caps: CapabilityTable, why: str) -> str:
    return (f"{why}; ETA estimated from straight-line distance × {caps.detour_factor:g} "
            f"at {caps.speed_kmh:g} km/h (status {caps.status})")


def _match(resource_type: ResourceType, row: Any, wanted_specialties: tuple[str, ...],
           wanted_vehicles: tuple[str, ...]) -> list[str]:
    if resource_type == ResourceType.team:
        have = {row.specialty, *(row.capabilities or [])}
        return [s for s in wanted_specialties if s in have]
    if resource_type == ResourceType.expert:
        return [s for s in wanted_specialties if s in (row.specialties or [])]
    return [row.type] if row.type in wanted_vehicles else []


def recommend(
    *, session: Session, user: perm.Principal, incident_id: int, resource_type: ResourceType, k: int = 10,
    data_dir: Path | None = None,
) -> dict[str, Any]:
    """Available resources of one type in the user's scope, matching ones first, each group by ETA."""
    incident = load_incident(session, user, incident_id)
    perm.require(user, DISPATCHES, "read")
    ref = load_reference(data_dir)
    caps = ref.capabilities
    need = caps.for_type(incident.type)
    spec = REGISTRIES[REGISTRY_OF[resource_type]]
    rows = registry.all_records(session=session, spec=spec, user=user,
                                filters=registry.ListFilters(status="available"))
    busy = set(session.scalars(select(Dispatch.resource_id).where(
        Dispatch.resource_type == resource_type.value, Dispatch.status.in_(ACTIVE))))
    rows = [r for r in rows if r.id not in busy]
    etas: dict[int, Eta] = {}
    method, note = "straight_line", ""
    routing_info: dict[str, Any] = {}
    if resource_type in (ResourceType.team, ResourceType.vehicle) and data_dir is not None and rows:
        try:
            res = routing.nearest_resources(
                session=session, data_dir=data_dir, user=user, point=Point(lon=incident.lon, lat=incident.lat),
                resource=spec.name, kind=None, status="available", capability=None, k=len(rows) + len(busy) + 1,
                limit_s=None,
            )
        except NotFound as exc:
            note = _straight_note(caps, f"no road network: {exc.message}")
        except InvalidField as exc:
            note = _straight_note(caps, f"incident location off the road network ({exc.message})")
        else:
            method = "road"
            for item in res["items"]:
                etas[item["id"]] = Eta(float(item["eta_s"]), None, "road")
            routing_info = {"closures": res.get("closures", []), "unreachable": res.get("unreachable", 0),
                            "off_network": res.get("off_network", 0)}
            note = "ETA by road over the loaded network with the road closures in force"
    elif resource_type == ResourceType.expert:
        note = _straight_note(caps, "experts are ranked by specialty and straight-line distance")
    else:
        note = _straight_note(caps, "no road network is configured")
    items = []
    for r in rows:
        eta = etas.get(r.id)
        if eta is None:
            eta = straight_line(caps, r.lon, r.lat, incident)
            if method == "road":  # not reachable by road: keep it, last, and say why
                eta = Eta(None, eta.distance_m, "unreachable_by_road")
        matched = _match(resource_type, r, need.specialties, need.vehicle_types)
        items.append({
            "resource_type": resource_type.value,
            "id": r.id,
            "name": r.name,
            "division_code": r.division_code,
            "unit_id": r.unit_id,
            "lon": r.lon,
            "lat": r.lat,
            "eta_s": eta.seconds,
            "distance_m": eta.distance_m,
            "eta_method": eta.method,
            "matches": matched,
            "specialty": getattr(r, "specialty", None) or getattr(r, "type", None),
        })
    items.sort(key=lambda it: (not it["matches"], it["eta_s"] is None, it["eta_s"] or 0.0, it["id"]))
    return {
        "incident_id": incident.id,
        "resource_type": resource_type.value,
        "needs": {"specialties": list(need.specialties), "vehicle_types": list(need.vehicle_types)},
        "method": method,
        "note": note,
        "items": items[:k],
        "candidates": len(items),
        **routing_info,
    }


def _eta_for(session: Session, user: perm.Principal, incident: Incident, row: Any, resource_type: ResourceType,
             data_dir: Path | None, caps: CapabilityTable) -> Eta:
    if resource_type != ResourceType.expert and data_dir is not None and row.lon is not None:
        try:
            r = routing.route(session=session, data_dir=data_dir, user=user,
                              origin=Point(lon=row.lon, lat=row.lat),
                              destination=Point(lon=incident.lon, lat=incident.lat))
            props = r["properties"]
            return Eta(float(props["time_s"]), float(props["length_m"]), "road")
        except (NotFound, InvalidField, Conflict):
            pass
    return straight_line(caps, row.lon, row.lat, incident)


def _active_dispatch(session: Session, resource_type: str, resource_id: int) -> Dispatch | None:
    return session.scalar(select(Dispatch).where(
        Dispatch.resource_type == resource_type, Dispatch.resource_id == resource_id, Dispatch.status.in_(ACTIVE)))


def _set_resource_status(session: Session, user: perm.Principal, resource_type: str, row: Any, busy: bool) -> None:
    """Team/vehicle status deployed ↔ available; expert availability busy ↔ available (audited)."""
    field = "availability" if resource_type == ResourceType.expert else "status"
    target = ("busy" if resource_type == ResourceType.expert else "deployed") if busy else "available"
    current = getattr(row, field)
    if current == target or (not busy and current not in ("deployed", "busy")):
        return
    before = row.to_dict()
    setattr(row, field, target)
    session.flush()
    journal.write_audit(session, user, "update", REGISTRY_OF[ResourceType(resource_type)], row.id, before,
                        row.to_dict())


def _is_lock_error(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    return "locked" in text or "busy" in text


def dispatch(
    *, session: Session, user: perm.Principal, incident_id: int, data: DispatchCreate, data_dir: Path | None = None
) -> Dispatch:
    """Commit a resource to the incident (status ``requested``); 409 when it is not free."""
    incident = load_incident(session, user, incident_id)
    perm.require(user, DISPATCHES, "create")
    if not perm.in_scope(user, incident.division_code):  # pragma: no cover - load_incident scopes already
        raise NotFound(f"incident {incident_id} not found")
    if incident.status in TERMINAL_STATUSES:
        raise Conflict(f"status: incident {incident.id} is {incident.status}; nothing can be dispatched to it")
    rtype = data.resource_type
    spec = REGISTRIES[REGISTRY_OF[rtype]]
    try:
        row = registry.get_record(session=session, spec=spec, user=user, key=data.resource_id)
    except NotFound:
        raise InvalidField("resource_id", f"unknown {rtype.value} {data.resource_id}") from None
    label = f"{rtype.label('en').lower()} {row.id} ({row.name})"
    state = row.availability if rtype == ResourceType.expert else row.status
    active = _active_dispatch(session, rtype.value, row.id)
    if active is not None:
        raise Conflict(f"resource_id: {label} is already dispatched to incident {active.incident_id} "
                       f"(dispatch {active.id}, {active.status}); release it there first")
    if state == "off_duty":
        raise Conflict(f"resource_id: {label} is off duty (休整) and cannot be dispatched")
    if state in ("unavailable",):
        raise Conflict(f"resource_id: {label} is unavailable and cannot be dispatched")
    if state != "available":
        raise Conflict(f"resource_id: {label} is marked {state} in the registry and cannot be dispatched")
    caps = load_reference(data_dir).capabilities
    eta = _eta_for(session, user, incident, row, rtype, data_dir, caps)
    d = Dispatch(
        incident_id=incident.id, resource_type=rtype.value, resource_id=row.id, resource_name=row.name,
        unit_id=row.unit_id, division_code=incident.division_code, resource_division_code=row.division_code,
        status=DispatchStatus.requested.value,
        eta_s=eta.seconds, distance_m=eta.distance_m, eta_method=eta.method, requested_at=utcnow(),
        note=data.note, created_by=user.username,
    )
    session.add(d)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict(f"resource_id: {label} was dispatched to another incident at the same moment") from None
    except OperationalError as exc:
        if _is_lock_error(exc):
            raise Conflict(f"resource_id: another dispatch was being written at the same moment; {label} may "
                           "be taken — reload and retry") from None
        raise
    _set_resource_status(session, user, rtype.value, row, busy=True)
    journal.write_audit(session, user, "create", "dispatches", d.id, None, d.to_dict())
    eta_text = f"，预计 {round(eta.seconds / 60)} 分钟到达（{eta.method}）" if eta.seconds is not None else ""
    journal.timeline(session, incident=incident, actor=user, kind="dispatch",
                     summary=f"调派{rtype.label()}：{row.name}{eta_text}",
                     data={"dispatch_id": d.id, "resource_type": rtype.value, "resource_id": row.id,
                           "eta_s": eta.seconds, "eta_method": eta.method})
    journal.emit(session, topic="dispatch", action="created", incident=incident, data=d.to_dict(),
                 resource=DISPATCHES, extra_units=(d.unit_id,))
    return d


_TIME_FIELD = {DispatchStatus.en_route: "en_route_at", DispatchStatus.on_scene: "on_scene_at",
               DispatchStatus.released: "released_at"}


def get_dispatch(*, session: Session, user: perm.Principal, dispatch_id: int) -> tuple[Dispatch, Incident]:
    perm.require(user, DISPATCHES, "read")
    d = session.get(Dispatch, dispatch_id) if 0 < dispatch_id <= 2**31 - 1 else None
    if d is None:
        raise NotFound(f"dispatch {dispatch_id} not found")
    try:
        incident = load_incident(session, user, d.incident_id)
    except NotFound:
        raise NotFound(f"dispatch {dispatch_id} not found") from None
    return d, incident


def set_status(*, session: Session, user: perm.Principal, dispatch_id: int, data: DispatchStatusIn) -> Dispatch:
    """requested → en_route → on_scene → released (with times); release frees the resource."""
    d, incident = get_dispatch(session=session, user=user, dispatch_id=dispatch_id)
    perm.require(user, DISPATCHES, "update")
    current, target = DispatchStatus(d.status), data.status
    allowed = DISPATCH_TRANSITIONS[current]
    if target not in allowed:
        nxt = ", ".join(s.value for s in allowed) or "none (released)"
        raise Conflict(f"status: dispatch {d.id} cannot go from {current.value} to {target.value}; "
                       f"allowed next states: {nxt}")
    before = d.to_dict()
    d.status = target.value
    setattr(d, _TIME_FIELD[target], utcnow())
    if data.note:
        d.note = (d.note + "\n" if d.note else "") + data.note
    session.flush()
    if target == DispatchStatus.released:
        spec = REGISTRIES[REGISTRY_OF[ResourceType(d.resource_type)]]
        row = session.get(spec.model, d.resource_id)
        if row is not None:
            _set_resource_status(session, user, d.resource_type, row, busy=False)
    journal.write_audit(session, user, "update", "dispatches", d.id, before, d.to_dict())
    journal.timeline(session, incident=incident, actor=user, kind="dispatch",
                     summary=f"{d.resource_name}：{current.label()} → {target.label()}"
                     + (f"；{data.note}" if data.note else ""),
                     data={"dispatch_id": d.id, "from": current.value, "to": target.value})
    journal.emit(session, topic="dispatch", action=target.value, incident=incident, data=d.to_dict(),
                 resource=DISPATCHES, extra_units=(d.unit_id,))
    return d


def list_dispatches(
    *, session: Session, user: perm.Principal, incident_id: int | None = None, active: bool | None = None,
    resource_type: str | None = None, page: int = 1, size: int = 50,
) -> tuple[list[Dispatch], int]:
    perm.require(user, DISPATCHES, "read")
    stmt = select(Dispatch).join(Incident, Incident.id == Dispatch.incident_id).where(incident_clause(user))
    if incident_id is not None:
        load_incident(session, user, incident_id)
        stmt = stmt.where(Dispatch.incident_id == incident_id)
    if active is not None:
        stmt = stmt.where(Dispatch.status.in_(ACTIVE) if active else Dispatch.status.not_in(ACTIVE))
    if resource_type:
        if resource_type not in {r.value for r in ResourceType}:
            raise InvalidField("resource_type", "must be team, vehicle or expert")
        stmt = stmt.where(Dispatch.resource_type == resource_type)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.scalars(stmt.order_by(Dispatch.id.desc()).offset((page - 1) * size).limit(size))
    return list(rows), total
