"""Pieces the supplies modules share: local dates, actors, audit, scope of stock rows, errors."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.auth import permissions as perm
from yingji.db.base import Base, utcnow
from yingji.errors import Conflict, InvalidField, NotFound
from yingji.registry.models import Division, Facility, Unit
from yingji.supplies import permissions as _registered  # noqa: F401  (registers the resources)
from yingji.supplies.models import Item, StockLot

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
"""Expiry dates are calendar dates in Liaocheng; "today" is the local date."""


def local_today() -> date:
    return utcnow().astimezone(LOCAL_TZ).date()


def record(session: Session, actor: Any, action: str, entity_type: str, entity_id: Any,
           before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
    audit.record(session=session, actor=actor, action=action, entity_type=entity_type, entity_id=entity_id,
                 before=before, after=after)


def as_dict(obj: Base) -> dict[str, Any]:
    """Column values as JSON primitives (dates too) for the audit log."""
    out = obj.to_dict()
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in out.items()}


def is_department(user: perm.Principal) -> bool:
    return str(user.role) == "department"


def stock_clause(user: perm.Principal) -> ColumnElement[bool]:
    """Rows of ``StockLot`` joined with its warehouse (``Facility``) that ``user`` may see and change:
    warehouses in the user's division; for a department, its unit's warehouses or lots it holds."""
    clause = perm.scope_clause(user, Facility.division_code)
    if is_department(user):
        if user.unit_id is None:
            return false()
        clause = and_(clause, or_(Facility.unit_id == user.unit_id, StockLot.holder_unit_id == user.unit_id))
    return clause


def stock_row_allowed(user: perm.Principal, warehouse: Facility, holder_unit_id: int | None) -> bool:
    if not perm.in_scope(user, warehouse.division_code):
        return False
    if is_department(user):
        return user.unit_id is not None and user.unit_id in (warehouse.unit_id, holder_unit_id)
    return True


def warehouse(session: Session, warehouse_id: int, field: str = "warehouse_id") -> Facility:
    f = session.get(Facility, warehouse_id)
    if f is None:
        raise InvalidField(field, f"unknown warehouse {warehouse_id}")
    if f.kind != "warehouse":
        raise InvalidField(field, f"facility {warehouse_id} is a {f.kind}, not a warehouse")
    return f


def item(session: Session, item_id: int, field: str = "item_id") -> Item:
    it = session.get(Item, item_id)
    if it is None:
        raise InvalidField(field, f"unknown item {item_id}")
    return it


def items_by_code(session: Session) -> dict[str, Item]:
    return {i.code: i for i in session.scalars(select(Item))}


def unit_exists(session: Session, unit_id: int | None, field: str) -> None:
    if unit_id is not None and session.get(Unit, unit_id) is None:
        raise InvalidField(field, f"unknown unit {unit_id}")


def division(session: Session, code: str, field: str = "division_code") -> Division:
    d = session.get(Division, code)
    if d is None:
        raise InvalidField(field, f"unknown division {code}")
    return d


def visible_lot(session: Session, user: perm.Principal, lot_id: int) -> tuple[StockLot, Facility, Item]:
    """The lot with its warehouse and item; out of the user's scope is reported as not found."""
    row = session.execute(
        select(StockLot, Facility, Item)
        .join(Facility, Facility.id == StockLot.warehouse_id)
        .join(Item, Item.id == StockLot.item_id)
        .where(StockLot.id == lot_id, stock_clause(user))
    ).first()
    if row is None:
        raise NotFound(f"stock lot {lot_id} not found")
    return row[0], row[1], row[2]


CONTENTION_PGCODES = {"40001", "40P01", "55P03"}  # serialization failure, deadlock, lock not available


def is_contention(exc: OperationalError) -> bool:
    """Another writer got there first: SQLite's busy/locked, PostgreSQL's serialization or lock errors."""
    orig = getattr(exc, "orig", None)
    if getattr(orig, "sqlstate", None) in CONTENTION_PGCODES:
        return True
    text = str(orig or exc).lower()
    return "database is locked" in text or "database is busy" in text


def busy_or_integrity(exc: Exception, what: str) -> Exception:
    """A write refused by the database — a constraint, or a concurrent writer — as a 409; any other
    database error is returned unchanged, to be re-raised."""
    text = str(getattr(exc, "orig", exc)).splitlines()[0]
    if isinstance(exc, OperationalError):
        if not is_contention(exc):
            return exc
        return Conflict(f"{what}: the stock was changed by another user at the same time; try again ({text})")
    if isinstance(exc, IntegrityError):
        return Conflict(f"{what}: refused by the database ({text})")
    return exc


def page_out(items: list[Any], total: int, page: int, size: int) -> dict[str, Any]:
    return {"items": items, "total": total, "page": page, "size": size}

