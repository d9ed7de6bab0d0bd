"""物资保障 — the supplies pages: the depot map with stock gauges, the gap report, the 12-hour relief
figure and the rotation list (``/supplies``); stock lots and a lot's ledger (``/supplies/lots``,
``/supplies/lots/{id}``); the allocation page (``/supplies/allocate``).

The lots page links the stock sheet export and template (``/api/v1/supplies/lots/export``,
``…/template``) and posts the import form to ``/supplies/lots/import``; a lot's page has the forms to
record a move and to edit the lot, ``/supplies/lots/new`` the new-lot form (each shown only to roles
that may use it; errors beside their fields, as on the registry forms).

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

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

import yingji.web.i18n_supplies  # noqa: F401  (adds the sup.* messages to the catalogue)
from yingji.auth import permissions as perm
from yingji.auth.models import User
from yingji.common.schemas import is_digits
from yingji.config import Settings
from yingji.deps import SessionDep, SettingsDep, read_upload
from yingji.errors import Conflict, Forbidden, InvalidField, NotFound, YingjiError
from yingji.registry.models import Facility, Unit
from yingji.supplies import common, service, spreadsheet
from yingji.supplies.enums import MoveKind, Ownership
from yingji.supplies.schemas import LotCreate, LotUpdate, MoveCreate
from yingji.web import fields as wf
from yingji.web import i18n
from yingji.web.i18n import Translator, pick
from yingji.web.mapconfig import LIAOCHENG_CENTRE, tile_attribution
from yingji.web.nav import NavArea, register
from yingji.web.security import CSRF_FIELD, WebRoute, WebUser, request_language, require_csrf
from yingji.web.views import FormDep, _context, _options, render

router = APIRouter(route_class=WebRoute, include_in_schema=False)

register(NavArea(key="supplies", href="/supplies", zh="物资保障", en="Supplies", resource="stock", order=30))

MAX_ID = 2**31 - 1
PAGE_SIZE = 100
JS_PREFIX = "sup.js."


def _labels(enum: Any, lang: str) -> dict[str, str]:
    return {c.value: pick(c.zh, c.en, lang) for c in enum.choices()}


def js_messages(lang: str) -> dict[str, str]:
    """The ``sup.js.*`` texts for the scripts (keys without the prefix)."""
    return i18n.js_messages(JS_PREFIX, lang)


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
    if is_digits(raw) and 0 <= int(raw) <= hi:
        return int(raw)
    return None


def _scope_warehouses(session: Session, user: User) -> list[Facility]:
    """Every warehouse in the user's division (the choices of the new-lot form; with or without a location)."""
    rows = session.scalars(select(Facility).where(Facility.kind == "warehouse").order_by(Facility.name))
    return [f for f in rows if perm.in_scope(user, f.division_code)]


def _lots_page(
    request: Request, user: User, session: Session, settings: Settings, *,
    import_result: dict[str, Any] | None = None, import_error: str = "", status_code: int = 200,
) -> Response:
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
        export_url=lambda fmt: "/api/v1/supplies/lots/export?" + urlencode({**base_query, "format": fmt}),
        can_export=perm.allowed(user.role, "stock", "export"),
        can_import=perm.allowed(user.role, "stock", "create") and perm.allowed(user.role, "stock", "update"),
        can_create=perm.allowed(user.role, "stock", "create"),
        import_result=import_result, import_error=import_error,
    )
    return render(request, "supplies/lots.html", ctx, status_code=status_code)


@router.get("/supplies/lots")
def supplies_lots(request: Request, user: WebUser, session: SessionDep, settings: SettingsDep) -> Response:
    """Stock lots in the user's scope, filtered by warehouse, item, ownership, expiry; export, template, import."""
    return _lots_page(request, user, session, settings)


