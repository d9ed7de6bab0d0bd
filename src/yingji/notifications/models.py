"""Tables: channels (how to send), subscriptions (who wants which warnings), deliveries (the queue
and its log)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yingji.db.base import Base, JSONType, UTCDateTime, utcnow


class NotificationChannel(Base):
    """A way to send: ``email`` (SMTP), ``webhook`` (generic JSON), ``wecom``/``dingtalk`` (group
    robots), ``sms`` (an HTTP gateway). ``config`` holds the kind's settings."""

    __tablename__ = "notification_channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    config: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class NotificationSubscription(Base):
    """Who is told of which warnings: division (and below), source type, cause, level ≤ ``min_level``."""

    __tablename__ = "notification_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    division_code: Mapped[str] = mapped_column(ForeignKey("divisions.code"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    role: Mapped[str | None] = mapped_column(String(30), index=True)
    source_type: Mapped[str | None] = mapped_column(String(20))
    cause: Mapped[str | None] = mapped_column(String(120))
    min_level: Mapped[int] = mapped_column(Integer, default=4)
    kinds: Mapped[list[str]] = mapped_column(JSONType, default=list)
    channel_id: Mapped[int] = mapped_column(ForeignKey("notification_channels.id"), index=True)
    recipient: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class NotificationDelivery(Base):
    """One message to one recipient through one channel: queued, retried, then sent or failed."""

    __tablename__ = "notification_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    warning_id: Mapped[int | None] = mapped_column(Integer, index=True)
    change_kind: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(20))  # subscription | duty | reminder | direct
    subscription_id: Mapped[int | None] = mapped_column(Integer, index=True)
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("notification_channels.id", ondelete="SET NULL"))
    channel_kind: Mapped[str] = mapped_column(String(20))
    division_code: Mapped[str | None] = mapped_column(String(12), index=True)
    unit_id: Mapped[int | None] = mapped_column(Integer)
    recipient: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    status: Mapped[str] = mapped_column(String(20), index=True)  # pending | sent | failed | no_contact
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    log: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
