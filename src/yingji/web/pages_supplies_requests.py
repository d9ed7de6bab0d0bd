"""物资申请 — the supply request pages: the requests the user sees (``/supplies/requests``, newest
first, by status), the new-request form (``/supplies/requests/new``) and a request's page
(``/supplies/requests/{id}``) with its lines, their progress and its dispatch orders.

A county or a department asks for items for an incident (chosen from the open incidents it sees,
which fills the destination, place and people — ``static/js/supplies_requests.js`` — or named in
free text); the city (``supply_approvals: create``) approves each line in full or in part, or
rejects, on the request's page; the requester can withdraw it while nothing is dispatched; roles
that may dispatch follow a link to the allocation page planned for the request's outstanding lines
(``/supplies/allocate?request_id=N``).

Server-rendered POST forms like the lot forms (``pages_supplies``): CSRF, the schema, the service
(same permission and row rules as ``/api/v1/supplies/requests…``); errors beside their fields (a
line's beside the line); a redirect (303) on success.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth import permissions as perm
from yingji.auth.models import User
from yingji.common.schemas import is_digits
from yingji.config import Settings
from yingji.deps import SessionDep, SettingsDep
from yingji.errors import Conflict, Forbidden, InvalidField, NotFound, YingjiError
from yingji.registry.models import Division, Unit
from yingji.supplies import service
from yingji.supplies.common import LOCAL_TZ
from yingji.supplies.enums import OPEN_REQUEST, DispatchStatus, RequestStatus
from yingji.supplies.schemas import RequestCreate, RequestDecision, RequestRead
from yingji.web import fields as wf
from yingji.web.i18n import Translator, pick
from yingji.web.pages_supplies import (
    MAX_ID,
    Errors,
    _form,
    _int_param,
    _labels,
    _open_incidents,
    _service_errors,
    fmt_hours,
)
from yingji.web.security import CSRF_FIELD, WebRoute, WebUser, request_language, require_csrf
from yingji.web.views import FormDep, _context, _options, render

router = APIRouter(route_class=WebRoute, include_in_schema=False)

PAGE_SIZE = 50
MAX_LINES = 8
"""Item rows of the new-request form (empty rows are ignored)."""
NEW_FIELDS = ("division_code", "incident_id", "incident_ref", "destination", "lon", "lat", "people", "needed_by",
              "reason")
SCHEMA_FIELDS = tuple(f for f in NEW_FIELDS if f != "incident_id")
_LINE = re.compile(r"^lines\.(\d+)\.(item_id|quantity|approved)$")


def fmt_local(value: datetime | None) -> str:
    """A stored instant as the city's wall-clock time (``YYYY-MM-DD HH:MM``), or ``—``."""
    return "—" if value is None else value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def _local_instant(raw: str) -> str:
    """A ``datetime-local`` value read as Liaocheng time (an aware ISO string); else unchanged."""
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return raw
    return (value if value.tzinfo else value.replace(tzinfo=LOCAL_TZ)).isoformat()


def _names(session: Session, reqs: list[RequestRead], lang: str) -> tuple[dict[str, str], dict[int, str]]:
    """Division names by code and unit names by id of the requests."""
    codes = {r.division_code for r in reqs}
    units = {r.unit_id for r in reqs if r.unit_id is not None}
    divisions = {d.code: pick(d.name, d.name_en or d.name, lang)
                 for d in session.scalars(select(Division).where(Division.code.in_(codes)))} if codes else {}
    unit_names = {u.id: u.name for u in session.scalars(select(Unit).where(Unit.id.in_(units)))} if units else {}
    return divisions, unit_names


def _line_message(message: str, t: Translator) -> str:
    if message.startswith("unknown item"):
        return t("sup.req.unknown_item")
    if message.endswith("appears twice"):
        return t("sup.req.duplicate_item")
    if message.startswith("exceeds the"):
        m = re.search(r"(\d+)", message)
        return t("sup.req.exceeds", n=m.group(1) if m else "")
    return wf.service_message(message, t.lang)


def _add(errors: Errors, key: str, message: str) -> None:
    errors[key] = f"{errors[key]}；{message}" if key in errors and message not in errors[key] else message


# ---- the list -------------------------------------------------------------------------------------


