"""Server-rendered pages: login, the one map (一张图), and the pages of every registry.

Pages call the registry service directly and own their transaction through ``SessionDep``;
a form that changes data commits before it redirects, so the next page sees the change.
Every page but ``/login`` and ``/lang`` needs a signed-in user (else a redirect to
``/login?next=…``); every POST needs the CSRF token (see :mod:`yingji.web.security`).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel
from sqlalchemy.orm import Session

from yingji.auth import permissions as perm
from yingji.auth import service as auth_service
from yingji.auth.enums import Role
from yingji.auth.models import User
from yingji.common.schemas import is_digits
from yingji.config import Settings
from yingji.deps import SESSION_COOKIE, SessionDep, SettingsDep
from yingji.errors import Conflict, Forbidden, InvalidField, NotFound, Unauthorized, YingjiError
from yingji.registry import service
from yingji.registry.specs import REGISTRIES, RegistrySpec
from yingji.registry.validation import CAPACITY_MODELS
from yingji.web import fields as wf
from yingji.web.i18n import LANGUAGES, Translator, normalise, pick
from yingji.web.mapconfig import layer_groups, map_config
from yingji.web.nav import NAV_AREAS
from yingji.web.netconfig import can_use_network, network_config
from yingji.web.security import (
    CSRF_FIELD,
    CsrfRefused,
    WebRoute,
    WebUser,
    check_login_csrf,
    clear_login_csrf_cookie,
    clear_session_cookie,
    here,
    new_login_csrf,
    request_language,
    require_csrf,
    safe_next,
    session_csrf,
    set_error_renderer,
    set_lang_cookie,
    set_login_csrf_cookie,
    set_session_cookie,
)

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
PAGE_SIZE = 50

router = APIRouter(route_class=WebRoute, include_in_schema=False)


# --- helpers --------------------------------------------------------------------------------


async def form_values(request: Request) -> wf.FormValues:
    """The submitted form as lists of strings (file fields are ignored)."""
    form = await request.form()
    return {key: [v for v in form.getlist(key) if isinstance(v, str)] for key in form}


FormDep = Annotated[wf.FormValues, Depends(form_values)]


def _first(data: wf.FormValues, key: str) -> str:
    values = data.get(key) or [""]
    return values[-1]


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _context(request: Request, user: User | None, lang: str, **extra: Any) -> dict[str, Any]:
    settings = _settings(request)
    registries = [
        {"name": name, "label": pick(spec.zh, spec.en, lang)}
        for name, spec in REGISTRIES.items()
        if user is not None and perm.allowed(user.role, name, "read")
    ]
    role_label = ""
    if user is not None:
        try:
            role_label = Role(user.role).label(lang)
        except ValueError:
            role_label = user.role
    other = "en" if lang == "zh-CN" else "zh-CN"
    return {
        "request": request,
        "t": Translator(lang),
        "lang": lang,
        "user": user,
        "user_name": (user.display_name or user.username) if user else "",
        "role_label": role_label,
        "csrf": session_csrf(request, settings) if user is not None else "",
        "csrf_field": CSRF_FIELD,
        "nav_registries": registries,
        "nav_areas": [
            {"key": a.key, "href": a.href, "label": pick(a.zh, a.en, lang)}
            for a in NAV_AREAS
            if user is not None and perm.allowed(user.role, a.resource, "read")
        ],
        "lang_switch_url": "/lang?" + urlencode({"set": other, "next": here(request)}),
        "other_lang": other,
        **extra,
    }


def render(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> Response:
    return templates.TemplateResponse(request, template, context, status_code=status_code)


def _render_error(request: Request, exc: YingjiError) -> Response:
    user: User | None = getattr(request.state, "user", None)
    lang = request_language(request, _settings(request), user)
    t = Translator(lang)
    status = exc.status_code if exc.status_code in (400, 401, 403, 404, 409, 413, 422) else 400
    message = t("csrf.refused") if isinstance(exc, CsrfRefused) else exc.message
    ctx = _context(request, user, lang, status=status, title=t(f"error.{status}"), message=message)
    return render(request, "error.html", ctx, status_code=status)


set_error_renderer(_render_error)


def _spec(name: str) -> RegistrySpec:
    spec = REGISTRIES.get(name)
    if spec is None:
        raise NotFound(f"no registry {name!r}")
    return spec


def _record_key(spec: RegistrySpec, obj: Any) -> str:
    return str(getattr(obj, spec.pk))


def _title(obj: Any) -> str:
    return str(getattr(obj, "name", None) or getattr(obj, "code", ""))


def _options(session: Session, user: User, needs: set[str], lang: str) -> dict[str, list[tuple[str, str]]]:
    """Choices of the reference selects, limited to the user's scope."""
    out: dict[str, list[tuple[str, str]]] = {}
    if "division" in needs:
        rows = readable_records(session, user, "divisions")
        indent = {"province": "", "city": "", "county": "\u3000", "township": "\u3000\u3000"}
        out["division"] = [
            (
                r.code,
                f"{indent.get(r.level, '')}{r.name}（{r.code}）"
                if lang.startswith("zh")
                else f"{indent.get(r.level, '')}{r.name_en or r.name} ({r.code})",
            )
            for r in rows
        ]
    if "unit" in needs:
        out["unit"] = [(str(r.id), r.name) for r in readable_records(session, user, "units")]
    if "team" in needs:
        out["team"] = [(str(r.id), r.name) for r in readable_records(session, user, "teams")]
    return out