@router.post("/supplies/lots/import")
async def supplies_lots_import(
    request: Request, user: WebUser, session: SessionDep, settings: SettingsDep
) -> Response:
    """The import form: a stock sheet (.xlsx or .csv), optionally a dry run; the result or every bad row."""
    form = await request.form()
    token = form.get(CSRF_FIELD)
    require_csrf(request, settings, token if isinstance(token, str) else None)
    upload = form.get("file")
    dry_run = form.get("dry_run") in ("1", "on", "true")
    t = Translator(request_language(request, settings, user))
    if isinstance(upload, str) or upload is None or not upload.filename:
        return await run_in_threadpool(_lots_page, request, user, session, settings,
                                       import_error=t("sup.import.no_file"), status_code=422)

    def run() -> Response:
        content = read_upload(upload, settings.max_upload_bytes)
        report = spreadsheet.import_stock(session=session, user=user, content=content, filename=upload.filename,
                                          dry_run=dry_run)
        result = report.as_dict()
        if report.errors:
            session.rollback()
            return _lots_page(request, user, session, settings, import_result=result, status_code=422)
        session.commit()
        return _lots_page(request, user, session, settings, import_result=result)

    return await run_in_threadpool(run)


# ---- forms: a new lot, a move, the lot's fields ----------------------------------------------------------


Errors = dict[str, str]
_FIELD_MESSAGE = re.compile(r"^(\w+): (.+)$")
_SHORT = re.compile(r"holds (\d+); cannot take (\d+)")


def _service_errors(exc: YingjiError, fields: set[str], t: Translator) -> Errors:
    """A refusal of the service beside its field (``quantity: …``), else for the whole form."""
    if isinstance(exc, InvalidField):
        errors = wf.invalid_field_errors(exc.errors, t.lang)
        return {k if k in fields else "__all__": v for k, v in errors.items()}
    m = _FIELD_MESSAGE.match(exc.message)
    short = _SHORT.search(exc.message)
    message = t("sup.move.short", have=short.group(1), want=short.group(2)) if short else \
        (m.group(2) if m and m.group(1) in fields else exc.message)
    return {m.group(1) if m and m.group(1) in fields else "__all__": message}


def _form(data: wf.FormValues, names: tuple[str, ...]) -> dict[str, str]:
    return {n: ((data.get(n) or [""])[-1]).strip() for n in names}


def _validate(model: type[BaseModel], values: dict[str, str], t: Translator) -> tuple[Any, Errors]:
    """An empty field is missing when the schema requires it, else ``None`` (which clears it in an edit)."""
    fields = model.model_fields
    data = {k: (v if v != "" else None) for k, v in values.items()
            if v != "" or not (k in fields and fields[k].is_required())}
    try:
        return model.model_validate(data), {}
    except ValidationError as exc:
        return None, wf.validation_errors(exc, t.lang)


NEW_FIELDS = ("warehouse_id", "item_id", "batch", "produced_on", "expires_on", "ownership", "holder_unit_id",
              "quantity", "notes")
MOVE_FIELDS = ("kind", "quantity", "reason")
EDIT_FIELDS = ("batch", "produced_on", "expires_on", "holder_unit_id", "notes")
MOVE_KINDS = ("receipt", "issue", "adjustment", "write_off")


def _new_lot_page(request: Request, user: User, session: Session, settings: Settings, values: dict[str, str],
                  errors: Errors, status_code: int = 200) -> Response:
    lang = request_language(request, settings, user)
    items = service.list_items(session=session, user=user, page=1, size=500)["items"] \
        if perm.allowed(user.role, "supply_items", "read") else []
    ctx = _context(
        request, user, lang, active="supplies", values=values, errors=errors,
        warehouse_options=[(str(f.id), f.name) for f in _scope_warehouses(session, user)],
        item_options=[(str(i.id), pick(f"{i.name}（{i.unit}）", f"{i.name_en or i.name} ({i.unit_en or i.unit})", lang))
                      for i in items],
        ownerships=_labels(Ownership, lang), units=_options(session, user, {"unit"}, lang)["unit"],
    )
    return render(request, "supplies/lot_new.html", ctx, status_code=status_code)


@router.get("/supplies/lots/new")
def supplies_lot_new(request: Request, user: WebUser, session: SessionDep, settings: SettingsDep) -> Response:
    """The new-lot form: a lot and its first receipt."""
    perm.require(user, "stock", "create")
    values = dict.fromkeys(NEW_FIELDS, "")
    values["ownership"] = Ownership.government.value
    values["warehouse_id"] = str(_int_param(request, "warehouse_id") or "")
    if common.is_department(user) and user.unit_id is not None:
        values["holder_unit_id"] = str(user.unit_id)
    return _new_lot_page(request, user, session, settings, values, {})


