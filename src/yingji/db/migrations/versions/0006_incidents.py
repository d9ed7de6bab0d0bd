"""incidents: incidents, append-only timeline, plans, tasks, dispatches, reports upward, duty, consultations

Revision ID: 0006
Revises: 0002
Create Date: 2026-12-04 16:40:00

The incidents domain's own Alembic branch (label ``incidents``). Only the tables of
``yingji.incidents.models``. ``incident_timeline`` is append-only: triggers refuse UPDATE and
DELETE, as for the audit log (0001). ``dispatches`` carries a partial unique index
(resource_type, resource_id) WHERE status is active, so that a resource is committed to at most
one incident at a time on both SQLite and PostgreSQL.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import yingji.db.base

revision: str = "0006"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = ("incidents",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("occurred_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reported_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reporter_name", sa.String(length=100), nullable=True),
        sa.Column("reporter_phone", sa.String(length=40), nullable=True),
        sa.Column("reporter_unit_id", sa.Integer(), nullable=True),
        sa.Column("dead", sa.Integer(), nullable=False),
        sa.Column("injured", sa.Integer(), nullable=False),
        sa.Column("seriously_injured", sa.Integer(), nullable=False),
        sa.Column("missing", sa.Integer(), nullable=False),
        sa.Column("trapped", sa.Integer(), nullable=False),
        sa.Column("direct_loss_wan", sa.Float(), nullable=True),
        sa.Column("affected_people", sa.Integer(), nullable=True),
        sa.Column("suggested_level", sa.String(length=4), nullable=True),
        sa.Column(
            "level_reasoning",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("level", sa.String(length=4), nullable=True),
        sa.Column("level_confirmed_at", yingji.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("level_confirmed_by", sa.String(length=64), nullable=True),
        sa.Column("level_override_reason", sa.Text(), nullable=True),
        sa.Column("response_level", sa.Integer(), nullable=True),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", yingji.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "affected_people IS NULL OR affected_people >= 0", name=op.f("ck_incidents_affected_non_negative")
        ),
        sa.CheckConstraint(
            "dead >= 0 AND injured >= 0 AND seriously_injured >= 0 AND missing >= 0 AND trapped >= 0",
            name=op.f("ck_incidents_casualties_non_negative"),
        ),
        sa.CheckConstraint(
            "direct_loss_wan IS NULL OR direct_loss_wan >= 0", name=op.f("ck_incidents_loss_non_negative")
        ),
        sa.CheckConstraint(
            "response_level IS NULL OR response_level BETWEEN 1 AND 4", name=op.f("ck_incidents_response_level")
        ),
        sa.ForeignKeyConstraint(
            ["division_code"], ["divisions.code"], name=op.f("fk_incidents_division_code_divisions")
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"], ["incidents.id"], name=op.f("fk_incidents_merged_into_id_incidents")
        ),
        sa.ForeignKeyConstraint(["reporter_unit_id"], ["units.id"], name=op.f("fk_incidents_reporter_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incidents_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_incidents_division_code"), ["division_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_incidents_level"), ["level"], unique=False)
        batch_op.create_index(batch_op.f("ix_incidents_occurred_at"), ["occurred_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_incidents_reporter_unit_id"), ["reporter_unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incidents_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_incidents_type"), ["type"], unique=False)

    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column(
            "incident_types",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=300), nullable=True),
        sa.Column("created_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["division_code"], ["divisions.code"], name=op.f("fk_plans_division_code_divisions")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_plans_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
        sa.UniqueConstraint("name", name=op.f("uq_plans_name")),
    )
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plans_division_code"), ["division_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_plans_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_plans_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "consultations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("held_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column(
            "participants",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("conclusions", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"], name=op.f("fk_consultations_incident_id_incidents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultations")),
    )
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consultations_incident_id"), ["incident_id"], unique=False)

    op.create_table(
        "dispatches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("resource_type", sa.String(length=10), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("resource_name", sa.String(length=200), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("resource_division_code", sa.String(length=12), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("eta_s", sa.Float(), nullable=True),
        sa.Column("distance_m", sa.Float(), nullable=True),
        sa.Column("eta_method", sa.String(length=20), nullable=True),
        sa.Column("requested_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("en_route_at", yingji.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("on_scene_at", yingji.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("released_at", yingji.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"], name=op.f("fk_dispatches_incident_id_incidents")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_dispatches_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispatches")),
    )
    with op.batch_alter_table("dispatches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dispatches_division_code"), ["division_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_dispatches_incident_id"), ["incident_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_dispatches_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_dispatches_unit_id"), ["unit_id"], unique=False)
        batch_op.create_index(
            "uq_dispatches_active_resource",
            ["resource_type", "resource_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('requested', 'en_route', 'on_scene')"),
            postgresql_where=sa.text("status IN ('requested', 'en_route', 'on_scene')"),
        )

    op.create_table(
        "duty_shifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("starts_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("officer_name", sa.String(length=100), nullable=False),
        sa.Column("officer_user_id", sa.Integer(), nullable=True),
        sa.Column("leader_name", sa.String(length=100), nullable=False),
        sa.Column("leader_user_id", sa.Integer(), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("handover_notes", sa.Text(), nullable=True),
        sa.Column("handed_over_at", yingji.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_duty_shifts_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["division_code"], ["divisions.code"], name=op.f("fk_duty_shifts_division_code_divisions")
        ),
        sa.ForeignKeyConstraint(["leader_user_id"], ["users.id"], name=op.f("fk_duty_shifts_leader_user_id_users")),
        sa.ForeignKeyConstraint(["officer_user_id"], ["users.id"], name=op.f("fk_duty_shifts_officer_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_shifts")),
    )
    with op.batch_alter_table("duty_shifts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_duty_shifts_division_code"), ["division_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_duty_shifts_ends_at"), ["ends_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_duty_shifts_starts_at"), ["starts_at"], unique=False)

    op.create_table(
        "incident_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("submitted_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_by", sa.String(length=64), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column(
            "figures", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("created_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_incident_reports_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_reports")),
    )
    with op.batch_alter_table("incident_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_reports_incident_id"), ["incident_id"], unique=False)

    op.create_table(
        "incident_timeline",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_incident_timeline_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_timeline")),
    )
    with op.batch_alter_table("incident_timeline", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_timeline_incident_id"), ["incident_id"], unique=False)

    op.create_table(
        "plan_activations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("response_level", sa.Integer(), nullable=False),
        sa.Column("activated_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("activated_by", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_plan_activations_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name=op.f("fk_plan_activations_plan_id_plans")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_activations")),
        sa.UniqueConstraint("incident_id", "plan_id", "response_level", name="uq_plan_activations_once"),
    )
    with op.batch_alter_table("plan_activations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_activations_incident_id"), ["incident_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_activations_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "plan_levels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("response_level", sa.Integer(), nullable=False),
        sa.Column(
            "incident_levels",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("criteria", sa.Text(), nullable=False),
        sa.CheckConstraint("response_level BETWEEN 1 AND 4", name=op.f("ck_plan_levels_response_level")),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name=op.f("fk_plan_levels_plan_id_plans")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_levels")),
        sa.UniqueConstraint("plan_id", "response_level", name="uq_plan_levels_plan_level"),
    )
    with op.batch_alter_table("plan_levels", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_levels_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "duty_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=True),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("actor_name", sa.String(length=64), nullable=False),
        sa.Column("created_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["division_code"], ["divisions.code"], name=op.f("fk_duty_log_division_code_divisions")
        ),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"], name=op.f("fk_duty_log_incident_id_incidents")),
        sa.ForeignKeyConstraint(["shift_id"], ["duty_shifts.id"], name=op.f("fk_duty_log_shift_id_duty_shifts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_log")),
    )
    with op.batch_alter_table("duty_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_duty_log_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_duty_log_division_code"), ["division_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_duty_log_incident_id"), ["incident_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_duty_log_shift_id"), ["shift_id"], unique=False)

    op.create_table(
        "plan_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_level_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=300), nullable=False),
        sa.Column("deadline_minutes", sa.Integer(), nullable=False),
        sa.CheckConstraint("deadline_minutes > 0", name=op.f("ck_plan_actions_deadline_positive")),
        sa.ForeignKeyConstraint(
            ["plan_level_id"], ["plan_levels.id"], name=op.f("fk_plan_actions_plan_level_id_plan_levels")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_plan_actions_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_actions")),
    )
    with op.batch_alter_table("plan_actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_actions_plan_level_id"), ["plan_level_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_actions_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "incident_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("assignee_type", sa.String(length=10), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("assignee_user_id", sa.Integer(), nullable=True),
        sa.Column("deadline", yingji.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("progress_note", sa.Text(), nullable=True),
        sa.Column("reject_reason", sa.Text(), nullable=True),
        sa.Column("accepted_at", yingji.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("done_at", yingji.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("activation_id", sa.Integer(), nullable=True),
        sa.Column("plan_action_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name=op.f("ck_incident_tasks_progress_percent")),
        sa.ForeignKeyConstraint(
            ["activation_id"], ["plan_activations.id"], name=op.f("fk_incident_tasks_activation_id_plan_activations")
        ),
        sa.ForeignKeyConstraint(
            ["assignee_user_id"], ["users.id"], name=op.f("fk_incident_tasks_assignee_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_incident_tasks_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["plan_action_id"], ["plan_actions.id"], name=op.f("fk_incident_tasks_plan_action_id_plan_actions")
        ),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_incident_tasks_team_id_teams")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_incident_tasks_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_tasks")),
    )
    with op.batch_alter_table("incident_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_tasks_activation_id"), ["activation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incident_tasks_assignee_user_id"), ["assignee_user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incident_tasks_deadline"), ["deadline"], unique=False)
        batch_op.create_index(batch_op.f("ix_incident_tasks_division_code"), ["division_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_incident_tasks_incident_id"), ["incident_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incident_tasks_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_incident_tasks_team_id"), ["team_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incident_tasks_unit_id"), ["unit_id"], unique=False)

    _timeline_append_only()


def _timeline_append_only() -> None:
    """The incident timeline is append-only: the database itself refuses UPDATE and DELETE."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION incident_timeline_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'incident_timeline is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER incident_timeline_no_change BEFORE UPDATE OR DELETE ON incident_timeline "
            "FOR EACH ROW EXECUTE FUNCTION incident_timeline_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER incident_timeline_no_{verb.lower()} BEFORE {verb} ON incident_timeline "
                "BEGIN SELECT RAISE(ABORT, 'incident_timeline is append-only'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS incident_timeline_no_change ON incident_timeline")
        op.execute("DROP FUNCTION IF EXISTS incident_timeline_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS incident_timeline_no_update")
        op.execute("DROP TRIGGER IF EXISTS incident_timeline_no_delete")

    with op.batch_alter_table("incident_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_tasks_unit_id"))
        batch_op.drop_index(batch_op.f("ix_incident_tasks_team_id"))
        batch_op.drop_index(batch_op.f("ix_incident_tasks_status"))
        batch_op.drop_index(batch_op.f("ix_incident_tasks_incident_id"))
        batch_op.drop_index(batch_op.f("ix_incident_tasks_division_code"))
        batch_op.drop_index(batch_op.f("ix_incident_tasks_deadline"))
        batch_op.drop_index(batch_op.f("ix_incident_tasks_assignee_user_id"))
        batch_op.drop_index(batch_op.f("ix_incident_tasks_activation_id"))

    op.drop_table("incident_tasks")
    with op.batch_alter_table("plan_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_actions_unit_id"))
        batch_op.drop_index(batch_op.f("ix_plan_actions_plan_level_id"))

    op.drop_table("plan_actions")
    with op.batch_alter_table("duty_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_duty_log_shift_id"))
        batch_op.drop_index(batch_op.f("ix_duty_log_incident_id"))
        batch_op.drop_index(batch_op.f("ix_duty_log_division_code"))
        batch_op.drop_index(batch_op.f("ix_duty_log_at"))

    op.drop_table("duty_log")
    with op.batch_alter_table("plan_levels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_levels_plan_id"))

    op.drop_table("plan_levels")
    with op.batch_alter_table("plan_activations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_activations_plan_id"))
        batch_op.drop_index(batch_op.f("ix_plan_activations_incident_id"))

    op.drop_table("plan_activations")
    with op.batch_alter_table("incident_timeline", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_timeline_incident_id"))

    op.drop_table("incident_timeline")
    with op.batch_alter_table("incident_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_reports_incident_id"))

    op.drop_table("incident_reports")
    with op.batch_alter_table("duty_shifts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_duty_shifts_starts_at"))
        batch_op.drop_index(batch_op.f("ix_duty_shifts_ends_at"))
        batch_op.drop_index(batch_op.f("ix_duty_shifts_division_code"))

    op.drop_table("duty_shifts")
    with op.batch_alter_table("dispatches", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_dispatches_active_resource",
            sqlite_where=sa.text("status IN ('requested', 'en_route', 'on_scene')"),
            postgresql_where=sa.text("status IN ('requested', 'en_route', 'on_scene')"),
        )
        batch_op.drop_index(batch_op.f("ix_dispatches_unit_id"))
        batch_op.drop_index(batch_op.f("ix_dispatches_status"))
        batch_op.drop_index(batch_op.f("ix_dispatches_incident_id"))
        batch_op.drop_index(batch_op.f("ix_dispatches_division_code"))

    op.drop_table("dispatches")
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultations_incident_id"))

    op.drop_table("consultations")
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plans_unit_id"))
        batch_op.drop_index(batch_op.f("ix_plans_kind"))
        batch_op.drop_index(batch_op.f("ix_plans_division_code"))

    op.drop_table("plans")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incidents_type"))
        batch_op.drop_index(batch_op.f("ix_incidents_status"))
        batch_op.drop_index(batch_op.f("ix_incidents_reporter_unit_id"))
        batch_op.drop_index(batch_op.f("ix_incidents_occurred_at"))
        batch_op.drop_index(batch_op.f("ix_incidents_level"))
        batch_op.drop_index(batch_op.f("ix_incidents_division_code"))
        batch_op.drop_index(batch_op.f("ix_incidents_category"))

    op.drop_table("incidents")
