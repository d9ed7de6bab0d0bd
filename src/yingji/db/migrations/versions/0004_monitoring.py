"""risk database, monitoring and warnings: hazard sources, risk assessments, sensors, readings,
warnings and their history

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-04 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import yingji.db.base

revision: str = "0004"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = ("monitoring",)
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine:  # type: ignore[type-arg]
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _dt() -> yingji.db.base.UTCDateTime:
    return yingji.db.base.UTCDateTime(timezone=True)


def _indexes(table: str, columns: Sequence[str]) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for col in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{col}"), [col], unique=False)


def upgrade() -> None:
    op.create_table(
        "hazard_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("facility_id", sa.Integer(), nullable=True),
        sa.Column("contact_name", sa.String(length=100), nullable=True),
        sa.Column("contact_phone", sa.String(length=40), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("geometry", _json(), nullable=True),
        sa.Column("substances", _json(), nullable=False),
        sa.Column("major_hazard_grade", sa.Integer(), nullable=True),
        sa.Column("risk_colour", sa.String(length=10), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", _dt(), nullable=False),
        sa.Column("updated_at", _dt(), nullable=False),
        sa.ForeignKeyConstraint(["division_code"], ["divisions.code"],
                                name=op.f("fk_hazard_sources_division_code_divisions")),
        sa.ForeignKeyConstraint(["facility_id"], ["facilities.id"], name=op.f("fk_hazard_sources_facility_id_facilities")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_hazard_sources_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hazard_sources")),
        sa.UniqueConstraint("code", name=op.f("uq_hazard_sources_code")),
    )
    _indexes("hazard_sources", ["division_code", "facility_id", "kind", "major_hazard_grade", "risk_colour",
                                "status", "unit_id"])

    op.create_table(
        "risk_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hazard_source_id", sa.Integer(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("likelihood", sa.Integer(), nullable=False),
        sa.Column("consequence", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("colour", sa.String(length=10), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("assessor", sa.String(length=200), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", _dt(), nullable=False),
        sa.ForeignKeyConstraint(["hazard_source_id"], ["hazard_sources.id"],
                                name=op.f("fk_risk_assessments_hazard_source_id_hazard_sources"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_assessments")),
    )
    with op.batch_alter_table("risk_assessments", schema=None) as batch_op:
        batch_op.create_index("ix_risk_assessments_source_date", ["hazard_source_id", "assessed_on"], unique=False)

    op.create_table(
        "sensors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("hazard_source_id", sa.Integer(), nullable=True),
        sa.Column("facility_id", sa.Integer(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("silence_minutes", sa.Integer(), nullable=True),
        sa.Column("rules", _json(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("last_reading_at", _dt(), nullable=True),
        sa.Column("last_value", sa.Float(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", _dt(), nullable=False),
        sa.Column("updated_at", _dt(), nullable=False),
        sa.ForeignKeyConstraint(["division_code"], ["divisions.code"], name=op.f("fk_sensors_division_code_divisions")),
        sa.ForeignKeyConstraint(["facility_id"], ["facilities.id"], name=op.f("fk_sensors_facility_id_facilities")),
        sa.ForeignKeyConstraint(["hazard_source_id"], ["hazard_sources.id"],
                                name=op.f("fk_sensors_hazard_source_id_hazard_sources")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_sensors_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sensors")),
        sa.UniqueConstraint("code", name=op.f("uq_sensors_code")),
    )
    _indexes("sensors", ["division_code", "facility_id", "hazard_source_id", "kind", "unit_id"])

    op.create_table(
        "readings",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("sensor_id", sa.Integer(), nullable=False),
        sa.Column("ts", _dt(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("received_at", _dt(), nullable=False),
        sa.ForeignKeyConstraint(["sensor_id"], ["sensors.id"], name=op.f("fk_readings_sensor_id_sensors")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_readings")),
        sa.UniqueConstraint("sensor_id", "ts", name="uq_readings_sensor_ts"),
    )

    op.create_table(
        "warnings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_type", sa.String(length=20), nullable=False),
        sa.Column("source_id", sa.String(length=120), nullable=False),
        sa.Column("cause", sa.String(length=120), nullable=False),
        sa.Column("active_key", sa.String(length=300), nullable=True),
        sa.Column("origin", sa.String(length=10), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("peak_level", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("cap_status", sa.String(length=10), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("event", sa.String(length=200), nullable=False),
        sa.Column("headline", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("instruction", sa.Text(), nullable=True),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("sensor_id", sa.Integer(), nullable=True),
        sa.Column("hazard_source_id", sa.Integer(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("area", _json(), nullable=True),
        sa.Column("area_desc", sa.String(length=300), nullable=False),
        sa.Column("geocodes", _json(), nullable=False),
        sa.Column("details", _json(), nullable=False),
        sa.Column("onset", _dt(), nullable=True),
        sa.Column("expires_at", _dt(), nullable=True),
        sa.Column("raised_at", _dt(), nullable=False),
        sa.Column("updated_at", _dt(), nullable=False),
        sa.Column("acknowledged_at", _dt(), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=64), nullable=True),
        sa.Column("lifted_at", _dt(), nullable=True),
        sa.Column("lifted_by", sa.String(length=64), nullable=True),
        sa.Column("lift_reason", sa.String(length=300), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("cap_sender", sa.String(length=200), nullable=True),
        sa.Column("cap_identifier", sa.String(length=200), nullable=True),
        sa.Column("cap_sent", _dt(), nullable=True),
        sa.Column("cap_xml", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["division_code"], ["divisions.code"], name=op.f("fk_warnings_division_code_divisions")),
        sa.ForeignKeyConstraint(["hazard_source_id"], ["hazard_sources.id"],
                                name=op.f("fk_warnings_hazard_source_id_hazard_sources"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["sensor_id"], ["sensors.id"], name=op.f("fk_warnings_sensor_id_sensors"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_warnings_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warnings")),
        sa.UniqueConstraint("active_key", name=op.f("uq_warnings_active_key")),
    )
    _indexes("warnings", ["cap_identifier", "division_code", "expires_at", "hazard_source_id", "level", "origin",
                          "raised_at", "sensor_id", "status", "unit_id"])
    with op.batch_alter_table("warnings", schema=None) as batch_op:
        batch_op.create_index("ix_warnings_source", ["source_type", "source_id"], unique=False)

    op.create_table(
        "warning_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("warning_id", sa.Integer(), nullable=False),
        sa.Column("at", _dt(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("level_from", sa.Integer(), nullable=True),
        sa.Column("level_to", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["warning_id"], ["warnings.id"], name=op.f("fk_warning_events_warning_id_warnings"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning_events")),
    )
    _indexes("warning_events", ["warning_id"])


def downgrade() -> None:
    for table in ("warning_events", "warnings", "readings", "sensors", "risk_assessments", "hazard_sources"):
        op.drop_table(table)
