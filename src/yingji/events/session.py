"""Publish after commit: services ``collect`` events on their session; the events go out only when
the session's outermost transaction commits, and are dropped when it rolls back — a subscriber
never hears of a change that did not happen."""

from __future__ import annotations

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session, SessionTransaction

from yingji.events.bus import Event, publish

KEY = "yingji.events.pending"


def collect(session: Session, event: Event) -> None:
    """Queue ``event`` for publication when ``session`` commits."""
    session.info.setdefault(KEY, []).append(event)


def pending(session: Session) -> list[Event]:
    """Events queued on the session and not yet published (for tests and diagnostics)."""
    return list(session.info.get(KEY, []))


@sa_event.listens_for(Session, "after_commit")
def _publish_after_commit(session: Session) -> None:
    events: list[Event] = session.info.pop(KEY, [])
    for e in events:
        publish(e)


@sa_event.listens_for(Session, "after_soft_rollback")
def _drop_after_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    # A savepoint rolling back (begin_nested) keeps what was collected outside it; services collect
    # only after their savepoints succeed. The outermost transaction rolling back drops everything.
    if previous_transaction.parent is None:
        session.info.pop(KEY, None)


