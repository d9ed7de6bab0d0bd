"""Grants for sensors and readings (added to the platform matrix at import).

Readings: ``create`` = ingest (HTTP batches; the MQTT subscriber runs as the system, trusted by
the broker's ACL), ``read``/``export`` = series.
"""

from __future__ import annotations

from yingji.auth.permissions import register

_ALL = {"read", "create", "update", "delete", "import", "export"}

register("sensors", {
    "commander": set(_ALL),
    "duty_officer": {"read", "export", "update"},
    "department": set(_ALL),  # own unit's sensors only (row rule)
    "county": set(_ALL),  # inside the county only (row rule)
    "viewer": {"read"},
})
register("readings", {
    "commander": {"read", "export", "create"},
    "duty_officer": {"read", "export"},
    "department": {"read", "export", "create"},
    "county": {"read", "export", "create"},
    "viewer": {"read"},
})
