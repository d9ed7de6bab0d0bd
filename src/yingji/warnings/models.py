"""Warning tables: the warning (one active per source and cause) and its append-only history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yingji.db.base import Base, JSONType, UTCDateTime, utcnow


class EarlyWarning(Base):
    """A warning (预警). ``active_key`` = ``source_type:source_id:cause`` while active, NULL after:
    its UNIQUE constraint keeps one active warning per source and cause on every backend."""

    __tablename__ = "warnings"
    __table_args__ = (Index("ix_warnings_source", "source_type", "source_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_type: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[str] = mapped_column(String(120))
    cause: Mapped[str] = mapped_column(String(120))
    active_key: Mapped[str | None] = mapped_column(String(300), unique=True)
    origin: Mapped[str] = mapped_column(String(10), index=True)
    level: Mapped[int] = mapped_column(Integer, index=True)
    peak_level: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)
    cap_status: Mapped[str] = mapped_column(String(10), default="Actual")
    category: Mapped[str] = mapped_column(String(20), default="Other")
    event: Mapped[str] = mapped_column(String(200))
    headline: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    instruction: Mapped[str | None] = mapped_column(Text)
    division_code: Mapped[str] = mapped_column(ForeignKey("divisions.code"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    sensor_id: Mapped[int | None] = mapped_column(ForeignKey("sensors.id", ondelete="SET NULL"), index=True)
    hazard_source_id: Mapped[int | None] = mapped_column(
        ForeignKey("hazard_sources.id", ondelete="SET NULL"), index=True
    )
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    area: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    area_desc: Mapped[str] = mapped_column(String(300))
    geocodes: Mapped[list[str]] = mapped_column(JSONType, default=list)
    details: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    onset: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lifted_by: Mapped[str | None] = mapped_column(String(64))
    lift_reason: Mapped[str | None] = mapped_column(String(300))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(64), default="system")
    cap_sender: Mapped[str | None] = mapped_column(String(200))
    cap_identifier: Mapped[str | None] = mapped_column(String(200), index=True)
    cap_sent: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cap_xml: Mapped[str | None] = mapped_column(Text)


class WarningEvent(Base):
    """Append-only history: each raise, level change, update, acknowledgement, lift or expiry."""

    __tablename__ = "warning_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    warning_id: Mapped[int] = mapped_column(ForeignKey("warnings.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    kind: Mapped[str] = mapped_column(String(20))
    level_from: Mapped[int | None] = mapped_column(Integer)
    level_to: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(String(500))
