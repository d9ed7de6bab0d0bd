"""物资保障 — the supplies pages: the depot map with stock gauges, the gap report, the 12-hour relief
figure and the rotation list (``/supplies``); stock lots and a lot's ledger (``/supplies/lots``,
``/supplies/lots/{id}``); the allocation page (``/supplies/allocate``).

The overview and the lot pages call the supplies services directly (same permission checks and
results as ``/api/v1/supplies/…``) and render on the server; the map, the chart and the allocation
page are drawn by ``static/js/supplies.js`` and ``static/js/supplies_allocate.js`` from the JSON the
page embeds (``#sup-config``). The allocation page posts to ``/api/v1/supplies/allocation/plan`` and
``/api/v1/supplies/dispatch-orders`` with the session cookie and ``X-CSRF-Token``.

A warehouse's **stock gauge** is the share of its division's basic-living reserve standard (the gap
report's norms of its level) that this warehouse alone holds: the smallest, over the norm items, of
``min(1, held here / required)``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

import yingji.web.i18n_supplies  # noqa: F401  (adds the sup.* messages to the catalogue)
from yingji.auth import permissions as perm
from yingji.auth.models import User
from yingji.config import Settings
from yingji.deps import SessionDep, SettingsDep
from yingji.errors import NotFound, YingjiError
from yingji.registry.models import Facility
from yingji.supplies import service
from yingji.supplies.enums import MoveKind, Ownership
from yingji.web.i18n import MESSAGES, Translator, pick
from yingji.web.mapconfig import LIAOCHENG_CENTRE, tile_attribution
from yingji.web.nav import NavArea, register
from yingji.web.security import WebRoute, WebUser, request_language
from yingji.web.views import _context, render

router = APIRouter(route_class=WebRoute, include_in_schema=False)

register(NavArea(key="supplies", href="/supplies", zh="物资保障", en="Supplies", resource="stock", order=30))

MAX_ID = 2**31 - 1
PAGE_SIZE = 100
JS_PREFIX = "sup.js."


def _labels(enum: Any, lang: str) -> dict[str, str]:
    return {c.value: pick(c.zh, c.en, lang) for c in enum.choices()}


def js_messages(lang: str) -> dict[str, str]:
    """The ``sup.js.*`` texts for the scripts (keys without the prefix)."""
    idx = 0 if lang.startswith("zh") else 1
    return {k[len(JS_PREFIX):]: v[idx] for k, v in MESSAGES.items() if k.startswith(JS_PREFIX)}


def fmt_share(value: float | None) -> str:
    return "—" if value is None else f"{round(100 * value)}%"


def fmt_hours(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds / 3600:.1f}"


def _warehouses(session: Session, user: User) -> list[Facility]:
    rows = session.scalars(select(Facility).where(Facility.kind == "warehouse").order_by(Facility.id))
    return [f for f in rows if f.lon is not None and f.lat is not None and perm.in_scope(user, f.division_code)]


def warehouse_gauges(gap: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """Per warehouse id: ``share`` (see the module doc) and the held/required of each norm item."""
    out: dict[int, dict[str, Any]] = {}
    for d in gap.get("divisions", []):
        required = {i["item_code"]: (i["required"], i["item"], i["unit"]) for i in d["items"]}
        for w in d["warehouses"]:
            items = []
            for it in w["items"]:
                req, name, unit = required.get(it["item_code"], (0, it["item_code"], ""))
                held = int(sum(it["held"].values()))
                share = min(1.0, held / req) if req else 1.0
                items.append({"code": it["item_code"], "item": name, "unit": unit, "held": held,
                              "required": req, "share": share})
            share_min = min((i["share"] for i in items), default=None)
            out[w["warehouse_id"]] = {"share": share_min, "division": d["division"], "items": items}
    return out


def _base_config(settings: Settings, lang: str, warehouses: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "lang": lang,
        "tileUrl": settings.tile_url,
        "tileAttribution": tile_attribution(settings.tile_url),
        "centre": list(LIAOCHENG_CENTRE),
        "zoom": 10,
        "api": "/api/v1/supplies",
        "warehouses": warehouses,
        "i18n": js_messages(lang),
    }


def _wh_json(f: Facility, gauge: dict[str, Any] | None) -> dict[str, Any]:
    level = (f.capacity or {}).get("level") if isinstance(f.capacity, dict) else None
    return {
        "id": f.id, "name": f.name, "lon": f.lon, "lat": f.lat, "division": f.division_code, "level": level,
        "share": gauge["share"] if gauge else None, "items": gauge["items"] if gauge else [],
    }


@router.get("/supplies")
def supplies_overview(request: Request, user: WebUser, session: SessionDep, settings: SettingsDep) -> Response:
    """Depot map with stock gauges, the 12-hour relief figure, the gap report and its chart, rotation."""
    perm.require(user, "stock", "read")
    lang = request_language(request, settings, user)
    t = Translator(lang)
    gap = service.gap_report(session=session, user=user)
    gauges = warehouse_gauges(gap)
    relief: dict[str, Any] | None
    relief_error = ""
    try:
        relief = service.relief_check(session=session, user=user, data_dir=settings.data_dir)
    except YingjiError as exc:
        relief, relief_error = None, exc.message
    rotation = service.rotation_plan(session=session, user=user)
    warehouses = [_wh_json(f, gauges.get(f.id)) for f in _warehouses(session, user)]
    relief_rows: list[dict[str, Any]] = []
    if relief is not None:
        for row, is_city in [(r, False) for r in relief["divisions"]] + (
            [(relief["city"], True)] if relief.get("city") else []
        ):
            relief_rows.append({**row, "is_city": is_city, "share_text": fmt_share(row.get("share_of_planned"))})
    chart = {
        "divisions": [
            {"name": d["division"], "categories": [f"{i['item']}" for i in d["items"]],
             "held": [i["held_total"] for i in d["items"]], "required": [i["required"] for i in d["items"]],
             "share": [round(100 * i["share_met"], 1) for i in d["items"]]}
            for d in gap["divisions"]
        ],
        "heldLabel": t("sup.gap.held"),
        "requiredLabel": t("sup.gap.required"),
    }
    config = {**_base_config(settings, lang, warehouses), "chart": chart}
    ctx = _context(
        request, user, lang, active="supplies", config=config, gap=gap, relief=relief, relief_rows=relief_rows,
        relief_error=relief_error, deadline_h=fmt_hours(relief["deadline_s"]) if relief else "12",
        rotation=rotation, fmt_share=fmt_share, warehouses=warehouses,
        can_allocate=perm.allowed(user.role, "dispatch_orders", "create"),
    )
    return render(request, "supplies/overview.html", ctx)


def _int_param(request: Request, name: str, hi: int = MAX_ID) -> int | None:
    raw = (request.query_params.get(name) or "").strip()
    if raw.isdigit() and 0 <= int(raw) <= hi:
        return int(raw)
    return None


@router.get("/supplies/lots")
def supplies_lots(request: Request, user: WebUser, session: SessionDep, settings: SettingsDep) -> Response:
    """Stock lots in the user's scope, filtered by warehouse, item, ownership, expiry."""
    perm.require(user, "stock", "read")
    lang = request_language(request, settings, user)
    q = request.query_params
    warehouse_id = _int_param(request, "warehouse_id")
    expiring = _int_param(request, "expiring_within_days", 36_500)
    item = (q.get("item") or "").strip()[:40] or None
    ownership = q.get("ownership") or None
    if ownership not in {o.value for o in Ownership}:
        ownership = None
    include_empty = q.get("include_empty") == "1"
    page = max(1, _int_param(request, "page", 1_000_000) or 1)
    lots = service.list_lots(
        session=session, user=user, warehouse_id=warehouse_id or None, item_code=item, ownership=ownership,
        expiring_within_days=expiring, include_empty=include_empty, page=page, size=PAGE_SIZE,
    )
    items = service.list_items(session=session, user=user, page=1, size=500)["items"] \
        if perm.allowed(user.role, "supply_items", "read") else []
    filters = {"warehouse_id": warehouse_id or "", "item": item or "", "ownership": ownership or "",
               "expiring_within_days": "" if expiring is None else expiring,
               "include_empty": "1" if include_empty else ""}
    base_query = {k: v for k, v in filters.items() if v not in ("", None)}
    pages = max(1, -(-int(lots["total"]) // PAGE_SIZE))
    ctx = _context(
        request, user, lang, active="supplies", lots=lots["items"], total=lots["total"], page=page, pages=pages,
        filters=filters, warehouses=_warehouses(session, user), items=items,
        ownerships=_labels(Ownership, lang),
        page_url=lambda p: "/supplies/lots?" + urlencode({**base_query, "page": p}),
    )
    return render(request, "supplies/lots.html", ctx)


@router.get("/supplies/lots/{lot_id}")
def supplies_lot(request: Request, lot_id: str, user: WebUser, session: SessionDep, settings: SettingsDep) -> Response:
    """One lot and its ledger (read-only)."""
    if not lot_id.isdigit() or not 0 < int(lot_id) <= MAX_ID:
        raise NotFound(f"lot {lot_id} not found")
    lang = request_language(request, settings, user)
    lot = service.get_lot(session=session, user=user, lot_id=int(lot_id))
    moves = service.list_moves(session=session, user=user, lot_id=lot.id, page=1, size=500)
    ctx = _context(
        request, user, lang, active="supplies", lot=lot, moves=moves["items"], moves_total=moves["total"],
        kinds=_labels(MoveKind, lang), ownerships=_labels(Ownership, lang),
    )
    return render(request, "supplies/lot.html", ctx)


def _open_incidents(session: Session, user: User) -> list[dict[str, Any]]:
    """The open incidents the user sees, newest first, as demand the allocation page can choose."""
    if not perm.allowed(user.role, "incidents", "read"):
        return []
    from yingji.incidents.service import IncidentFilters, list_incidents

    rows, _ = list_incidents(session=session, user=user, filters=IncidentFilters(open=True), page=1, size=200)
    return [{"id": i.id, "title": i.title, "lon": i.lon, "lat": i.lat, "people": i.affected_people,
             "division": i.division_code} for i in rows]


@router.get("/supplies/allocate")
def supplies_allocate(request: Request, user: WebUser, session: SessionDep, settings: SettingsDep) -> Response:
    """Demand points clicked, areas drawn or open incidents chosen on the map → the exact plan as
    flows beside the greedy plan → accept."""
    perm.require(user, "stock", "read")
    lang = request_language(request, settings, user)
    warehouses = [_wh_json(f, None) for f in _warehouses(session, user)]
    can = {"plan": perm.allowed(user.role, "dispatch_orders", "create")}
    config = {**_base_config(settings, lang, warehouses), "can": can,
              "incidents": _open_incidents(session, user)}
    ctx = _context(request, user, lang, active="supplies", config=config, can=can)
    return render(request, "supplies/allocate.html", ctx)
