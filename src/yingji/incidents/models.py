"""Tables of the incidents domain (migration ``0006_incidents``, branch ``incidents``).

``incident_timeline`` is append-only: database triggers refuse UPDATE and DELETE, as for the
audit log. ``dispatches`` has a partial unique index so that a resource is committed to at most
one incident at a time, whatever the number of concurrent requests.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from yingji.db.base import Base, JSONType, UTCDateTime, utcnow
from yingji.incidents.enums import TASK_OPEN, TRANSITIONS, Status

ACTIVE_DISPATCH_SQL = "status IN ('requested', 'en_route', 'on_scene')"


class _Stamped:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Incident(_Stamped, Base):
    """A 突发事件: what happened, where, how bad, and where it stands in its lifecycle."""

    __tablename__ = "incidents"
    __table_args__ = (
        CheckConstraint(
            "dead >= 0 AND injured >= 0 AND seriously_injured >= 0 AND missing >= 0 AND trapped >= 0",
            name="casualties_non_negative",
        ),
        CheckConstraint("direct_loss_wan IS NULL OR direct_loss_wan >= 0", name="loss_non_negative"),
        CheckConstraint("affected_people IS NULL OR affected_people >= 0", name="affected_non_negative"),
        CheckConstraint("response_level IS NULL OR response_level BETWEEN 1 AND 4", name="response_level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(30), index=True)
    type: Mapped[str] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(20), default="reported", index=True)
    description: Mapped[str | None] = mapped_column(Text)
    division_code: Mapped[str] = mapped_column(ForeignKey("divisions.code"), index=True)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    address: Mapped[str | None] = mapped_column(String(300))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reporter_name: Mapped[str | None] = mapped_column(String(100))
    reporter_phone: Mapped[str | None] = mapped_column(String(40))
    reporter_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    dead: Mapped[int] = mapped_column(Integer, default=0)
    injured: Mapped[int] = mapped_column(Integer, default=0)
    seriously_injured: Mapped[int] = mapped_column(Integer, default=0)
    missing: Mapped[int] = mapped_column(Integer, default=0)
    trapped: Mapped[int] = mapped_column(Integer, default=0)
    direct_loss_wan: Mapped[float | None] = mapped_column(Float)
    affected_people: Mapped[int | None] = mapped_column(Integer)
    suggested_level: Mapped[str | None] = mapped_column(String(4))
    level_reasoning: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    level: Mapped[str | None] = mapped_column(String(4), index=True)
    level_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    level_confirmed_by: Mapped[str | None] = mapped_column(String(64))
    level_override_reason: Mapped[str | None] = mapped_column(Text)
    response_level: Mapped[int | None] = mapped_column(Integer)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))

    @property
    def effective_level(self) -> str | None:
        """The confirmed level, else the system's suggestion."""
        return self.level or self.suggested_level

    @property
    def allowed_transitions(self) -> list[str]:
        return [s.value for s in TRANSITIONS[Status(self.status)]]


class TimelineEntry(Base):
    """One line of an incident's append-only timeline (database triggers refuse UPDATE and DELETE)."""

    __tablename__ = "incident_timeline"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSONType)


