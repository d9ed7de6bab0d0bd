"""The role × action matrix and the row-level rules (division scope, own unit).

The matrix is data; ``docs/permissions.md`` prints the same table and a test keeps the two equal.

Row-level rules, applied on top of the matrix:

* **division scope** — a user with a division (always for ``county``) sees and changes only
  records whose division is that division or below it (GB/T 2260 code prefix);
* **own unit** — a ``department`` user creates, changes and deletes only records whose
  ``unit_id`` is the user's unit.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import ColumnElement, true

from yingji.auth.enums import Role
from yingji.errors import Forbidden

ACTIONS = ("read", "create", "update", "delete", "import", "export")
REGISTRIES = ("divisions", "units", "contacts", "facilities", "teams", "experts", "vehicles")
RESOURCES = (*REGISTRIES, "users", "audit", "routing", "road_closures")

_ALL = set(ACTIONS)
_READ = {"read", "export"}
_WRITE = _ALL

MATRIX: dict[str, dict[str, set[str]]] = {
    Role.admin: {r: set(_ALL) for r in RESOURCES},
    Role.commander: {
        "divisions": set(_READ),
        "units": set(_WRITE),
        "contacts": set(_WRITE),
        "facilities": set(_WRITE),
        "teams": set(_WRITE),
        "experts": set(_WRITE),
        "vehicles": set(_WRITE),
        "users": set(),
        "audit": set(),
        "routing": {"read"},
        "road_closures": set(_WRITE),
    },
    Role.duty_officer: {
        "divisions": set(_READ),
        "units": set(_READ),
        "contacts": {"read", "export", "create", "update"},
        "facilities": set(_READ),
        "teams": {"read", "export", "update"},
        "experts": {"read", "export", "update"},
        "vehicles": {"read", "export", "update"},
        "users": set(),
        "audit": set(),
        "routing": {"read"},
        "road_closures": {"read", "export", "create", "update"},
    },
    Role.department: {
        "divisions": set(_READ),
        "units": set(_READ),
        "contacts": set(_WRITE),
        "facilities": set(_WRITE),
        "teams": set(_WRITE),
        "experts": set(_WRITE),
        "vehicles": set(_WRITE),
        "users": set(),
        "audit": set(),
        "routing": {"read"},
        "road_closures": {"read", "export", "create", "update"},
    },
    Role.county: {
        "divisions": set(_READ),
        "units": set(_WRITE),
        "contacts": set(_WRITE),
        "facilities": set(_WRITE),
        "teams": set(_WRITE),
        "experts": set(_WRITE),
        "vehicles": set(_WRITE),
        "users": set(),
        "audit": set(),
        "routing": {"read"},
        "road_closures": {"read", "export", "create", "update"},
    },
    Role.viewer: {
        "divisions": {"read"},
        "units": {"read"},
        "contacts": {"read"},
        "facilities": {"read"},
        "teams": {"read"},
        "experts": {"read"},
        "vehicles": {"read"},
        "users": set(),
        "audit": set(),
        "routing": {"read"},
        "road_closures": {"read"},
    },
}


def register(resource: str, grants: dict[str, set[str]]) -> None:
    """Add a domain's resource to the matrix (called once, at import of the domain's ``permissions``).

    ``grants`` maps role → allowed actions; roles left out get nothing, ``admin`` gets every
    action given to anyone plus the six standard ones.
    """
    unknown = set(grants) - {r.value for r in Role}
    if unknown:
        raise ValueError(f"unknown roles for {resource}: {sorted(unknown)}")
    every = set(ACTIONS).union(*grants.values()) if grants else set(ACTIONS)
    for role in Role:
        actions = every if role == Role.admin else set(grants.get(role.value, set()))
        MATRIX.setdefault(role, {})[resource] = actions


class Principal(Protocol):
    """Who acts: a user account or the system (CLI, demo loader). Read-only view."""

    @property
    def id(self) -> int | None: ...

    @property
    def username(self) -> str: ...

    @property
    def role(self) -> str: ...

    @property
    def division_code(self) -> str | None: ...

    @property
    def unit_id(self) -> int | None: ...


def division_prefix(code: str) -> str:
    """The GB/T 2260 prefix shared by a division and everything below it.

    ``371500`` (a city) → ``3715``; ``371581`` (a county) → ``371581``; ``370000`` → ``37``.
    Township codes (9 or 12 digits) are their own prefix.
    """
    if len(code) == 6:
        if code.endswith("0000"):
            return code[:2]
        if code.endswith("00"):
            return code[:4]
    return code


def in_scope(user: Principal, division_code: str | None) -> bool:
    if user.division_code is None:
        return True
    if division_code is None:
        return False
    return division_code.startswith(division_prefix(user.division_code))


def scope_clause(user: Principal, column: Any) -> ColumnElement[bool]:
    """SQL condition limiting ``column`` (a division code column) to the user's scope."""
    if user.division_code is None:
        return true()
    return column.like(division_prefix(user.division_code) + "%")


def allowed(role: str, resource: str, action: str) -> bool:
    return action in MATRIX.get(role, {}).get(resource, set())


def require(user: Principal, resource: str, action: str) -> None:
    if not allowed(user.role, resource, action):
        raise Forbidden(f"role {user.role!r} may not {action} {resource}")


def require_row(user: Principal, resource: str, action: str, values: dict[str, Any]) -> None:
    """Row-level check for a write, on the values the row has (before and after a change)."""
    if not in_scope(user, values.get("division_code")):
        raise Forbidden(
            f"division_code: {values.get('division_code')} is outside your division {user.division_code}"
        )
    if (user.role == Role.department and resource not in ("divisions", "units")
            and (user.unit_id is None or values.get("unit_id") != user.unit_id)):
        raise Forbidden(f"unit_id: a department user changes only records of unit {user.unit_id}")
