"""Pydantic in/out models of the supervision API (validation lives here)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import ConfigDict, Field

from yingji.common.schemas import DivisionCode, ReadModel, StrictModel
from yingji.supervision.enums import (
    Comparator,
    IndicatorKind,
    Light,
    LossKind,
    ReportStatus,
    TaskStatus,
    UnitRole,
)

Percent = Annotated[int, Field(ge=0, le=100, description="Percent complete, 0–100")]


class _In(StrictModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)


# ---- plan, tasks, milestones ------------------------------------------------------------------


class PlanRead(ReadModel):
    id: int
    code: str
    title: str
    issuer: str | None
    issued_on: date | None
    period_start: date
    period_end: date
    schedule_start: date
    division_code: str
    source: str | None
    overall_text: str
    targets: list[str]
    sections: list[dict[str, Any]]
    annex_note: str | None
    tasks: int = 0
    indicators: int = 0
    unmatched_units: list[str] = []


class LoadReport(ReadModel):
    plan_id: int
    code: str
    created: bool
    tasks_created: int
    tasks_updated: int
    indicators_created: int
    indicators_updated: int
    projects_created: int
    projects_updated: int
    matched_units: int
    unmatched_units: list[str] = Field(description="Names as written that match no registry unit")
    alias_targets_missing: list[str] = Field(
        description="Alias targets (name → unit name) not in the registry"
    )


class TaskUnitRead(ReadModel):
    role: UnitRole
    name: str
    unit_id: int | None


class MilestoneRead(ReadModel):
    seq: int
    due_on: date
    text: str
    source: str
    achieved_on: date | None = None
    overdue: bool = False


class TaskRead(ReadModel):
    id: int
    plan_id: int
    number: int
    section: str
    section_no: int
    section_title: str
    title: str
    lead_units: list[str]
    responsible_units: list[str]
    status: TaskStatus
    percent: int | None
    expected_percent: float
    deadline: date
    next_milestone: MilestoneRead | None = None
    last_report_on: date | None = None
    status_reason: str


class TaskDetail(TaskRead):
    text: str
    parts: list[dict[str, Any]]
    units: list[TaskUnitRead]
    milestones: list[MilestoneRead]
    reports: list[ProgressRead]
    indicators: list[str]


# ---- progress reports -------------------------------------------------------------------------


class ProgressCreate(_In):
    percent: Percent
    narrative: str = Field(min_length=1, max_length=10_000)
    reported_on: date | None = Field(
        default=None, description="The day the report speaks for (default today)"
    )
    milestones_done: list[int] = Field(default_factory=list, description="Milestone numbers (seq) achieved")
    unit_id: int | None = Field(
        default=None, description="Reporting unit; a department user reports for its own unit only"
    )


class ProgressUpdate(_In):
    percent: Percent | None = None
    narrative: str | None = Field(default=None, min_length=1, max_length=10_000)
    reported_on: date | None = None
    milestones_done: list[int] | None = None


class ReviewIn(_In):
    note: str | None = Field(default=None, max_length=2000)


class EvidenceRead(ReadModel):
    id: int
    report_id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    created_at: datetime


class ProgressRead(ReadModel):
    id: int
    task_id: int
    task_number: int | None = None
    unit_id: int
    unit_name: str | None = None
    reported_on: date
    percent: int
    narrative: str
    milestones_done: list[int]
    status: ReportStatus
    reported_by: str
    reviewed_by: str | None
    reviewed_at: datetime | None
    review_note: str | None
    created_at: datetime
    evidence: list[EvidenceRead] = []


# ---- indicators -------------------------------------------------------------------------------


class HistoryPoint(ReadModel):
    on_date: date
    value: float | None
    origin: str
    recorded_by: str
    source: str | None = None


class IndicatorRead(ReadModel):
    key: str
    name: str
    name_en: str | None
    kind: IndicatorKind
    method: str
    target: float | None
    comparator: Comparator
    comparator_label: str
    unit: str
    source: str
    due_on: date
    overall: bool
    tasks: list[int]
    as_of: date
    value: float | None
    value_on: date | None = Field(
        description="Day of the value shown (a snapshot or report), or as_of if live"
    )
    baseline: float | None = None
    met: bool | None
    light: Light
    available: bool
    reason: str | None = Field(description="Why there is no value, or how it was obtained")
    detail: dict[str, Any] = {}
    reported: dict[str, Any] | None = None
    trend: list[HistoryPoint] = []
    direction: str | None = None
    note: str | None = None


class IndicatorValueIn(_In):
    value: float = Field(description="In the indicator's unit")
    on_date: date | None = Field(default=None, description="The day the value speaks for (default today)")
    source: str = Field(min_length=1, max_length=2000, description="Where the figure comes from")
    note: str | None = Field(default=None, max_length=2000)
    unit_id: int | None = Field(default=None, description="Reporting unit (a department: its own)")


class SnapshotReport(ReadModel):
    on_date: date
    recorded: int
    skipped: list[str]


# ---- statistics -------------------------------------------------------------------------------


class LossStatCreate(_In):
    kind: LossKind
    division_code: DivisionCode
    period_start: date
    period_end: date
    deaths: int = Field(default=0, ge=0, le=1_000_000)
    injuries: int = Field(default=0, ge=0, le=10_000_000)
    direct_loss_10k_yuan: float = Field(default=0.0, ge=0, description="Direct economic loss, 万元")
    source: str | None = Field(default=None, max_length=300)
    notes: str | None = Field(default=None, max_length=5000)


class LossStatUpdate(_In):
    period_start: date | None = None
    period_end: date | None = None
    deaths: int | None = Field(default=None, ge=0, le=1_000_000)
    injuries: int | None = Field(default=None, ge=0, le=10_000_000)
    direct_loss_10k_yuan: float | None = Field(default=None, ge=0)
    source: str | None = Field(default=None, max_length=300)
    notes: str | None = Field(default=None, max_length=5000)


class LossStatRead(ReadModel):
    id: int
    kind: LossKind
    division_code: str
    period_start: date
    period_end: date
    deaths: int
    injuries: int
    direct_loss_10k_yuan: float
    source: str | None
    notes: str | None
    unit_id: int | None
    created_by: str
    created_at: datetime
    updated_at: datetime


class GdpCreate(_In):
    division_code: DivisionCode
    year: int = Field(ge=1949, le=2100)
    gdp_100m_yuan: float = Field(gt=0, description="GDP in 亿元 (100 million yuan); must be positive")
    source: str | None = Field(default=None, max_length=300)


class GdpUpdate(_In):
    gdp_100m_yuan: float | None = Field(default=None, gt=0, description="亿元; must be positive")
    source: str | None = Field(default=None, max_length=300)


class GdpRead(ReadModel):
    id: int
    division_code: str
    year: int
    gdp_100m_yuan: float
    source: str | None
    unit_id: int | None
    created_by: str
    created_at: datetime
    updated_at: datetime


class ProjectRead(ReadModel):
    id: int
    seq: int
    category_no: str
    category: str
    name: str
    owners: list[str]
    owner_unit_ids: list[int]
    unmatched_owners: list[str]


TaskDetail.model_rebuild()
