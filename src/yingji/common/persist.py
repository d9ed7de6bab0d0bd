"""Query and writing helpers shared by the domain services."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, or_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yingji.errors import Conflict


def flush_or_conflict(session: Session, what: str) -> None:
    """Flush pending changes; a constraint the database refuses becomes a 409 naming ``what``."""
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(f"{what} conflicts with existing data: {str(exc.orig).splitlines()[0]}") from None


def text_search(q: str, *columns: Any) -> ColumnElement[bool]:
    """The list filters' ``q``: a case-insensitive substring of any of ``columns``, with ``%``, ``_``
    and ``\\`` taken literally (so ``q="%"`` matches a percent sign, not everything)."""
    pattern = "%" + q.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(*(c.ilike(pattern, escape="\\") for c in columns))
