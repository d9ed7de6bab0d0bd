"""The supplies domain's use cases — the one module other packages (views, demo, other domains) call.

Keyword-only, typed, never committing: the request (or the CLI) owns the transaction. Writes that
touch several rows run inside a SAVEPOINT, so a refusal half-way leaves nothing behind even when
the caller goes on with its transaction.
"""

from __future__ import annotations

from yingji.supplies import permissions as _permissions  # noqa: F401  (registers the resources)
from yingji.supplies.catalogue import (
    create_item,
    default_catalogue,
    default_deadline_s,
    default_norms,
    delete_item,
    get_item,
    list_items,
    load_defaults,
    update_item,
)
from yingji.supplies.dispatch import (
    cancel_order,
    create_orders,
    get_order,
    list_orders,
    plan,
    receive,
    relief_check,
)
from yingji.supplies.requests import cancel as cancel_request
from yingji.supplies.requests import create_request, decide, get_request, list_requests
from yingji.supplies.reserve import (
    create_norm,
    delete_norm,
    gap_report,
    list_levels,
    list_norms,
    relief_populations,
    rotation_plan,
    set_level,
    set_relief_population,
    update_norm,
)
from yingji.supplies.stock import (
    apply_move,
    available,
    create_lot,
    get_lot,
    issue_fefo,
    list_lots,
    list_moves,
    post_move,
    stock_summary,
    transfer,
    update_lot,
)

__all__ = [
    "apply_move",
    "available",
    "cancel_order",
    "cancel_request",
    "create_item",
    "create_lot",
    "create_norm",
    "create_orders",
    "create_request",
    "decide",
    "default_catalogue",
    "default_deadline_s",
    "default_norms",
    "delete_item",
    "delete_norm",
    "gap_report",
    "get_item",
    "get_lot",
    "get_order",
    "get_request",
    "issue_fefo",
    "list_items",
    "list_levels",
    "list_lots",
    "list_moves",
    "list_norms",
    "list_orders",
    "list_requests",
    "load_defaults",
    "plan",
    "post_move",
    "receive",
    "relief_check",
    "relief_populations",
    "rotation_plan",
    "set_level",
    "set_relief_population",
    "stock_summary",
    "transfer",
    "update_item",
    "update_lot",
    "update_norm",
]
