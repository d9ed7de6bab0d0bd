"""Monitoring input/output models. Reading batches are validated item by item in the ingest
service (a bad item is rejected with its index; the good ones are stored)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ConfigDict, Field

from yingji.common.schemas import DivisionCode, Lat, Lon, Name, ReadModel, StrictModel
from yingji.monitoring.enums import SensorKind

Code = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.\-]+$",
             description="Sensor code; also the MQTT topic segment yingji/sensors/<code>/readings")


class _Input(StrictModel):
    model_config = ConfigDict(allow_inf_nan=False)


class SensorCreate(_Input):
    code: str = Code
    name: Name
    kind: SensorKind
    unit: str | None = Field(default=None, max_length=20, description="Unit of measure (default: the kind's)")
    division_code: DivisionCode
    unit_id: int | None = Field(default=None, ge=1, le=2**31 - 1, description="Owner / operator unit")
    hazard_source_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    facility_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    lon: Lon
    lat: Lat
    silence_minutes: int | None = Field(default=None, ge=1, le=10_080, description="Offline after this silence")
    rules: list[dict[str, Any]] = Field(default_factory=list, max_length=20,
                                        description="Rule overrides (docs/engines/rules.md)")
    active: bool = True
    notes: str | None = Field(default=None, max_length=4000)


class SensorUpdate(_Input):
    name: Name | None = None
    kind: SensorKind | None = None
    unit: str | None = Field(default=None, max_length=20)
    division_code: DivisionCode | None = None
    unit_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    hazard_source_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    facility_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    lon: Lon | None = None
    lat: Lat | None = None
    silence_minutes: int | None = Field(default=None, ge=1, le=10_080)
    rules: list[dict[str, Any]] | None = Field(default=None, max_length=20)
    active: bool | None = None
    notes: str | None = Field(default=None, max_length=4000)


class SensorRead(ReadModel):
    id: int
    code: str
    name: str
    kind: str
    unit: str
    division_code: str
    unit_id: int | None
    hazard_source_id: int | None
    facility_id: int | None
    lon: float
    lat: float
    silence_minutes: int | None
    rules: list[dict[str, Any]]
    active: bool
    status: str = "offline"
    last_reading_at: datetime | None
    last_value: float | None
    notes: str | None
    created_at: datetime
    updated_at: datetime


class ReadingRead(ReadModel):
    ts: datetime
    value: float
