"""Who may see an event: the same rules as reading the records behind it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from yingji.auth import permissions as perm
from yingji.events.bus import Event


@dataclass(frozen=True)
class Viewer:
    """A subscriber's identity, copied from the user when the stream opens (no database needed)."""

    id: int
    username: str
    role: str
    division_code: str | None
    unit_id: int | None

    @classmethod
    def of(cls, user: Any) -> Viewer:
        return cls(user.id, user.username, user.role, user.division_code, user.unit_id)


def visible(viewer: perm.Principal, event: Event) -> bool:
    """Whether ``viewer`` may see ``event``.

    * the role must hold ``read`` on the event's resource;
    * division scope: the event's division must lie in the viewer's division (a viewer without a
      division sees everything; an event without a division only such viewers);
    * department users: only events of their unit (``unit_ids``), of their own division itself, or
      marked for all departments (``departments``).
    """
    if not perm.allowed(viewer.role, event.resource, "read"):
        return False
    if not perm.in_scope(viewer, event.division_code):
        return False
    if viewer.role == "department" and viewer.division_code is not None:
        return (
            event.departments
            or (viewer.unit_id is not None and viewer.unit_id in event.unit_ids)
            or event.division_code == viewer.division_code
        )
    return True
