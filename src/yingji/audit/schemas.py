"""Audit log output."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from yingji.common.schemas import ReadModel


class AuditRead(ReadModel):
    id: int
    at: datetime
    actor_id: int | None
    actor_name: str
    action: str
    entity_type: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
