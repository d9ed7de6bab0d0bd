"""Registry input/output models. Field rules live here; cross-field rules in ``validation``."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, ConfigDict, EmailStr, Field

from yingji.common.schemas import DivisionCode, Lat, Lon, Name, Phone, ReadModel, StrictModel
from yingji.registry.enums import (
    DivisionLevel,
    ExpertAvailability,
    FacilityKind,
    FacilityStatus,
    ResourceStatus,
    Specialty,
    TeamKind,
    TeamLevel,
    UnitKind,
    VehicleCategory,
    VehicleType,
)

MAX_INT = 2**31 - 1  # the largest value an INTEGER column holds on every backend


class _Input(StrictModel):
    """Registry input: besides refusing unknown fields, refuse NaN and ±Infinity, which JSON
    parsers accept as extensions but which would otherwise be stored as null."""

    model_config = ConfigDict(allow_inf_nan=False)


def _position_ok(pos: Any) -> bool:
    return (isinstance(pos, list | tuple) and len(pos) in (2, 3)
            and all(isinstance(c, int | float) and not isinstance(c, bool) and math.isfinite(c) for c in pos)
            and -180 <= pos[0] <= 180 and -90 <= pos[1] <= 90)


def _check_boundary(value: dict[str, Any]) -> dict[str, Any]:
    """A GeoJSON Polygon or MultiPolygon (RFC 7946 §3.1.6-3.1.7) with positions inside ±180/±90:
    the map serves it verbatim as a feature's geometry."""
    kind, coords = value.get("type"), value.get("coordinates")
    if kind not in ("Polygon", "MultiPolygon") or set(value) - {"type", "coordinates", "bbox"}:
        raise ValueError("must be a GeoJSON Polygon or MultiPolygon")
    polygons = [coords] if kind == "Polygon" else coords
    if not isinstance(polygons, list | tuple) or not polygons or not all(
        isinstance(p, list | tuple) and p for p in polygons
    ):
        raise ValueError("coordinates: expected one or more polygons, each a list of linear rings")
    for ring in (ring for polygon in polygons for ring in polygon):
        if not isinstance(ring, list | tuple):
            raise ValueError("coordinates: a linear ring is a list of positions")
        for pos in ring:  # (not next(..., None): a None position must not pass as "nothing bad")
            if not _position_ok(pos):
                raise ValueError(f"coordinates: {pos!r} is not a [lon, lat] position inside ±180/±90")
        if len(ring) < 4 or list(ring[0]) != list(ring[-1]):
            raise ValueError("coordinates: a linear ring is closed and has at least four positions")
    return value


Boundary = Annotated[dict[str, Any], AfterValidator(_check_boundary)]


# ---- divisions -------------------------------------------------------------------------


class DivisionCreate(_Input):
    code: DivisionCode
    name: Name
    name_en: str | None = Field(default=None, max_length=100)
    level: DivisionLevel
    parent_code: DivisionCode | None = None
    population: int | None = Field(default=None, ge=0, le=MAX_INT)
    area_km2: float | None = Field(default=None, ge=0)
    gdp_100m_yuan: float | None = Field(default=None, ge=0, description="GDP, 100 million yuan (亿元)")
    lon: Lon | None = None
    lat: Lat | None = None
    boundary: Boundary | None = Field(default=None, description="GeoJSON Polygon or MultiPolygon")


class DivisionUpdate(_Input):
    name: Name | None = None
    name_en: str | None = Field(default=None, max_length=100)
    level: DivisionLevel | None = None
    parent_code: DivisionCode | None = None
    population: int | None = Field(default=None, ge=0, le=MAX_INT)
    area_km2: float | None = Field(default=None, ge=0)
    gdp_100m_yuan: float | None = Field(default=None, ge=0)
    lon: Lon | None = None
    lat: Lat | None = None
    boundary: Boundary | None = None


