"""Incident use cases: report, read, correct the facts, grade, move through the lifecycle, annotate.

Services are keyword-only and never commit: the request (or CLI command) owns the transaction, so
an incident, its timeline line, its audit entries and its live event land together or not at all.
Other domains call this module (and the other ``yingji.incidents`` service modules), never the
tables directly.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.auth import permissions as perm
from yingji.common.persist import text_search
from yingji.db.base import utcnow
from yingji.errors import Conflict, Forbidden, InvalidField
from yingji.incidents import journal
from yingji.incidents import tasks as tasks_service
from yingji.incidents.access import can_see, incident_clause, load_incident
from yingji.incidents.enums import (
    DISPATCH_ACTIVE,
    TERMINAL_STATUSES,
    TRANSITIONS,
    Level,
    Status,
)
from yingji.incidents.grading import figures_of, suggestion_for
from yingji.incidents.models import Dispatch, Incident, TimelineEntry
from yingji.incidents.permissions import INCIDENTS
from yingji.incidents.reference import Reference, load_reference
from yingji.incidents.schemas import (
    GradePreview,
    IncidentCreate,
    IncidentUpdate,
    LevelDecision,
    NoteIn,
    TransitionIn,
)
from yingji.registry.specs import REGISTRIES

NOT_NULL = ("title", "category", "type", "lon", "lat", "occurred_at", "dead", "injured", "seriously_injured",
            "missing", "trapped")
CLOCK_SKEW = timedelta(minutes=5)
"""How far in the future a reported time may lie (clock differences between devices)."""


class InvalidTransition(Conflict):
    """A lifecycle move that the state machine does not allow (409); names the allowed next states."""

    def __init__(self, incident_id: int, current: str, requested: str, allowed: list[str]) -> None:
        self.current, self.requested, self.allowed = current, requested, allowed
        nxt = ", ".join(allowed) if allowed else "none (final state)"
        super().__init__(
            f"status: incident {incident_id} cannot go from {current} to {requested}; allowed next states: {nxt}"
        )

    def extra(self) -> dict[str, object]:
        return {"current": self.current, "requested": self.requested, "allowed": self.allowed}


def _exists(session: Session, registry: str, key: Any) -> Any:
    if key is None:
        return None
    return session.get(REGISTRIES[registry].model, key)


def reference(data_dir: Path | None) -> Reference:
    return load_reference(data_dir)


def _check_type(ref: Reference, category: str, type_: str) -> None:
    t = ref.catalogue.type(type_)
    cat = ref.catalogue.category(category)
    assert cat is not None
    if t is None or t.category != category:
        known = ", ".join(x.value for x in cat.types)
        raise InvalidField("type", f"unknown type {type_!r} for category {category}; one of: {known}")


def _regrade(ref: Reference, incident: Incident) -> dict[str, Any]:
    s = suggestion_for(ref=ref, category=incident.category, type_=incident.type, figures=figures_of(incident))
    reasoning = s.as_dict()
    incident.suggested_level = s.level
    incident.level_reasoning = reasoning
    return reasoning


# ---- create, read ---------------------------------------------------------------------------


def create_incident(
    *, session: Session, data: IncidentCreate, actor: perm.Principal, data_dir: Path | None = None
) -> Incident:
    """Record a reported incident; the system suggests its level with its reasoning."""
    perm.require(actor, INCIDENTS, "create")
    if not perm.in_scope(actor, data.division_code):
        raise Forbidden(f"division_code: {data.division_code} is outside your division {actor.division_code}")
    ref = reference(data_dir)
    _check_type(ref, data.category.value, data.type)
    errors: list[tuple[list[str | int], str]] = []
    if _exists(session, "divisions", data.division_code) is None:
        errors.append((["division_code"], f"unknown division {data.division_code}"))
    reporter_unit = data.reporter_unit_id
    if reporter_unit is None and actor.role == "department":
        reporter_unit = actor.unit_id
    if reporter_unit is not None and _exists(session, "units", reporter_unit) is None:
        errors.append((["reporter_unit_id"], f"unknown unit {reporter_unit}"))
    now = utcnow()
    if data.occurred_at > now + CLOCK_SKEW:
        errors.append((["occurred_at"], "lies in the future"))
    if data.reported_at is not None and data.reported_at > now + CLOCK_SKEW:
        errors.append((["reported_at"], "lies in the future"))
    if errors:
        raise InvalidField.many(errors)
    values = data.model_dump(exclude={"reporter_unit_id"})
    incident = Incident(**values, reporter_unit_id=reporter_unit, status=Status.reported.value,
                        created_by=actor.username)
    if incident.reported_at is None:
        incident.reported_at = now
    session.add(incident)
    session.flush()
    reasoning = _regrade(ref, incident)
    session.flush()
    journal.write_audit(session, actor, "create", "incidents", incident.id, None, incident.to_dict())
    journal.timeline(
        session, incident=incident, actor=actor, kind="created",
        summary=f"接报：{incident.title}（建议等级 {incident.suggested_level or '—'}）",
        data={"suggested_level": incident.suggested_level, "reasoning": reasoning["reasoning_zh"]},
    )
    journal.emit(session, topic="incident", action="created", incident=incident,
                 data=journal.incident_summary(incident))
    return incident


@dataclass(frozen=True)
class IncidentFilters:
    status: list[str] | None = None
    category: str | None = None
    type: str | None = None
    level: str | None = None
    division: str | None = None
    q: str | None = None
    open: bool | None = None
    since: datetime | None = None
    until: datetime | None = None


def list_incidents(
    *, session: Session, user: perm.Principal, filters: IncidentFilters, page: int = 1, size: int = 50
) -> tuple[list[Incident], int]:
    perm.require(user, INCIDENTS, "read")
    stmt = select(Incident).where(incident_clause(user))
    f = filters
    if f.status:
        bad = [s for s in f.status if s not in {m.value for m in Status}]
        if bad:
            raise InvalidField("status", f"unknown status {bad[0]!r}; one of {', '.join(m.value for m in Status)}")
        stmt = stmt.where(Incident.status.in_(f.status))
    if f.open is not None:
        terminal = [s.value for s in TERMINAL_STATUSES]
        stmt = stmt.where(Incident.status.not_in(terminal) if f.open else Incident.status.in_(terminal))
    if f.category:
        stmt = stmt.where(Incident.category == f.category)
    if f.type:
        stmt = stmt.where(Incident.type == f.type)
    if f.level:
        if f.level not in {m.value for m in Level}:
            raise InvalidField("level", "must be I, II, III or IV")
        stmt = stmt.where(func.coalesce(Incident.level, Incident.suggested_level) == f.level)
    if f.division:
        stmt = stmt.where(Incident.division_code.like(perm.division_prefix(f.division) + "%"))
    if f.q:
        stmt = stmt.where(text_search(f.q, Incident.title, Incident.address))
    if f.since:
        stmt = stmt.where(Incident.occurred_at >= f.since)
    if f.until:
        stmt = stmt.where(Incident.occurred_at < f.until)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.scalars(stmt.order_by(Incident.occurred_at.desc(), Incident.id.desc())
                           .offset((page - 1) * size).limit(size))
    return list(rows), total


def get_incident(*, session: Session, user: perm.Principal, incident_id: int) -> Incident:
    return load_incident(session, user, incident_id)


def preview_level(
    *, user: perm.Principal, data: GradePreview, data_dir: Path | None = None
) -> dict[str, Any]:
    """The level the criteria in force suggest for these figures (nothing is stored)."""
    perm.require(user, INCIDENTS, "read")
    ref = reference(data_dir)
    _check_type(ref, data.category.value, data.type)
    figures = data.model_dump(exclude={"category", "type"})
    return suggestion_for(ref=ref, category=data.category.value, type_=data.type, figures=figures).as_dict()


def reference_summary(*, user: perm.Principal, data_dir: Path | None = None) -> dict[str, Any]:
    """The reference data in force (categories and types, grading criteria, reporting limits)."""
    perm.require(user, INCIDENTS, "read")
    ref = reference(data_dir)
    return {
        "categories": [
            {"value": c.value, "zh": c.zh, "en": c.en, "source": c.source, "status": c.status,
             "types": [{"value": t.value, "zh": t.zh, "en": t.en, "source": t.source} for t in c.types]}
            for c in ref.catalogue.categories
        ],
        "grading": {
            k: {"name_zh": s.name_zh, "name_en": s.name_en, "source": s.source, "status": s.status,
                "default_level": s.default_level, "note": s.note,
                "criteria": [{"fields": list(c.fields), "label_zh": c.label_zh, "label_en": c.label_en,
                              "unit": c.unit, "bounds": dict(c.bounds)} for c in s.criteria]}
            for k, s in ref.grading.sets.items()
        },
        "grading_by_category": ref.grading.by_category,
        "grading_by_type": ref.grading.by_type,
        "reporting": {
            "jurisdiction": ref.reporting.jurisdiction,
            "rules": [asdict(r) for r in ref.reporting.rules],
            "follow_up_interval_minutes": ref.reporting.follow_up_interval_minutes,
            "final_within_minutes_after_close": ref.reporting.final_within_minutes_after_close,
        },
        "capabilities": {t: asdict(c) for t, c in ref.capabilities.by_type.items()},
        "files": ref.files,
    }


# ---- change ---------------------------------------------------------------------------------


def _require_open(incident: Incident, what: str) -> None:
    if incident.status in (Status.merged, Status.false_alarm):
        raise Conflict(f"status: incident {incident.id} is {incident.status}; {what} is no longer possible")


def update_incident(
    *, session: Session, user: perm.Principal, incident_id: int, data: IncidentUpdate,
    data_dir: Path | None = None,
) -> Incident:
    """Correct or complete the facts (casualties, loss, place …); the suggested level follows."""
    incident = load_incident(session, user, incident_id, "update")
    _require_open(incident, "changing it")
    changes = data.model_dump(exclude_unset=True)
    note = changes.pop("note", None)
    for key in NOT_NULL:
        if key in changes and changes[key] is None:
            raise InvalidField(key, "must not be null")
    ref = reference(data_dir)
    category = changes.get("category", incident.category)
    category = getattr(category, "value", category)
    type_ = changes.get("type", incident.type)
    if "category" in changes or "type" in changes:
        _check_type(ref, category, type_)
        changes["category"] = category
    if "occurred_at" in changes and changes["occurred_at"] > incident.reported_at:
        raise InvalidField("occurred_at", "must not be after reported_at")
    before = incident.to_dict()
    old_suggestion = incident.suggested_level
    changed = {k: v for k, v in changes.items() if getattr(incident, k) != v}
    if not changed and not note:
        return incident
    for k, v in changed.items():
        setattr(incident, k, v)
    reasoning = _regrade(ref, incident)
    session.flush()
    journal.write_audit(session, user, "update", "incidents", incident.id, before, incident.to_dict())
    shown = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in changed.items()}
    parts = [f"{k}: {before.get(k)} → {shown[k]}" for k in shown]
    journal.timeline(session, incident=incident, actor=user, kind="updated",
                     summary="信息更新：" + ("；".join(parts) or "—") + (f"（{note}）" if note else ""),
                     data={"changes": shown, "note": note})
    if incident.suggested_level != old_suggestion:
        review = incident.level is not None and incident.level != incident.suggested_level
        journal.timeline(
            session, incident=incident, actor=user, kind="level",
            summary=f"建议等级由 {old_suggestion or '—'} 变为 {incident.suggested_level or '—'}"
            + ("；与已确认等级不一致，请复核" if review else ""),
            data={"from": old_suggestion, "to": incident.suggested_level, "review_needed": review,
                  "reasoning": reasoning["reasoning_zh"]},
        )
    journal.emit(session, topic="incident", action="updated", incident=incident,
                 data=journal.incident_summary(incident))
    return incident


def decide_level(
    *, session: Session, user: perm.Principal, incident_id: int, data: LevelDecision
) -> Incident:
    """An officer confirms the suggested level, or overrides it with a reason."""
    incident = load_incident(session, user, incident_id, "update")
    _require_open(incident, "grading")
    level = data.level.value
    overridden = level != incident.suggested_level
    if overridden and not data.reason:
        raise InvalidField(
            "reason", f"required when the level ({level}) differs from the suggested level "
            f"({incident.suggested_level or 'none'})"
        )
    before = incident.to_dict()
    previous = incident.level
    incident.level = level
    incident.level_confirmed_at = utcnow()
    incident.level_confirmed_by = user.username
    incident.level_override_reason = data.reason if overridden else None
    session.flush()
    journal.write_audit(session, user, "update", "incidents", incident.id, before, incident.to_dict())
    verb = "改定" if overridden else "确认"
    journal.timeline(
        session, incident=incident, actor=user, kind="level",
        summary=f"{verb}事件等级 {level}（{Level(level).label()}）"
        + (f"，系统建议 {incident.suggested_level}；理由：{data.reason}" if overridden else "")
        + (f"；此前 {previous}" if previous and previous != level else ""),
        data={"level": level, "suggested": incident.suggested_level, "overridden": overridden,
              "reason": data.reason, "previous": previous},
    )
    journal.emit(session, topic="incident", action="level", incident=incident,
                 data=journal.incident_summary(incident))
    return incident


def transition(
    *, session: Session, user: perm.Principal, incident_id: int, data: TransitionIn
) -> Incident:
    """Move the incident along its lifecycle; an edge the state machine lacks is a 409."""
    incident = load_incident(session, user, incident_id, "update")
    current, target = Status(incident.status), data.to
    allowed = TRANSITIONS[current]
    if target not in allowed:
        raise InvalidTransition(incident.id, current.value, target.value, [s.value for s in allowed])
    if target in (Status.false_alarm, Status.merged) and not data.reason:
        raise InvalidField("reason", f"required to mark an incident {target.value}")
    target_incident: Incident | None = None
    if target == Status.merged:
        if data.merged_into_id is None:
            raise InvalidField("merged_into_id", "required to merge: the incident this one duplicates")
        target_incident = session.get(Incident, data.merged_into_id)
        if target_incident is None or not can_see(session, user, target_incident):
            raise InvalidField("merged_into_id", f"unknown incident {data.merged_into_id}")
        if target_incident.id == incident.id:
            raise InvalidField("merged_into_id", "an incident cannot be merged into itself")
        if target_incident.status in TERMINAL_STATUSES:
            raise InvalidField("merged_into_id", f"incident {target_incident.id} is {target_incident.status}")
    elif data.merged_into_id is not None:
        raise InvalidField("merged_into_id", "only for status merged")
    if target in TERMINAL_STATUSES:
        active = list(session.scalars(select(Dispatch).where(
            Dispatch.incident_id == incident.id, Dispatch.status.in_([s.value for s in DISPATCH_ACTIVE]))))
        if active:
            names = ", ".join(f"{d.resource_type} {d.resource_id} ({d.resource_name})" for d in active)
            raise Conflict(f"status: release the resources still dispatched first: {names}")
    before = incident.to_dict()
    incident.status = target.value
    if target == Status.closed:
        incident.closed_at = utcnow()
    if target_incident is not None:
        incident.merged_into_id = target_incident.id
    session.flush()
    journal.write_audit(session, user, "update", "incidents", incident.id, before, incident.to_dict())
    journal.timeline(
        session, incident=incident, actor=user, kind="status",
        summary=f"状态：{current.label()} → {target.label()}" + (f"；{data.reason}" if data.reason else "")
        + (f"；并入事件 {target_incident.id}" if target_incident is not None else ""),
        data={"from": current.value, "to": target.value, "reason": data.reason,
              "merged_into_id": incident.merged_into_id},
    )
    if target in TERMINAL_STATUSES:
        tasks_service.cancel_open(session, user, incident, f"事件{target.label()}")
    if target_incident is not None:
        journal.timeline(session, incident=target_incident, actor=user, kind="note",
                         summary=f"事件 {incident.id}（{incident.title}）作为重复信息并入本事件",
                         data={"merged_id": incident.id})
    journal.emit(session, topic="incident", action="status", incident=incident,
                 data={**journal.incident_summary(incident), "from": current.value})
    return incident


def add_note(*, session: Session, user: perm.Principal, incident_id: int, data: NoteIn) -> TimelineEntry:
    """A note or a recorded decision on the timeline."""
    incident = load_incident(session, user, incident_id, "update")
    label = "决策" if data.kind == "decision" else "记录"
    entry = journal.timeline(session, incident=incident, actor=user, kind=data.kind,
                             summary=f"{label}：{data.text}", data={"text": data.text})
    journal.write_audit(session, user, "create", "incident_timeline", entry.id, None, entry.to_dict())
    journal.emit(session, topic="incident", action=data.kind, incident=incident,
                 data={"id": incident.id, "timeline_id": entry.id, "summary": entry.summary})
    return entry


def timeline(
    *, session: Session, user: perm.Principal, incident_id: int, after_id: int | None = None
) -> list[TimelineEntry]:
    incident = load_incident(session, user, incident_id)
    stmt = select(TimelineEntry).where(TimelineEntry.incident_id == incident.id)
    if after_id is not None:
        stmt = stmt.where(TimelineEntry.id > after_id)
    return list(session.scalars(stmt.order_by(TimelineEntry.id)))
