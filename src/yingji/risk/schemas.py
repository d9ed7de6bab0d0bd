"""Risk input/output models."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import ConfigDict, Field, field_validator

from yingji.common.schemas import DivisionCode, Lat, Lon, Name, Phone, ReadModel, StrictModel
from yingji.risk.chemicals import cas_valid
from yingji.risk.enums import HazardKind, HazardStatus, RiskColour


class _Input(StrictModel):
    model_config = ConfigDict(allow_inf_nan=False)


class Substance(_Input):
    """One substance held at a hazard source."""

    name: str = Field(min_length=1, max_length=100)
    cas: str | None = Field(default=None, description="CAS registry number, e.g. 7782-50-5")
    quantity_t: float = Field(ge=0, le=1e9, description="Quantity present (design maximum), tonnes")

    @field_validator("cas")
    @classmethod
    def _cas(cls, v: str | None) -> str | None:
        if v is not None and not cas_valid(v):
            raise ValueError("not a valid CAS number (format NNNNNNN-NN-N with check digit)")
        return v


Grade = Field(default=None, ge=1, le=4, description="重大危险源分级 (GB 18218): 1 = 一级 (most severe) … 4")


class HazardSourceCreate(_Input):
    name: Name
    code: str | None = Field(default=None, min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.\-]+$")
    kind: HazardKind
    status: HazardStatus = HazardStatus.in_operation
    division_code: DivisionCode
    unit_id: int | None = Field(default=None, ge=1, le=2**31 - 1, description="Responsible unit")
    facility_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    contact_name: str | None = Field(default=None, max_length=100)
    contact_phone: Phone | None = None
    address: str | None = Field(default=None, max_length=300)
    lon: Lon
    lat: Lat
    geometry: dict[str, Any] | None = Field(
        default=None, description="GeoJSON Polygon, MultiPolygon, LineString or MultiLineString (WGS 84)"
    )
    substances: list[Substance] = Field(default_factory=list, max_length=200)
    major_hazard_grade: int | None = Grade
    risk_colour: RiskColour | None = Field(default=None, description="Set by the latest assessment unless given")
    notes: str | None = Field(default=None, max_length=4000)


class HazardSourceUpdate(_Input):
    name: Name | None = None
    code: str | None = Field(default=None, min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.\-]+$")
    kind: HazardKind | None = None
    status: HazardStatus | None = None
    division_code: DivisionCode | None = None
    unit_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    facility_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    contact_name: str | None = Field(default=None, max_length=100)
    contact_phone: Phone | None = None
    address: str | None = Field(default=None, max_length=300)
    lon: Lon | None = None
    lat: Lat | None = None
    geometry: dict[str, Any] | None = None
    substances: list[Substance] | None = Field(default=None, max_length=200)
    major_hazard_grade: int | None = Grade
    risk_colour: RiskColour | None = None
    notes: str | None = Field(default=None, max_length=4000)


class HazardSourceRead(ReadModel):
    id: int
    code: str | None
    name: str
    kind: str
    status: str
    division_code: str
    unit_id: int | None
    facility_id: int | None
    contact_name: str | None
    contact_phone: str | None
    address: str | None
    lon: float
    lat: float
    geometry: dict[str, Any] | None
    substances: list[dict[str, Any]]
    major_hazard_grade: int | None
    risk_colour: str | None
    critical_ratio: float | None = Field(
        default=None, description="Σ q/Q over substances with a GB 18218 critical quantity (≥ 1: a major hazard)"
    )
    notes: str | None
    created_at: datetime
    updated_at: datetime


class AssessmentCreate(_Input):
    assessed_on: date
    likelihood: int = Field(ge=1, le=5, description="L, 1 (rare) … 5 (almost certain)")
    consequence: int = Field(ge=1, le=5, description="S, 1 (minor) … 5 (catastrophic)")
    colour: RiskColour | None = Field(default=None, description="Overrides the matrix colour (give notes why)")
    method: str = Field(default="LS", min_length=1, max_length=40)
    assessor: str = Field(min_length=1, max_length=200)
    notes: str | None = Field(default=None, max_length=4000)


class AssessmentRead(ReadModel):
    id: int
    hazard_source_id: int
    assessed_on: date
    likelihood: int
    consequence: int
    score: int
    colour: str
    method: str
    assessor: str
    notes: str | None
    created_by: str
    created_at: datetime
