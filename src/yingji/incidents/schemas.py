"""Input and output models of the incidents domain (Pydantic v2). Inputs refuse unknown fields."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field, model_validator

from yingji.common.schemas import DivisionCode, Lat, Lon, Phone, ReadModel, StrictModel
from yingji.incidents.enums import (
    AssigneeType,
    Category,
    DispatchStatus,
    DutyLogKind,
    Level,
    PlanKind,
    PlanStatus,
    ReportChannel,
    ReportKind,
    ResourceType,
    Status,
)

MAX_INT = 2**31 - 1
Id = Annotated[int, Field(ge=1, le=MAX_INT)]
Count = Annotated[int, Field(ge=0, le=100_000_000, description="persons, ≥ 0")]
Text = Annotated[str, Field(min_length=1, max_length=8000)]
Short = Annotated[str, Field(min_length=1, max_length=200)]
TypeCode = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")]
LossWan = Annotated[float, Field(ge=0, le=1e9, allow_inf_nan=False, description="direct loss, 万元 (10⁴ yuan)")]


# ---- incidents ------------------------------------------------------------------------------


class _Figures(StrictModel):
    dead: Count = 0
    injured: Count = 0
    seriously_injured: Count = 0
    missing: Count = 0
    trapped: Count = 0
    direct_loss_wan: LossWan | None = None
    affected_people: Count | None = None


class IncidentCreate(_Figures):
    title: Short
    category: Category
    type: TypeCode
    description: str | None = Field(default=None, max_length=8000)
    division_code: DivisionCode
    lon: Lon
    lat: Lat
    address: str | None = Field(default=None, max_length=300)
    occurred_at: AwareDatetime
    reported_at: AwareDatetime | None = Field(
        default=None, description="when the duty office learnt of it; default now"
    )
    reporter_name: str | None = Field(default=None, max_length=100)
    reporter_phone: Phone | None = None
    reporter_unit_id: Id | None = None

    @model_validator(mode="after")
    def _order(self) -> IncidentCreate:
        if self.reported_at is not None and self.reported_at < self.occurred_at:
            raise ValueError("reported_at must not be before occurred_at")
        return self


class IncidentUpdate(StrictModel):
    """Facts only; status, level and response level have their own operations."""

    title: Short | None = None
    category: Category | None = None
    type: TypeCode | None = None
    description: str | None = Field(default=None, max_length=8000)
    lon: Lon | None = None
    lat: Lat | None = None
    address: str | None = Field(default=None, max_length=300)
    occurred_at: AwareDatetime | None = None
    reporter_name: str | None = Field(default=None, max_length=100)
    reporter_phone: Phone | None = None
    dead: Count | None = None
    injured: Count | None = None
    seriously_injured: Count | None = None
    missing: Count | None = None
    trapped: Count | None = None
    direct_loss_wan: LossWan | None = None
    affected_people: Count | None = None
    note: str | None = Field(default=None, max_length=2000, description="why (goes to the timeline)")


class LevelDecision(StrictModel):
    level: Level
    reason: str | None = Field(default=None, max_length=2000, description="required when overriding the suggestion")


class TransitionIn(StrictModel):
    to: Status
    reason: str | None = Field(default=None, max_length=2000)
    merged_into_id: Id | None = None


class NoteIn(StrictModel):
    kind: Literal["note", "decision"] = "note"
    text: Text


class IncidentRead(ReadModel):
    id: int
    title: str
    category: str
    type: str
    status: str
    description: str | None
    division_code: str
    lon: float
    lat: float
    address: str | None
    occurred_at: datetime
    reported_at: datetime
    reporter_name: str | None
    reporter_phone: str | None
    reporter_unit_id: int | None
    dead: int
    injured: int
    seriously_injured: int
    missing: int
    trapped: int
    direct_loss_wan: float | None
    affected_people: int | None
    suggested_level: str | None
    level_reasoning: dict[str, Any] | None
    level: str | None
    effective_level: str | None
    level_confirmed_at: datetime | None
    level_confirmed_by: str | None
    level_override_reason: str | None
    response_level: int | None
    merged_into_id: int | None
    closed_at: datetime | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    allowed_transitions: list[str]


class TimelineRead(ReadModel):
    id: int
    incident_id: int
    at: datetime
    actor_name: str
    kind: str
    summary: str
    data: dict[str, Any] | None


# ---- plans ----------------------------------------------------------------------------------


class PlanActionIn(StrictModel):
    unit_id: Id
    action: Annotated[str, Field(min_length=1, max_length=300)]
    deadline_minutes: Annotated[int, Field(ge=1, le=60 * 24 * 30)]


class PlanLevelIn(StrictModel):
    response_level: Annotated[int, Field(ge=1, le=4, description="一级 (1) is the highest response")]
    incident_levels: list[Level] = Field(default_factory=list, max_length=4,
                                         description="incident levels for which this response is suggested")
    criteria: Annotated[str, Field(min_length=1, max_length=2000, description="activation criteria (启动条件)")]
    actions: list[PlanActionIn] = Field(default_factory=list, max_length=100)


def _check_levels(levels: list[PlanLevelIn] | None) -> None:
    if levels is None:
        return
    seen = [lv.response_level for lv in levels]
    if len(seen) != len(set(seen)):
        raise ValueError("levels: each response level may appear once")
    claimed = [il for lv in levels for il in lv.incident_levels]
    if len(claimed) != len(set(claimed)):
        raise ValueError("levels: an incident level may be claimed by one response level only")


class PlanCreate(StrictModel):
    name: Short
    kind: PlanKind
    division_code: DivisionCode
    unit_id: Id | None = None
    incident_types: list[TypeCode] = Field(default_factory=list, max_length=60,
                                           description="types it applies to; empty = every type (master plans)")
    description: str | None = Field(default=None, max_length=8000)
    source: str | None = Field(default=None, max_length=300)
    levels: list[PlanLevelIn] = Field(min_length=1, max_length=4)

    @model_validator(mode="after")
    def _levels(self) -> PlanCreate:
        _check_levels(self.levels)
        return self


class PlanUpdate(StrictModel):
    name: Short | None = None
    status: PlanStatus | None = None
    incident_types: list[TypeCode] | None = Field(default=None, max_length=60)
    description: str | None = Field(default=None, max_length=8000)
    source: str | None = Field(default=None, max_length=300)
    levels: list[PlanLevelIn] | None = Field(default=None, min_length=1, max_length=4,
                                             description="replaces every level and action")

    @model_validator(mode="after")
    def _levels(self) -> PlanUpdate:
        _check_levels(self.levels)
        return self


class PlanActionRead(ReadModel):
    id: int
    position: int
    unit_id: int
    action: str
    deadline_minutes: int


class PlanLevelRead(ReadModel):
    id: int
    response_level: int
    incident_levels: list[str]
    criteria: str
    actions: list[PlanActionRead]


class PlanRead(ReadModel):
    id: int
    name: str
    kind: str
    status: str
    division_code: str
    unit_id: int | None
    incident_types: list[str]
    description: str | None
    source: str | None
    created_at: datetime
    updated_at: datetime
    levels: list[PlanLevelRead]


class PlanSuggestion(ReadModel):
    plan: PlanRead
    response_level: int | None
    reason: str


class ActivationIn(StrictModel):
    plan_id: Id
    response_level: Annotated[int, Field(ge=1, le=4)]
    reason: str | None = Field(default=None, max_length=2000)


class ActivationRead(ReadModel):
    id: int
    incident_id: int
    plan_id: int
    response_level: int
    activated_at: datetime
    activated_by: str
    reason: str | None
    task_ids: list[int] = Field(default_factory=list)


# ---- tasks ----------------------------------------------------------------------------------


class TaskCreate(StrictModel):
    title: Annotated[str, Field(min_length=1, max_length=300)]
    description: str | None = Field(default=None, max_length=8000)
    assignee_type: AssigneeType
    unit_id: Id | None = None
    team_id: Id | None = None
    user_id: Id | None = Field(default=None, description="the person (a platform user)")
    deadline: AwareDatetime | None = None
    deadline_minutes: Annotated[int, Field(ge=1, le=60 * 24 * 30)] | None = None

    @model_validator(mode="after")
    def _assignee(self) -> TaskCreate:
        need = {"unit": "unit_id", "team": "team_id", "person": "user_id"}[self.assignee_type.value]
        given = [f for f in ("unit_id", "team_id", "user_id") if getattr(self, f) is not None]
        if given != [need]:
            raise ValueError(f"an assignee_type {self.assignee_type.value} task needs exactly {need}")
        if self.deadline is not None and self.deadline_minutes is not None:
            raise ValueError("give deadline or deadline_minutes, not both")
        return self


class RejectIn(StrictModel):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class ProgressIn(StrictModel):
    progress: Annotated[int, Field(ge=0, le=100, description="percent")]
    note: str | None = Field(default=None, max_length=2000)


class DoneIn(StrictModel):
    note: str | None = Field(default=None, max_length=2000)


class CancelIn(StrictModel):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class TaskRead(ReadModel):
    id: int
    incident_id: int
    division_code: str
    title: str
    description: str | None
    assignee_type: str
    unit_id: int | None
    team_id: int | None
    assignee_user_id: int | None
    deadline: datetime | None
    status: str
    progress: int
    progress_note: str | None
    reject_reason: str | None
    accepted_at: datetime | None
    done_at: datetime | None
    activation_id: int | None
    plan_action_id: int | None
    overdue: bool
    created_by: str
    created_at: datetime
    updated_at: datetime


# ---- dispatch -------------------------------------------------------------------------------


class DispatchCreate(StrictModel):
    resource_type: ResourceType
    resource_id: Id
    note: str | None = Field(default=None, max_length=2000)


class DispatchStatusIn(StrictModel):
    status: DispatchStatus
    note: str | None = Field(default=None, max_length=2000)


class DispatchRead(ReadModel):
    id: int
    incident_id: int
    resource_type: str
    resource_id: int
    resource_name: str
    unit_id: int | None
    division_code: str
    resource_division_code: str | None
    status: str
    eta_s: float | None
    distance_m: float | None
    eta_method: str | None
    requested_at: datetime
    en_route_at: datetime | None
    on_scene_at: datetime | None
    released_at: datetime | None
    note: str | None
    created_by: str


# ---- reporting upward -----------------------------------------------------------------------


class ReportCreate(StrictModel):
    kind: ReportKind
    channel: ReportChannel
    recipient: Short
    content: Text
    submitted_at: AwareDatetime | None = Field(default=None, description="default now")


class ReportRead(ReadModel):
    id: int
    incident_id: int
    kind: str
    channel: str
    sequence: int
    submitted_at: datetime
    submitted_by: str
    recipient: str
    content: str
    figures: dict[str, Any]


# ---- duty and consultations -----------------------------------------------------------------


class ShiftCreate(StrictModel):
    division_code: DivisionCode
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    officer_name: Annotated[str, Field(min_length=1, max_length=100)]
    officer_user_id: Id | None = None
    leader_name: Annotated[str, Field(min_length=1, max_length=100)]
    leader_user_id: Id | None = None
    phone: Phone | None = None

    @model_validator(mode="after")
    def _order(self) -> ShiftCreate:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class ShiftUpdate(StrictModel):
    officer_name: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    officer_user_id: Id | None = None
    leader_name: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    leader_user_id: Id | None = None
    phone: Phone | None = None


class HandoverIn(StrictModel):
    notes: Text


class ShiftRead(ReadModel):
    id: int
    division_code: str
    starts_at: datetime
    ends_at: datetime
    officer_name: str
    officer_user_id: int | None
    leader_name: str
    leader_user_id: int | None
    phone: str | None
    handover_notes: str | None
    handed_over_at: datetime | None
    created_by: str


class OnDuty(ReadModel):
    at: datetime
    items: list[ShiftRead]


class DutyLogCreate(StrictModel):
    division_code: DivisionCode
    kind: DutyLogKind
    content: Text
    at: AwareDatetime | None = None
    incident_id: Id | None = None


class DutyLogRead(ReadModel):
    id: int
    division_code: str
    shift_id: int | None
    incident_id: int | None
    at: datetime
    kind: str
    content: str
    actor_name: str


class Participant(StrictModel):
    kind: Literal["expert", "unit", "person"]
    id: Id | None = None
    name: str | None = Field(default=None, max_length=100)
    role: str | None = Field(default=None, max_length=100, description="e.g. 主持, 专家组长")

    @model_validator(mode="after")
    def _ref(self) -> Participant:
        if self.kind in ("expert", "unit") and self.id is None:
            raise ValueError(f"a {self.kind} participant needs its id")
        if self.kind == "person" and not self.name:
            raise ValueError("a person participant needs a name")
        return self


class ConsultationCreate(StrictModel):
    title: Short
    held_at: AwareDatetime
    location: str | None = Field(default=None, max_length=200)
    participants: list[Participant] = Field(min_length=1, max_length=100)
    conclusions: str | None = Field(default=None, max_length=8000)


class ConsultationUpdate(StrictModel):
    title: Short | None = None
    location: str | None = Field(default=None, max_length=200)
    participants: list[Participant] | None = Field(default=None, min_length=1, max_length=100)
    conclusions: str | None = Field(default=None, max_length=8000)


class ConsultationRead(ReadModel):
    id: int
    incident_id: int
    title: str
    held_at: datetime
    location: str | None
    participants: list[dict[str, Any]]
    conclusions: str | None
    created_by: str
    created_at: datetime


class GradePreview(_Figures):
    """Figures to grade without storing anything (default: a work-safety accident)."""

    category: Category = Category.accident
    type: TypeCode = "work_safety"
