"""Subscribe to warning changes, delivered *after* the transaction that made them commits.

Notifications (SMS, app push, loudspeakers — a later module) register a subscriber::

    from yingji.warnings import hooks
    hooks.subscribe(lambda changes: ...)

A subscriber gets a list of :class:`WarningChange` (plain data, no database objects) once per
committed transaction; a rolled-back transaction delivers nothing. Subscribers run in the
committing thread and must not raise (errors are logged and swallowed) — hand slow work to a
queue.

Escalation to an incident (事件) belongs to the incidents module, not built yet: it registers
itself with :func:`set_incident_escalator`; until then :func:`escalate_to_incident` refuses.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

# imported up front: a first import during a commit hook would mutate the session's event lists
from yingji.events import Event, publish

log = logging.getLogger("yingji.warnings")
_KEY = "yingji.warning_changes"


@dataclass(frozen=True)
class WarningChange:
    warning_id: int
    kind: str  # raised | escalated | de_escalated | updated | acknowledged | lifted | expired
    level: int
    previous_level: int | None
    status: str
    division_code: str
    headline: str
    source_type: str
    source_id: str
    cause: str
    at: datetime


Subscriber = Callable[[list[WarningChange]], None]
_subscribers: list[Subscriber] = []
IncidentEscalator = Callable[..., Any]
_incident_escalator: list[IncidentEscalator] = []


def subscribe(fn: Subscriber) -> None:
    if fn not in _subscribers:
        _subscribers.append(fn)


def unsubscribe(fn: Subscriber) -> None:
    if fn in _subscribers:
        _subscribers.remove(fn)


def queue(session: Session, change: WarningChange) -> None:
    """Remember a change; delivered when the session's outermost transaction commits (dropped with
    the savepoint or transaction it was made in, if that rolls back)."""
    session.info.setdefault(_KEY, []).append((session.get_nested_transaction(), change))


@event.listens_for(Session, "after_commit")
def _deliver(session: Session) -> None:
    changes = [c for _txn, c in session.info.pop(_KEY, [])]
    if not changes:
        return
    for fn in list(_subscribers):
        try:
            fn(list(changes))
        except Exception:  # a subscriber must never break the committing request
            log.exception("warning subscriber %r failed", fn)


def _within(txn: Any, ended: Any) -> bool:
    while txn is not None:
        if txn is ended:
            return True
        txn = txn.parent
    return False


@event.listens_for(Session, "after_soft_rollback")
def _discard(session: Session, previous: SessionTransaction) -> None:
    if previous.parent is None:
        session.info.pop(_KEY, None)
        return
    kept = [(t, c) for t, c in session.info.get(_KEY, []) if not _within(t, previous)]
    session.info[_KEY] = kept


def publish_live(changes: list[WarningChange]) -> None:
    """Default subscriber: each change goes to the live event bus (``/api/v1/events``), topic
    ``warnings``, visible to whoever may read warnings in its division."""
    for ch in changes:
        publish(Event(topic="warnings", action=ch.kind, resource="warnings", division_code=ch.division_code,
                      data={"warning_id": ch.warning_id, "level": ch.level, "previous_level": ch.previous_level,
                            "status": ch.status, "headline": ch.headline, "source_type": ch.source_type,
                            "source_id": ch.source_id, "cause": ch.cause},
                      departments=True, at=ch.at.isoformat()))


subscribe(publish_live)


def set_incident_escalator(fn: IncidentEscalator | None) -> None:
    """Called by the incidents module at import: ``fn(session=, warning=, actor=) -> incident id``."""
    _incident_escalator.clear()
    if fn is not None:
        _incident_escalator.append(fn)


def incident_escalator() -> IncidentEscalator | None:
    return _incident_escalator[0] if _incident_escalator else None
