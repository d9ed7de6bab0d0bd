"""Input and output shapes of the notification API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, model_validator

from yingji.common.schemas import DivisionCode, ReadModel, StrictModel

ChannelKind = Literal["email", "webhook", "wecom", "dingtalk", "sms"]
RoleName = Literal["admin", "commander", "duty_officer", "department", "county", "viewer"]
ChangeKind = Literal["raised", "escalated", "de_escalated", "updated", "acknowledged", "lifted", "expired"]
DEFAULT_KINDS: list[ChangeKind] = ["raised", "escalated"]


def _check_config(kind: str | None, config: dict[str, Any] | None) -> None:
    if kind is None or config is None:
        return
    if kind in ("webhook", "wecom", "dingtalk", "sms"):
        url = config.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ValueError(f"config.url: a {kind} channel needs an http(s) URL")
    if kind == "email" and "port" in config:
        port = config["port"]
        if not isinstance(port, int) or not 0 < port < 65536:
            raise ValueError("config.port: an integer 1–65535")


class ChannelCreate(StrictModel):
    name: str = Field(min_length=1, max_length=100)
    kind: ChannelKind
    config: dict[str, Any] = Field(default_factory=dict)
    active: bool = True

    @model_validator(mode="after")
    def _cfg(self) -> ChannelCreate:
        _check_config(self.kind, self.config)
        return self


class ChannelUpdate(StrictModel):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    config: dict[str, Any] | None = None
    active: bool | None = None


class ChannelRead(ReadModel):
    id: int
    name: str
    kind: str
    config: dict[str, Any]
    active: bool
    created_at: datetime


class SubscriptionCreate(StrictModel):
    name: str = Field(min_length=1, max_length=200)
    division_code: DivisionCode = Field(description="Warnings in this division and below")
    unit_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    role: RoleName | None = Field(default=None, description="The subscriber's role (default: yours)")
    source_type: str | None = Field(default=None, max_length=20, description="e.g. sensor, manual, cap (any if null)")
    cause: str | None = Field(default=None, max_length=120, description="Hazard cause, e.g. water_level (any if null)")
    min_level: int = Field(default=4, ge=1, le=4, description="Tell of levels 1..min_level (1 = red)")
    kinds: list[ChangeKind] = Field(default_factory=lambda: list(DEFAULT_KINDS), min_length=1)
    channel_id: int = Field(ge=1, le=2**31 - 1)
    recipient: str | None = Field(default=None, min_length=3, max_length=200,
                                  description="E-mail address or phone number (e-mail and SMS channels)")
    active: bool = True


class SubscriptionUpdate(StrictModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    division_code: DivisionCode | None = None
    unit_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    role: RoleName | None = None
    source_type: str | None = Field(default=None, max_length=20)
    cause: str | None = Field(default=None, max_length=120)
    min_level: int | None = Field(default=None, ge=1, le=4)
    kinds: list[ChangeKind] | None = Field(default=None, min_length=1)
    channel_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    recipient: str | None = Field(default=None, min_length=3, max_length=200)
    active: bool | None = None


class SubscriptionRead(ReadModel):
    id: int
    name: str
    division_code: str
    unit_id: int | None
    role: str | None
    source_type: str | None
    cause: str | None
    min_level: int
    kinds: list[str]
    channel_id: int
    recipient: str | None
    active: bool
    created_by: str
    created_at: datetime


class DeliveryRead(ReadModel):
    id: int
    warning_id: int | None
    change_kind: str | None
    reason: str
    subscription_id: int | None
    channel_id: int | None
    channel_kind: str
    division_code: str | None
    recipient: str | None
    subject: str
    body: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    log: list[dict[str, Any]]
    sent_at: datetime | None
    created_at: datetime