class DivisionRead(ReadModel):
    code: str
    name: str
    name_en: str | None
    level: str
    parent_code: str | None
    population: int | None
    area_km2: float | None
    gdp_100m_yuan: float | None
    lon: float | None
    lat: float | None
    created_at: datetime
    updated_at: datetime


# ---- units -----------------------------------------------------------------------------


class UnitCreate(_Input):
    name: Name
    short_name: str | None = Field(default=None, max_length=100)
    kind: UnitKind
    division_code: DivisionCode
    phone: Phone | None = None
    address: str | None = Field(default=None, max_length=300)
    lon: Lon | None = None
    lat: Lat | None = None


class UnitUpdate(_Input):
    name: Name | None = None
    short_name: str | None = Field(default=None, max_length=100)
    kind: UnitKind | None = None
    division_code: DivisionCode | None = None
    phone: Phone | None = None
    address: str | None = Field(default=None, max_length=300)
    lon: Lon | None = None
    lat: Lat | None = None


class UnitRead(ReadModel):
    id: int
    name: str
    short_name: str | None
    kind: str
    division_code: str
    phone: str | None
    address: str | None
    lon: float | None
    lat: float | None
    created_at: datetime
    updated_at: datetime


# ---- contacts --------------------------------------------------------------------------


class ContactCreate(_Input):
    name: Name
    unit_id: int | None = None
    division_code: DivisionCode
    title: str | None = Field(default=None, max_length=100)
    duties: str | None = Field(default=None, max_length=300)
    phone_mobile: Phone | None = None
    phone_office: Phone | None = None
    email: EmailStr | None = None


class ContactUpdate(_Input):
    name: Name | None = None
    unit_id: int | None = None
    division_code: DivisionCode | None = None
    title: str | None = Field(default=None, max_length=100)
    duties: str | None = Field(default=None, max_length=300)
    phone_mobile: Phone | None = None
    phone_office: Phone | None = None
    email: EmailStr | None = None


class ContactRead(ReadModel):
    id: int
    name: str
    unit_id: int | None
    division_code: str
    title: str | None
    duties: str | None
    phone_mobile: str | None
    phone_office: str | None
    email: str | None
    created_at: datetime
    updated_at: datetime


# ---- facilities ------------------------------------------------------------------------


class FacilityCreate(_Input):
    name: Name
    kind: FacilityKind
    status: FacilityStatus = FacilityStatus.in_service
    division_code: DivisionCode
    unit_id: int | None = None
    address: str | None = Field(default=None, max_length=300)
    phone: Phone | None = None
    lon: Lon
    lat: Lat
    capacity: dict[str, Any] = Field(default_factory=dict, description="Kind-specific capacities")
    notes: str | None = Field(default=None, max_length=4000)


class FacilityUpdate(_Input):
    name: Name | None = None
    kind: FacilityKind | None = None
    status: FacilityStatus | None = None
    division_code: DivisionCode | None = None
    unit_id: int | None = None
    address: str | None = Field(default=None, max_length=300)
    phone: Phone | None = None
    lon: Lon | None = None
    lat: Lat | None = None
    capacity: dict[str, Any] | None = None
    notes: str | None = Field(default=None, max_length=4000)


class FacilityRead(ReadModel):
    id: int
    name: str
    kind: str
    status: str
    division_code: str
    unit_id: int | None
    address: str | None
    phone: str | None
    lon: float
    lat: float
    capacity: dict[str, Any]
    notes: str | None
    created_at: datetime
    updated_at: datetime


# ---- teams -----------------------------------------------------------------------------


class EquipmentItem(_Input):
    name: Name
    quantity: int = Field(default=1, ge=0)


