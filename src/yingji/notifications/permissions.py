"""Grants for notification channels, subscriptions and the delivery log (added at import)."""

from __future__ import annotations

from yingji.auth.permissions import register

_ALL = {"read", "create", "update", "delete"}

register("notification_channels", {
    "commander": {"read"},
    "duty_officer": {"read"},
    "department": {"read"},
    "county": {"read"},
})
register("notification_subscriptions", {
    "commander": set(_ALL),
    "duty_officer": set(_ALL),
    "department": set(_ALL),  # own unit only (row rule)
    "county": set(_ALL),  # inside the county only (row rule)
    "viewer": {"read"},
})
register("notification_deliveries", {
    "commander": {"read"},
    "duty_officer": {"read"},
    "department": {"read"},
    "county": {"read"},
})
