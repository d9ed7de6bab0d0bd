"""Command and dispatch pages (指挥调度): the incident board and the incident workspace.

Both pages are server-rendered shells; ``static/js/incidents_board.js`` and
``static/js/incidents_workspace.js`` fill them from the JSON API (``/api/v1/incidents…``,
``/tasks``, ``/dispatches``, ``/duty/now``, ``/routing/route``) with the session cookie, and keep
them current from the server-sent events of ``/api/v1/events`` — a change made elsewhere appears
without a reload. The page embeds what the scripts need as JSON (``#inc-config``): labels and
colours of the enums, the user's rights, the divisions and units in scope, the texts.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

import yingji.web.i18n_incidents  # noqa: F401  (adds the inc.* messages to the catalogue)
from yingji.auth import permissions as perm
from yingji.auth.models import User
from yingji.common.schemas import is_digits
from yingji.config import Settings
from yingji.deps import SessionDep, SettingsDep
from yingji.errors import NotFound
from yingji.incidents import service as incident_service
from yingji.incidents.enums import (
    DISPATCH_ACTIVE,
    DISPATCH_TRANSITIONS,
    TASK_OPEN,
    TERMINAL_STATUSES,
    AssigneeType,
    Category,
    DispatchStatus,
    Level,
    PlanKind,
    ReportChannel,
    ReportKind,
    ResourceType,
    Status,
    TaskStatus,
    TimelineKind,
)
from yingji.incidents.permissions import DISPATCHES, INCIDENTS, PLANS, REPORTS, TASKS
from yingji.registry.enums import FacilityKind, Specialty, TeamKind, VehicleType
from yingji.web import i18n
from yingji.web.i18n import pick
from yingji.web.mapconfig import LIAOCHENG_CENTRE, tile_attribution
from yingji.web.nav import NavArea, register
from yingji.web.netconfig import network_files
from yingji.web.security import WebRoute, WebUser, request_language
from yingji.web.views import _context, readable_records, render

router = APIRouter(route_class=WebRoute, include_in_schema=False)

register(NavArea(key="incidents", href="/incidents", zh="指挥调度", en="Command", resource="incidents", order=10))

MAX_ID = 2**31 - 1
# Facility kinds shown around an incident on the workspace map (what an officer looks for nearby).
NEARBY_KINDS = ("fire_station", "hospital", "shelter", "warehouse")
NEARBY_DEGREES = 0.06  # the box searched for nearby facilities: ± this many degrees (≈ 5–7 km)
JS_PREFIX = "inc."


def _labels(enum: Any, lang: str) -> dict[str, dict[str, str]]:
    return {c.value: {"label": pick(c.zh, c.en, lang), "colour": c.colour} for c in enum.choices()}


def _division_options(rows: list[Any], lang: str) -> list[list[str]]:
    indent = {"province": "", "city": "", "county": "\u3000", "township": "\u3000\u3000"}
    zh = lang.startswith("zh")
    return [
        [r.code, f"{indent.get(r.level, '')}{r.name if zh else (r.name_en or r.name)}"] for r in rows
    ]


def js_messages(lang: str) -> dict[str, str]:
    """The ``inc.*`` texts for the scripts (keys without the prefix)."""
    return i18n.js_messages(JS_PREFIX, lang)


def page_config(
    *, session: Session, user: User, settings: Settings, lang: str, incident_id: int | None = None
) -> dict[str, Any]:
    """Everything the incident pages' scripts need, embedded in the page as JSON."""
    role = user.role
    divisions = readable_records(session, user, "divisions")
    zh = lang.startswith("zh")
    return {
        "lang": lang,
        "timezone": settings.timezone,
        "tileUrl": settings.tile_url,
        "tileAttribution": tile_attribution(settings.tile_url),
        "centre": list(LIAOCHENG_CENTRE),
        "zoom": 10,
        "incidentId": incident_id,
        "user": {"username": user.username, "division": user.division_code, "unit": user.unit_id},
        "can": {
            "report": perm.allowed(role, INCIDENTS, "create"),
            "update": perm.allowed(role, INCIDENTS, "update"),
            "dispatch": perm.allowed(role, DISPATCHES, "create"),
            "dispatchUpdate": perm.allowed(role, DISPATCHES, "update"),
            "plans": perm.allowed(role, PLANS, "read"),
            "activate": perm.allowed(role, INCIDENTS, "update") and perm.allowed(role, TASKS, "create"),
            "tasks": perm.allowed(role, TASKS, "read"),
            "reports": perm.allowed(role, REPORTS, "read"),
            "submitReport": perm.allowed(role, REPORTS, "create"),
            "duty": perm.allowed(role, "duty", "read"),
            "routing": perm.allowed(role, "routing", "read"),
            "facilities": perm.allowed(role, "facilities", "read"),
            "divisions": perm.allowed(role, "divisions", "read"),
            "supplies": perm.allowed(role, "dispatch_orders", "create"),
        },
        "network": network_files(settings.data_dir).graph,
        "divisions": _division_options(divisions, lang),
        "divisionNames": {d.code: d.name if zh else (d.name_en or d.name) for d in divisions},
        "units": {str(u.id): u.name for u in readable_records(session, user, "units")},
        "teams": {str(t.id): t.name for t in readable_records(session, user, "teams")},
        "enums": {
            "level": _labels(Level, lang),
            "status": _labels(Status, lang),
            "category": _labels(Category, lang),
            "taskStatus": _labels(TaskStatus, lang),
            "dispatchStatus": _labels(DispatchStatus, lang),
            "reportKind": _labels(ReportKind, lang),
            "reportChannel": _labels(ReportChannel, lang),
            "timelineKind": _labels(TimelineKind, lang),
            "resourceType": _labels(ResourceType, lang),
            "assigneeType": _labels(AssigneeType, lang),
            "planKind": _labels(PlanKind, lang),
            "facilityKind": _labels(FacilityKind, lang),
            "teamKind": _labels(TeamKind, lang),
            "specialty": _labels(Specialty, lang),
            "vehicleType": _labels(VehicleType, lang),
        },
        "terminal": [s.value for s in TERMINAL_STATUSES],
        "taskOpen": [s.value for s in TASK_OPEN],
        "dispatchActive": [s.value for s in DISPATCH_ACTIVE],
        "dispatchNext": {k.value: [s.value for s in v] for k, v in DISPATCH_TRANSITIONS.items()},
        "nearbyKinds": list(NEARBY_KINDS),
        "nearbyDegrees": NEARBY_DEGREES,
        "i18n": js_messages(lang),
    }


