"""Every change to an incident is written three times: the audit log (who changed which row, before
and after), the incident's append-only timeline (what happened, in words, for the people running
it), and a live event published after the transaction commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.auth import permissions as perm
from yingji.events import Event, collect
from yingji.incidents.access import CITY_HANDLED_LEVELS
from yingji.incidents.models import Dispatch, Incident, Task, TimelineEntry
from yingji.incidents.permissions import INCIDENTS


def write_audit(
    session: Session,
    actor: perm.Principal,
    action: str,
    entity_type: str,
    entity_id: Any,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    audit.record(
        session=session, actor=actor, action=action, entity_type=entity_type, entity_id=entity_id,
        before=before, after=after,
    )


def timeline(
    session: Session,
    *,
    incident: Incident,
    actor: perm.Principal,
    kind: str,
    summary: str,
    data: dict[str, Any] | None = None,
) -> TimelineEntry:
    """Append a line to the incident's timeline (never updated nor deleted afterwards)."""
    entry = TimelineEntry(
        incident_id=incident.id,
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "username", None) or "system",
        kind=kind,
        summary=summary,
        data=data,
    )
    session.add(entry)
    session.flush()
    return entry


def audience(session: Session, incident: Incident) -> tuple[tuple[int, ...], bool]:
    """(units concerned, visible to every department in scope) — mirrors ``access.incident_clause``."""
    units: set[int] = set()
    units.update(u for u in session.scalars(select(Task.unit_id).where(Task.incident_id == incident.id)) if u)
    units.update(
        u for u in session.scalars(select(Dispatch.unit_id).where(Dispatch.incident_id == incident.id)) if u
    )
    if incident.reporter_unit_id:
        units.add(incident.reporter_unit_id)
    return tuple(sorted(units)), incident.effective_level in CITY_HANDLED_LEVELS


def incident_summary(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.id,
        "title": incident.title,
        "category": incident.category,
        "type": incident.type,
        "status": incident.status,
        "level": incident.level,
        "suggested_level": incident.suggested_level,
        "effective_level": incident.effective_level,
        "response_level": incident.response_level,
        "division_code": incident.division_code,
        "lon": incident.lon,
        "lat": incident.lat,
        "dead": incident.dead,
        "injured": incident.injured,
        "seriously_injured": incident.seriously_injured,
        "missing": incident.missing,
        "trapped": incident.trapped,
        "direct_loss_wan": incident.direct_loss_wan,
        "affected_people": incident.affected_people,
        "updated_at": incident.updated_at.isoformat() if incident.updated_at else None,
    }


def emit(
    session: Session,
    *,
    topic: str,
    action: str,
    incident: Incident,
    data: dict[str, Any],
    resource: str = INCIDENTS,
    extra_units: tuple[int | None, ...] = (),
) -> None:
    """Queue a live event about ``incident``; it is published only if the transaction commits."""
    units, departments = audience(session, incident)
    extra = tuple(u for u in extra_units if u is not None)
    collect(
        session,
        Event(
            topic=topic,
            action=action,
            resource=resource,
            division_code=incident.division_code,
            data=data,
            incident_id=incident.id,
            unit_ids=tuple(sorted(set(units) | set(extra))),
            departments=departments,
        ),
    )
