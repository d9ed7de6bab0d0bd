"""Small shared pieces of the supervision domain: the system principal, local days, scope filters."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from yingji.audit import service as audit
from yingji.auth import permissions as perm
from yingji.db.base import utcnow

DEFAULT_TZ = "Asia/Shanghai"


@dataclass(frozen=True)
class SystemPrincipal:
    """The actor of computations, the CLI and the demo: unrestricted, ``system`` in the audit log."""

    id: int | None = None
    username: str = "system"
    role: str = "admin"
    division_code: str | None = None
    unit_id: int | None = None


SYSTEM = SystemPrincipal()


def local_today(tz: str = DEFAULT_TZ) -> date:
    """Today in the installation's time zone (days of plans and reports are local days)."""
    return utcnow().astimezone(ZoneInfo(tz)).date()


def local_date(moment: datetime, tz: str = DEFAULT_TZ) -> date:
    return moment.astimezone(ZoneInfo(tz)).date()


def day_end(day: date, tz: str = DEFAULT_TZ) -> datetime:
    """The first instant after ``day`` (local), as an aware datetime."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(tz))


def under(code: str | None, division: str) -> bool:
    """Whether division ``code`` is ``division`` or lies below it (GB/T 2260 prefix)."""
    return code is not None and code.startswith(perm.division_prefix(division))


def scoped_detail(detail: dict[str, Any], user: perm.Principal) -> dict[str, Any]:
    """``detail`` with every listed row that names a division outside the user's scope removed."""
    if getattr(user, "division_code", None) is None:
        return detail
    out: dict[str, Any] = {}
    for key, value in detail.items():
        if isinstance(value, list):
            value = [
                row
                for row in value
                if not (isinstance(row, dict) and "division_code" in row)
                or perm.in_scope(user, row["division_code"])
            ]
        out[key] = value
    return out


def jsonable(d: dict[str, Any] | None) -> dict[str, Any] | None:
    """A dict as JSON holds it (dates and decimals as text), for the audit log and stored details."""
    if d is None:
        return None
    out: dict[str, Any] = json.loads(json.dumps(d, default=str, ensure_ascii=False))
    return out


def audit_change(
    session: Any,
    actor: perm.Principal,
    action: str,
    entity: str,
    entity_id: Any,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """One audit entry of a supervision record (before/after made JSON-safe)."""
    audit.record(session=session, actor=actor, action=action, entity_type=entity, entity_id=entity_id,
                 before=jsonable(before), after=jsonable(after))
