"""Grants of the incidents domain's resources, added to the shared matrix at import.

Only the six standard actions are used (read, create, update, delete, import, export), so
``docs/permissions.md`` prints these resources like the others. What each action means per
resource, and the row rules on top of the matrix, are in ``docs/incidents.md``:

* **county** users see and change only incidents (and everything hanging off them) in their
  division;
* **department** users see the incidents where their unit has a task, that their unit reported,
  that sit at the city itself (division = the user's city), or that are graded 较大 (III) or above
  (those are handled at city level, 分级负责); they change only their own unit's tasks (and
  plans of their own unit).
"""

from __future__ import annotations

from yingji.auth.permissions import register

INCIDENTS = "incidents"
TASKS = "incident_tasks"
DISPATCHES = "dispatches"
PLANS = "plans"
REPORTS = "incident_reports"
DUTY = "duty"
CONSULTATIONS = "consultations"

RESOURCES = (INCIDENTS, TASKS, DISPATCHES, PLANS, REPORTS, DUTY, CONSULTATIONS)

_R = {"read"}
_RE = {"read", "export"}
_COMMAND = {"read", "create", "update", "export"}

GRANTS: dict[str, dict[str, set[str]]] = {
    INCIDENTS: {
        "commander": set(_COMMAND),
        "duty_officer": set(_COMMAND),
        "county": set(_COMMAND),
        "department": {"read", "create"},
        "viewer": set(_R),
    },
    TASKS: {
        "commander": {"read", "create", "update"},
        "duty_officer": {"read", "create", "update"},
        "county": {"read", "create", "update"},
        "department": {"read", "update"},
        "viewer": set(_R),
    },
    DISPATCHES: {
        "commander": {"read", "create", "update"},
        "duty_officer": {"read", "create", "update"},
        "county": {"read", "create", "update"},
        "department": set(_R),
        "viewer": set(_R),
    },
    PLANS: {
        "commander": {"read", "create", "update", "export"},
        "duty_officer": set(_RE),
        "county": {"read", "create", "update", "export"},
        "department": {"read", "create", "update", "export"},
        "viewer": set(_R),
    },
    REPORTS: {
        "commander": {"read", "create", "export"},
        "duty_officer": {"read", "create", "export"},
        "county": {"read", "create", "export"},
        "department": set(_R),
        "viewer": set(_R),
    },
    DUTY: {
        "commander": {"read", "create", "update"},
        "duty_officer": {"read", "create", "update"},
        "county": {"read", "create", "update"},
        "department": set(_R),
        "viewer": set(_R),
    },
    CONSULTATIONS: {
        "commander": {"read", "create", "update"},
        "duty_officer": {"read", "create", "update"},
        "county": {"read", "create", "update"},
        "department": set(_R),
        "viewer": set(_R),
    },
}

for _resource, _grants in GRANTS.items():
    register(_resource, _grants)
