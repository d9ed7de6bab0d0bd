"""Reporting upward (信息报送): initial, follow-up and final reports (首报/续报/终报), their deadlines
by the incident's level (configurable data, ``reporting.json``), what is due and what is overdue;
and the situation report (专报) assembled from the incident record."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth import permissions as perm
from yingji.db.base import utcnow
from yingji.errors import Conflict, InvalidField
from yingji.incidents import journal
from yingji.incidents.access import load_incident
from yingji.incidents.enums import (
    TERMINAL_STATUSES,
    Category,
    DispatchStatus,
    Level,
    ReportChannel,
    ReportKind,
    ResourceType,
    Status,
    TaskStatus,
)
from yingji.incidents.grading import FIGURES
from yingji.incidents.models import (
    Consultation,
    Dispatch,
    Incident,
    IncidentReport,
    Plan,
    PlanActivation,
    Task,
    TimelineEntry,
)
from yingji.incidents.permissions import REPORTS
from yingji.incidents.reference import Reference, load_reference
from yingji.incidents.schemas import ReportCreate
from yingji.registry.models import Division, Unit


def _item(kind: str, channel: str | None, due: datetime | None, done: IncidentReport | None, now: datetime,
          status: str, source: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "channel": channel,
        "due_at": due,
        "done_at": done.submitted_at if done else None,
        "report_id": done.id if done else None,
        "overdue": done is None and due is not None and due < now,
        "late": done is not None and due is not None and done.submitted_at > due,
        "status": status,
        "source": source,
    }


def schedule_for(incident: Incident, reports: list[IncidentReport], ref: Reference,
                 now: datetime | None = None) -> dict[str, Any]:
    """What is due when, what was done, what is overdue — from the rules in force."""
    now = now or utcnow()
    table = ref.reporting
    level = incident.effective_level
    rule = table.rule_for(level)
    start = incident.reported_at
    by_kind: dict[str, list[IncidentReport]] = {}
    for r in sorted(reports, key=lambda r: (r.submitted_at, r.id)):
        by_kind.setdefault(r.kind, []).append(r)
    initial = by_kind.get(ReportKind.initial.value, [])
    items = []
    if incident.status != Status.false_alarm and rule is not None:
        if rule.initial_phone_minutes:
            done = initial[0] if initial else None  # any first report also answers the phone deadline
            items.append(_item("initial", "phone", start + timedelta(minutes=rule.initial_phone_minutes), done,
                               now, rule.status, rule.source))
        if rule.initial_written_minutes:
            done = next((r for r in initial if r.channel == ReportChannel.written.value), None)
            items.append(_item("initial", "written", start + timedelta(minutes=rule.initial_written_minutes), done,
                               now, rule.status, rule.source))
    open_ = incident.status not in TERMINAL_STATUSES
    if open_ and table.follow_up_interval_minutes and initial:
        last = max(r.submitted_at for r in reports)
        items.append(_item("follow_up", None, last + timedelta(minutes=table.follow_up_interval_minutes), None, now,
                           table.follow_up_status, table.follow_up_source))
    finals = by_kind.get(ReportKind.final.value, [])
    if incident.status == Status.closed and incident.closed_at is not None:
        due = (incident.closed_at + timedelta(minutes=table.final_within_minutes_after_close)
               if table.final_within_minutes_after_close else None)
        items.append(_item("final", None, due, finals[0] if finals else None, now, table.final_status,
                           table.final_source))
    return {
        "incident_id": incident.id,
        "level": level,
        "level_confirmed": incident.level is not None,
        "jurisdiction": table.jurisdiction,
        "rule": None if rule is None else {
            "levels": list(rule.levels), "initial_phone_minutes": rule.initial_phone_minutes,
            "initial_written_minutes": rule.initial_written_minutes, "status": rule.status, "source": rule.source,
        },
        "items": items,
        "overdue": [i for i in items if i["overdue"]],
        "accident_note": table.accident_note if incident.category == Category.accident else None,
        "as_of": now,
    }


def _reports(session: Session, incident_id: int) -> list[IncidentReport]:
    return list(session.scalars(select(IncidentReport).where(IncidentReport.incident_id == incident_id)
                                .order_by(IncidentReport.submitted_at, IncidentReport.id)))


def schedule(*, session: Session, user: perm.Principal, incident_id: int, data_dir: Path | None = None,
             now: datetime | None = None) -> dict[str, Any]:
    incident = load_incident(session, user, incident_id)
    perm.require(user, REPORTS, "read")
    return schedule_for(incident, _reports(session, incident.id), load_reference(data_dir), now)


def list_reports(*, session: Session, user: perm.Principal, incident_id: int) -> list[IncidentReport]:
    incident = load_incident(session, user, incident_id)
    perm.require(user, REPORTS, "read")
    return _reports(session, incident.id)


def submit(*, session: Session, user: perm.Principal, incident_id: int, data: ReportCreate) -> IncidentReport:
    """Record a report sent upward, with a snapshot of the figures it carried."""
    incident = load_incident(session, user, incident_id)
    perm.require(user, REPORTS, "create")
    if not perm.in_scope(user, incident.division_code):  # pragma: no cover - load_incident scopes already
        raise InvalidField("incident_id", "outside your division")
    now = utcnow()
    at = data.submitted_at or now
    if at > now + timedelta(minutes=5):
        raise InvalidField("submitted_at", "lies in the future")
    if at < incident.reported_at - timedelta(minutes=5):
        raise InvalidField("submitted_at", "is before the incident was reported")
    kind = data.kind
    existing = _reports(session, incident.id)
    if kind == ReportKind.initial and any(r.kind == kind.value and r.channel == data.channel.value for r in existing):
        raise Conflict(f"kind: an initial {data.channel.value} report exists; send a follow_up report instead")
    if kind == ReportKind.final:
        if incident.status not in (Status.recovering, Status.closed):
            raise Conflict(f"kind: a final report follows the end of the response; incident is {incident.status}")
        if any(r.kind == kind.value for r in existing):
            raise Conflict("kind: a final report exists; send a follow_up report to correct it")
    if kind != ReportKind.initial and not any(r.kind == ReportKind.initial.value for r in existing):
        raise Conflict(f"kind: send the initial report before a {kind.value} report")
    seq = sum(1 for r in existing if r.kind == kind.value) + 1
    figures = {f: getattr(incident, f) for f in FIGURES}
    figures.update(level=incident.level, suggested_level=incident.suggested_level, status=incident.status)
    report = IncidentReport(incident_id=incident.id, kind=kind.value, channel=data.channel.value, sequence=seq,
                            submitted_at=at, submitted_by=user.username, recipient=data.recipient,
                            content=data.content, figures=figures)
    session.add(report)
    session.flush()
    journal.write_audit(session, user, "create", "incident_reports", report.id, None, report.to_dict())
    label = kind.label() + (f"（第{seq}次）" if kind == ReportKind.follow_up else "")
    journal.timeline(session, incident=incident, actor=user, kind="report",
                     summary=f"{label}：{data.channel.label()}报送{data.recipient}",
                     data={"report_id": report.id, "kind": kind.value, "channel": data.channel.value,
                           "sequence": seq})
    journal.emit(session, topic="report", action=kind.value, incident=incident, resource=REPORTS,
                 data={"id": report.id, "incident_id": incident.id, "kind": kind.value,
                       "channel": data.channel.value, "sequence": seq})
    return report


# ---- situation report (专报) ------------------------------------------------------------------


@dataclass
class Sitrep:
    """Everything a situation report shows, resolved to names (the renderers do no lookups)."""

    incident: dict[str, Any]
    category: str
    type: str
    division: str
    level: str
    level_text: str
    reasoning: str
    response: list[dict[str, Any]] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    resources: list[dict[str, Any]] = field(default_factory=list)
    consultations: list[dict[str, Any]] = field(default_factory=list)
    reports: list[dict[str, Any]] = field(default_factory=list)
    timeline: list[dict[str, Any]] = field(default_factory=list)
    generated_at: datetime = field(default_factory=utcnow)
    generated_by: str = ""


def sitrep(*, session: Session, user: perm.Principal, incident_id: int, data_dir: Path | None = None) -> Sitrep:
    incident = load_incident(session, user, incident_id)
    perm.require(user, REPORTS, "read")
    ref = load_reference(data_dir)
    t = ref.catalogue.type(incident.type)
    division = session.get(Division, incident.division_code)
    units_model = Unit
    unit_ids = set(session.scalars(select(Task.unit_id).where(Task.incident_id == incident.id)))
    unit_ids |= set(session.scalars(select(Dispatch.unit_id).where(Dispatch.incident_id == incident.id)))
    unit_ids.discard(None)
    units = {u.id: u.name for u in session.scalars(select(units_model).where(units_model.id.in_(unit_ids)))} \
        if unit_ids else {}
    level = incident.effective_level
    level_text = "未定级" if level is None else (
        f"{Level(level).label()}（{level}级）" + ("" if incident.level else "，系统建议，待确认"))
    acts = session.execute(select(PlanActivation, Plan.name).join(Plan, Plan.id == PlanActivation.plan_id)
                           .where(PlanActivation.incident_id == incident.id).order_by(PlanActivation.id))
    response = [{"plan": name, "response_level": a.response_level, "activated_at": a.activated_at,
                 "by": a.activated_by} for a, name in acts]
    tasks = [{"title": tk.title, "unit": units.get(tk.unit_id, "—") if tk.unit_id else "—",
              "status": TaskStatus(tk.status).label(), "deadline": tk.deadline, "overdue": tk.overdue,
              "progress": tk.progress}
             for tk in session.scalars(select(Task).where(Task.incident_id == incident.id).order_by(Task.id))]
    resources = [{"type": ResourceType(d.resource_type).label(), "name": d.resource_name,
                  "unit": units.get(d.unit_id, "—") if d.unit_id else "—",
                  "status": DispatchStatus(d.status).label(), "eta_min": None if d.eta_s is None else
                  round(d.eta_s / 60), "requested_at": d.requested_at}
                 for d in session.scalars(select(Dispatch).where(Dispatch.incident_id == incident.id)
                                          .order_by(Dispatch.id))]
    consults = [{"title": c.title, "held_at": c.held_at, "conclusions": c.conclusions or "",
                 "participants": "、".join(p.get("name") or f"{p.get('kind')} {p.get('id')}" for p in c.participants)}
                for c in session.scalars(select(Consultation).where(Consultation.incident_id == incident.id)
                                         .order_by(Consultation.held_at))]
    reports = [{"kind": ReportKind(r.kind).label(), "channel": ReportChannel(r.channel).label(),
                "submitted_at": r.submitted_at, "recipient": r.recipient} for r in _reports(session, incident.id)]
    timeline = [{"at": e.at, "actor": e.actor_name, "summary": e.summary}
                for e in session.scalars(select(TimelineEntry).where(TimelineEntry.incident_id == incident.id)
                                         .order_by(TimelineEntry.id))]
    reasoning = (incident.level_reasoning or {}).get("reasoning_zh", "")
    data = incident.to_dict()
    data["status_label"] = Status(incident.status).label()
    return Sitrep(
        incident=data, category=Category(incident.category).label(), type=t.zh if t else incident.type,
        division=division.name if division is not None else incident.division_code, level=level or "",
        level_text=level_text, reasoning=reasoning, response=response, tasks=tasks, resources=resources,
        consultations=consults, reports=reports, timeline=timeline, generated_by=user.username,
    )