def readable_records(session: Session, user: User, name: str) -> list[Any]:
    """A registry's records in the user's scope for select lists and name maps (none if the role may not read it)."""
    try:
        return service.all_records(
            session=session, spec=REGISTRIES[name], user=user, filters=service.ListFilters(), limit=5000
        )
    except Forbidden:
        return []


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# --- login, logout, language -----------------------------------------------------------------


def _login_message(exc: Unauthorized, t: Translator) -> str:
    if "locked" in exc.message:
        m = re.search(r"after (\d{1,2}:\d{2})", exc.message)
        return t("login.locked", time=m.group(1)) if m else t("login.locked_generic")
    return t("login.failed")


def _login_page(
    request: Request,
    settings: Settings,
    *,
    next_url: str,
    error: str | None = None,
    username: str = "",
    status_code: int = 200,
    notice: str | None = None,
) -> Response:
    lang = request_language(request, settings)
    nonce, token = new_login_csrf(settings)
    ctx = _context(
        request,
        None,
        lang,
        login_csrf=token,
        next_url=next_url,
        error=error,
        username=username,
        notice=notice,
    )
    response = render(request, "login.html", ctx, status_code=status_code)
    set_login_csrf_cookie(response, settings=settings, nonce=nonce)
    return response


@router.get("/login")
def login_form(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    next: str | None = None,
    logged_out: str | None = None,
) -> Response:
    target = safe_next(next)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        try:
            auth_service.user_from_token(session=session, settings=settings, token=token)
        except Unauthorized:
            pass
        else:
            return _redirect(target)
    notice = Translator(request_language(request, settings))("login.logged_out") if logged_out else None
    return _login_page(request, settings, next_url=target, notice=notice)


@router.post("/login")
def login_submit(request: Request, session: SessionDep, settings: SettingsDep, data: FormDep) -> Response:
    next_url = safe_next(_first(data, "next"))
    username = _first(data, "username").strip()
    t = Translator(request_language(request, settings))
    if not check_login_csrf(request, settings=settings, supplied=_first(data, CSRF_FIELD)):
        return _login_page(
            request, settings, next_url=next_url, error=t("login.csrf"), username=username, status_code=403
        )
    try:
        user = auth_service.authenticate(
            session=session, settings=settings, username=username, password=_first(data, "password")
        )
    except Unauthorized as exc:
        session.commit()  # keep the failure count (authenticate may have committed it already)
        return _login_page(
            request,
            settings,
            next_url=next_url,
            error=_login_message(exc, t),
            username=username,
            status_code=401,
        )
    token, ttl = auth_service.create_token(settings=settings, user=user)
    session.commit()
    response = _redirect(next_url)
    set_session_cookie(response, settings=settings, token=token, max_age=ttl)
    clear_login_csrf_cookie(response, settings=settings)
    return response