@router.post("/supplies/lots/new")
def supplies_lot_create(
    request: Request, user: WebUser, session: SessionDep, settings: SettingsDep, data: FormDep
) -> Response:
    require_csrf(request, settings, (data.get(CSRF_FIELD) or [""])[-1])
    perm.require(user, "stock", "create")
    t = Translator(request_language(request, settings, user))
    values = _form(data, NEW_FIELDS)
    model, errors = _validate(LotCreate, values, t)
    status = 422
    if model is not None:
        try:
            lot = service.create_lot(session=session, user=user, data=model)
        except (InvalidField, Conflict, Forbidden) as exc:
            session.rollback()
            errors, status = _service_errors(exc, set(NEW_FIELDS), t), exc.status_code
        else:
            session.commit()
            return RedirectResponse(f"/supplies/lots/{lot.id}?done=created", status_code=303)
    return _new_lot_page(request, user, session, settings, values, errors, status_code=status)


def _lot_page(
    request: Request, user: User, session: Session, settings: Settings, lot_id: str, *,
    move_values: dict[str, str] | None = None, move_errors: Errors | None = None,
    edit_values: dict[str, str] | None = None, edit_errors: Errors | None = None, status_code: int = 200,
) -> Response:
    if not is_digits(lot_id) or not 0 < int(lot_id) <= MAX_ID:
        raise NotFound(f"lot {lot_id} not found")
    lang = request_language(request, settings, user)
    lot = service.get_lot(session=session, user=user, lot_id=int(lot_id))
    moves = service.list_moves(session=session, user=user, lot_id=lot.id, page=1, size=500)
    can_update = perm.allowed(user.role, "stock", "update")
    if edit_values is None:
        edit_values = {"batch": lot.batch, "produced_on": str(lot.produced_on or ""),
                       "expires_on": str(lot.expires_on or ""), "holder_unit_id": str(lot.holder_unit_id or ""),
                       "notes": lot.notes or ""}
    units = _options(session, user, {"unit"}, lang)["unit"] if can_update else []
    holder = edit_values.get("holder_unit_id") or ""
    if holder and holder not in {v for v, _ in units} and is_digits(holder):
        unit = session.get(Unit, int(holder))  # keep a holder outside the user's list, so saving keeps it
        units = [(holder, unit.name if unit else holder), *units]
    holder_name = next((n for v, n in units if v == str(lot.holder_unit_id)), None) if lot.holder_unit_id else None
    if lot.holder_unit_id and holder_name is None:
        unit = session.get(Unit, lot.holder_unit_id)
        holder_name = unit.name if unit else str(lot.holder_unit_id)
    ctx = _context(
        request, user, lang, active="supplies", lot=lot, moves=moves["items"], moves_total=moves["total"],
        kinds=_labels(MoveKind, lang), ownerships=_labels(Ownership, lang), can_update=can_update,
        move_kinds=MOVE_KINDS, move_values=move_values or {"kind": "receipt", "quantity": "", "reason": ""},
        move_errors=move_errors or {}, edit_values=edit_values, edit_errors=edit_errors or {}, units=units,
        holder_name=holder_name, done=request.query_params.get("done"),
    )
    return render(request, "supplies/lot.html", ctx, status_code=status_code)


@router.get("/supplies/lots/{lot_id}")
def supplies_lot(request: Request, lot_id: str, user: WebUser, session: SessionDep, settings: SettingsDep) -> Response:
    """One lot and its ledger; for roles that may change stock, the move and edit forms."""
    return _lot_page(request, user, session, settings, lot_id)