def _incident_id(raw: str) -> int:
    if not is_digits(raw) or not 0 < int(raw) <= MAX_ID:
        raise NotFound(f"incident {raw} not found")
    return int(raw)


@router.get("/incidents")
def incident_board(request: Request, user: WebUser, session: SessionDep, settings: SettingsDep) -> Response:
    """值班看板: who is on duty, the open incidents, active dispatches, open tasks, the report form."""
    perm.require(user, INCIDENTS, "read")
    lang = request_language(request, settings, user)
    config = page_config(session=session, user=user, settings=settings, lang=lang)
    ctx = _context(request, user, lang, active="incidents", config=config, can=config["can"],
                   tile_url=settings.tile_url)
    return render(request, "incidents/board.html", ctx)


@router.get("/incidents/{incident_id}")
def incident_workspace(
    request: Request, incident_id: str, user: WebUser, session: SessionDep, settings: SettingsDep
) -> Response:
    """The workspace of one incident: map, level, lifecycle, plans, resources, tasks, reports, timeline."""
    key = _incident_id(incident_id)
    incident = incident_service.get_incident(session=session, user=user, incident_id=key)
    lang = request_language(request, settings, user)
    config = page_config(session=session, user=user, settings=settings, lang=lang, incident_id=incident.id)
    ctx = _context(request, user, lang, active="incidents", config=config, can=config["can"], incident=incident,
                   tile_url=settings.tile_url)
    return render(request, "incidents/workspace.html", ctx)