@router.post("/logout")
def logout(request: Request, settings: SettingsDep, data: FormDep) -> Response:
    if request.cookies.get(SESSION_COOKIE) is not None:
        require_csrf(request, settings, _first(data, CSRF_FIELD))
    response = _redirect("/login?logged_out=1")
    clear_session_cookie(response, settings=settings)
    return response


@router.get("/lang")
def switch_language(
    request: Request, settings: SettingsDep, set: str = "zh-CN", next: str | None = None
) -> Response:
    """Remember the chosen language in the ``yingji_lang`` cookie and go back."""
    lang = normalise(set)
    response = _redirect(safe_next(next) if next and not next.startswith("/lang") else "/")
    if lang in LANGUAGES:
        set_lang_cookie(response, settings=settings, lang=lang)
    return response


# --- the one map ----------------------------------------------------------------------------


@router.get("/")
@router.get("/map")
def one_map(request: Request, user: WebUser, session: SessionDep, settings: SettingsDep) -> Response:
    lang = request_language(request, settings, user)
    groups = layer_groups(user.role, lang)
    config = map_config(settings=settings, role=user.role, lang=lang, groups=groups)
    net: dict[str, Any] | None = None
    if can_use_network(user.role):
        divisions = _options(session, user, {"division"}, lang)["division"]
        names = {
            d.code: d.name if lang.startswith("zh") else (d.name_en or d.name)
            for d in readable_records(session, user, "divisions")
        }
        net = network_config(
            data_dir=settings.data_dir, role=user.role, lang=lang, divisions=divisions, division_names=names
        )
        config["network"] = net
    ctx = _context(
        request,
        user,
        lang,
        active="map",
        groups=groups,
        config=config,
        net=net,
        tile_url=settings.tile_url,
    )
    return render(request, "map.html", ctx)


# --- registries -----------------------------------------------------------------------------


@router.get("/registry")
def registry_index(request: Request, user: WebUser, session: SessionDep, settings: SettingsDep) -> Response:
    lang = request_language(request, settings, user)
    cards = []
    for name, spec in REGISTRIES.items():
        if not perm.allowed(user.role, name, "read"):
            continue
        _, total = service.list_records(
            session=session, spec=spec, user=user, filters=service.ListFilters(), page=1, size=1
        )
        cards.append(
            {
                "name": name,
                "label": pick(spec.zh, spec.en, lang),
                "total": total,
                "can_create": perm.allowed(user.role, name, "create"),
            }
        )
    return render(
        request, "registry_index.html", _context(request, user, lang, active="registry", cards=cards)
    )


def _int(raw: str | None, default: int) -> int:
    try:
        return min(1_000_000, max(1, int(raw or default)))
    except ValueError:
        return default


@router.get("/registry/{name}")
def registry_list(
    request: Request, name: str, user: WebUser, session: SessionDep, settings: SettingsDep
) -> Response:
    spec = _spec(name)
    lang = request_language(request, settings, user)
    params = request.query_params
    division = params.get("division") or None
    if division and not re.fullmatch(r"\d{2,12}", division):
        division = None
    kind_enum = wf.field_enum(spec, spec.kind_field)
    status_enum = wf.field_enum(spec, spec.status_field)
    kind = (params.get("kind") or None) if spec.kind_field else None
    status = (params.get("status") or None) if spec.status_field else None
    q = (params.get("q") or "").strip()[:100] or None
    page = _int(params.get("page"), 1)
    filters = service.ListFilters(division=division, kind=kind, status=status, q=q)
    rows, total = service.list_records(
        session=session, spec=spec, user=user, filters=filters, page=page, size=PAGE_SIZE
    )
    pages = max(1, math.ceil(total / PAGE_SIZE))
    refs = wf.load_refs(session, rows)
    columns = wf.list_columns(spec)
    query = {k: v for k, v in (("division", division), ("kind", kind), ("status", status), ("q", q)) if v}
    table = [
        {
            "key": _record_key(spec, r),
            "cells": [wf.display_value(spec, c, r, refs, lang, settings.timezone) for c in columns],
        }
        for r in rows
    ]
    ctx = _context(
        request,
        user,
        lang,
        active=name,
        spec=spec,
        registry_label=pick(spec.zh, spec.en, lang),
        columns=[wf.field_label(spec, c, lang) for c in columns],
        table=table,
        total=total,
        page=page,
        pages=pages,
        filters=query,
        division_options=_options(session, user, {"division"}, lang)["division"],
        kind_options=[(c.value, pick(c.zh, c.en, lang)) for c in kind_enum.choices()] if kind_enum else [],
        status_options=[(c.value, pick(c.zh, c.en, lang)) for c in status_enum.choices()]
        if status_enum
        else [],
        prev_url=f"?{urlencode({**query, 'page': page - 1})}" if page > 1 else None,
        next_url=f"?{urlencode({**query, 'page': page + 1})}" if page < pages else None,
        export_xlsx=f"/api/v1/{name}/export?{urlencode({**query, 'format': 'xlsx'})}",
        export_csv=f"/api/v1/{name}/export?{urlencode({**query, 'format': 'csv'})}",
        can_export=perm.allowed(user.role, name, "export"),
        can_create=perm.allowed(user.role, name, "create"),
        done=params.get("done"),
    )
    return render(request, "registry_list.html", ctx)


