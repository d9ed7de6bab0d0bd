"""Supplies input/output models. Field rules live here; rules needing the database in the service."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, ValidationInfo, field_validator, model_validator

from yingji.common.schemas import DivisionCode, Lat, Lon, ReadModel, StrictModel
from yingji.supplies.enums import (
    DispatchStatus,
    ItemCategory,
    MoveKind,
    NormProfile,
    Ownership,
    RequestStatus,
    SourceStatus,
)

MAX_QTY = 10**12
"""Largest quantity of one move or lot (whole units; fits a BIGINT with room for sums)."""
MAX_INT = 2**31 - 1

Qty = Annotated[int, Field(ge=1, le=MAX_QTY, description="Whole units of the item's unit of measure")]
Code = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")]
Text200 = Annotated[str, Field(min_length=1, max_length=200)]
Reason = Annotated[str, Field(min_length=1, max_length=2000)]
DEADLINE_MAX_S = 7 * 86_400.0


class _Input(StrictModel):
    model_config = ConfigDict(allow_inf_nan=False)


# ---- catalogue -----------------------------------------------------------------------------


class ItemCreate(_Input):
    code: Code
    name: Annotated[str, Field(min_length=1, max_length=100)]
    name_en: str | None = Field(default=None, max_length=100)
    category: ItemCategory
    unit: Annotated[str, Field(min_length=1, max_length=20, description="Unit of measure, e.g. 顶, 床, 升")]
    unit_en: str | None = Field(default=None, max_length=20)
    spec: str | None = Field(default=None, max_length=200)
    weight_kg: float | None = Field(default=None, ge=0, le=100_000, description="Weight of one unit, kg")
    volume_m3: float | None = Field(default=None, ge=0, le=1_000, description="Volume of one unit, m³")
    shelf_life_days: int | None = Field(default=None, ge=1, le=36_500)
    notes: str | None = Field(default=None, max_length=2000)


class ItemUpdate(_Input):
    name: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    name_en: str | None = Field(default=None, max_length=100)
    category: ItemCategory | None = None
    unit: Annotated[str, Field(min_length=1, max_length=20)] | None = None
    unit_en: str | None = Field(default=None, max_length=20)
    spec: str | None = Field(default=None, max_length=200)
    weight_kg: float | None = Field(default=None, ge=0, le=100_000)
    volume_m3: float | None = Field(default=None, ge=0, le=1_000)
    shelf_life_days: int | None = Field(default=None, ge=1, le=36_500)
    notes: str | None = Field(default=None, max_length=2000)


class ItemRead(ReadModel):
    id: int
    code: str
    name: str
    name_en: str | None
    category: str
    unit: str
    unit_en: str | None
    spec: str | None
    weight_kg: float | None
    volume_m3: float | None
    shelf_life_days: int | None
    notes: str | None


# ---- stock -----------------------------------------------------------------------------------


class LotCreate(_Input):
    """A new lot and its first receipt. Without ``expires_on`` an item with a shelf life expires
    ``shelf_life_days`` after ``produced_on``."""

    warehouse_id: int = Field(ge=1, le=MAX_INT)
    item_id: int = Field(ge=1, le=MAX_INT)
    batch: Annotated[str, Field(min_length=1, max_length=60)]
    produced_on: date | None = None
    expires_on: date | None = None
    ownership: Ownership = Ownership.government
    holder_unit_id: int | None = Field(default=None, ge=1, le=MAX_INT)
    quantity: Qty
    reason: str | None = Field(default=None, max_length=2000)
    notes: str | None = Field(default=None, max_length=2000)

    @field_validator("expires_on")
    @classmethod
    def _not_before_production(cls, value: date | None, info: ValidationInfo) -> date | None:
        produced = info.data.get("produced_on")
        if value is not None and produced is not None and value < produced:
            raise ValueError(f"must not be before produced_on ({produced.isoformat()})")
        return value


class LotUpdate(_Input):
    """Descriptive fields only; quantities change through moves."""

    batch: Annotated[str, Field(min_length=1, max_length=60)] | None = None
    produced_on: date | None = None
    expires_on: date | None = None
    holder_unit_id: int | None = Field(default=None, ge=1, le=MAX_INT)
    notes: str | None = Field(default=None, max_length=2000)


class LotRead(ReadModel):
    id: int
    warehouse_id: int
    warehouse: str
    division_code: str
    item_id: int
    item_code: str
    item: str
    unit: str
    batch: str
    produced_on: date | None
    expires_on: date | None
    days_to_expiry: int | None
    expired: bool
    ownership: str
    holder_unit_id: int | None
    quantity: int
    notes: str | None
    updated_at: datetime


class MoveCreate(_Input):
    """A receipt, issue, adjustment (signed, with a reason) or write-off (with a reason) on one lot."""

    kind: Literal["receipt", "issue", "adjustment", "write_off"]
    quantity: int = Field(ge=-MAX_QTY, le=MAX_QTY, description="Positive; an adjustment may be negative")
    reason: Reason | None = None
    request_id: int | None = Field(default=None, ge=1, le=MAX_INT)

    @field_validator("quantity")
    @classmethod
    def _sign(cls, value: int, info: ValidationInfo) -> int:
        kind = info.data.get("kind")
        if kind == MoveKind.adjustment and value == 0:
            raise ValueError("an adjustment must not be zero")
        if kind is not None and kind != MoveKind.adjustment and value < 1:
            raise ValueError(f"a {kind} must be a positive quantity")
        return value


class TransferCreate(_Input):
    to_warehouse_id: int = Field(ge=1, le=MAX_INT)
    quantity: Qty
    reason: Reason | None = None


class MoveRead(ReadModel):
    id: int
    lot_id: int
    kind: str
    quantity: int
    balance_after: int
    reason: str | None
    at: datetime
    actor_id: int | None
    actor_name: str
    request_id: int | None
    dispatch_order_id: int | None
    peer_lot_id: int | None


# ---- norms -------------------------------------------------------------------------------------


class NormCreate(_Input):
    profile: NormProfile
    item_id: int = Field(ge=1, le=MAX_INT)
    quantity: float = Field(gt=0, le=1_000_000, description="Units of the item per `per_persons` persons")
    per_persons: int = Field(default=1, ge=1, le=1_000_000)
    per_day: bool = Field(default=False, description="A daily need (food, water) rather than a one-off item")
    days: int = Field(default=1, ge=1, le=365, description="Days held in a reserve standard (per_day items)")
    source: Annotated[str, Field(min_length=1, max_length=4000)]
    source_status: SourceStatus = SourceStatus.unverified
    notes: str | None = Field(default=None, max_length=2000)


class NormUpdate(_Input):
    quantity: float | None = Field(default=None, gt=0, le=1_000_000)
    per_persons: int | None = Field(default=None, ge=1, le=1_000_000)
    per_day: bool | None = None
    days: int | None = Field(default=None, ge=1, le=365)
    source: Annotated[str, Field(min_length=1, max_length=4000)] | None = None
    source_status: SourceStatus | None = None
    notes: str | None = Field(default=None, max_length=2000)


class NormRead(ReadModel):
    id: int
    profile: str
    item_id: int
    item_code: str
    item: str
    unit: str
    quantity: float
    per_persons: int
    per_day: bool
    days: int
    source: str
    source_status: str
    notes: str | None


class LevelUpdate(_Input):
    population_share: float = Field(ge=0, le=1)
    source: Annotated[str, Field(min_length=1, max_length=4000)]
    source_status: SourceStatus = SourceStatus.unverified


class LevelRead(ReadModel):
    level: str
    population_share: float
    source: str
    source_status: str


class ReliefPopulationSet(_Input):
    persons: int = Field(ge=0, le=MAX_INT)
    source: Annotated[str, Field(min_length=1, max_length=4000)]


class ReliefPopulationRead(ReadModel):
    division_code: str
    division: str
    level: str
    population: int | None
    persons: int
    default: bool
    source: str


# ---- requests ----------------------------------------------------------------------------------


class RequestLineIn(_Input):
    item_id: int = Field(ge=1, le=MAX_INT)
    quantity: Qty


class RequestCreate(_Input):
    division_code: DivisionCode
    unit_id: int | None = Field(default=None, ge=1, le=MAX_INT)
    incident_ref: Text200 = Field(description="Free-text incident reference (the incidents module comes later)")
    reason: str | None = Field(default=None, max_length=2000)
    destination: Text200
    lon: Lon
    lat: Lat
    people: int | None = Field(default=None, ge=0, le=MAX_INT, description="Affected persons at the destination")
    needed_by: datetime | None = None
    lines: list[RequestLineIn] = Field(min_length=1, max_length=100)


class DecisionLine(_Input):
    item_id: int = Field(ge=1, le=MAX_INT)
    approved: int = Field(ge=0, le=MAX_QTY)


class RequestDecision(_Input):
    decision: Literal["approve", "reject"]
    note: str | None = Field(default=None, max_length=2000)
    lines: list[DecisionLine] | None = Field(
        default=None, description="Approved quantity per item; omitted = as requested (approve)"
    )


class RequestLineRead(ReadModel):
    id: int
    item_id: int
    item_code: str
    item: str
    unit: str
    requested: int
    approved: int | None
    dispatched: int
    received: int
    outstanding: int


class RequestRead(ReadModel):
    id: int
    division_code: str
    unit_id: int | None
    incident_ref: str
    reason: str | None
    destination: str
    lon: float
    lat: float
    people: int | None
    needed_by: datetime | None
    status: RequestStatus
    created_by: str
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    lines: list[RequestLineRead]


# ---- allocation and dispatch -------------------------------------------------------------------


class DemandPoint(_Input):
    name: Text200
    lon: Lon | None = Field(default=None, description="Where to deliver (default with an area: its people's centre)")
    lat: Lat | None = None
    division_code: DivisionCode | None = None
    people: int | None = Field(
        default=None, ge=0, le=MAX_INT,
        description="Persons: they weight the delivery time; without quantities, demand = people × relief profile. "
                    "With an area and no people: the persons living in the area (population grid)",
    )
    quantities: dict[str, Annotated[int, Field(ge=0, le=MAX_QTY)]] | None = Field(
        default=None, description="Explicit quantities by item code (then the profile is not used for this point)"
    )
    area: dict[str, Any] | None = Field(
        default=None, description="A drawn demand area (GeoJSON Polygon or MultiPolygon, lon/lat)"
    )
    incident_id: int | None = Field(default=None, ge=1, le=MAX_INT, description="The incident this demand is for")

    @model_validator(mode="after")
    def _has_demand(self) -> DemandPoint:
        if (self.lon is None) != (self.lat is None):
            raise ValueError("give both lon and lat, or neither (with an area or an incident)")
        if self.people is None and not self.quantities and self.area is None and self.incident_id is None:
            raise ValueError("give people, quantities, an area or an incident_id")
        if self.lon is None and self.area is None and self.incident_id is None:
            raise ValueError("give lon and lat, an area or an incident_id")
        return self

    @property
    def lonlat(self) -> tuple[float, float]:
        if self.lon is None or self.lat is None:
            raise ValueError(f"demand point {self.name!r} is not located yet")
        return self.lon, self.lat


class PlanRequest(_Input):
    points: list[DemandPoint] = Field(default_factory=list, max_length=5000)
    request_id: int | None = Field(default=None, ge=1, le=MAX_INT, description="Plan the outstanding approved lines")
    items: list[Code] | None = Field(default=None, description="Item codes to plan (default: all demanded)")
    days: int = Field(default=1, ge=1, le=30, description="Days of per-day needs in the profile demand")
    deadline_s: float | None = Field(default=None, gt=0, le=DEADLINE_MAX_S, description="Default 12 h")
    ownerships: list[Ownership] | None = Field(default=None, description="Default: government and agreement stock")
    method: Literal["optimal", "greedy"] = "optimal"

    @model_validator(mode="after")
    def _demand(self) -> PlanRequest:
        if not self.points and self.request_id is None:
            raise ValueError("give points or a request_id")
        if self.points and self.request_id is not None:
            raise ValueError("give points or a request_id, not both")
        return self


class ShipmentIn(_Input):
    warehouse_id: int = Field(ge=1, le=MAX_INT)
    item_code: Code
    quantity: Qty
    destination: Text200
    lon: Lon
    lat: Lat
    division_code: DivisionCode | None = None
    eta_s: float | None = Field(default=None, ge=0)
    # echoed from a plan's shipments so that a plan can be posted back as it came; not used
    warehouse: str | None = Field(default=None, max_length=200)
    item: str | None = Field(default=None, max_length=100)
    unit: str | None = Field(default=None, max_length=20)
    point: int | None = Field(default=None, ge=0)


class DispatchCreate(_Input):
    """Accept a plan (or a hand-made list): one dispatch order per warehouse and destination; each
    issues its stock from the warehouse's lots first-expiry-first-out, atomically."""

    shipments: list[ShipmentIn] = Field(min_length=1, max_length=10_000)
    request_id: int | None = Field(default=None, ge=1, le=MAX_INT)
    ownerships: list[Ownership] | None = Field(default=None, description="Default: government and agreement stock")
    note: str | None = Field(default=None, max_length=2000)


class DispatchLineRead(ReadModel):
    id: int
    lot_id: int
    batch: str
    item_id: int
    item_code: str
    item: str
    quantity: int
    request_line_id: int | None


class DispatchRead(ReadModel):
    id: int
    warehouse_id: int
    warehouse: str
    request_id: int | None
    destination: str
    destination_division_code: str | None
    lon: float
    lat: float
    eta_s: float | None
    status: DispatchStatus
    created_by: str
    created_at: datetime
    received_at: datetime | None
    received_by: str | None
    note: str | None
    lines: list[DispatchLineRead]


class ReceiptIn(_Input):
    note: str | None = Field(default=None, max_length=2000)
