"""Risk tables: hazard sources and their risk assessments (history)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yingji.db.base import Base, JSONType, UTCDateTime, utcnow


class HazardSource(Base):
    """A hazard source (危险源): point location, optional polygon or line, substances, grade, colour."""

    __tablename__ = "hazard_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(30), default="in_operation", index=True)
    division_code: Mapped[str] = mapped_column(ForeignKey("divisions.code"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facilities.id"), index=True)
    contact_name: Mapped[str | None] = mapped_column(String(100))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(300))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    geometry: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    substances: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    major_hazard_grade: Mapped[int | None] = mapped_column(Integer, index=True)
    risk_colour: Mapped[str | None] = mapped_column(String(10), index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class RiskAssessment(Base):
    """One assessment of a hazard source (append-only history; the latest sets the colour)."""

    __tablename__ = "risk_assessments"
    __table_args__ = (Index("ix_risk_assessments_source_date", "hazard_source_id", "assessed_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_source_id: Mapped[int] = mapped_column(ForeignKey("hazard_sources.id", ondelete="CASCADE"))
    assessed_on: Mapped[date] = mapped_column(Date)
    likelihood: Mapped[int] = mapped_column(Integer)
    consequence: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)
    colour: Mapped[str] = mapped_column(String(10))
    method: Mapped[str] = mapped_column(String(40), default="LS")
    assessor: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64), default="system")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
