"""supervision: action plans, tasks, milestones, progress reports and evidence, indicators and their
values, major projects, accident/disaster statistics and GDP

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 17:00:00

Only the supervision domain's tables (all prefixed ``supervision_``), on its own branch.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import yingji.db.base

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = ("supervision",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "supervision_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("issuer", sa.String(length=200), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("schedule_start", sa.Date(), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("overall_text", sa.Text(), nullable=False),
        sa.Column(
            "targets",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "sections",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "aliases",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("annex_note", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=300), nullable=True),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_plans")),
        sa.UniqueConstraint("code", name=op.f("uq_supervision_plans_code")),
    )
    op.create_table(
        "supervision_indicators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=True),
        sa.Column("method", sa.String(length=80), nullable=False),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("comparator", sa.String(length=20), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("overall", sa.Boolean(), nullable=False),
        sa.Column(
            "tasks",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "params",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["supervision_plans.id"],
            name=op.f("fk_supervision_indicators_plan_id_supervision_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_indicators")),
        sa.UniqueConstraint("plan_id", "key", name=op.f("uq_supervision_indicators_plan_id")),
    )
    with op.batch_alter_table("supervision_indicators", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supervision_indicators_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "supervision_projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("category_no", sa.String(length=10), nullable=False),
        sa.Column("category", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column(
            "owners",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "owner_unit_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "unmatched_owners",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["supervision_plans.id"],
            name=op.f("fk_supervision_projects_plan_id_supervision_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_projects")),
        sa.UniqueConstraint("plan_id", "seq", name=op.f("uq_supervision_projects_plan_id")),
    )
    with op.batch_alter_table("supervision_projects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supervision_projects_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "supervision_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=10), nullable=False),
        sa.Column("section_no", sa.Integer(), nullable=False),
        sa.Column("section_title", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "parts",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "lead_units",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "responsible_units",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["supervision_plans.id"],
            name=op.f("fk_supervision_tasks_plan_id_supervision_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_tasks")),
        sa.UniqueConstraint("plan_id", "number", name=op.f("uq_supervision_tasks_plan_id")),
    )
    with op.batch_alter_table("supervision_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supervision_tasks_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_supervision_tasks_section_no"), ["section_no"], unique=False)

    op.create_table(
        "supervision_gdp",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("gdp_100m_yuan", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["division_code"], ["divisions.code"], name=op.f("fk_supervision_gdp_division_code_divisions")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_supervision_gdp_unit_id_units"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_gdp")),
        sa.UniqueConstraint("division_code", "year", name=op.f("uq_supervision_gdp_division_code")),
    )
    with op.batch_alter_table("supervision_gdp", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supervision_gdp_division_code"), ["division_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_supervision_gdp_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "supervision_indicator_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column(
            "detail",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["supervision_indicators.id"],
            name=op.f("fk_supervision_indicator_values_indicator_id_supervision_indicators"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_supervision_indicator_values_unit_id_units"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_indicator_values")),
    )
    with op.batch_alter_table("supervision_indicator_values", schema=None) as batch_op:
        batch_op.create_index(
            "ix_supervision_indicator_values_ind_date", ["indicator_id", "on_date"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_supervision_indicator_values_indicator_id"), ["indicator_id"], unique=False
        )

    op.create_table(
        "supervision_loss_stats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("deaths", sa.Integer(), nullable=False),
        sa.Column("injuries", sa.Integer(), nullable=False),
        sa.Column("direct_loss_10k_yuan", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["division_code"],
            ["divisions.code"],
            name=op.f("fk_supervision_loss_stats_division_code_divisions"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_supervision_loss_stats_unit_id_units"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_loss_stats")),
    )
    with op.batch_alter_table("supervision_loss_stats", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_supervision_loss_stats_division_code"), ["division_code"], unique=False
        )
        batch_op.create_index(
            "ix_supervision_loss_stats_kind_div", ["kind", "division_code", "period_start"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_supervision_loss_stats_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "supervision_milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["supervision_tasks.id"],
            name=op.f("fk_supervision_milestones_task_id_supervision_tasks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_milestones")),
        sa.UniqueConstraint("task_id", "seq", name=op.f("uq_supervision_milestones_task_id")),
    )
    with op.batch_alter_table("supervision_milestones", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supervision_milestones_due_on"), ["due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_supervision_milestones_task_id"), ["task_id"], unique=False)

    op.create_table(
        "supervision_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column(
            "milestones_done",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reported_by", sa.String(length=64), nullable=False),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.Column("reviewed_at", yingji.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column("created_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["supervision_tasks.id"],
            name=op.f("fk_supervision_progress_task_id_supervision_tasks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_supervision_progress_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_progress")),
    )
    with op.batch_alter_table("supervision_progress", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_supervision_progress_reported_on"), ["reported_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_supervision_progress_status"), ["status"], unique=False)
        batch_op.create_index("ix_supervision_progress_task_date", ["task_id", "reported_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_supervision_progress_task_id"), ["task_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_supervision_progress_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "supervision_task_units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["supervision_tasks.id"],
            name=op.f("fk_supervision_task_units_task_id_supervision_tasks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_supervision_task_units_unit_id_units"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_task_units")),
    )
    with op.batch_alter_table("supervision_task_units", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supervision_task_units_task_id"), ["task_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_supervision_task_units_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "supervision_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=120), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["supervision_progress.id"],
            name=op.f("fk_supervision_evidence_report_id_supervision_progress"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_evidence")),
    )
    with op.batch_alter_table("supervision_evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supervision_evidence_report_id"), ["report_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_supervision_evidence_sha256"), ["sha256"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("supervision_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supervision_evidence_sha256"))
        batch_op.drop_index(batch_op.f("ix_supervision_evidence_report_id"))

    op.drop_table("supervision_evidence")
    with op.batch_alter_table("supervision_task_units", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supervision_task_units_unit_id"))
        batch_op.drop_index(batch_op.f("ix_supervision_task_units_task_id"))

    op.drop_table("supervision_task_units")
    with op.batch_alter_table("supervision_progress", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supervision_progress_unit_id"))
        batch_op.drop_index(batch_op.f("ix_supervision_progress_task_id"))
        batch_op.drop_index("ix_supervision_progress_task_date")
        batch_op.drop_index(batch_op.f("ix_supervision_progress_status"))
        batch_op.drop_index(batch_op.f("ix_supervision_progress_reported_on"))

    op.drop_table("supervision_progress")
    with op.batch_alter_table("supervision_milestones", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supervision_milestones_task_id"))
        batch_op.drop_index(batch_op.f("ix_supervision_milestones_due_on"))

    op.drop_table("supervision_milestones")
    with op.batch_alter_table("supervision_loss_stats", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supervision_loss_stats_unit_id"))
        batch_op.drop_index("ix_supervision_loss_stats_kind_div")
        batch_op.drop_index(batch_op.f("ix_supervision_loss_stats_division_code"))

    op.drop_table("supervision_loss_stats")
    with op.batch_alter_table("supervision_indicator_values", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supervision_indicator_values_indicator_id"))
        batch_op.drop_index("ix_supervision_indicator_values_ind_date")

    op.drop_table("supervision_indicator_values")
    with op.batch_alter_table("supervision_gdp", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supervision_gdp_unit_id"))
        batch_op.drop_index(batch_op.f("ix_supervision_gdp_division_code"))

    op.drop_table("supervision_gdp")
    with op.batch_alter_table("supervision_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supervision_tasks_section_no"))
        batch_op.drop_index(batch_op.f("ix_supervision_tasks_plan_id"))

    op.drop_table("supervision_tasks")
    with op.batch_alter_table("supervision_projects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supervision_projects_plan_id"))

    op.drop_table("supervision_projects")
    with op.batch_alter_table("supervision_indicators", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supervision_indicators_plan_id"))

    op.drop_table("supervision_indicators")
    op.drop_table("supervision_plans")
