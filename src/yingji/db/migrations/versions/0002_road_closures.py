"""road closures

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 15:53:41.367903
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import yingji.db.base

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "road_closures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column(
            "geometry",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "edges",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("network_key", sa.String(length=80), nullable=False),
        sa.Column("opened_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("cleared_at", yingji.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("created_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["division_code"], ["divisions.code"], name=op.f("fk_road_closures_division_code_divisions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_road_closures")),
    )
    with op.batch_alter_table("road_closures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_road_closures_cleared_at"), ["cleared_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_road_closures_division_code"), ["division_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_road_closures_opened_at"), ["opened_at"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("road_closures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_road_closures_opened_at"))
        batch_op.drop_index(batch_op.f("ix_road_closures_division_code"))
        batch_op.drop_index(batch_op.f("ix_road_closures_cleared_at"))

    op.drop_table("road_closures")
