"""The supplies resources in the role × action matrix (imported by the service, so registered once).

Only the six standard actions are used, so the shared permission tests and docs can print them
(``stock: export`` is the spreadsheet export; the stock import needs ``create`` and ``update``):

* ``supply_items`` — the catalogue; ``create`` also loads the default catalogue and norms;
* ``stock`` — lots and their ledger; ``create`` = a new lot (its first receipt), ``update`` = a move
  (receipt, issue, transfer, adjustment, write-off); reports (gap, rotation, 12-hour check) need ``read``;
* ``supply_norms`` — reserve standards, levels and planned relief populations;
* ``supply_requests`` — requests by counties and departments; ``update`` = cancel one's own;
* ``supply_approvals`` — the city's decision on a request (``create`` = approve or reject);
* ``dispatch_orders`` — allocation plans (``read``), dispatch (``create``) and receipt (``update``).

Row rules on top (docs/supplies.md): a county user sees and changes only stock of warehouses in its
division, a department user only stock of its unit's warehouses or lots its unit holds; requests
follow the requesting division (and, for a department, the requesting unit).
"""

from __future__ import annotations

from yingji.auth.permissions import register

READ = {"read"}
READ_EXPORT = {"read", "export"}

register(
    "supply_items",
    {
        "commander": {"read", "export", "create", "update", "delete"},
        "duty_officer": set(READ_EXPORT),
        "department": set(READ_EXPORT),
        "county": set(READ_EXPORT),
        "viewer": set(READ),
    },
)
register(
    "stock",
    {
        "commander": {"read", "export", "create", "update"},
        "duty_officer": set(READ_EXPORT),
        "department": {"read", "export", "create", "update"},
        "county": {"read", "export", "create", "update"},
        "viewer": set(READ),
    },
)
register(
    "supply_norms",
    {
        "commander": {"read", "export", "create", "update", "delete"},
        "duty_officer": set(READ_EXPORT),
        "department": set(READ_EXPORT),
        "county": set(READ_EXPORT),
        "viewer": set(READ),
    },
)
register(
    "supply_requests",
    {
        "commander": {"read", "export", "create", "update"},
        "duty_officer": {"read", "export", "create", "update"},
        "department": {"read", "export", "create", "update"},
        "county": {"read", "export", "create", "update"},
        "viewer": set(READ),
    },
)
register("supply_approvals", {"commander": {"read", "create"}})
register(
    "dispatch_orders",
    {
        "commander": {"read", "export", "create", "update"},
        "duty_officer": {"read", "export", "create", "update"},
        "department": {"read", "update"},
        "county": {"read", "update"},
        "viewer": set(READ),
    },
)