@router.get("/supplies/requests")
def supplies_requests(request: Request, user: WebUser, session: SessionDep, settings: SettingsDep) -> Response:
    """The requests the user sees (county: its division's; department: its unit's; the city: all)."""
    perm.require(user, "supply_requests", "read")
    lang = request_language(request, settings, user)
    status = request.query_params.get("status") or None
    if status not in {s.value for s in RequestStatus}:
        status = None
    page = max(1, _int_param(request, "page", 1_000_000) or 1)
    reqs = service.list_requests(session=session, user=user, status=status, page=page, size=PAGE_SIZE)
    divisions, units = _names(session, reqs["items"], lang)
    pages = max(1, -(-int(reqs["total"]) // PAGE_SIZE))
    query = {"status": status} if status else {}
    ctx = _context(
        request, user, lang, active="supplies", reqs=reqs["items"], total=reqs["total"], page=page, pages=pages,
        status=status or "", statuses=_labels(RequestStatus, lang), divisions=divisions, units=units,
        fmt_local=fmt_local, can_create=perm.allowed(user.role, "supply_requests", "create"),
        page_url=lambda p: "/supplies/requests?" + urlencode({**query, "page": p}),
    )
    return render(request, "supplies/requests.html", ctx)


# ---- the new-request form ------------------------------------------------------------------------


def _item_options(session: Session, user: User, lang: str) -> list[tuple[str, str]]:
    if not perm.allowed(user.role, "supply_items", "read"):
        return []
    items = service.list_items(session=session, user=user, page=1, size=500)["items"]
    return [(str(i.id), pick(f"{i.name}（{i.unit}）", f"{i.name_en or i.name} ({i.unit_en or i.unit})", lang))
            for i in items]


def _new_page(
    request: Request, user: User, session: Session, settings: Settings, values: dict[str, str],
    rows: list[tuple[str, str]], errors: Errors, status_code: int = 200,
) -> Response:
    lang = request_language(request, settings, user)
    divisions = _options(session, user, {"division"}, lang)["division"]
    if user.division_code and user.division_code not in {v for v, _ in divisions}:
        divisions = [(user.division_code, user.division_code), *divisions]
    incidents = _open_incidents(session, user)
    ctx = _context(
        request, user, lang, active="supplies", values=values, errors=errors,
        rows=rows + [("", "")] * (MAX_LINES - len(rows)), division_options=divisions,
        incident_options=[(str(i["id"]), f"#{i['id']} {i['title']}") for i in incidents],
        incidents=incidents, item_options=_item_options(session, user, lang),
    )
    return render(request, "supplies/request_new.html", ctx, status_code=status_code)


@router.get("/supplies/requests/new")
def supplies_request_new(request: Request, user: WebUser, session: SessionDep, settings: SettingsDep) -> Response:
    """The new-request form: the division (default the user's), an incident, the destination, the lines."""
    perm.require(user, "supply_requests", "create")
    values = dict.fromkeys(NEW_FIELDS, "")
    values["division_code"] = user.division_code or ""
    incident = _int_param(request, "incident_id")
    if incident and any(i["id"] == incident for i in _open_incidents(session, user)):
        values["incident_id"] = str(incident)
    return _new_page(request, user, session, settings, values, [], {})


def _rows(data: wf.FormValues) -> list[tuple[str, str]]:
    items, qtys = data.get("line_item") or [], data.get("line_quantity") or []
    n = min(MAX_LINES, max(len(items), len(qtys)))
    return [((items[i] if i < len(items) else "").strip()[:20], (qtys[i] if i < len(qtys) else "").strip()[:20])
            for i in range(n)]


def _with_incident(values: dict[str, str], incidents: list[dict[str, Any]]) -> dict[str, str]:
    """Without the script: the chosen incident fills the empty reference, destination, place and people."""
    chosen = next((i for i in incidents if str(i["id"]) == values["incident_id"]), None)
    if chosen is None:
        return values
    fill = {"incident_ref": f"#{chosen['id']} {chosen['title']}"[:200], "destination": str(chosen["title"])[:200],
            "lon": str(chosen["lon"]), "lat": str(chosen["lat"]),
            "people": "" if chosen["people"] is None else str(chosen["people"])}
    return {k: (v or fill.get(k, "")) for k, v in values.items()}


def _build(values: dict[str, str], rows: list[tuple[str, str]], t: Translator) -> tuple[RequestCreate | None, Errors]:
    """The schema's check of the form; a line's errors under ``line.<row>.<field>``."""
    data: dict[str, Any] = {k: values[k] for k in SCHEMA_FIELDS if values[k] != ""}
    if "needed_by" in data:
        data["needed_by"] = _local_instant(data["needed_by"])
    used = [n for n, (item, qty) in enumerate(rows) if item or qty]
    data["lines"] = [{k: v for k, v in (("item_id", rows[n][0]), ("quantity", rows[n][1])) if v} for n in used]
    try:
        return RequestCreate.model_validate(data), {}
    except ValidationError as exc:
        errors: Errors = {}
        for err in exc.errors():
            loc = list(err["loc"])
            message = wf.pydantic_message(err, t.lang)
            if loc[:1] == ["lines"] and len(loc) >= 3 and isinstance(loc[1], int):
                _add(errors, f"line.{used[loc[1]]}.{loc[2]}", message)
            elif loc == ["lines"]:
                _add(errors, "lines", t("sup.req.no_lines") if not used else message)
            else:
                _add(errors, wf.error_key(loc), message)
        return None, errors


def _refusal(exc: YingjiError, fields: set[str], t: Translator, line_key: Any) -> Errors:
    """The service's refusal beside its field; a line's beside the line (``line_key(index, field)``)."""
    if not isinstance(exc, InvalidField):
        return _service_errors(exc, fields, t)
    errors: Errors = {}
    for loc, message in exc.errors:
        dotted = ".".join(str(p) for p in loc)
        m = _LINE.match(dotted)
        if m:
            _add(errors, line_key(int(m.group(1)), m.group(2)), _line_message(message, t))
        elif dotted in fields:
            _add(errors, dotted, wf.service_message(message, t.lang))
        elif dotted == "lines" and "approves nothing" in message:
            _add(errors, "__all__", t("sup.req.approves_nothing"))
        else:
            _add(errors, "__all__", wf.service_message(message, t.lang))
    return errors


@router.post("/supplies/requests/new")
def supplies_request_create(
    request: Request, user: WebUser, session: SessionDep, settings: SettingsDep, data: FormDep
) -> Response:
    require_csrf(request, settings, (data.get(CSRF_FIELD) or [""])[-1])
    perm.require(user, "supply_requests", "create")
    t = Translator(request_language(request, settings, user))
    values = _with_incident(_form(data, NEW_FIELDS), _open_incidents(session, user))
    rows = _rows(data)
    model, errors = _build(values, rows, t)
    status = 422
    if model is not None:
        used = [n for n, (item, qty) in enumerate(rows) if item or qty]
        try:
            created = service.create_request(session=session, user=user, data=model)
        except (InvalidField, Conflict, Forbidden) as exc:
            session.rollback()
            errors = _refusal(exc, set(SCHEMA_FIELDS), t, lambda i, f: f"line.{used[i]}.{f}")
            status = exc.status_code
        else:
            session.commit()
            return RedirectResponse(f"/supplies/requests/{created.id}?done=created", status_code=303)
    return _new_page(request, user, session, settings, values, rows, errors, status_code=status)


# ---- one request: decision, withdrawal ---------------------------------------------------------------


def _request_id(raw: str) -> int:
    if not is_digits(raw) or not 0 < int(raw) <= MAX_ID:
        raise NotFound(f"supply request {raw} not found")
    return int(raw)


def _request_page(
    request: Request, user: User, session: Session, settings: Settings, request_id: str, *,
    decision_values: dict[str, str] | None = None, decision_errors: Errors | None = None,
    cancel_error: str = "", status_code: int = 200,
) -> Response:
    lang = request_language(request, settings, user)
    r = service.get_request(session=session, user=user, request_id=_request_id(request_id))
    orders = service.list_orders(session=session, user=user, request_id=r.id, page=1, size=200)["items"] \
        if perm.allowed(user.role, "dispatch_orders", "read") else []
    divisions, units = _names(session, [r], lang)
    can_decide = perm.allowed(user.role, "supply_approvals", "create") and r.status == RequestStatus.submitted
    can_cancel = (perm.allowed(user.role, "supply_requests", "update")
                  and r.status in (RequestStatus.submitted, RequestStatus.approved)
                  and not any(ln.dispatched for ln in r.lines)
                  and (r.created_by == user.username or not perm.allowed(user.role, "supply_approvals", "create")))
    can_allocate = (perm.allowed(user.role, "dispatch_orders", "create") and r.status in OPEN_REQUEST
                    and any(ln.outstanding for ln in r.lines))
    if decision_values is None:
        decision_values = {"note": "", **{f"approved_{ln.item_id}": str(ln.requested) for ln in r.lines}}
    ctx = _context(
        request, user, lang, active="supplies", r=r, orders=orders, division=divisions.get(r.division_code, ""),
        unit=units.get(r.unit_id or 0, ""), statuses=_labels(RequestStatus, lang),
        order_statuses=_labels(DispatchStatus, lang), fmt_local=fmt_local, fmt_hours=fmt_hours,
        can_decide=can_decide, can_cancel=can_cancel, can_allocate=can_allocate,
        decision_values=decision_values, decision_errors=decision_errors or {}, cancel_error=cancel_error,
        done=request.query_params.get("done"),
    )
    return render(request, "supplies/request.html", ctx, status_code=status_code)


@router.get("/supplies/requests/{request_id}")
def supplies_request(
    request: Request, request_id: str, user: WebUser, session: SessionDep, settings: SettingsDep
) -> Response:
    """One request: its lines and their progress, its dispatch orders; the decision and withdrawal forms."""
    return _request_page(request, user, session, settings, request_id)


@router.post("/supplies/requests/{request_id}/decision")
def supplies_request_decide(
    request: Request, request_id: str, user: WebUser, session: SessionDep, settings: SettingsDep, data: FormDep
) -> Response:
    """The city's decision: approve (each line's approved quantity, at most the requested) or reject."""
    require_csrf(request, settings, (data.get(CSRF_FIELD) or [""])[-1])
    r = service.get_request(session=session, user=user, request_id=_request_id(request_id))
    perm.require(user, "supply_approvals", "create")
    t = Translator(request_language(request, settings, user))
    keys = [f"approved_{ln.item_id}" for ln in r.lines]
    values = _form(data, ("decision", "note", *keys))
    payload: dict[str, Any] = {"decision": values["decision"] or None, "note": values["note"] or None}
    if values["decision"] == "approve":
        payload["lines"] = [{k: v for k, v in (("item_id", ln.item_id), ("approved", values[key])) if v != ""}
                            for ln, key in zip(r.lines, keys, strict=True)]

    def line_key(i: int, _field: str) -> str:
        return f"approved_{r.lines[i].item_id}" if 0 <= i < len(r.lines) else "__all__"

    errors: Errors = {}
    status = 422
    try:
        model = RequestDecision.model_validate(payload)
    except ValidationError as exc:
        for err in exc.errors():
            loc = list(err["loc"])
            key = line_key(loc[1], "") if loc[:1] == ["lines"] and len(loc) >= 2 and isinstance(loc[1], int) \
                else wf.error_key(loc)
            _add(errors, key if key in {"note", *keys} else "__all__", wf.pydantic_message(err, t.lang))
    else:
        try:
            service.decide(session=session, user=user, request_id=r.id, data=model)
        except (InvalidField, Conflict, Forbidden) as exc:
            session.rollback()
            errors, status = _refusal(exc, {"note"}, t, line_key), exc.status_code
        else:
            session.commit()
            done = "approved" if model.decision == "approve" else "rejected"
            return RedirectResponse(f"/supplies/requests/{r.id}?done={done}", status_code=303)
    return _request_page(request, user, session, settings, request_id, decision_values=values,
                         decision_errors=errors, status_code=status)


@router.post("/supplies/requests/{request_id}/cancel")
def supplies_request_cancel(
    request: Request, request_id: str, user: WebUser, session: SessionDep, settings: SettingsDep, data: FormDep
) -> Response:
    """The requester withdraws the request (while nothing is dispatched)."""
    require_csrf(request, settings, (data.get(CSRF_FIELD) or [""])[-1])
    rid = _request_id(request_id)
    try:
        service.cancel_request(session=session, user=user, request_id=rid)
    except Conflict as exc:
        session.rollback()
        t = Translator(request_language(request, settings, user))
        message = t("sup.req.cancel_refused") if "dispatched" in exc.message else t("sup.req.cancel_closed")
        return _request_page(request, user, session, settings, request_id, cancel_error=message,
                             status_code=exc.status_code)
    session.commit()
    return RedirectResponse(f"/supplies/requests/{rid}?done=cancelled", status_code=303)
