"""Tasks of an incident: assigned to a unit, a team or a person with a deadline; the assignee
accepts or rejects (with a reason), reports progress and completion; overdue tasks are flagged."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from yingji.auth import permissions as perm
from yingji.auth.models import User
from yingji.db.base import utcnow
from yingji.errors import Conflict, Forbidden, InvalidField, NotFound
from yingji.incidents import journal
from yingji.incidents.access import incident_clause, load_incident, own_task, require_task_change
from yingji.incidents.enums import TASK_OPEN, TERMINAL_STATUSES, TaskStatus
from yingji.incidents.models import Incident, Task
from yingji.incidents.permissions import TASKS
from yingji.incidents.schemas import CancelIn, DoneIn, ProgressIn, RejectIn, TaskCreate
from yingji.registry.models import Team, Unit

#: Which task states each assignee action starts from.
ACTIONS: dict[str, tuple[TaskStatus, ...]] = {
    "accept": (TaskStatus.assigned,),
    "reject": (TaskStatus.assigned, TaskStatus.accepted),
    "progress": (TaskStatus.accepted, TaskStatus.in_progress),
    "done": (TaskStatus.accepted, TaskStatus.in_progress),
    "cancel": (TaskStatus.assigned, TaskStatus.accepted, TaskStatus.in_progress),
}


def task_read(task: Task) -> dict[str, Any]:
    d = task.to_dict()
    d["overdue"] = task.overdue
    return d


def _require_live(incident: Incident) -> None:
    if incident.status in TERMINAL_STATUSES:
        raise Conflict(f"status: incident {incident.id} is {incident.status}; it takes no new tasks")


def _assignee(session: Session, user: perm.Principal, data: TaskCreate) -> tuple[int | None, int | None, int | None]:
    """(unit_id, team_id, user_id) of the assignee, checked to exist and lie in the user's scope."""
    if data.assignee_type.value == "unit":
        unit = session.get(Unit, data.unit_id)
        if unit is None:
            raise InvalidField("unit_id", f"unknown unit {data.unit_id}")
        if not perm.in_scope(user, unit.division_code):
            raise Forbidden(f"unit_id: unit {unit.id} ({unit.name}) is outside your division {user.division_code}")
        return unit.id, None, None
    if data.assignee_type.value == "team":
        team = session.get(Team, data.team_id)
        if team is None:
            raise InvalidField("team_id", f"unknown team {data.team_id}")
        if not perm.in_scope(user, team.division_code):
            raise Forbidden(f"team_id: team {team.id} ({team.name}) is outside your division {user.division_code}")
        return team.unit_id, team.id, None
    person = session.get(User, data.user_id)
    if person is None or not person.active:
        raise InvalidField("user_id", f"unknown user {data.user_id}")
    if user.division_code is not None and not perm.in_scope(user, person.division_code):
        raise Forbidden(f"user_id: user {person.username} is outside your division {user.division_code}")
    return person.unit_id, None, person.id


def _assignee_name(session: Session, *, unit_id: int | None, team_id: int | None, user_id: int | None) -> str:
    if user_id is not None:
        person = session.get(User, user_id)
        return (person.display_name or person.username) if person else f"用户 {user_id}"
    if team_id is not None:
        team = session.get(Team, team_id)
        return team.name if team else f"队伍 {team_id}"
    unit = session.get(Unit, unit_id) if unit_id is not None else None
    return unit.name if unit else f"单位 {unit_id}"


