"""Routing request and answer models."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, model_validator

from yingji.common.schemas import DivisionCode, Lat, Lon, ReadModel, StrictModel


class Point(StrictModel):
    lon: Lon
    lat: Lat


class RouteRequest(StrictModel):
    origin: Point
    destination: Point


class MatrixRequest(StrictModel):
    origins: list[Point] = Field(min_length=1, max_length=500)
    destinations: list[Point] = Field(min_length=1, max_length=500)


class ClosureRef(ReadModel):
    id: int
    reason: str


class ClosureCreate(StrictModel):
    reason: str = Field(min_length=1, max_length=300)
    division_code: DivisionCode
    area: dict[str, Any] | None = Field(
        default=None, description="GeoJSON Polygon or MultiPolygon closing every road inside"
    )
    edges: list[int] | None = Field(
        default=None,
        min_length=1,
        max_length=10_000,
        description="Edge indices of the current network, e.g. from a route answer",
    )
    opened_at: datetime | None = None
    cleared_at: datetime | None = None
    notes: str | None = Field(default=None, max_length=4000)

    @model_validator(mode="after")
    def _one_of(self) -> ClosureCreate:
        if (self.area is None) == (self.edges is None):
            raise ValueError("give exactly one of area (a polygon) or edges")
        if self.opened_at and self.cleared_at and self.cleared_at < self.opened_at:
            raise ValueError("cleared_at must not be before opened_at")
        return self


class ClosureUpdate(StrictModel):
    reason: str | None = Field(default=None, min_length=1, max_length=300)
    cleared_at: datetime | None = None
    notes: str | None = Field(default=None, max_length=4000)


class ClosureRead(ReadModel):
    id: int
    reason: str
    division_code: str
    geometry: dict[str, Any]
    edges: list[int]
    opened_at: datetime
    cleared_at: datetime | None
    created_by: str
    notes: str | None
    lon: float
    lat: float
    active: bool = False


ResourceKind = Literal["teams", "facilities", "vehicles"]
CoverageKind = Literal["fire", "medical", "shelter"]
