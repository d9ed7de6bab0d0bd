"""Row rules of the incidents domain: who sees which incident, who changes which task.

* Users without a division (admin) see every incident; others only incidents in their division
  (GB/T 2260 prefix), like every other record.
* **department** users additionally see only the incidents (chosen rule, see docs/incidents.md):
  - where their unit has a task, or a resource of their unit is dispatched, or
  - that their unit reported, or
  - that sit at their own division itself (the city, for municipal departments), or
  - that are graded 较大 (III) or above (confirmed level, else the suggestion): 分级负责 puts those
    at city level, where every department may be called upon.
* Out-of-scope records answer 404, never 403, so that their existence does not leak.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from yingji.auth import permissions as perm
from yingji.errors import Forbidden, NotFound
from yingji.incidents.models import Dispatch, Incident, Task
from yingji.incidents.permissions import INCIDENTS, TASKS

CITY_HANDLED_LEVELS = ("I", "II", "III")


def _unit_incidents(unit_id: int) -> ColumnElement[bool]:
    return or_(
        Incident.id.in_(select(Task.incident_id).where(Task.unit_id == unit_id)),
        Incident.id.in_(select(Dispatch.incident_id).where(Dispatch.unit_id == unit_id)),
        Incident.reporter_unit_id == unit_id,
    )


def incident_clause(user: perm.Principal) -> ColumnElement[bool]:
    """SQL condition: the incidents ``user`` may see."""
    cond = perm.scope_clause(user, Incident.division_code)
    if user.role != "department" or user.division_code is None:
        return cond
    options: list[ColumnElement[bool]] = [
        Incident.division_code == user.division_code,
        func.coalesce(Incident.level, Incident.suggested_level).in_(CITY_HANDLED_LEVELS),
    ]
    if user.unit_id is not None:
        options.append(_unit_incidents(user.unit_id))
    return and_(cond, or_(*options))


def can_see(session: Session, user: perm.Principal, incident: Incident) -> bool:
    if not perm.in_scope(user, incident.division_code):
        return False
    if user.role != "department" or user.division_code is None:
        return True
    if incident.division_code == user.division_code or incident.effective_level in CITY_HANDLED_LEVELS:
        return True
    if user.unit_id is None:
        return False
    found = session.scalar(
        select(func.count()).select_from(Incident).where(Incident.id == incident.id, _unit_incidents(user.unit_id))
    )
    return bool(found)


def load_incident(session: Session, user: perm.Principal, incident_id: int, action: str = "read") -> Incident:
    """The incident, if ``user`` may see it (else 404) and may do ``action`` on incidents (else 403)."""
    perm.require(user, INCIDENTS, "read")
    incident = session.get(Incident, incident_id) if 0 < incident_id <= 2**31 - 1 else None
    if incident is None or not can_see(session, user, incident):
        raise NotFound(f"incident {incident_id} not found")
    if action != "read":
        perm.require(user, INCIDENTS, action)
    return incident


def own_task(user: perm.Principal, task: Task) -> bool:
    """Whether the task is assigned to the user's unit or to the user."""
    return (user.unit_id is not None and task.unit_id == user.unit_id) or task.assignee_user_id == user.id


def require_task_change(user: perm.Principal, task: Task, incident: Incident) -> None:
    """Department users change only their own unit's tasks; others need the task grant in scope."""
    perm.require(user, TASKS, "update")
    if user.role == "department" and not own_task(user, task):
        raise Forbidden(f"unit_id: a department user changes only tasks of unit {user.unit_id}")
    if not perm.in_scope(user, incident.division_code):
        raise Forbidden(f"division_code: incident {incident.id} is outside your division")