def _lot_form_post(
    request: Request, lot_id: str, user: User, session: Session, settings: Settings, data: dict[str, list[str]],
    *, form: str, fields: tuple[str, ...], schema: type[BaseModel], save: Callable[[Any], object],
) -> Response:
    """A lot page form (``move`` or ``edit``): CSRF, validation, the service call; back to the lot
    page with the outcome, or the page again with the errors beside their fields."""
    require_csrf(request, settings, (data.get(CSRF_FIELD) or [""])[-1])
    perm.require(user, "stock", "update")
    if not is_digits(lot_id) or not 0 < int(lot_id) <= MAX_ID:
        raise NotFound(f"lot {lot_id} not found")
    t = Translator(request_language(request, settings, user))
    values = _form(data, fields)
    model, errors = _validate(schema, values, t)
    status = 422
    if model is not None:
        try:
            save(model)
        except (InvalidField, Conflict, Forbidden) as exc:
            session.rollback()
            errors, status = _service_errors(exc, set(fields), t), exc.status_code
        else:
            session.commit()
            return RedirectResponse(f"/supplies/lots/{lot_id}?done={form}", status_code=303)
    return _lot_page(request, user, session, settings, lot_id, status_code=status,
                     **{f"{form}_values": values, f"{form}_errors": errors})


@router.post("/supplies/lots/{lot_id}/moves")
def supplies_lot_move(
    request: Request, lot_id: str, user: WebUser, session: SessionDep, settings: SettingsDep, data: FormDep
) -> Response:
    """Record a receipt, issue, adjustment or write-off on the lot (never below zero)."""
    return _lot_form_post(
        request, lot_id, user, session, settings, data, form="move", fields=MOVE_FIELDS, schema=MoveCreate,
        save=lambda m: service.post_move(session=session, user=user, lot_id=int(lot_id), data=m),
    )


@router.post("/supplies/lots/{lot_id}/edit")
def supplies_lot_edit(
    request: Request, lot_id: str, user: WebUser, session: SessionDep, settings: SettingsDep, data: FormDep
) -> Response:
    """Change the lot's batch, dates, holder or notes (quantities change only through moves)."""
    return _lot_form_post(
        request, lot_id, user, session, settings, data, form="edit", fields=EDIT_FIELDS, schema=LotUpdate,
        save=lambda m: service.update_lot(session=session, user=user, lot_id=int(lot_id), data=m),
    )


def _open_incidents(session: Session, user: User) -> list[dict[str, Any]]:
    """The open incidents the user sees, newest first, as demand the allocation page can choose."""
    if not perm.allowed(user.role, "incidents", "read"):
        return []
    from yingji.incidents.service import IncidentFilters, list_incidents

    rows, _ = list_incidents(session=session, user=user, filters=IncidentFilters(open=True), page=1, size=200)
    return [{"id": i.id, "title": i.title, "lon": i.lon, "lat": i.lat, "people": i.affected_people,
             "division": i.division_code} for i in rows]


def _request_demand(request: Request, user: User, session: Session) -> dict[str, Any] | None:
    """``?request_id=N`` (roles that may dispatch): the supply request whose outstanding lines to plan."""
    rid = _int_param(request, "request_id")
    if not rid or not perm.allowed(user.role, "dispatch_orders", "create"):
        return None
    r = service.get_request(session=session, user=user, request_id=rid)
    return {"id": r.id, "destination": r.destination, "lon": r.lon, "lat": r.lat, "status": r.status.value,
            "lines": [{"item_code": ln.item_code, "item": ln.item, "unit": ln.unit, "outstanding": ln.outstanding}
                      for ln in r.lines if ln.outstanding > 0]}


@router.get("/supplies/allocate")
def supplies_allocate(request: Request, user: WebUser, session: SessionDep, settings: SettingsDep) -> Response:
    """Demand points clicked, areas drawn or open incidents chosen on the map → the exact plan as
    flows beside the greedy plan → accept. ``?request_id=N``: the plan of a supply request's
    outstanding lines, whose orders count towards the request; ``?incident_id=N``: an open incident
    the user sees starts as the demand point."""
    perm.require(user, "stock", "read")
    lang = request_language(request, settings, user)
    warehouses = [_wh_json(f, None) for f in _warehouses(session, user)]
    can = {"plan": perm.allowed(user.role, "dispatch_orders", "create")}
    incidents = _open_incidents(session, user)
    preset = _int_param(request, "incident_id")
    config = {**_base_config(settings, lang, warehouses), "can": can, "incidents": incidents,
              "request": _request_demand(request, user, session),
              # ?incident_id=N (from the incident workspace): that open incident starts as the demand
              "presetIncident": preset if any(i["id"] == preset for i in incidents) else None}
    ctx = _context(request, user, lang, active="supplies", config=config, can=can)
    return render(request, "supplies/allocate.html", ctx)