class TeamCreate(_Input):
    name: Name
    kind: TeamKind
    specialty: Specialty
    level: TeamLevel
    headcount: int = Field(default=0, ge=0, le=100000)
    capabilities: list[Specialty] = Field(default_factory=list)
    equipment: list[EquipmentItem] = Field(default_factory=list)
    status: ResourceStatus = ResourceStatus.available
    division_code: DivisionCode
    unit_id: int | None = None
    leader: str | None = Field(default=None, max_length=100)
    phone: Phone | None = None
    lon: Lon
    lat: Lat


class TeamUpdate(_Input):
    name: Name | None = None
    kind: TeamKind | None = None
    specialty: Specialty | None = None
    level: TeamLevel | None = None
    headcount: int | None = Field(default=None, ge=0, le=100000)
    capabilities: list[Specialty] | None = None
    equipment: list[EquipmentItem] | None = None
    status: ResourceStatus | None = None
    division_code: DivisionCode | None = None
    unit_id: int | None = None
    leader: str | None = Field(default=None, max_length=100)
    phone: Phone | None = None
    lon: Lon | None = None
    lat: Lat | None = None


class TeamRead(ReadModel):
    id: int
    name: str
    kind: str
    specialty: str
    level: str
    headcount: int
    capabilities: list[str]
    equipment: list[dict[str, Any]]
    status: str
    division_code: str
    unit_id: int | None
    leader: str | None
    phone: str | None
    lon: float
    lat: float
    created_at: datetime
    updated_at: datetime


# ---- experts ---------------------------------------------------------------------------


class ExpertCreate(_Input):
    name: Name
    specialties: list[Specialty] = Field(min_length=1)
    title: str | None = Field(default=None, max_length=100)
    unit_id: int | None = None
    division_code: DivisionCode
    phone_mobile: Phone | None = None
    phone_office: Phone | None = None
    availability: ExpertAvailability = ExpertAvailability.available
    lon: Lon | None = None
    lat: Lat | None = None


class ExpertUpdate(_Input):
    name: Name | None = None
    specialties: list[Specialty] | None = Field(default=None, min_length=1)
    title: str | None = Field(default=None, max_length=100)
    unit_id: int | None = None
    division_code: DivisionCode | None = None
    phone_mobile: Phone | None = None
    phone_office: Phone | None = None
    availability: ExpertAvailability | None = None
    lon: Lon | None = None
    lat: Lat | None = None


class ExpertRead(ReadModel):
    id: int
    name: str
    specialties: list[str]
    title: str | None
    unit_id: int | None
    division_code: str
    phone_mobile: str | None
    phone_office: str | None
    availability: str
    lon: float | None
    lat: float | None
    created_at: datetime
    updated_at: datetime


# ---- vehicles --------------------------------------------------------------------------


class VehicleCreate(_Input):
    name: Name
    category: VehicleCategory = VehicleCategory.vehicle
    type: VehicleType
    plate: str | None = Field(default=None, max_length=20)
    capacity_value: float | None = Field(default=None, ge=0)
    capacity_unit: str | None = Field(default=None, max_length=20)
    unit_id: int | None = None
    team_id: int | None = None
    division_code: DivisionCode
    status: ResourceStatus = ResourceStatus.available
    lon: Lon | None = None
    lat: Lat | None = None


class VehicleUpdate(_Input):
    name: Name | None = None
    category: VehicleCategory | None = None
    type: VehicleType | None = None
    plate: str | None = Field(default=None, max_length=20)
    capacity_value: float | None = Field(default=None, ge=0)
    capacity_unit: str | None = Field(default=None, max_length=20)
    unit_id: int | None = None
    team_id: int | None = None
    division_code: DivisionCode | None = None
    status: ResourceStatus | None = None
    lon: Lon | None = None
    lat: Lat | None = None


class VehicleRead(ReadModel):
    id: int
    name: str
    category: str
    type: str
    plate: str | None
    capacity_value: float | None
    capacity_unit: str | None
    unit_id: int | None
    team_id: int | None
    division_code: str
    status: str
    lon: float | None
    lat: float | None
    created_at: datetime
    updated_at: datetime
