"""supplies: items, stock lots and ledger, norms, requests, dispatch orders

Revision ID: 0005
Revises: 0002
Create Date: 2026-12-04 16:22:18.424982
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import yingji.db.base

revision: str = "0005"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = ("supplies",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "supply_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=True),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("unit_en", sa.String(length=20), nullable=True),
        sa.Column("spec", sa.String(length=200), nullable=True),
        sa.Column("weight_kg", sa.Float(), nullable=True),
        sa.Column("volume_m3", sa.Float(), nullable=True),
        sa.Column("shelf_life_days", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supply_items")),
        sa.UniqueConstraint("code", name=op.f("uq_supply_items_code")),
        sa.UniqueConstraint("name", name=op.f("uq_supply_items_name")),
    )
    with op.batch_alter_table("supply_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supply_items_category"), ["category"], unique=False)

    op.create_table(
        "reserve_levels",
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("population_share", sa.Float(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("source_status", sa.String(length=20), nullable=False),
        sa.Column("created_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "population_share >= 0 AND population_share <= 1", name=op.f("ck_reserve_levels_share_range")
        ),
        sa.PrimaryKeyConstraint("level", name=op.f("pk_reserve_levels")),
    )

    op.create_table(
        "relief_populations",
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("created_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("persons >= 0", name=op.f("ck_relief_populations_persons_not_negative")),
        sa.ForeignKeyConstraint(
            ["division_code"], ["divisions.code"], name=op.f("fk_relief_populations_division_code_divisions")
        ),
        sa.PrimaryKeyConstraint("division_code", name=op.f("pk_relief_populations")),
    )

    op.create_table(
        "supply_norms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile", sa.String(length=20), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("per_persons", sa.Integer(), nullable=False),
        sa.Column("per_day", sa.Boolean(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("source_status", sa.String(length=20), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("days >= 1", name=op.f("ck_supply_norms_days_positive")),
        sa.CheckConstraint("per_persons >= 1", name=op.f("ck_supply_norms_per_persons_positive")),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_supply_norms_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["item_id"], ["supply_items.id"], name=op.f("fk_supply_norms_item_id_supply_items")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supply_norms")),
        sa.UniqueConstraint("profile", "item_id", name="uq_supply_norms_profile_item"),
    )
    with op.batch_alter_table("supply_norms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supply_norms_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_supply_norms_profile"), ["profile"], unique=False)

    op.create_table(
        "supply_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("incident_ref", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("destination", sa.String(length=200), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("people", sa.Integer(), nullable=True),
        sa.Column("needed_by", yingji.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", yingji.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("created_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["division_code"], ["divisions.code"], name=op.f("fk_supply_requests_division_code_divisions")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_supply_requests_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supply_requests")),
    )
    with op.batch_alter_table("supply_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supply_requests_division_code"), ["division_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_supply_requests_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_supply_requests_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "supply_request_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("requested", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("approved", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.CheckConstraint(
            "approved IS NULL OR (approved >= 0 AND approved <= requested)",
            name=op.f("ck_supply_request_lines_approved_range"),
        ),
        sa.CheckConstraint("requested > 0", name=op.f("ck_supply_request_lines_requested_positive")),
        sa.ForeignKeyConstraint(
            ["item_id"], ["supply_items.id"], name=op.f("fk_supply_request_lines_item_id_supply_items")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["supply_requests.id"],
            name=op.f("fk_supply_request_lines_request_id_supply_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supply_request_lines")),
        sa.UniqueConstraint("request_id", "item_id", name="uq_supply_request_lines_item"),
    )
    with op.batch_alter_table("supply_request_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supply_request_lines_request_id"), ["request_id"], unique=False)

    op.create_table(
        "dispatch_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("warehouse_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("destination", sa.String(length=200), nullable=False),
        sa.Column("destination_division_code", sa.String(length=12), nullable=True),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("eta_s", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("received_at", yingji.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("received_by", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["destination_division_code"],
            ["divisions.code"],
            name=op.f("fk_dispatch_orders_destination_division_code_divisions"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["supply_requests.id"], name=op.f("fk_dispatch_orders_request_id_supply_requests")
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"], ["facilities.id"], name=op.f("fk_dispatch_orders_warehouse_id_facilities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispatch_orders")),
    )
    with op.batch_alter_table("dispatch_orders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dispatch_orders_destination_division_code"),
            ["destination_division_code"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_dispatch_orders_request_id"), ["request_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_dispatch_orders_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_dispatch_orders_warehouse_id"), ["warehouse_id"], unique=False)

    op.create_table(
        "stock_lots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("warehouse_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("batch", sa.String(length=60), nullable=False),
        sa.Column("produced_on", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("ownership", sa.String(length=30), nullable=False),
        sa.Column("holder_unit_id", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "expires_on IS NULL OR produced_on IS NULL OR expires_on >= produced_on",
            name=op.f("ck_stock_lots_expiry_not_before_production"),
        ),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_stock_lots_quantity_not_negative")),
        sa.ForeignKeyConstraint(
            ["holder_unit_id"], ["units.id"], name=op.f("fk_stock_lots_holder_unit_id_units")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["supply_items.id"], name=op.f("fk_stock_lots_item_id_supply_items")
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"], ["facilities.id"], name=op.f("fk_stock_lots_warehouse_id_facilities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_lots")),
        sa.UniqueConstraint("warehouse_id", "item_id", "batch", "ownership", name="uq_stock_lots_identity"),
    )
    with op.batch_alter_table("stock_lots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stock_lots_expires_on"), ["expires_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_stock_lots_holder_unit_id"), ["holder_unit_id"], unique=False)
        batch_op.create_index("ix_stock_lots_item_warehouse", ["item_id", "warehouse_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_stock_lots_ownership"), ["ownership"], unique=False)
        batch_op.create_index(batch_op.f("ix_stock_lots_warehouse_id"), ["warehouse_id"], unique=False)

    op.create_table(
        "dispatch_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("request_line_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_dispatch_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["item_id"], ["supply_items.id"], name=op.f("fk_dispatch_lines_item_id_supply_items")
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["stock_lots.id"], name=op.f("fk_dispatch_lines_lot_id_stock_lots")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["dispatch_orders.id"], name=op.f("fk_dispatch_lines_order_id_dispatch_orders")
        ),
        sa.ForeignKeyConstraint(
            ["request_line_id"],
            ["supply_request_lines.id"],
            name=op.f("fk_dispatch_lines_request_line_id_supply_request_lines"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispatch_lines")),
    )
    with op.batch_alter_table("dispatch_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dispatch_lines_lot_id"), ["lot_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_dispatch_lines_order_id"), ["order_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_dispatch_lines_request_line_id"), ["request_line_id"], unique=False
        )

    op.create_table(
        "stock_moves",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("quantity", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("balance_after", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("at", yingji.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("dispatch_order_id", sa.Integer(), nullable=True),
        sa.Column("peer_lot_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(kind IN ('receipt', 'transfer_in') AND quantity > 0) OR (kind IN ('issue', 'transfer_out', 'write_off') AND quantity < 0) OR kind = 'adjustment'",
            name=op.f("ck_stock_moves_sign_follows_kind"),
        ),
        sa.CheckConstraint("balance_after >= 0", name=op.f("ck_stock_moves_balance_not_negative")),
        sa.CheckConstraint("quantity <> 0", name=op.f("ck_stock_moves_quantity_not_zero")),
        sa.ForeignKeyConstraint(
            ["dispatch_order_id"],
            ["dispatch_orders.id"],
            name=op.f("fk_stock_moves_dispatch_order_id_dispatch_orders"),
        ),
        sa.ForeignKeyConstraint(["lot_id"], ["stock_lots.id"], name=op.f("fk_stock_moves_lot_id_stock_lots")),
        sa.ForeignKeyConstraint(
            ["peer_lot_id"], ["stock_lots.id"], name=op.f("fk_stock_moves_peer_lot_id_stock_lots")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["supply_requests.id"], name=op.f("fk_stock_moves_request_id_supply_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_moves")),
    )
    with op.batch_alter_table("stock_moves", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stock_moves_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_stock_moves_dispatch_order_id"), ["dispatch_order_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_stock_moves_lot_id"), ["lot_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_stock_moves_request_id"), ["request_id"], unique=False)

    _append_only_ledger()


def _append_only_ledger() -> None:
    """The stock ledger is append-only: the database itself refuses UPDATE and DELETE of a move."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION stock_moves_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'stock_moves is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER stock_moves_no_change BEFORE UPDATE OR DELETE ON stock_moves "
            "FOR EACH ROW EXECUTE FUNCTION stock_moves_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER stock_moves_no_{verb.lower()} BEFORE {verb} ON stock_moves "
                "BEGIN SELECT RAISE(ABORT, 'stock_moves is append-only'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS stock_moves_no_change ON stock_moves")
        op.execute("DROP FUNCTION IF EXISTS stock_moves_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS stock_moves_no_update")
        op.execute("DROP TRIGGER IF EXISTS stock_moves_no_delete")

    with op.batch_alter_table("stock_moves", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stock_moves_request_id"))
        batch_op.drop_index(batch_op.f("ix_stock_moves_lot_id"))
        batch_op.drop_index(batch_op.f("ix_stock_moves_dispatch_order_id"))
        batch_op.drop_index(batch_op.f("ix_stock_moves_at"))

    op.drop_table("stock_moves")

    with op.batch_alter_table("dispatch_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dispatch_lines_request_line_id"))
        batch_op.drop_index(batch_op.f("ix_dispatch_lines_order_id"))
        batch_op.drop_index(batch_op.f("ix_dispatch_lines_lot_id"))

    op.drop_table("dispatch_lines")

    with op.batch_alter_table("stock_lots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stock_lots_warehouse_id"))
        batch_op.drop_index(batch_op.f("ix_stock_lots_ownership"))
        batch_op.drop_index("ix_stock_lots_item_warehouse")
        batch_op.drop_index(batch_op.f("ix_stock_lots_holder_unit_id"))
        batch_op.drop_index(batch_op.f("ix_stock_lots_expires_on"))

    op.drop_table("stock_lots")

    with op.batch_alter_table("dispatch_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dispatch_orders_warehouse_id"))
        batch_op.drop_index(batch_op.f("ix_dispatch_orders_status"))
        batch_op.drop_index(batch_op.f("ix_dispatch_orders_request_id"))
        batch_op.drop_index(batch_op.f("ix_dispatch_orders_destination_division_code"))

    op.drop_table("dispatch_orders")

    with op.batch_alter_table("supply_request_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supply_request_lines_request_id"))

    op.drop_table("supply_request_lines")

    with op.batch_alter_table("supply_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supply_requests_unit_id"))
        batch_op.drop_index(batch_op.f("ix_supply_requests_status"))
        batch_op.drop_index(batch_op.f("ix_supply_requests_division_code"))

    op.drop_table("supply_requests")

    with op.batch_alter_table("supply_norms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supply_norms_profile"))
        batch_op.drop_index(batch_op.f("ix_supply_norms_item_id"))

    op.drop_table("supply_norms")

    op.drop_table("relief_populations")

    op.drop_table("reserve_levels")

    with op.batch_alter_table("supply_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supply_items_category"))

    op.drop_table("supply_items")
