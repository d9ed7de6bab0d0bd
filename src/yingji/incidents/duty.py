"""Duty (值班值守, 7×24): shifts with an officer and a leader, handover notes, the duty log, who is on
duty now; and consultations (会商研判) linked to an incident."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from yingji.auth import permissions as perm
from yingji.auth.models import User
from yingji.db.base import utcnow
from yingji.errors import Conflict, Forbidden, InvalidField, NotFound
from yingji.incidents import journal
from yingji.incidents.access import load_incident
from yingji.incidents.models import Consultation, DutyLogEntry, DutyShift
from yingji.incidents.permissions import CONSULTATIONS, DUTY
from yingji.incidents.schemas import (
    ConsultationCreate,
    ConsultationUpdate,
    DutyLogCreate,
    HandoverIn,
    Participant,
    ShiftCreate,
    ShiftUpdate,
)
from yingji.registry.models import Division, Expert, Unit

MAX_SHIFT = timedelta(hours=72)


def _check_scope(user: perm.Principal, division_code: str) -> None:
    if not perm.in_scope(user, division_code):
        raise Forbidden(f"division_code: {division_code} is outside your division {user.division_code}")


def _check_user(session: Session, field: str, user_id: int | None) -> None:
    if user_id is not None and session.get(User, user_id) is None:
        raise InvalidField(field, f"unknown user {user_id}")


def create_shift(*, session: Session, user: perm.Principal, data: ShiftCreate) -> DutyShift:
    perm.require(user, DUTY, "create")
    _check_scope(user, data.division_code)
    if session.get(Division, data.division_code) is None:
        raise InvalidField("division_code", f"unknown division {data.division_code}")
    if data.ends_at - data.starts_at > MAX_SHIFT:
        raise InvalidField("ends_at", "a shift lasts at most 72 hours")
    _check_user(session, "officer_user_id", data.officer_user_id)
    _check_user(session, "leader_user_id", data.leader_user_id)
    clash = session.scalar(select(DutyShift).where(
        DutyShift.division_code == data.division_code, DutyShift.starts_at < data.ends_at,
        DutyShift.ends_at > data.starts_at))
    if clash is not None:
        raise Conflict(f"starts_at: overlaps shift {clash.id} ({clash.starts_at.isoformat()} – "
                       f"{clash.ends_at.isoformat()}) of the same duty room")
    shift = DutyShift(**data.model_dump(), created_by=user.username)
    session.add(shift)
    session.flush()
    journal.write_audit(session, user, "create", "duty_shifts", shift.id, None, shift.to_dict())
    return shift


def _load_shift(session: Session, user: perm.Principal, shift_id: int) -> DutyShift:
    perm.require(user, DUTY, "read")
    shift = session.get(DutyShift, shift_id) if 0 < shift_id <= 2**31 - 1 else None
    if shift is None or not perm.in_scope(user, shift.division_code):
        raise NotFound(f"duty shift {shift_id} not found")
    return shift


def get_shift(*, session: Session, user: perm.Principal, shift_id: int) -> DutyShift:
    return _load_shift(session, user, shift_id)


def update_shift(*, session: Session, user: perm.Principal, shift_id: int, data: ShiftUpdate) -> DutyShift:
    shift = _load_shift(session, user, shift_id)
    perm.require(user, DUTY, "update")
    changes = data.model_dump(exclude_unset=True)
    for key in ("officer_name", "leader_name"):
        if key in changes and changes[key] is None:
            raise InvalidField(key, "must not be null")
    _check_user(session, "officer_user_id", changes.get("officer_user_id"))
    _check_user(session, "leader_user_id", changes.get("leader_user_id"))
    before = shift.to_dict()
    for k, v in changes.items():
        setattr(shift, k, v)
    session.flush()
    journal.write_audit(session, user, "update", "duty_shifts", shift.id, before, shift.to_dict())
    return shift


def handover(*, session: Session, user: perm.Principal, shift_id: int, data: HandoverIn) -> DutyShift:
    """Write the handover notes of a shift (交接班) and log them."""
    shift = _load_shift(session, user, shift_id)
    perm.require(user, DUTY, "update")
    if shift.handed_over_at is not None:
        raise Conflict(f"shift {shift.id} was handed over at {shift.handed_over_at.isoformat()}")
    before = shift.to_dict()
    now = utcnow()
    shift.handover_notes, shift.handed_over_at = data.notes, now
    entry = DutyLogEntry(division_code=shift.division_code, shift_id=shift.id, at=now, kind="handover",
                         content=data.notes, actor_name=user.username)
    session.add(entry)
    session.flush()
    journal.write_audit(session, user, "update", "duty_shifts", shift.id, before, shift.to_dict())
    journal.write_audit(session, user, "create", "duty_log", entry.id, None, entry.to_dict())
    return shift


def list_shifts(
    *, session: Session, user: perm.Principal, division: str | None = None, since: datetime | None = None,
    until: datetime | None = None, page: int = 1, size: int = 50,
) -> tuple[list[DutyShift], int]:
    perm.require(user, DUTY, "read")
    stmt = select(DutyShift).where(perm.scope_clause(user, DutyShift.division_code))
    if division:
        stmt = stmt.where(DutyShift.division_code == division)
    if since:
        stmt = stmt.where(DutyShift.ends_at > since)
    if until:
        stmt = stmt.where(DutyShift.starts_at < until)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.scalars(stmt.order_by(DutyShift.starts_at.desc()).offset((page - 1) * size).limit(size))
    return list(rows), total


def on_duty(*, session: Session, user: perm.Principal, division: str | None = None,
            at: datetime | None = None) -> list[DutyShift]:
    """The shifts covering ``at`` (now): who is on duty, per duty room in the user's scope."""
    perm.require(user, DUTY, "read")
    at = at or utcnow()
    stmt = select(DutyShift).where(perm.scope_clause(user, DutyShift.division_code),
                                   and_(DutyShift.starts_at <= at, DutyShift.ends_at > at))
    if division:
        stmt = stmt.where(DutyShift.division_code == division)
    return list(session.scalars(stmt.order_by(DutyShift.division_code)))


