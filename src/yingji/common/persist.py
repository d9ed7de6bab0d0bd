"""Writing helpers shared by the domain services."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yingji.errors import Conflict


def flush_or_conflict(session: Session, what: str) -> None:
    """Flush pending changes; a constraint the database refuses becomes a 409 naming ``what``."""
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(f"{what} conflicts with existing data: {str(exc.orig).splitlines()[0]}") from None
