"""Grants for the risk resources (added to the platform matrix at import)."""

from __future__ import annotations

from yingji.auth.permissions import register

_ALL = {"read", "create", "update", "delete", "import", "export"}
_READ = {"read", "export"}

register("hazard_sources", {
    "commander": set(_ALL),
    "duty_officer": set(_READ),
    "department": set(_ALL),  # own unit's hazard sources only (row rule)
    "county": set(_ALL),  # inside the county only (row rule)
    "viewer": {"read"},
})
register("chemicals", {role: {"read"} for role in ("commander", "duty_officer", "department", "county", "viewer")})