def add_log(*, session: Session, user: perm.Principal, data: DutyLogCreate) -> DutyLogEntry:
    perm.require(user, DUTY, "create")
    _check_scope(user, data.division_code)
    at = data.at or utcnow()
    if data.incident_id is not None:
        try:
            load_incident(session, user, data.incident_id)
        except NotFound:
            raise InvalidField("incident_id", f"unknown incident {data.incident_id}") from None
    shift = session.scalar(select(DutyShift).where(
        DutyShift.division_code == data.division_code, DutyShift.starts_at <= at, DutyShift.ends_at > at))
    entry = DutyLogEntry(division_code=data.division_code, shift_id=shift.id if shift else None,
                         incident_id=data.incident_id, at=at, kind=data.kind.value, content=data.content,
                         actor_name=user.username)
    session.add(entry)
    session.flush()
    journal.write_audit(session, user, "create", "duty_log", entry.id, None, entry.to_dict())
    return entry


def list_log(
    *, session: Session, user: perm.Principal, division: str | None = None, shift_id: int | None = None,
    incident_id: int | None = None, page: int = 1, size: int = 100,
) -> tuple[list[DutyLogEntry], int]:
    perm.require(user, DUTY, "read")
    stmt = select(DutyLogEntry).where(perm.scope_clause(user, DutyLogEntry.division_code))
    if division:
        stmt = stmt.where(DutyLogEntry.division_code == division)
    if shift_id is not None:
        stmt = stmt.where(DutyLogEntry.shift_id == shift_id)
    if incident_id is not None:
        stmt = stmt.where(DutyLogEntry.incident_id == incident_id)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.scalars(stmt.order_by(DutyLogEntry.at.desc(), DutyLogEntry.id.desc())
                           .offset((page - 1) * size).limit(size))
    return list(rows), total


