"""Supplies tables: items, stock lots and their append-only ledger, norms, requests, dispatch orders.

A lot's ``quantity`` is materialised: every move changes it in the same transaction with a
conditional ``UPDATE … WHERE quantity >= :q`` and the database refuses a negative quantity
(``CHECK``), so the sum of a lot's moves always equals its quantity and never goes below zero.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from yingji.db.base import Base, UTCDateTime, utcnow
from yingji.registry.models import Timestamps

Quantity = BigInteger().with_variant(Integer, "sqlite")
"""Whole units of the item's unit of measure (顶, 床, 箱, kg…); integers keep the ledger exact."""


class Item(Timestamps, Base):
    """A catalogue entry (物资品目)."""

    __tablename__ = "supply_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    name_en: Mapped[str | None] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(30), index=True)
    unit: Mapped[str] = mapped_column(String(20))
    unit_en: Mapped[str | None] = mapped_column(String(20))
    spec: Mapped[str | None] = mapped_column(String(200))
    weight_kg: Mapped[float | None] = mapped_column(Float)
    volume_m3: Mapped[float | None] = mapped_column(Float)
    shelf_life_days: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)


class StockLot(Timestamps, Base):
    """Goods of one item, batch and ownership in one warehouse (a Facility of kind ``warehouse``)."""

    __tablename__ = "stock_lots"
    __table_args__ = (
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        CheckConstraint(
            "expires_on IS NULL OR produced_on IS NULL OR expires_on >= produced_on",
            name="expiry_not_before_production",
        ),
        UniqueConstraint("warehouse_id", "item_id", "batch", "ownership", name="uq_stock_lots_identity"),
        Index("ix_stock_lots_item_warehouse", "item_id", "warehouse_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("supply_items.id"))
    batch: Mapped[str] = mapped_column(String(60))
    produced_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)
    ownership: Mapped[str] = mapped_column(String(30), index=True)
    holder_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    quantity: Mapped[int] = mapped_column(Quantity, default=0)
    notes: Mapped[str | None] = mapped_column(Text)


class StockMove(Base):
    """One line of the append-only ledger (the database refuses UPDATE and DELETE).

    ``quantity`` is signed: receipts and transfers in add, issues, transfers out and write-offs
    subtract, adjustments go either way. ``balance_after`` is the lot's quantity after the move.
    """

    __tablename__ = "stock_moves"
    __table_args__ = (
        CheckConstraint("quantity <> 0", name="quantity_not_zero"),
        CheckConstraint(
            "(kind IN ('receipt', 'transfer_in') AND quantity > 0)"
            " OR (kind IN ('issue', 'transfer_out', 'write_off') AND quantity < 0)"
            " OR kind = 'adjustment'",
            name="sign_follows_kind",
        ),
        CheckConstraint("balance_after >= 0", name="balance_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("stock_lots.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int] = mapped_column(Quantity)
    balance_after: Mapped[int] = mapped_column(Quantity)
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(64))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("supply_requests.id"), index=True)
    dispatch_order_id: Mapped[int | None] = mapped_column(ForeignKey("dispatch_orders.id"), index=True)
    peer_lot_id: Mapped[int | None] = mapped_column(ForeignKey("stock_lots.id"))


class SupplyNorm(Timestamps, Base):
    """A per-capita norm: ``quantity`` units of the item per ``per_persons`` persons, per day when
    ``per_day`` (held for ``days`` days in a reserve standard), each with its source."""

    __tablename__ = "supply_norms"
    __table_args__ = (
        UniqueConstraint("profile", "item_id", name="uq_supply_norms_profile_item"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("per_persons >= 1", name="per_persons_positive"),
        CheckConstraint("days >= 1", name="days_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    profile: Mapped[str] = mapped_column(String(20), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("supply_items.id"), index=True)
    quantity: Mapped[float] = mapped_column(Float)
    per_persons: Mapped[int] = mapped_column(Integer, default=1)
    per_day: Mapped[bool] = mapped_column(Boolean, default=False)
    days: Mapped[int] = mapped_column(Integer, default=1)
    source: Mapped[str] = mapped_column(Text)
    source_status: Mapped[str] = mapped_column(String(20), default="unverified")
    notes: Mapped[str | None] = mapped_column(Text)


class ReserveLevel(Timestamps, Base):
    """Per reserve level (city, county): the default planned relief population as a share of the
    division's population, with its source."""

    __tablename__ = "reserve_levels"
    __table_args__ = (CheckConstraint("population_share >= 0 AND population_share <= 1", name="share_range"),)

    level: Mapped[str] = mapped_column(String(20), primary_key=True)
    population_share: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(Text)
    source_status: Mapped[str] = mapped_column(String(20), default="unverified")


class ReliefPopulation(Timestamps, Base):
    """The planned relief population of a division when it differs from the level's default share."""

    __tablename__ = "relief_populations"
    __table_args__ = (CheckConstraint("persons >= 0", name="persons_not_negative"),)

    division_code: Mapped[str] = mapped_column(ForeignKey("divisions.code"), primary_key=True)
    persons: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)


class SupplyRequest(Timestamps, Base):
    """A county's or department's request for supplies for an incident, approved by the city."""

    __tablename__ = "supply_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    division_code: Mapped[str] = mapped_column(ForeignKey("divisions.code"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    incident_ref: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    destination: Mapped[str] = mapped_column(String(200))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    people: Mapped[int | None] = mapped_column(Integer)
    needed_by: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(30), default="submitted", index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str | None] = mapped_column(Text)


class SupplyRequestLine(Base):
    __tablename__ = "supply_request_lines"
    __table_args__ = (
        UniqueConstraint("request_id", "item_id", name="uq_supply_request_lines_item"),
        CheckConstraint("requested > 0", name="requested_positive"),
        CheckConstraint("approved IS NULL OR (approved >= 0 AND approved <= requested)", name="approved_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("supply_requests.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("supply_items.id"))
    requested: Mapped[int] = mapped_column(Quantity)
    approved: Mapped[int | None] = mapped_column(Quantity)


class DispatchOrder(Timestamps, Base):
    """Goods on their way from one warehouse to one destination; issued from lots when created,
    closed by the receipt at the destination."""

    __tablename__ = "dispatch_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("supply_requests.id"), index=True)
    destination: Mapped[str] = mapped_column(String(200))
    destination_division_code: Mapped[str | None] = mapped_column(ForeignKey("divisions.code"), index=True)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    eta_s: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20), default="in_transit", index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    received_by: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)


class DispatchLine(Base):
    __tablename__ = "dispatch_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("dispatch_orders.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("stock_lots.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("supply_items.id"))
    quantity: Mapped[int] = mapped_column(Quantity)
    request_line_id: Mapped[int | None] = mapped_column(ForeignKey("supply_request_lines.id"), index=True)
