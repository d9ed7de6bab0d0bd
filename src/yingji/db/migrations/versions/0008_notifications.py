"""notifications: channels, subscriptions, deliveries (queue and log)

Revision ID: 0008
Revises: 0002
Create Date: 2026-12-04 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import yingji.db.base

revision: str = "0008"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = ("notifications",)
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine:  # type: ignore[type-arg]
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _dt() -> yingji.db.base.UTCDateTime:
    return yingji.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "notification_channels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("config", _json(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", _dt(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_channels")),
        sa.UniqueConstraint("name", name=op.f("uq_notification_channels_name")),
    )
    op.create_index(op.f("ix_notification_channels_kind"), "notification_channels", ["kind"])
    op.create_table(
        "notification_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=30), nullable=True),
        sa.Column("source_type", sa.String(length=20), nullable=True),
        sa.Column("cause", sa.String(length=120), nullable=True),
        sa.Column("min_level", sa.Integer(), nullable=False),
        sa.Column("kinds", _json(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", _dt(), nullable=False),
        sa.ForeignKeyConstraint(["channel_id"], ["notification_channels.id"],
                                name=op.f("fk_notification_subscriptions_channel_id_notification_channels")),
        sa.ForeignKeyConstraint(["division_code"], ["divisions.code"],
                                name=op.f("fk_notification_subscriptions_division_code_divisions")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_notification_subscriptions_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_subscriptions")),
    )
    for col in ("division_code", "unit_id", "role", "channel_id"):
        op.create_index(op.f(f"ix_notification_subscriptions_{col}"), "notification_subscriptions", [col])
    op.create_table(
        "notification_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("warning_id", sa.Integer(), nullable=True),
        sa.Column("change_kind", sa.String(length=20), nullable=True),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=True),
        sa.Column("channel_id", sa.Integer(), nullable=True),
        sa.Column("channel_kind", sa.String(length=20), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("recipient", sa.String(length=200), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("data", _json(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _dt(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("log", _json(), nullable=False),
        sa.Column("sent_at", _dt(), nullable=True),
        sa.Column("created_at", _dt(), nullable=False),
        sa.ForeignKeyConstraint(["channel_id"], ["notification_channels.id"], ondelete="SET NULL",
                                name=op.f("fk_notification_deliveries_channel_id_notification_channels")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_deliveries")),
    )
    for col in ("warning_id", "subscription_id", "division_code", "status", "next_attempt_at"):
        op.create_index(op.f(f"ix_notification_deliveries_{col}"), "notification_deliveries", [col])


def downgrade() -> None:
    op.drop_table("notification_deliveries")
    op.drop_table("notification_subscriptions")
    op.drop_table("notification_channels")
