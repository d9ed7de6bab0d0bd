"""Sending the queue: :func:`deliver_pending` (called by ``yingji notify deliver``, a sweep or the
background thread of :func:`start_worker`).

Each due delivery (status ``pending``, ``next_attempt_at`` ≤ now) is tried once. On failure it is
retried with exponential backoff — 30 s, 60 s, 120 s, … capped at 1 h — up to :data:`MAX_ATTEMPTS`
attempts, then marked ``failed``. Every attempt is appended to the delivery's ``log``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.db.base import utcnow
from yingji.notifications import channels, service
from yingji.notifications.models import NotificationChannel, NotificationDelivery

log = logging.getLogger("yingji.notifications.delivery")
MAX_ATTEMPTS = 5
BASE_DELAY_S = 30
MAX_DELAY_S = 3600


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after ``attempts`` failed attempts (1 → 30 s, 2 → 60 s, …)."""
    return timedelta(seconds=min(MAX_DELAY_S, BASE_DELAY_S * 2 ** max(0, attempts - 1)))


def _attempt(session: Session, d: NotificationDelivery, now: datetime) -> None:
    config: dict[str, Any] = {}
    if d.channel_id is not None:
        ch = session.get(NotificationChannel, d.channel_id)
        if ch is not None:
            config = dict(ch.config or {})
    msg = channels.Message(subject=d.subject, text=d.body, recipient=d.recipient, data=dict(d.data or {}))
    d.attempts += 1
    try:
        result = channels.send(d.channel_kind, config, msg)
    except Exception as e:  # any failure of a channel is logged and retried
        error = f"{type(e).__name__}: {e}"[:1000]
        d.last_error = error
        if d.attempts >= MAX_ATTEMPTS:
            d.status, d.next_attempt_at = "failed", None
        else:
            d.next_attempt_at = now + backoff(d.attempts)
        d.log = [*d.log, {"at": now.isoformat(), "attempt": d.attempts, "ok": False, "error": error,
                          "next_attempt_at": d.next_attempt_at.isoformat() if d.next_attempt_at else None}]
        log.warning("delivery %s attempt %s failed: %s", d.id, d.attempts, error)
        return
    d.status, d.sent_at, d.next_attempt_at, d.last_error = "sent", now, None, None
    d.log = [*d.log, {"at": now.isoformat(), "attempt": d.attempts, "ok": True, "result": result}]


def deliver_pending(session_factory: Callable[[], Session], now: datetime | None = None, limit: int = 200
                    ) -> dict[str, int]:
    """Try every due delivery once; returns counts ``{"sent", "retry", "failed"}``. Each delivery
    is committed on its own, so one slow or failing channel does not undo the others."""
    now = now or utcnow()
    counts = {"sent": 0, "retry": 0, "failed": 0}
    with session_factory() as session:
        if service.drain_backlog(session):
            session.commit()
        ids = list(session.scalars(
            select(NotificationDelivery.id).where(NotificationDelivery.status == "pending",
                                                  NotificationDelivery.next_attempt_at <= now)
            .order_by(NotificationDelivery.next_attempt_at, NotificationDelivery.id).limit(limit)))
    for delivery_id in ids:
        with session_factory() as session:
            d = session.get(NotificationDelivery, delivery_id)
            if d is None or d.status != "pending":
                continue
            _attempt(session, d, now)
            counts["sent" if d.status == "sent" else "failed" if d.status == "failed" else "retry"] += 1
            session.commit()
    return counts


def start_worker(session_factory: Callable[[], Session], interval_s: float = 15.0) -> threading.Event:
    """Run :func:`deliver_pending` every ``interval_s`` in a daemon thread; set the event to stop."""
    stop = threading.Event()

    def _loop() -> None:
        while not stop.wait(interval_s):
            try:
                deliver_pending(session_factory)
            except Exception:
                log.exception("notification sweep failed")

    threading.Thread(target=_loop, name="yingji-notify", daemon=True).start()
    return stop