# ---- consultations --------------------------------------------------------------------------


def _participants(session: Session, items: list[Participant], field: str = "participants") -> list[dict[str, Any]]:
    out = []
    errors: list[tuple[list[str | int], str]] = []
    for i, p in enumerate(items):
        name = p.name
        if p.kind in ("expert", "unit"):
            row: Expert | Unit | None = (
                session.get(Expert, p.id) if p.kind == "expert" else session.get(Unit, p.id)
            )
            if row is None:
                errors.append(([field, i, "id"], f"unknown {p.kind} {p.id}"))
                continue
            name = name or row.name
        out.append({"kind": p.kind, "id": p.id, "name": name, "role": p.role})
    if errors:
        raise InvalidField.many(errors)
    return out


def create_consultation(
    *, session: Session, user: perm.Principal, incident_id: int, data: ConsultationCreate
) -> Consultation:
    incident = load_incident(session, user, incident_id)
    perm.require(user, CONSULTATIONS, "create")
    if data.held_at > utcnow() + timedelta(days=30):
        raise InvalidField("held_at", "more than 30 days ahead")
    c = Consultation(incident_id=incident.id, title=data.title, held_at=data.held_at, location=data.location,
                     participants=_participants(session, data.participants), conclusions=data.conclusions,
                     created_by=user.username)
    session.add(c)
    session.flush()
    journal.write_audit(session, user, "create", "consultations", c.id, None, c.to_dict())
    names = "、".join(p["name"] or p["kind"] for p in c.participants)
    journal.timeline(session, incident=incident, actor=user, kind="consultation",
                     summary=f"会商：{c.title}（{names}）" + (f"；结论：{c.conclusions}" if c.conclusions else ""),
                     data={"consultation_id": c.id})
    journal.emit(session, topic="consultation", action="created", incident=incident, resource=CONSULTATIONS,
                 data={"id": c.id, "incident_id": incident.id, "title": c.title})
    return c


def list_consultations(*, session: Session, user: perm.Principal, incident_id: int) -> list[Consultation]:
    incident = load_incident(session, user, incident_id)
    perm.require(user, CONSULTATIONS, "read")
    return list(session.scalars(select(Consultation).where(Consultation.incident_id == incident.id)
                                .order_by(Consultation.held_at, Consultation.id)))


def _load_consultation(session: Session, user: perm.Principal, consultation_id: int) -> tuple[Consultation, Any]:
    perm.require(user, CONSULTATIONS, "read")
    c = session.get(Consultation, consultation_id) if 0 < consultation_id <= 2**31 - 1 else None
    if c is None:
        raise NotFound(f"consultation {consultation_id} not found")
    try:
        incident = load_incident(session, user, c.incident_id)
    except NotFound:
        raise NotFound(f"consultation {consultation_id} not found") from None
    return c, incident


def get_consultation(*, session: Session, user: perm.Principal, consultation_id: int) -> Consultation:
    return _load_consultation(session, user, consultation_id)[0]


def update_consultation(
    *, session: Session, user: perm.Principal, consultation_id: int, data: ConsultationUpdate
) -> Consultation:
    c, incident = _load_consultation(session, user, consultation_id)
    perm.require(user, CONSULTATIONS, "update")
    changes = data.model_dump(exclude_unset=True)
    if "title" in changes and changes["title"] is None:
        raise InvalidField("title", "must not be null")
    before = c.to_dict()
    if data.participants is not None:
        changes["participants"] = _participants(session, data.participants)
    elif "participants" in changes:
        raise InvalidField("participants", "must not be null")
    for k, v in changes.items():
        setattr(c, k, v)
    session.flush()
    journal.write_audit(session, user, "update", "consultations", c.id, before, c.to_dict())
    if "conclusions" in changes:
        journal.timeline(session, incident=incident, actor=user, kind="consultation",
                         summary=f"会商结论（{c.title}）：{c.conclusions or '—'}", data={"consultation_id": c.id})
    return c
