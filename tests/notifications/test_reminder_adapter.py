"""The supervision Notifier adapter: a reminder becomes a queued e-mail delivery."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from yingji.notifications import delivery
from yingji.registry.models import Contact
from yingji.supervision.notify import QueueNotifier


def test_reminder_queued_as_email(session: Session, session_factory: sessionmaker[Session], world: Any,
                                  smtp_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    assert world.units is not None
    unit = world.units["health"]
    session.add(Contact(name="张联络", unit_id=unit, division_code="371500", email="health@example.org"))
    session.flush()
    notifier = QueueNotifier(session)
    notifier.send(unit_id=unit, unit_name="市卫生健康委", subject="督办提醒：任务3", body="节点1将于 2026-12-10 到期")
    notifier.send(unit_id=None, unit_name="某单位", subject="督办提醒：任务4", body="逾期")
    ok, missing = notifier.queued
    assert (ok.status, ok.channel_kind, ok.recipient, ok.reason, ok.division_code) == (
        "pending", "email", "health@example.org", "reminder", "371500")
    assert missing.status == "no_contact"
    session.commit()

    host, port, sink = smtp_server
    monkeypatch.setenv("YINGJI_SMTP_HOST", host)  # no e-mail channel row: the environment settings
    monkeypatch.setenv("YINGJI_SMTP_PORT", str(port))
    assert delivery.deliver_pending(session_factory, now=datetime.now(UTC))["sent"] == 1
    assert sink.messages[0]["to"] == ["health@example.org"]