def add_task(
    session: Session,
    user: perm.Principal,
    incident: Incident,
    *,
    title: str,
    description: str | None,
    assignee_type: str,
    unit_id: int | None,
    team_id: int | None = None,
    assignee_user_id: int | None = None,
    deadline: datetime | None,
    activation_id: int | None = None,
    plan_action_id: int | None = None,
) -> Task:
    """Insert one task with its audit entry, timeline line and live event (no checks: callers check)."""
    task = Task(
        incident_id=incident.id, division_code=incident.division_code, title=title, description=description,
        assignee_type=assignee_type,
        unit_id=unit_id, team_id=team_id, assignee_user_id=assignee_user_id, deadline=deadline,
        status=TaskStatus.assigned.value, progress=0, activation_id=activation_id,
        plan_action_id=plan_action_id, created_by=user.username,
    )
    session.add(task)
    session.flush()
    journal.write_audit(session, user, "create", "incident_tasks", task.id, None, task.to_dict())
    who = _assignee_name(session, unit_id=unit_id, team_id=team_id, user_id=assignee_user_id)
    journal.timeline(
        session, incident=incident, actor=user, kind="task",
        summary=f"下达任务：{title}（{who}" + (f"，时限 {deadline.isoformat(timespec='minutes')}" if deadline else "")
        + "）",
        data={"task_id": task.id, "unit_id": unit_id, "team_id": team_id, "user_id": assignee_user_id,
              "deadline": deadline.isoformat() if deadline else None},
    )
    journal.emit(session, topic="task", action="created", incident=incident, data=task_read(task),
                 resource=TASKS, extra_units=(unit_id,))
    return task


def create_task(*, session: Session, user: perm.Principal, incident_id: int, data: TaskCreate) -> Task:
    incident = load_incident(session, user, incident_id)
    perm.require(user, TASKS, "create")
    _require_live(incident)
    unit_id, team_id, person_id = _assignee(session, user, data)
    now = utcnow()
    deadline = data.deadline or (now + timedelta(minutes=data.deadline_minutes) if data.deadline_minutes else None)
    if deadline is not None and deadline <= now:
        raise InvalidField("deadline", "lies in the past")
    return add_task(
        session, user, incident, title=data.title, description=data.description,
        assignee_type=data.assignee_type.value, unit_id=unit_id, team_id=team_id,
        assignee_user_id=person_id, deadline=deadline,
    )


def list_tasks(
    *,
    session: Session,
    user: perm.Principal,
    incident_id: int | None = None,
    mine: bool = False,
    status: str | None = None,
    overdue: bool | None = None,
    page: int = 1,
    size: int = 50,
) -> tuple[list[Task], int]:
    """Tasks the user may see; ``mine`` = the inbox of the user's unit (and of the user)."""
    perm.require(user, TASKS, "read")
    stmt = select(Task).join(Incident, Incident.id == Task.incident_id).where(incident_clause(user))
    if incident_id is not None:
        load_incident(session, user, incident_id)
        stmt = stmt.where(Task.incident_id == incident_id)
    if mine:
        cond = Task.assignee_user_id == user.id
        if user.unit_id is not None:
            cond = or_(cond, Task.unit_id == user.unit_id)
        stmt = stmt.where(cond)
    if status:
        if status not in {s.value for s in TaskStatus}:
            raise InvalidField("status", f"unknown status {status!r}; one of {', '.join(s.value for s in TaskStatus)}")
        stmt = stmt.where(Task.status == status)
    if overdue is not None:
        late = and_(Task.deadline.is_not(None), Task.deadline < utcnow(),
                    Task.status.in_([s.value for s in TASK_OPEN]))
        stmt = stmt.where(late if overdue else ~late)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.scalars(stmt.order_by(Task.deadline.is_(None), Task.deadline, Task.id)
                           .offset((page - 1) * size).limit(size))
    return list(rows), total


def get_task(*, session: Session, user: perm.Principal, task_id: int) -> tuple[Task, Incident]:
    perm.require(user, TASKS, "read")
    task = session.get(Task, task_id) if 0 < task_id <= 2**31 - 1 else None
    if task is None:
        raise NotFound(f"task {task_id} not found")
    try:
        incident = load_incident(session, user, task.incident_id)
    except NotFound:
        raise NotFound(f"task {task_id} not found") from None
    return task, incident


