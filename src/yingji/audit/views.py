"""Read the audit log (administrators)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from yingji.audit import service
from yingji.audit.schemas import AuditRead
from yingji.common.schemas import Page
from yingji.deps import AdminUser, SessionDep

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


@router.get("", response_model=Page[AuditRead])
def list_audit(
    session: SessionDep,
    _admin: AdminUser,
    entity_type: Annotated[str | None, Query(max_length=40)] = None,
    entity_id: Annotated[str | None, Query(max_length=40)] = None,
    actor: Annotated[str | None, Query(max_length=64)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Any:
    items, total = service.query(
        session=session, entity_type=entity_type, entity_id=entity_id, actor=actor,
        since=since, until=until, page=page, size=size,
    )
    return {"items": items, "total": total, "page": page, "size": size}
