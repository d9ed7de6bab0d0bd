"""Monitoring tables: sensors and their readings ((sensor, ts) unique)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yingji.db.base import Base, JSONType, UTCDateTime, utcnow


class Sensor(Base):
    __tablename__ = "sensors"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40), index=True)
    unit: Mapped[str] = mapped_column(String(20))
    division_code: Mapped[str] = mapped_column(ForeignKey("divisions.code"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    hazard_source_id: Mapped[int | None] = mapped_column(ForeignKey("hazard_sources.id"), index=True)
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facilities.id"), index=True)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    silence_minutes: Mapped[int | None] = mapped_column(Integer)
    rules: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_reading_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_value: Mapped[float | None] = mapped_column(Float)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Reading(Base):
    """One reading. (sensor_id, ts) is unique: a resent reading is ignored, not duplicated."""

    __tablename__ = "readings"
    __table_args__ = (UniqueConstraint("sensor_id", "ts", name="uq_readings_sensor_ts"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    sensor_id: Mapped[int] = mapped_column(ForeignKey("sensors.id"))
    ts: Mapped[datetime] = mapped_column(UTCDateTime())
    value: Mapped[float] = mapped_column(Float)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