def _act(
    session: Session,
    user: perm.Principal,
    task_id: int,
    action: str,
    apply: Callable[[Task], None],
    describe: Callable[[Task], str],
    *,
    command_side: bool = False,
) -> Task:
    task, incident = get_task(session=session, user=user, task_id=task_id)
    if command_side:
        perm.require(user, TASKS, "update")
        if user.role == "department":
            raise Forbidden("a department user cannot cancel tasks; reject it with a reason instead")
        if not perm.in_scope(user, incident.division_code):
            raise Forbidden(f"division_code: incident {incident.id} is outside your division")
    else:
        require_task_change(user, task, incident)
    current = TaskStatus(task.status)
    if current not in ACTIONS[action]:
        possible = [a for a, sources in ACTIONS.items() if current in sources]
        raise Conflict(
            f"status: task {task.id} is {current.value}; cannot {action}"
            + (f" (possible: {', '.join(possible)})" if possible else " (no action left)")
        )
    on_behalf = "" if own_task(user, task) or command_side else f"（由 {user.username} 代为登记）"
    return _record(session, user, task, incident, action, apply, lambda t: describe(t) + on_behalf)


def _record(
    session: Session,
    user: perm.Principal,
    task: Task,
    incident: Incident,
    action: str,
    apply: Callable[[Task], None],
    describe: Callable[[Task], str],
) -> Task:
    """Change a task the caller has checked: audit, timeline and the live ``task`` event."""
    before = task.to_dict()
    apply(task)
    session.flush()
    journal.write_audit(session, user, "update", "incident_tasks", task.id, before, task.to_dict())
    journal.timeline(session, incident=incident, actor=user, kind="task", summary=describe(task),
                     data={"task_id": task.id, "action": action, "status": task.status, "progress": task.progress})
    journal.emit(session, topic="task", action=action, incident=incident, data=task_read(task), resource=TASKS,
                 extra_units=(task.unit_id,))
    return task


def cancel_open(session: Session, user: perm.Principal, incident: Incident, reason: str) -> None:
    """Cancel every open task of an incident that ends (closed, merged, false alarm), each recorded
    and announced like a cancellation by hand."""
    def apply(t: Task) -> None:
        t.status, t.reject_reason = TaskStatus.cancelled.value, reason

    for task in session.scalars(select(Task).where(
            Task.incident_id == incident.id, Task.status.in_([s.value for s in TASK_OPEN]))).all():
        _record(session, user, task, incident, "cancel", apply, lambda t: f"任务撤销：{t.title}（{reason}）")


def accept(*, session: Session, user: perm.Principal, task_id: int) -> Task:
    def apply(t: Task) -> None:
        t.status, t.accepted_at = TaskStatus.accepted.value, utcnow()

    return _act(session, user, task_id, "accept", apply, lambda t: f"任务已接收：{t.title}")


def reject(*, session: Session, user: perm.Principal, task_id: int, data: RejectIn) -> Task:
    def apply(t: Task) -> None:
        t.status, t.reject_reason = TaskStatus.rejected.value, data.reason

    return _act(session, user, task_id, "reject", apply, lambda t: f"任务被拒绝：{t.title}；理由：{data.reason}")


def progress(*, session: Session, user: perm.Principal, task_id: int, data: ProgressIn) -> Task:
    def apply(t: Task) -> None:
        t.status, t.progress, t.progress_note = TaskStatus.in_progress.value, data.progress, data.note

    note = f"；{data.note}" if data.note else ""
    return _act(session, user, task_id, "progress", apply, lambda t: f"任务进展：{t.title} {data.progress}%{note}")


def done(*, session: Session, user: perm.Principal, task_id: int, data: DoneIn) -> Task:
    def apply(t: Task) -> None:
        t.status, t.progress, t.done_at = TaskStatus.done.value, 100, utcnow()
        if data.note:
            t.progress_note = data.note

    note = f"；{data.note}" if data.note else ""
    return _act(session, user, task_id, "done", apply, lambda t: f"任务完成：{t.title}{note}")


def cancel(*, session: Session, user: perm.Principal, task_id: int, data: CancelIn) -> Task:
    def apply(t: Task) -> None:
        t.status, t.reject_reason = TaskStatus.cancelled.value, data.reason

    return _act(session, user, task_id, "cancel", apply, lambda t: f"任务撤销：{t.title}；{data.reason}",
                command_side=True)