class Plan(_Stamped, Base):
    """An emergency plan (应急预案), minimal: what it applies to and what each response level does."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(20), default="active")
    division_code: Mapped[str] = mapped_column(ForeignKey("divisions.code"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    incident_types: Mapped[list[str]] = mapped_column(JSONType, default=list)
    description: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(300))

    levels: Mapped[list[PlanLevel]] = relationship(
        order_by="PlanLevel.response_level", cascade="all, delete-orphan", lazy="selectin"
    )


class PlanLevel(Base):
    """A response level (一级…四级) of a plan with its activation criteria."""

    __tablename__ = "plan_levels"
    __table_args__ = (
        UniqueConstraint("plan_id", "response_level", name="uq_plan_levels_plan_level"),
        CheckConstraint("response_level BETWEEN 1 AND 4", name="response_level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    response_level: Mapped[int] = mapped_column(Integer)
    incident_levels: Mapped[list[str]] = mapped_column(JSONType, default=list)
    criteria: Mapped[str] = mapped_column(Text)

    actions: Mapped[list[PlanAction]] = relationship(
        order_by="PlanAction.position", cascade="all, delete-orphan", lazy="selectin"
    )


class PlanAction(Base):
    """What a unit must do, within how many minutes, when its plan level is activated."""

    __tablename__ = "plan_actions"
    __table_args__ = (CheckConstraint("deadline_minutes > 0", name="deadline_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_level_id: Mapped[int] = mapped_column(ForeignKey("plan_levels.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    action: Mapped[str] = mapped_column(String(300))
    deadline_minutes: Mapped[int] = mapped_column(Integer)


class PlanActivation(Base):
    __tablename__ = "plan_activations"
    __table_args__ = (
        UniqueConstraint("incident_id", "plan_id", "response_level", name="uq_plan_activations_once"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    response_level: Mapped[int] = mapped_column(Integer)
    activated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    activated_by: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)


class Task(_Stamped, Base):
    """A task of an incident, assigned to a unit, a team or a person, with a deadline."""

    __tablename__ = "incident_tasks"
    __table_args__ = (CheckConstraint("progress BETWEEN 0 AND 100", name="progress_percent"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    division_code: Mapped[str] = mapped_column(String(12), index=True)
    """The incident's division (copied: an incident never changes division), for scoping and boards."""
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    assignee_type: Mapped[str] = mapped_column(String(10))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    assignee_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    status: Mapped[str] = mapped_column(String(20), default="assigned", index=True)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    progress_note: Mapped[str | None] = mapped_column(Text)
    reject_reason: Mapped[str | None] = mapped_column(Text)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    activation_id: Mapped[int | None] = mapped_column(ForeignKey("plan_activations.id"), index=True)
    plan_action_id: Mapped[int | None] = mapped_column(ForeignKey("plan_actions.id"))
    created_by: Mapped[str] = mapped_column(String(64))

    @property
    def overdue(self) -> bool:
        return self.deadline is not None and self.status in TASK_OPEN and self.deadline < utcnow()


class Dispatch(_Stamped, Base):
    """A resource (team, vehicle, expert) committed to an incident: requested → en_route → on_scene → released."""

    __tablename__ = "dispatches"
    __table_args__ = (
        Index(
            "uq_dispatches_active_resource",
            "resource_type",
            "resource_id",
            unique=True,
            sqlite_where=text(ACTIVE_DISPATCH_SQL),
            postgresql_where=text(ACTIVE_DISPATCH_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    resource_type: Mapped[str] = mapped_column(String(10))
    resource_id: Mapped[int] = mapped_column(Integer)
    resource_name: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    division_code: Mapped[str] = mapped_column(String(12), index=True)
    """The incident's division (the dispatch belongs to the incident)."""
    resource_division_code: Mapped[str | None] = mapped_column(String(12))
    """Where the resource is based (its registry division)."""
    status: Mapped[str] = mapped_column(String(12), default="requested", index=True)
    eta_s: Mapped[float | None] = mapped_column(Float)
    distance_m: Mapped[float | None] = mapped_column(Float)
    eta_method: Mapped[str | None] = mapped_column(String(20))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    en_route_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    on_scene_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))


class IncidentReport(Base):
    """A report sent upward (首报/续报/终报), by phone or in writing."""

    __tablename__ = "incident_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    channel: Mapped[str] = mapped_column(String(10))
    sequence: Mapped[int] = mapped_column(Integer, default=1)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_by: Mapped[str] = mapped_column(String(64))
    recipient: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    figures: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DutyShift(_Stamped, Base):
    """A duty shift (值班) of a division's duty room: officer, leader, handover notes."""

    __tablename__ = "duty_shifts"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    division_code: Mapped[str] = mapped_column(ForeignKey("divisions.code"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    officer_name: Mapped[str] = mapped_column(String(100))
    officer_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    leader_name: Mapped[str] = mapped_column(String(100))
    leader_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    phone: Mapped[str | None] = mapped_column(String(40))
    handover_notes: Mapped[str | None] = mapped_column(Text)
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))


class DutyLogEntry(Base):
    """A line of the duty log (值班日志)."""

    __tablename__ = "duty_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    division_code: Mapped[str] = mapped_column(ForeignKey("divisions.code"), index=True)
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("duty_shifts.id"), index=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    content: Mapped[str] = mapped_column(Text)
    actor_name: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Consultation(_Stamped, Base):
    """A consultation (会商研判): participants (experts, units, persons), time, conclusions."""

    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    held_at: Mapped[datetime] = mapped_column(UTCDateTime())
    location: Mapped[str | None] = mapped_column(String(200))
    participants: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    conclusions: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
