"""Reminders to units about their tasks: milestones coming due, overdue milestones, tasks at risk.

HOOK — the notification module (``yingji.notifications``: channels, subscriptions, delivery log)
does not exist yet. :func:`pending_reminders` works out who should be reminded of what; delivery
goes through a :class:`Notifier`. Until the notification module lands, :func:`send_reminders`
only logs (``LogNotifier``); when it lands, pass an adapter implementing ``Notifier.send`` (e.g.
one that calls ``yingji.notifications.service.send(...)``) from the CLI command and a scheduler.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from sqlalchemy.orm import Session

from yingji.auth import permissions as perm
from yingji.supervision import service
from yingji.supervision.enums import TaskStatus, UnitRole
from yingji.supervision.models import ActionPlan

log = logging.getLogger("yingji.supervision.reminders")
DEFAULT_HORIZON_DAYS = 30


@dataclass(frozen=True)
class Reminder:
    unit_id: int | None
    unit_name: str
    role: str
    task_id: int
    task_number: int
    kind: str  # milestone_due | overdue | at_risk
    due_on: date | None
    subject: str
    body: str


class Notifier(Protocol):
    """What the notification module must offer to deliver a reminder to a unit."""

    def send(self, *, unit_id: int | None, unit_name: str, subject: str, body: str) -> None: ...


class LogNotifier:
    """The stand-in until ``yingji.notifications`` exists: writes each reminder to the log."""

    def send(self, *, unit_id: int | None, unit_name: str, subject: str, body: str) -> None:
        log.info("reminder to %s (unit %s): %s — %s", unit_name, unit_id, subject, body)


def pending_reminders(
    *,
    session: Session,
    user: perm.Principal,
    plan: ActionPlan,
    as_of: date,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
) -> list[Reminder]:
    """Reminders due on ``as_of``: each unit of a task (lead and responsible) for a milestone due
    within ``horizon_days``, an overdue milestone or deadline, or a task at risk."""
    perm.require(user, "action_tasks", "read")
    horizon = as_of + timedelta(days=horizon_days)
    out: list[Reminder] = []
    for task, st in service.plan_states(session=session, plan=plan, as_of=as_of):
        items: list[tuple[str, date | None, str]] = []

        if st.status == TaskStatus.overdue:
            items.append(("overdue", st.overdue[0].due_on if st.overdue else st.deadline, st.reason))
        elif st.status == TaskStatus.at_risk:
            items.append(("at_risk", st.deadline, st.reason))
        if st.status != TaskStatus.done:
            for m in task.milestones:
                if m.seq not in st.achieved and as_of <= m.due_on <= horizon:
                    items.append(
                        ("milestone_due", m.due_on, f"节点{m.seq}将于 {m.due_on.isoformat()} 到期：{m.text}")
                    )
        if not items:
            continue
        seen: set[tuple[str, int | None]] = set()
        for u in task.units:
            if (u.name, u.unit_id) in seen:
                continue
            seen.add((u.name, u.unit_id))
            for kind, due_on, text in items:
                out.append(
                    Reminder(
                        unit_id=u.unit_id,
                        unit_name=u.name,
                        role=UnitRole(u.role).label(),
                        task_id=task.id,
                        task_number=task.number,
                        kind=kind,
                        due_on=due_on,
                        subject=f"督办提醒：任务{task.number}“{task.title}”",
                        body=text,
                    )
                )
    return out


def send_reminders(
    *,
    session: Session,
    user: perm.Principal,
    plan: ActionPlan,
    as_of: date,
    notifier: Notifier | None = None,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
) -> list[dict[str, Any]]:
    """Deliver the pending reminders through ``notifier`` (the log until notifications exist)."""
    notifier = notifier or LogNotifier()
    reminders = pending_reminders(
        session=session, user=user, plan=plan, as_of=as_of, horizon_days=horizon_days
    )
    for r in reminders:
        notifier.send(unit_id=r.unit_id, unit_name=r.unit_name, subject=r.subject, body=r.body)
    return [asdict(r) for r in reminders]
