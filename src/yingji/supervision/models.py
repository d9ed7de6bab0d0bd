"""Supervision tables: the action plan and its tasks, milestones, progress reports with evidence,
indicators with their value history, major projects, and the statistics indicators are computed from.

Every table is prefixed ``supervision_`` so that no other domain's names can collide with them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from yingji.db.base import Base, JSONType, UTCDateTime, utcnow
from yingji.registry.models import Timestamps


class ActionPlan(Timestamps, Base):
    """One action plan (行动计划) as loaded from its data file."""

    __tablename__ = "supervision_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    issuer: Mapped[str | None] = mapped_column(String(200))
    issued_on: Mapped[date | None] = mapped_column(Date)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    schedule_start: Mapped[date] = mapped_column(Date)
    division_code: Mapped[str] = mapped_column(String(12))
    overall_text: Mapped[str] = mapped_column(Text, default="")
    targets: Mapped[list[str]] = mapped_column(JSONType, default=list)
    sections: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    aliases: Mapped[dict[str, list[str]]] = mapped_column(JSONType, default=dict)
    annex_note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(300))
    file_sha256: Mapped[str] = mapped_column(String(64), default="")

    tasks: Mapped[list[ActionTask]] = relationship(
        back_populates="plan", order_by="ActionTask.number", cascade="all, delete-orphan"
    )


class ActionTask(Timestamps, Base):
    """A numbered task of the plan (1–41 in Liaocheng's), its text as written and its units."""

    __tablename__ = "supervision_tasks"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("supervision_plans.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    section: Mapped[str] = mapped_column(String(10))
    section_no: Mapped[int] = mapped_column(Integer, index=True)
    section_title: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    parts: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    lead_units: Mapped[list[str]] = mapped_column(JSONType, default=list)
    responsible_units: Mapped[list[str]] = mapped_column(JSONType, default=list)

    plan: Mapped[ActionPlan] = relationship(back_populates="tasks")
    units: Mapped[list[TaskUnit]] = relationship(
        back_populates="task", order_by="TaskUnit.position", cascade="all, delete-orphan"
    )
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="task", order_by="Milestone.seq", cascade="all, delete-orphan"
    )


class TaskUnit(Base):
    """A unit named by a task, as written, and the registry unit it resolved to (None: unmatched).

    A collective name (e.g. 各基础电信运营企业) may resolve, through the plan's aliases, to
    several units: one row each, all with the name as written.
    """

    __tablename__ = "supervision_task_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("supervision_tasks.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    task: Mapped[ActionTask] = relationship(back_populates="units")


class Milestone(Base):
    """A dated milestone of a task ("2021年年底前…" → 2021-12-31)."""

    __tablename__ = "supervision_milestones"
    __table_args__ = (UniqueConstraint("task_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("supervision_tasks.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)

    task: Mapped[ActionTask] = relationship(back_populates="milestones")


class ProgressReport(Timestamps, Base):
    """A unit's report on one task: percent complete, narrative, milestones achieved, evidence."""

    __tablename__ = "supervision_progress"
    __table_args__ = (Index("ix_supervision_progress_task_date", "task_id", "reported_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("supervision_tasks.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    reported_on: Mapped[date] = mapped_column(Date, index=True)
    percent: Mapped[int] = mapped_column(Integer)
    narrative: Mapped[str] = mapped_column(Text)
    milestones_done: Mapped[list[int]] = mapped_column(JSONType, default=list)
    status: Mapped[str] = mapped_column(String(20), default="submitted", index=True)
    reported_by: Mapped[str] = mapped_column(String(64))
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_note: Mapped[str | None] = mapped_column(Text)

    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="report", order_by="Evidence.id", cascade="all, delete-orphan"
    )


class Evidence(Base):
    """An uploaded file backing a progress report; the bytes live under the data directory by sha256."""

    __tablename__ = "supervision_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("supervision_progress.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    report: Mapped[ProgressReport] = relationship(back_populates="evidence")


class Indicator(Timestamps, Base):
    """A quantified target of the plan (指标): target, comparator, unit, and the plan's own words."""

    __tablename__ = "supervision_indicators"
    __table_args__ = (UniqueConstraint("plan_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("supervision_plans.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(80))
    seq: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(80))
    target: Mapped[float | None] = mapped_column(Float)
    comparator: Mapped[str] = mapped_column(String(20))
    unit: Mapped[str] = mapped_column(String(40), default="")
    source: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    overall: Mapped[bool] = mapped_column(Boolean, default=False)
    tasks: Mapped[list[int]] = mapped_column(JSONType, default=list)
    params: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    note: Mapped[str | None] = mapped_column(Text)


class IndicatorValue(Base):
    """One value of an indicator on a day: a computed snapshot (one per day, the day's latest) or a
    reported value (value, who, when, source). Never updated except a computed row on its own day."""

    __tablename__ = "supervision_indicator_values"
    __table_args__ = (Index("ix_supervision_indicator_values_ind_date", "indicator_id", "on_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("supervision_indicators.id", ondelete="CASCADE"), index=True
    )
    on_date: Mapped[date] = mapped_column(Date)
    origin: Mapped[str] = mapped_column(String(20))
    value: Mapped[float | None] = mapped_column(Float)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    source: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    recorded_by: Mapped[str] = mapped_column(String(64), default="system")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MajorProject(Timestamps, Base):
    """A major project of the plan's annex (重大项目), with its owners as written."""

    __tablename__ = "supervision_projects"
    __table_args__ = (UniqueConstraint("plan_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("supervision_plans.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    category_no: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300))
    owners: Mapped[list[str]] = mapped_column(JSONType, default=list)
    owner_unit_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    unmatched_owners: Mapped[list[str]] = mapped_column(JSONType, default=list)


class LossStatistic(Timestamps, Base):
    """Work-safety accidents or natural-disaster losses of one division over one period."""

    __tablename__ = "supervision_loss_stats"
    __table_args__ = (Index("ix_supervision_loss_stats_kind_div", "kind", "division_code", "period_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    division_code: Mapped[str] = mapped_column(ForeignKey("divisions.code"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    deaths: Mapped[int] = mapped_column(Integer, default=0)
    injuries: Mapped[int] = mapped_column(Integer, default=0)
    direct_loss_10k_yuan: Mapped[float] = mapped_column(Float, default=0.0)
    source: Mapped[str | None] = mapped_column(String(300))
    notes: Mapped[str | None] = mapped_column(Text)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"), index=True)
    created_by: Mapped[str] = mapped_column(String(64), default="system")


class GdpFigure(Timestamps, Base):
    """GDP of one division in one year, 亿元 (100 million yuan)."""

    __tablename__ = "supervision_gdp"
    __table_args__ = (UniqueConstraint("division_code", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    division_code: Mapped[str] = mapped_column(ForeignKey("divisions.code"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    gdp_100m_yuan: Mapped[float] = mapped_column(Float)
    source: Mapped[str | None] = mapped_column(String(300))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"), index=True)
    created_by: Mapped[str] = mapped_column(String(64), default="system")
