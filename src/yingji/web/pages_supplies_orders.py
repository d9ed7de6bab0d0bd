"""物资调拨单 — the dispatch orders page (``/supplies/orders``): the orders the user sees (from its
warehouses or to its division), newest first, filtered by status, each with its lines (item,
quantity, lot batch); the receiving side signs an order in transit for (``确认签收``) and the
dispatching side can call it back (``撤销``) while it is in transit.

The list is rendered on the server from the supplies service (same permission and row rules as
``GET /api/v1/supplies/dispatch-orders``); the buttons post to ``/api/v1/supplies/dispatch-orders/
{id}/receipt`` and ``…/cancel`` with the session cookie and ``X-CSRF-Token``
(``static/js/supplies_orders.js``), and the service decides (a county receives only what goes to
its division; 409 when the order is no longer in transit).
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response

from yingji.auth import permissions as perm
from yingji.deps import SessionDep, SettingsDep
from yingji.supplies import service
from yingji.supplies.enums import DispatchStatus
from yingji.web.pages_supplies import _base_config, _int_param, _labels, fmt_hours
from yingji.web.security import WebRoute, WebUser, request_language
from yingji.web.views import _context, render

router = APIRouter(route_class=WebRoute, include_in_schema=False)

PAGE_SIZE = 50


@router.get("/supplies/orders")
def supplies_orders(request: Request, user: WebUser, session: SessionDep, settings: SettingsDep) -> Response:
    """Dispatch orders in the user's view, with receipt and call-back buttons."""
    perm.require(user, "dispatch_orders", "read")
    lang = request_language(request, settings, user)
    status = request.query_params.get("status") or None
    if status not in {s.value for s in DispatchStatus}:
        status = None
    page = max(1, _int_param(request, "page", 1_000_000) or 1)
    orders = service.list_orders(session=session, user=user, status=status, page=page, size=PAGE_SIZE)
    can = {"receive": perm.allowed(user.role, "dispatch_orders", "update"),
           "cancel": perm.allowed(user.role, "dispatch_orders", "create")}
    config = {**_base_config(settings, lang, []), "can": can}
    pages = max(1, -(-int(orders["total"]) // PAGE_SIZE))
    query = {"status": status} if status else {}
    ctx = _context(
        request, user, lang, active="supplies", config=config, can=can, orders=orders["items"],
        total=orders["total"], page=page, pages=pages, status=status or "",
        statuses=_labels(DispatchStatus, lang), fmt_hours=fmt_hours,
        page_url=lambda p: "/supplies/orders?" + urlencode({**query, "page": p}),
    )
    return render(request, "supplies/orders.html", ctx)
