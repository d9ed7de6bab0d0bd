"""Warning input/output models."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ConfigDict, Field

from yingji.common.schemas import DivisionCode, ReadModel, StrictModel

CAP_CATEGORIES = ("Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra",
                  "CBRNE", "Other")
Level = Field(ge=1, le=4, description="1 = 一级/red (most severe) … 4 = 四级/blue")
Slug = Field(min_length=1, max_length=60, pattern=r"^[a-z0-9_\-]+$", description="Cause key, e.g. flood, gas_leak")


class _Input(StrictModel):
    model_config = ConfigDict(allow_inf_nan=False)


class WarningCreate(_Input):
    """Issue a warning by hand. With an active warning of the same source and cause, that warning
    is updated (its level changed) instead of a second one being raised."""

    cause: str = Slug
    level: int = Level
    headline: str = Field(min_length=1, max_length=300)
    event: str | None = Field(default=None, max_length=200, description="Event type, e.g. 暴雨 (default: headline)")
    category: str = Field(default="Other", pattern="^(" + "|".join(CAP_CATEGORIES) + ")$")
    description: str | None = Field(default=None, max_length=8000)
    instruction: str | None = Field(default=None, max_length=8000)
    division_code: DivisionCode
    hazard_source_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    unit_id: int | None = Field(default=None, ge=1, le=2**31 - 1, description="Issuing unit")
    area: dict[str, Any] | None = Field(default=None, description="GeoJSON Polygon or MultiPolygon")
    area_desc: str | None = Field(default=None, max_length=300)
    geocodes: list[str] | None = Field(default=None, max_length=50, description="GB/T 2260 codes (default: division)")
    onset: datetime | None = None
    expires_at: datetime | None = None
    exercise: bool = Field(default=False, description="A drill (CAP status Exercise)")


class WarningUpdate(_Input):
    level: int | None = Field(default=None, ge=1, le=4, description="1 = 一级/red … 4 = 四级/blue")
    headline: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=8000)
    instruction: str | None = Field(default=None, max_length=8000)
    area: dict[str, Any] | None = None
    area_desc: str | None = Field(default=None, max_length=300)
    expires_at: datetime | None = None
    note: str | None = Field(default=None, max_length=500, description="Reason for the change (history)")


class WarningAction(_Input):
    """Body of acknowledge (``reason`` optional, kept as the note) and lift (``reason`` required)."""

    reason: str | None = Field(default=None, min_length=1, max_length=300)


class FeedImport(_Input):
    url: str = Field(min_length=8, max_length=2000, pattern=r"^https?://", description="Atom feed or CAP alert URL")
    division_code: DivisionCode | None = Field(default=None, description="Division for alerts without a known geocode")


class WarningRead(ReadModel):
    id: int
    source_type: str
    source_id: str
    cause: str
    origin: str
    level: int
    colour: str = ""
    peak_level: int
    status: str
    cap_status: str
    category: str
    event: str
    headline: str
    description: str | None
    instruction: str | None
    division_code: str
    unit_id: int | None
    sensor_id: int | None
    hazard_source_id: int | None
    lon: float | None
    lat: float | None
    area: dict[str, Any] | None
    area_desc: str
    geocodes: list[str]
    details: dict[str, Any]
    onset: datetime | None
    expires_at: datetime | None
    raised_at: datetime
    updated_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    lifted_at: datetime | None
    lifted_by: str | None
    lift_reason: str | None
    version: int
    created_by: str
    cap_sender: str | None
    cap_identifier: str | None
    incident_id: int | None = None


class WarningEscalation(ReadModel):
    incident_id: int
    created: bool
    warning: WarningRead


class WarningEventRead(ReadModel):
    id: int
    warning_id: int
    at: datetime
    kind: str
    level_from: int | None
    level_to: int | None
    version: int
    actor: str
    note: str | None
