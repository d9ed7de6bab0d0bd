"""Supply requests: a county or department asks, the city approves (in full, in part or not at all),
dispatch orders fulfil, the receipt at the destination counts; the requester sees the status."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, select
from sqlalchemy.orm import Session

from yingji.auth import permissions as perm
from yingji.db.base import utcnow
from yingji.errors import Conflict, Forbidden, InvalidField, NotFound
from yingji.supplies import common
from yingji.supplies.common import as_dict, page_out, record
from yingji.supplies.enums import OPEN_REQUEST, DispatchStatus, RequestStatus
from yingji.supplies.models import DispatchLine, DispatchOrder, Item, SupplyRequest, SupplyRequestLine
from yingji.supplies.schemas import RequestCreate, RequestDecision, RequestLineRead, RequestRead


def request_clause(user: perm.Principal) -> ColumnElement[bool]:
    """Requests the user sees: of its division (and below); a department only its unit's."""
    clause = perm.scope_clause(user, SupplyRequest.division_code)
    if common.is_department(user):
        if user.unit_id is None:
            return false()
        clause = and_(clause, SupplyRequest.unit_id == user.unit_id)
    return clause


def line_progress(session: Session, request_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(dispatched, received) per request line: dispatched counts every order not cancelled."""
    if not request_ids:
        return {}
    rows = session.execute(
        select(DispatchLine.request_line_id, DispatchOrder.status, func.sum(DispatchLine.quantity))
        .join(DispatchOrder, DispatchOrder.id == DispatchLine.order_id)
        .join(SupplyRequestLine, SupplyRequestLine.id == DispatchLine.request_line_id)
        .where(SupplyRequestLine.request_id.in_(request_ids), DispatchOrder.status != DispatchStatus.cancelled)
        .group_by(DispatchLine.request_line_id, DispatchOrder.status)
    )
    out: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for line_id, status, qty in rows:
        if line_id is None:
            continue
        out[line_id][0] += int(qty)
        if status == DispatchStatus.received:
            out[line_id][1] += int(qty)
    return {k: (v[0], v[1]) for k, v in out.items()}


def request_out(session: Session, reqs: list[SupplyRequest]) -> list[RequestRead]:
    ids = [r.id for r in reqs]
    lines: dict[int, list[tuple[SupplyRequestLine, Item]]] = defaultdict(list)
    if ids:
        for line, it in session.execute(
            select(SupplyRequestLine, Item).join(Item, Item.id == SupplyRequestLine.item_id)
            .where(SupplyRequestLine.request_id.in_(ids)).order_by(SupplyRequestLine.id)
        ):
            lines[line.request_id].append((line, it))
    progress = line_progress(session, ids)
    out = []
    for r in reqs:
        rows = []
        for line, it in lines[r.id]:
            dispatched, received = progress.get(line.id, (0, 0))
            approved = line.approved if line.approved is not None else 0
            rows.append(RequestLineRead(
                id=line.id, item_id=it.id, item_code=it.code, item=it.name, unit=it.unit, requested=line.requested,
                approved=line.approved, dispatched=dispatched, received=received,
                outstanding=max(0, approved - dispatched) if r.status in OPEN_REQUEST else 0,
            ))
        out.append(RequestRead(
            id=r.id, division_code=r.division_code, unit_id=r.unit_id, incident_ref=r.incident_ref, reason=r.reason,
            destination=r.destination, lon=r.lon, lat=r.lat, people=r.people, needed_by=r.needed_by,
            status=RequestStatus(r.status), created_by=r.created_by, created_at=r.created_at,
            decided_by=r.decided_by, decided_at=r.decided_at, decision_note=r.decision_note, lines=rows,
        ))
    return out


def _visible(session: Session, user: perm.Principal, request_id: int) -> SupplyRequest:
    r = session.scalar(select(SupplyRequest).where(SupplyRequest.id == request_id, request_clause(user)))
    if r is None:
        raise NotFound(f"supply request {request_id} not found")
    return r


def get_request(*, session: Session, user: perm.Principal, request_id: int) -> RequestRead:
    perm.require(user, "supply_requests", "read")
    return request_out(session, [_visible(session, user, request_id)])[0]


def list_requests(
    *, session: Session, user: perm.Principal, status: str | None = None, division: str | None = None,
    page: int = 1, size: int = 50,
) -> dict[str, Any]:
    perm.require(user, "supply_requests", "read")
    stmt = select(SupplyRequest).where(request_clause(user))
    if status is not None:
        if status not in {s.value for s in RequestStatus}:
            raise InvalidField("status", f"unknown status {status!r}")
        stmt = stmt.where(SupplyRequest.status == status)
    if division is not None:
        stmt = stmt.where(SupplyRequest.division_code.like(perm.division_prefix(division) + "%"))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = list(session.scalars(stmt.order_by(SupplyRequest.id.desc()).offset((page - 1) * size).limit(size)))
    return page_out(request_out(session, rows), total, page, size)


def create_request(*, session: Session, user: perm.Principal, data: RequestCreate) -> RequestRead:
    perm.require(user, "supply_requests", "create")
    common.division(session, data.division_code)
    unit_id = data.unit_id
    if common.is_department(user):
        unit_id = unit_id if unit_id is not None else user.unit_id
        if unit_id != user.unit_id:
            raise Forbidden(f"unit_id: a department user requests only for unit {user.unit_id}")
    common.unit_exists(session, unit_id, "unit_id")
    if not perm.in_scope(user, data.division_code):
        raise Forbidden(f"division_code: {data.division_code} is outside your division {user.division_code}")
    seen: set[int] = set()
    for i, line in enumerate(data.lines):
        if line.item_id in seen:
            raise InvalidField(["lines", i, "item_id"], f"item {line.item_id} appears twice")
        seen.add(line.item_id)
        common.item(session, line.item_id, field=f"lines.{i}.item_id")
    r = SupplyRequest(
        division_code=data.division_code, unit_id=unit_id, incident_ref=data.incident_ref, reason=data.reason,
        destination=data.destination, lon=data.lon, lat=data.lat, people=data.people, needed_by=data.needed_by,
        status=RequestStatus.submitted, created_by=user.username,
    )
    session.add(r)
    session.flush()
    for line in data.lines:
        session.add(SupplyRequestLine(request_id=r.id, item_id=line.item_id, requested=line.quantity))
    session.flush()
    record(session, user, "create", "supply_requests", r.id, None,
           {**as_dict(r), "lines": [ln.model_dump() for ln in data.lines]})
    return request_out(session, [r])[0]


def decide(*, session: Session, user: perm.Principal, request_id: int, data: RequestDecision) -> RequestRead:
    """The city's decision: approve (each line in full or in part) or reject. Only once."""
    perm.require(user, "supply_requests", "read")
    r = _visible(session, user, request_id)
    perm.require(user, "supply_approvals", "create")
    if r.status != RequestStatus.submitted:
        raise Conflict(f"supply request {request_id} is {r.status}; only a submitted request can be decided")
    lines = {ln.item_id: ln for ln in session.scalars(
        select(SupplyRequestLine).where(SupplyRequestLine.request_id == r.id))}
    before = {**as_dict(r), "lines": {i: ln.approved for i, ln in lines.items()}}
    if data.decision == "reject":
        if data.lines:
            raise InvalidField("lines", "a rejection approves no lines")
        r.status = RequestStatus.rejected
        for ln in lines.values():
            ln.approved = 0
    else:
        approved = {i: ln.requested for i, ln in lines.items()}
        for j, d in enumerate(data.lines or []):
            if d.item_id not in lines:
                raise InvalidField(["lines", j, "item_id"], f"item {d.item_id} is not in the request")
            if d.approved > lines[d.item_id].requested:
                raise InvalidField(["lines", j, "approved"],
                                   f"exceeds the {lines[d.item_id].requested} requested")
            approved[d.item_id] = d.approved
        if not any(approved.values()):
            raise InvalidField("lines", "approves nothing: reject the request instead")
        for i, ln in lines.items():
            ln.approved = approved[i]
        r.status = RequestStatus.approved
    r.decided_by, r.decided_at, r.decision_note = user.username, utcnow(), data.note
    session.flush()
    record(session, user, "update", "supply_requests", r.id, before,
           {**as_dict(r), "lines": {i: ln.approved for i, ln in lines.items()}})
    return request_out(session, [r])[0]


def cancel(*, session: Session, user: perm.Principal, request_id: int) -> RequestRead:
    """The requester withdraws a request not yet served (nothing dispatched)."""
    perm.require(user, "supply_requests", "read")
    r = _visible(session, user, request_id)
    perm.require(user, "supply_requests", "update")
    if r.status not in (RequestStatus.submitted, RequestStatus.approved):
        raise Conflict(f"supply request {request_id} is {r.status} and cannot be cancelled")
    progress = line_progress(session, [r.id])
    if any(d for d, _ in progress.values()):
        raise Conflict(f"supply request {request_id} already has goods dispatched; cancel those orders first")
    before = as_dict(r)
    r.status = RequestStatus.cancelled
    session.flush()
    record(session, user, "update", "supply_requests", r.id, before, as_dict(r))
    return request_out(session, [r])[0]


def refresh_status(session: Session, request_id: int) -> None:
    """approved → partially_fulfilled → fulfilled, from what has been received."""
    r = session.get(SupplyRequest, request_id)
    if r is None or r.status not in OPEN_REQUEST:
        return
    progress = line_progress(session, [r.id])
    lines = list(session.scalars(select(SupplyRequestLine).where(SupplyRequestLine.request_id == r.id)))
    received = {ln.id: progress.get(ln.id, (0, 0))[1] for ln in lines}
    if all(received[ln.id] >= (ln.approved or 0) for ln in lines):
        r.status = RequestStatus.fulfilled
    elif any(received.values()):
        r.status = RequestStatus.partially_fulfilled
    else:
        r.status = RequestStatus.approved
    session.flush()


def outstanding(session: Session, r: SupplyRequest) -> dict[int, tuple[SupplyRequestLine, int]]:
    """Per item id: the line and what is approved but not yet dispatched."""
    progress = line_progress(session, [r.id])
    out = {}
    for ln in session.scalars(select(SupplyRequestLine).where(SupplyRequestLine.request_id == r.id)):
        left = (ln.approved or 0) - progress.get(ln.id, (0, 0))[0]
        out[ln.item_id] = (ln, max(0, left))
    return out


def open_request(session: Session, user: perm.Principal, request_id: int, field: str = "request_id") -> SupplyRequest:
    r = session.scalar(select(SupplyRequest).where(SupplyRequest.id == request_id, request_clause(user)))
    if r is None:
        raise InvalidField(field, f"unknown supply request {request_id}")
    if r.status not in OPEN_REQUEST:
        raise Conflict(f"{field}: supply request {request_id} is {r.status}; only approved requests are served")
    return r
