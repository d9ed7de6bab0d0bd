"""Registry input/output models. Field rules live here; cross-field rules in ``validation``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import EmailStr, Field

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

# ---- divisions -------------------------------------------------------------------------


class DivisionCreate(StrictModel):
    code: DivisionCode
    name: Name
    name_en: str | None = Field(default=None, max_length=100)
    level: DivisionLevel
    parent_code: DivisionCode | None = None
    population: int | None = Field(default=None, ge=0)
    area_km2: float | None = Field(default=None, ge=0)
    gdp_100m_yuan: float | None = Field(default=None, ge=0, description="GDP, 100 million yuan (亿元)")
    lon: Lon | None = None
    lat: Lat | None = None
    boundary: dict[str, Any] | None = Field(default=None, description="GeoJSON Polygon or MultiPolygon")


class DivisionUpdate(StrictModel):
    name: Name | None = None
    name_en: str | None = Field(default=None, max_length=100)
    level: DivisionLevel | None = None
    parent_code: DivisionCode | None = None
    population: int | None = Field(default=None, ge=0)
    area_km2: float | None = Field(default=None, ge=0)
    gdp_100m_yuan: float | None = Field(default=None, ge=0)
    lon: Lon | None = None
    lat: Lat | None = None
    boundary: dict[str, Any] | None = None


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


class UnitCreate(StrictModel):
    name: Name
    short_name: str | None = Field(default=None, max_length=100)
    kind: UnitKind
    division_code: DivisionCode
    phone: Phone | None = None
    address: str | None = Field(default=None, max_length=300)
    lon: Lon | None = None
    lat: Lat | None = None


class UnitUpdate(StrictModel):
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


class ContactCreate(StrictModel):
    name: Name
    unit_id: int | None = None
    division_code: DivisionCode
    title: str | None = Field(default=None, max_length=100)
    duties: str | None = Field(default=None, max_length=300)
    phone_mobile: Phone | None = None
    phone_office: Phone | None = None
    email: EmailStr | None = None


class ContactUpdate(StrictModel):
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


class FacilityCreate(StrictModel):
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


class FacilityUpdate(StrictModel):
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


class EquipmentItem(StrictModel):
    name: Name
    quantity: int = Field(default=1, ge=0)


class TeamCreate(StrictModel):
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


class TeamUpdate(StrictModel):
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


class ExpertCreate(StrictModel):
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


class ExpertUpdate(StrictModel):
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


class VehicleCreate(StrictModel):
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


class VehicleUpdate(StrictModel):
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
