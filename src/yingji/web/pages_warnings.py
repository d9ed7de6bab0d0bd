"""预警中心 — the warning console (``/warnings``, ``/warnings/{id}`` with that warning selected).

The page lists the active warnings in the user's scope grouped by level (一级/red first), draws them
on the map as markers in the four warning colours, and shows the selected warning in a detail panel:
its history, the sensor's readings of the last 24 hours with the thresholds of its rules, and the
buttons to acknowledge (确认), change the level (升级/降级), escalate to an incident (转为事件) and
lift (解除) — each shown only when the role may do it.

The list is rendered on the server from :func:`yingji.warnings.service.list_warnings` (same checks
and scope as ``GET /api/v1/warnings``); ``static/js/warnings.js`` takes it over, calls the JSON API
with the session cookie and ``X-CSRF-Token`` and keeps it current from the server-sent events of
``/api/v1/events`` (topic ``warnings``): a warning raised, changed or lifted elsewhere appears
without a reload. The page embeds what the script needs as JSON (``#wrn-config``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

import yingji.web.i18n_warnings  # noqa: F401  (adds the wrn.* messages to the catalogue)
from yingji.auth import permissions as perm
from yingji.auth.models import User
from yingji.common.schemas import is_digits
from yingji.config import Settings
from yingji.deps import SessionDep, SettingsDep
from yingji.errors import NotFound
from yingji.registry.models import Division
from yingji.warnings import service
from yingji.warnings.enums import LEVELS, EventKind, WarningOrigin, WarningStatus
from yingji.web import i18n
from yingji.web.i18n import MESSAGES, pick
from yingji.web.mapconfig import LIAOCHENG_CENTRE, tile_attribution
from yingji.web.nav import NavArea, register
from yingji.web.security import WebRoute, WebUser, request_language
from yingji.web.views import _context, render

router = APIRouter(route_class=WebRoute, include_in_schema=False)

register(NavArea(key="warnings", href="/warnings", zh="预警中心", en="Warnings", resource=service.RESOURCE,
                 order=20))

MAX_ID = 2**31 - 1
MAX_ACTIVE = 500  # the list holds at most this many active warnings (the most severe first)
JS_PREFIX = "wrn.js."
SOURCE_TYPES = ("sensor", "hazard_source", "division", "external")


def js_messages(lang: str) -> dict[str, str]:
    """The ``wrn.js.*`` texts for the scripts (keys without the prefix)."""
    return i18n.js_messages(JS_PREFIX, lang)


def levels(lang: str) -> dict[str, dict[str, str]]:
    """Level number → its name (``red`` …), full and short label and colour."""
    msg_idx = 0 if lang.startswith("zh") else 1
    return {
        str(n): {"name": v[0], "label": pick(v[1], v[2], lang), "short": MESSAGES[f"wrn.level.{v[0]}"][msg_idx],
                 "colour": v[3]}
        for n, v in LEVELS.items()
    }


def _labels(enum: Any, lang: str) -> dict[str, str]:
    return {c.value: pick(c.zh, c.en, lang) for c in enum.choices()}


def division_names(session: Session, user: User, lang: str) -> dict[str, str]:
    """Names of the divisions in the user's scope (code → name in the page language)."""
    zh = lang.startswith("zh")
    rows = session.execute(select(Division.code, Division.name, Division.name_en))
    return {code: name if zh else (name_en or name) for code, name, name_en in rows if perm.in_scope(user, code)}


def can(user: User) -> dict[str, bool]:
    role = user.role
    update = perm.allowed(role, service.RESOURCE, "update")
    return {
        "update": update,
        "escalate": update and perm.allowed(role, "incidents", "create"),
        "incidents": perm.allowed(role, "incidents", "read"),
        "readings": perm.allowed(role, "sensors", "read") and perm.allowed(role, "readings", "read"),
        "divisions": perm.allowed(role, "divisions", "read"),
        "cap": perm.allowed(role, service.RESOURCE, "export"),
    }


def active_warnings(session: Session, user: User) -> list[dict[str, Any]]:
    rows, _ = service.list_warnings(session=session, user=user, filters=service.Filters(status="active"),
                                    page=1, size=MAX_ACTIVE)
    return [service.read_dict(w) for w in rows]


def page_config(*, session: Session, user: User, settings: Settings, lang: str, warnings: list[dict[str, Any]],
                selected: int | None) -> dict[str, Any]:
    """Everything ``warnings.js`` needs, embedded in the page as JSON."""
    return {
        "lang": lang,
        "timezone": settings.timezone,
        "tileUrl": settings.tile_url,
        "tileAttribution": tile_attribution(settings.tile_url),
        "centre": list(LIAOCHENG_CENTRE),  # (lat, lon)
        "zoom": 9,
        "api": "/api/v1/warnings",
        "maxActive": MAX_ACTIVE,
        "user": {"username": user.username, "role": user.role, "division": user.division_code,
                 "unit": user.unit_id},
        "can": can(user),
        "levels": levels(lang),
        "status": _labels(WarningStatus, lang),
        "origin": _labels(WarningOrigin, lang),
        "eventKind": _labels(EventKind, lang),
        "sourceType": {k: MESSAGES[f"wrn.source.{k}"][0 if lang.startswith("zh") else 1] for k in SOURCE_TYPES},
        "divisionNames": division_names(session, user, lang),
        "warnings": warnings,
        "selected": selected,
        "i18n": js_messages(lang),
    }


def time_formatter(settings: Settings) -> Callable[[str | None], str]:
    """ISO time (as the API gives it) → ``MM-DD HH:MM`` in the city's time zone."""
    zone = ZoneInfo(settings.timezone)

    def fmt(value: str | None) -> str:
        if not value:
            return "—"
        try:
            return datetime.fromisoformat(value).astimezone(zone).strftime("%m-%d %H:%M")
        except ValueError:
            return value

    return fmt


def _console(request: Request, user: User, session: Session, settings: Settings, selected: int | None) -> Response:
    perm.require(user, service.RESOURCE, "read")
    lang = request_language(request, settings, user)
    warnings = active_warnings(session, user)
    config = page_config(session=session, user=user, settings=settings, lang=lang, warnings=warnings,
                         selected=selected)
    groups = [
        {"level": n, "name": LEVELS[n][0], "label": config["levels"][str(n)]["short"],
         "items": [w for w in warnings if w["level"] == n]}
        for n in sorted(LEVELS)
    ]
    ctx = _context(
        request, user, lang, active="warnings", config=config, can=config["can"], groups=groups,
        total=len(warnings), levels=config["levels"], division_names=config["divisionNames"],
        source_types=config["sourceType"], selected=selected, fmt_time=time_formatter(settings),
    )
    return render(request, "warnings/console.html", ctx)


@router.get("/warnings")
def warning_console(request: Request, user: WebUser, session: SessionDep, settings: SettingsDep) -> Response:
    """预警中心: active warnings by level in a list and on the map; the selected one's detail."""
    return _console(request, user, session, settings, None)


@router.get("/warnings/{warning_id}")
def warning_console_selected(
    request: Request, warning_id: str, user: WebUser, session: SessionDep, settings: SettingsDep
) -> Response:
    """The console with one warning (active or not) selected; 404 when it is unknown or out of scope."""
    if not is_digits(warning_id) or not 0 < int(warning_id) <= MAX_ID:
        raise NotFound(f"warning {warning_id} not found")
    w = service.get_warning(session=session, user=user, warning_id=int(warning_id))
    return _console(request, user, session, settings, w.id)
