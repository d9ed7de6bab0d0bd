"""Account schemas."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from yingji.auth.enums import Role
from yingji.common.schemas import DivisionCode, ReadModel, StrictModel


class UserCreate(StrictModel):
    username: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    password: str = Field(min_length=8, max_length=200)
    role: Role
    display_name: str | None = Field(default=None, max_length=100)
    division_code: DivisionCode | None = None
    unit_id: int | None = None
    language: str = Field(default="zh-CN", pattern=r"^(zh-CN|en)$")


class UserRead(ReadModel):
    id: int
    username: str
    display_name: str | None
    role: str
    division_code: str | None
    unit_id: int | None
    active: bool
    language: str
    created_at: datetime


class Token(StrictModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