def _form_page(
    request: Request,
    *,
    user: User,
    session: Session,
    spec: RegistrySpec,
    lang: str,
    data: wf.FormValues,
    errors: wf.Errors,
    obj: Any | None,
    status_code: int = 200,
) -> Response:
    form_fields = wf.form_fields(spec)
    needs = {f.widget for f in form_fields} & {"division", "unit", "team"}
    options = _options(session, user, needs, lang)
    refs = wf.load_refs(session, [obj]) if obj is not None else wf.Refs()
    # keep a current reference that lies outside the lists (so that saving does not drop it)
    for f in form_fields:
        if f.widget in options:
            current = (data.get(f.name) or [""])[-1]
            if current and current not in {v for v, _ in options[f.widget]}:
                options[f.widget] = [(current, _ref_label(refs, f.widget, current)), *options[f.widget]]
    kind = (data.get("kind") or [""])[-1]
    capacity = (
        [{"kind": k, "fields": wf.capacity_fields(k)} for k in CAPACITY_MODELS]
        if "capacity" in spec.create.model_fields
        else []
    )
    registry_label = pick(spec.zh, spec.en, lang)
    t = Translator(lang)
    title = (
        t("form.edit_title", registry=registry_label, name=_title(obj))
        if obj is not None
        else t("form.new_title", registry=registry_label)
    )
    key = _record_key(spec, obj) if obj is not None else None
    ctx = _context(
        request,
        user,
        lang,
        active=spec.name,
        spec=spec,
        registry_label=registry_label,
        title=title,
        fields=form_fields,
        options=options,
        values=data,
        errors=errors,
        capacity=capacity,
        current_kind=kind,
        obj=obj,
        key=key,
        action=f"/registry/{spec.name}/{key}/edit" if key is not None else f"/registry/{spec.name}/new",
        cancel_url=f"/registry/{spec.name}/{key}" if key is not None else f"/registry/{spec.name}",
    )
    return render(request, "registry_form.html", ctx, status_code=status_code)


def _ref_label(refs: wf.Refs, widget: str, value: str) -> str:
    if widget == "division":
        return refs.divisions.get(value, value)
    names = refs.units if widget == "unit" else refs.teams
    return names.get(int(value), value) if is_digits(value) else value


def _forbidden_errors(exc: Forbidden, form_fields: list[wf.FormField]) -> wf.Errors:
    """Row rules name their field (``division_code: … is outside your division``): put them beside it."""
    m = re.match(r"^(\w+): (.+)$", exc.message)
    if m and m.group(1) in {f.name for f in form_fields}:
        return {m.group(1): m.group(2)}
    return {"__all__": exc.message}


