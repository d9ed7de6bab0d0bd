"""Shared Pydantic pieces: the page shape and coordinate fields."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")

Lon = Annotated[float, Field(ge=-180, le=180, description="Longitude, degrees (WGS 84 / CGCS2000)")]
Lat = Annotated[float, Field(ge=-90, le=90, description="Latitude, degrees (WGS 84 / CGCS2000)")]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Phone = Annotated[str, Field(max_length=40, pattern=r"^[0-9+\-() ]*$")]
DivisionCode = Annotated[str, Field(pattern=r"^\d{6}(\d{3})?(\d{3})?$", description="GB/T 2260 code")]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    size: int


class StrictModel(BaseModel):
    """Input models refuse unknown fields, so a typo is an error rather than silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


def is_digits(value: str) -> bool:
    """ASCII digits only (``str.isdigit`` also accepts ``²`` and the like, which ``int()`` refuses)."""
    return value.isascii() and value.isdigit()
