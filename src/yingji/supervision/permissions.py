"""Role grants of the supervision resources (registered into the shared matrix at import).

* ``action_tasks`` — the plan, its tasks, milestones and projects, the dashboard and the monthly
  report (``export``); ``import`` loads a plan file.
* ``progress_reports`` — ``create`` a report on a task one's unit owns (lead or responsible);
  ``update`` edits one's own unconfirmed report, adds evidence, and — for a lead unit of the
  task — confirms or returns a report. Row rules are in :mod:`yingji.supervision.service`.
* ``indicators`` — ``create`` enters a reported value (a department only for indicators of
  tasks its unit owns); ``update`` records a snapshot of every computed indicator.
* ``loss_statistics`` — accident and disaster-loss statistics and GDP figures; a county writes
  only inside its division, a department only rows of its own unit (the shared row rules).
"""

from __future__ import annotations

from yingji.auth.permissions import register

READ = {"read"}
READ_EXPORT = {"read", "export"}

GRANTS: dict[str, dict[str, set[str]]] = {
    "action_tasks": {
        "commander": set(READ_EXPORT),
        "duty_officer": set(READ_EXPORT),
        "department": set(READ_EXPORT),
        "county": set(READ_EXPORT),
        "viewer": set(READ),
    },
    "progress_reports": {
        "commander": set(READ_EXPORT),
        "duty_officer": set(READ_EXPORT),
        "department": {"read", "export", "create", "update"},
        "county": set(READ_EXPORT),
        "viewer": set(READ),
    },
    "indicators": {
        "commander": {"read", "export", "create", "update"},
        "duty_officer": {"read", "export", "update"},
        "department": {"read", "export", "create"},
        "county": set(READ_EXPORT),
        "viewer": set(READ),
    },
    "loss_statistics": {
        "commander": {"read", "export", "create", "update", "delete"},
        "duty_officer": set(READ_EXPORT),
        "department": {"read", "export", "create", "update", "delete"},
        "county": {"read", "export", "create", "update", "delete"},
        "viewer": set(READ),
    },
}

RESOURCES = tuple(GRANTS)

for _resource, _grants in GRANTS.items():
    register(_resource, _grants)