def _save(
    *,
    session: Session,
    spec: RegistrySpec,
    user: User,
    lang: str,
    values: dict[str, Any],
    obj: Any | None,
) -> tuple[Any | None, wf.Errors, int]:
    """Validate and write a record; return it, or the errors and the status of the page to show."""
    model, errors = wf.validate(spec, values, lang)
    if model is None:
        return None, errors, 422
    try:
        if obj is None:
            saved = service.create_record(session=session, spec=spec, user=user, data=model)
        else:
            handled = {f.name for f in wf.form_fields(spec)}
            changes = {
                k: v
                for k, v in model.model_dump(mode="json").items()
                if k in handled and k in spec.update.model_fields
            }
            update: BaseModel = spec.update.model_validate(changes)
            saved = service.update_record(
                session=session, spec=spec, user=user, key=getattr(obj, spec.pk), data=update
            )
    except InvalidField as exc:
        session.rollback()
        return None, wf.invalid_field_errors(exc.errors, lang), 422
    except Forbidden as exc:
        session.rollback()
        return None, _forbidden_errors(exc, wf.form_fields(spec)), 403
    except Conflict as exc:
        session.rollback()
        return None, {"__all__": exc.message}, 409
    session.commit()
    return saved, {}, 200


@router.get("/registry/{name}/new")
def registry_new(
    request: Request, name: str, user: WebUser, session: SessionDep, settings: SettingsDep
) -> Response:
    spec = _spec(name)
    perm.require(user, name, "create")
    lang = request_language(request, settings, user)
    data = wf.default_form_values(spec)
    for key in ("division_code", "kind"):
        if request.query_params.get(key):
            data[key] = [request.query_params[key]]
    if "division_code" not in data and user.division_code:
        data["division_code"] = [user.division_code]
    if "unit_id" in spec.create.model_fields and user.role == "department" and user.unit_id is not None:
        data["unit_id"] = [str(user.unit_id)]
    return _form_page(
        request, user=user, session=session, spec=spec, lang=lang, data=data, errors={}, obj=None
    )


@router.post("/registry/{name}/new")
def registry_create(
    request: Request,
    name: str,
    user: WebUser,
    session: SessionDep,
    settings: SettingsDep,
    data: FormDep,
) -> Response:
    spec = _spec(name)
    require_csrf(request, settings, _first(data, CSRF_FIELD))
    perm.require(user, name, "create")
    lang = request_language(request, settings, user)
    saved, errors, status = _save(
        session=session, spec=spec, user=user, lang=lang, values=wf.build_values(spec, data), obj=None
    )
    if saved is None:
        return _form_page(
            request,
            user=user,
            session=session,
            spec=spec,
            lang=lang,
            data=data,
            errors=errors,
            obj=None,
            status_code=status,
        )
    return _redirect(f"/registry/{name}/{_record_key(spec, saved)}?done=created")


@router.get("/registry/{name}/{key}")
def registry_detail(
    request: Request,
    name: str,
    key: str,
    user: WebUser,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    spec = _spec(name)
    lang = request_language(request, settings, user)
    obj = service.get_record(session=session, spec=spec, user=user, key=key)
    refs = wf.load_refs(session, [obj])
    names = [n for n in spec.read.model_fields if n not in ("created_at", "updated_at")]
    if spec.pk == "id":
        names = [n for n in names if n != "id"]
    rows = [
        {
            "name": n,
            "label": wf.field_label(spec, n, lang),
            "value": wf.display_value(spec, n, obj, refs, lang, settings.timezone),
            "link": _link(n, obj),
        }
        for n in names
    ]
    if spec.name == "divisions":
        boundary = getattr(obj, "boundary", None)
        rows.append(
            {
                "name": "boundary",
                "label": wf.field_label(spec, "boundary", lang),
                "value": Translator(lang)("bool.true" if boundary else "bool.false"),
                "link": None,
            }
        )
    for n in ("created_at", "updated_at"):
        rows.append(
            {
                "name": n,
                "label": wf.field_label(spec, n, lang),
                "value": wf.display_value(spec, n, obj, refs, lang, settings.timezone),
                "link": None,
            }
        )
    located = spec.located and getattr(obj, "lon", None) is not None and getattr(obj, "lat", None) is not None
    ctx = _context(
        request,
        user,
        lang,
        active=name,
        spec=spec,
        registry_label=pick(spec.zh, spec.en, lang),
        obj=obj,
        key=_record_key(spec, obj),
        title=_title(obj),
        rows=rows,
        done=request.query_params.get("done"),
        map_url=f"/?{urlencode({'focus': f'{name}:{_record_key(spec, obj)}'})}" if located else None,
        can_update=perm.allowed(user.role, name, "update"),
        can_delete=perm.allowed(user.role, name, "delete"),
    )
    return render(request, "registry_detail.html", ctx)


def _link(name: str, obj: Any) -> str | None:
    value = getattr(obj, name, None)
    if value is None:
        return None
    if name in ("division_code", "parent_code"):
        return f"/registry/divisions/{value}"
    if name == "unit_id" and obj.__class__.__name__ != "Unit":
        return f"/registry/units/{value}"
    if name == "team_id":
        return f"/registry/teams/{value}"
    return None


@router.get("/registry/{name}/{key}/edit")
def registry_edit(
    request: Request,
    name: str,
    key: str,
    user: WebUser,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    spec = _spec(name)
    perm.require(user, name, "update")
    lang = request_language(request, settings, user)
    obj = service.get_record(session=session, spec=spec, user=user, key=key)
    data = wf.record_form_values(spec, obj)
    return _form_page(
        request, user=user, session=session, spec=spec, lang=lang, data=data, errors={}, obj=obj
    )


@router.post("/registry/{name}/{key}/edit")
def registry_update(
    request: Request,
    name: str,
    key: str,
    user: WebUser,
    session: SessionDep,
    settings: SettingsDep,
    data: FormDep,
) -> Response:
    spec = _spec(name)
    require_csrf(request, settings, _first(data, CSRF_FIELD))
    perm.require(user, name, "update")
    lang = request_language(request, settings, user)
    obj = service.get_record(session=session, spec=spec, user=user, key=key)
    values = wf.build_values(spec, data)
    if spec.pk != "id":
        values[spec.pk] = getattr(obj, spec.pk)  # the natural key cannot be changed here
        data[spec.pk] = [str(getattr(obj, spec.pk))]
    saved, errors, status = _save(session=session, spec=spec, user=user, lang=lang, values=values, obj=obj)
    if saved is None:
        obj = service.get_record(session=session, spec=spec, user=user, key=key)
        return _form_page(
            request,
            user=user,
            session=session,
            spec=spec,
            lang=lang,
            data=data,
            errors=errors,
            obj=obj,
            status_code=status,
        )
    return _redirect(f"/registry/{name}/{_record_key(spec, saved)}?done=updated")


def _delete_page(
    request: Request,
    *,
    user: User,
    spec: RegistrySpec,
    obj: Any,
    lang: str,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    key = _record_key(spec, obj)
    ctx = _context(
        request,
        user,
        lang,
        active=spec.name,
        spec=spec,
        registry_label=pick(spec.zh, spec.en, lang),
        obj=obj,
        key=key,
        title=_title(obj),
        error=error,
    )
    return render(request, "registry_delete.html", ctx, status_code=status_code)


@router.get("/registry/{name}/{key}/delete")
def registry_delete_confirm(
    request: Request,
    name: str,
    key: str,
    user: WebUser,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    spec = _spec(name)
    perm.require(user, name, "delete")
    obj = service.get_record(session=session, spec=spec, user=user, key=key)
    return _delete_page(
        request, user=user, spec=spec, obj=obj, lang=request_language(request, settings, user)
    )


@router.post("/registry/{name}/{key}/delete")
def registry_delete(
    request: Request,
    name: str,
    key: str,
    user: WebUser,
    session: SessionDep,
    settings: SettingsDep,
    data: FormDep,
) -> Response:
    spec = _spec(name)
    require_csrf(request, settings, _first(data, CSRF_FIELD))
    lang = request_language(request, settings, user)
    try:
        service.delete_record(session=session, spec=spec, user=user, key=key)
    except Conflict as exc:
        session.rollback()
        obj = service.get_record(session=session, spec=spec, user=user, key=key)
        return _delete_page(
            request, user=user, spec=spec, obj=obj, lang=lang, error=exc.message, status_code=409
        )
    session.commit()
    return _redirect(f"/registry/{name}?done=deleted")
