"""督办考核 — the leaders' supervision dashboard of the action plan and its drill-down pages.

Every page is a GET for a signed-in user who may read ``action_tasks`` and takes
``?as_of=YYYY-MM-DD`` (default: today in ``YINGJI_TIMEZONE``), so that the plan can be reviewed as
it stood on any day; links between the pages keep the chosen day.

* ``/supervision`` — overall status, indicators with traffic lights and trend sparklines, tasks by
  section and by unit (ECharts, vendored), the overdue list, the per-division comparison, the
  monthly report (.docx/.xlsx) links;
* ``/supervision/print`` — the same on A4, without scripts;
* ``/supervision/tasks?section=&status=&unit=&role=&q=`` — tasks with their status;
* ``/supervision/tasks/{id}`` — one task: text, units, milestones, progress reports and evidence,
  the forms to report progress and to confirm or return a report;
* ``/supervision/indicators/{key}`` — one indicator: history chart and table, per-division detail,
  the form to enter a value of a reported indicator.

The pages call the supervision services directly (same permission checks and results as the API);
the forms post to the JSON API (``/api/v1/supervision/…``) with the session cookie and
``X-CSRF-Token`` (``static/js/supervision-forms.js``), and show its 4xx messages beside the fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth import permissions as perm
from yingji.auth.models import User
from yingji.common.schemas import is_digits
from yingji.config import Settings
from yingji.deps import SessionDep, SettingsDep
from yingji.errors import Forbidden, NotFound
from yingji.supervision import indicators as ind_service
from yingji.supervision import reports as report_service
from yingji.supervision import service
from yingji.supervision.common import local_today
from yingji.supervision.enums import Comparator, IndicatorKind, Light, ReportStatus, TaskStatus, UnitRole
from yingji.supervision.models import ActionPlan, ActionTask, Indicator
from yingji.web import i18n_supervision
from yingji.web.i18n import Translator, pick
from yingji.web.nav import NavArea, register
from yingji.web.security import WebRoute, WebUser, request_language
from yingji.web.views import _context, render

router = APIRouter(route_class=WebRoute, include_in_schema=False)

register(
    NavArea(key="supervision", href="/supervision", zh="督办考核", en="Supervision", resource="action_tasks", order=40)
)

BASE = "/supervision"
API = "/api/v1/supervision"
UNITS_SHOWN = 15  # units in the by-unit chart (all of them are in the table)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# --- the day under review -------------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    """The day under review: ``as_of`` from the query (``explicit``), else today."""

    as_of: date
    today: date
    explicit: bool
    invalid: str | None = None

    def url(self, path: str, **params: Any) -> str:
        """``path`` with ``params`` (empty ones left out) and the chosen day."""
        query = {k: v for k, v in params.items() if v not in (None, "")}
        if self.explicit:
            query["as_of"] = self.as_of.isoformat()
        return path + (f"?{urlencode(query)}" if query else "")


def review_day(request: Request, settings: Settings) -> Day:
    today = local_today(settings.timezone)
    raw = (request.query_params.get("as_of") or "").strip()
    if not raw:
        return Day(as_of=today, today=today, explicit=False)
    try:
        if not _DATE.match(raw):
            raise ValueError(raw)
        day = date.fromisoformat(raw)
        if not 1900 <= day.year <= 2100:
            raise ValueError(raw)
    except ValueError:
        return Day(as_of=today, today=today, explicit=False, invalid=raw[:40])
    return Day(as_of=day, today=today, explicit=True)


# --- formatting -----------------------------------------------------------------------------

UNIT_EN: dict[str, str] = {
    "张": "beds",
    "间": "rooms",
    "个": "",
    "家": "",
    "所": "",
    "支": "",
    "人/亿元": "deaths per 100 M yuan",
}


def fmt_num(value: float | None) -> str:
    """80 → ``80``; 1234 → ``1,234``; 0.0105 → ``0.011``; 92.35 → ``92.4``; None → ``—``."""
    if value is None:
        return "—"
    if abs(value - round(value)) < 1e-9:
        return f"{round(value):,}"
    if abs(value) < 1:
        return f"{value:.3f}".rstrip("0").rstrip(".")
    return f"{value:,.1f}"


def unit_label(unit: str, lang: str) -> str:
    return unit if lang.startswith("zh") else UNIT_EN.get(unit, unit)


def with_unit(value: float | None, unit: str, lang: str) -> str:
    text = fmt_num(value)
    label = unit_label(unit, lang)
    if value is None or not label:
        return text
    return f"{text}{label}" if label == "%" else f"{text} {label}"


def target_text(target: float | None, comparator: str, unit: str, lang: str) -> str:
    if comparator == Comparator.increase:
        return Translator(lang)("sv.cmp.increase")
    if target is None:
        return "—"
    sign = "≥" if comparator == Comparator.ge else "≤"
    return f"{sign} {with_unit(target, unit, lang)}"


def _section_label(numeral: str, title: str, lang: str) -> str:
    return f"{numeral}、{title}" if lang.startswith("zh") else f"{numeral} {title}"


def _status(value: str, lang: str) -> dict[str, str]:
    choice = next(c for c in TaskStatus.choices() if c.value == value)
    return {"value": value, "label": pick(choice.zh, choice.en, lang), "colour": choice.colour}


def _light(value: str, lang: str) -> dict[str, str]:
    choice = next(c for c in Light.choices() if c.value == value)
    return {"value": value, "label": pick(choice.zh, choice.en, lang), "colour": choice.colour}


def _report_status(value: str, lang: str) -> dict[str, str]:
    choice = next(c for c in ReportStatus.choices() if c.value == value)
    return {"value": value, "label": pick(choice.zh, choice.en, lang), "colour": choice.colour}


# The service explains a task's status in Chinese; these patterns give the same text in the page's
# language (a test checks that the Chinese messages reproduce the service's exactly).
_REASONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2}) 确认完成$"), "sv.reason.done"),
    (re.compile(r"^节点(?P<seq>\d+)（(?P<date>[\d-]+)前）未完成：(?P<text>.*)$", re.S), "sv.reason.milestone"),
    (re.compile(r"^已超过完成时限 (?P<date>[\d-]+)，未确认完成$"), "sv.reason.deadline"),
    (re.compile(r"^尚无进展报告$"), "sv.reason.no_report"),
    (re.compile(r"^时序进度已达 (?P<expected>\d+)%，尚无进展报告$"), "sv.reason.no_report_late"),
    (re.compile(r"^报告进度 (?P<percent>\d+)% 落后于时序进度 (?P<expected>\d+)%$"), "sv.reason.behind"),
    (re.compile(r"^报告进度 (?P<percent>\d+)%，时序进度 (?P<expected>\d+)%$"), "sv.reason.on_track"),
]


def status_reason(text: str, lang: str) -> str:
    """The service's reason for a task's status, in the page's language."""
    for pattern, key in _REASONS:
        m = pattern.match(text or "")
        if m:
            return Translator(lang)(key, **m.groupdict())
    return text


def sparkline(values: list[float], *, width: int = 120, height: int = 30) -> dict[str, Any] | None:
    """Points of a small trend chart (inline SVG, so that it also prints); one value is a dot at the
    right end of a dashed line."""
    if not values:
        return None
    lo, hi = min(values), max(values)
    span = hi - lo
    step = width / max(1, len(values) - 1)

    def y(v: float) -> float:
        return round(height / 2 if span == 0 else height - 3 - (v - lo) / span * (height - 6), 1)

    pts = [(round(i * step, 1), y(v)) for i, v in enumerate(values)]
    if len(pts) == 1:
        pts = [(0.0, pts[0][1]), (float(width), pts[0][1])]
    return {
        "width": width,
        "height": height,
        "points": " ".join(f"{x},{v}" for x, v in pts),
        "last": pts[-1],
        "count": len(values),
        "single": len(values) == 1,
    }


def _percent_cell(value: float | None) -> str:
    return "—" if value is None else f"{fmt_num(value)}%"


# --- loading --------------------------------------------------------------------------------


def _plan(session: Session, user: User) -> ActionPlan | None:
    perm.require(user, "action_tasks", "read")
    try:
        return service.get_plan(session=session, user=user, code=None)
    except NotFound:
        return None


def _page(
    request: Request, user: User, lang: str, day: Day, template: str, status_code: int = 200, **extra: Any
) -> Response:
    t = Translator(lang)
    ctx = _context(
        request,
        user,
        lang,
        active="supervision",
        day=day,
        sv_url=day.url,
        day_error=t("sv.asof.invalid", value=day.invalid) if day.invalid else None,
        **extra,
    )
    return render(request, template, ctx, status_code=status_code)


def _no_plan(request: Request, user: User, lang: str, day: Day) -> Response:
    return _page(request, user, lang, day, "supervision/empty.html")


def _statuses(lang: str) -> list[dict[str, str]]:
    return [_status(s.value, lang) for s in TaskStatus]


def _counts_row(by_status: dict[str, int], lang: str, total: int) -> list[dict[str, Any]]:
    """Segments of a stacked status bar (CSS widths, for the tables and the print view)."""
    return [
        {
            **_status(s.value, lang),
            "count": by_status.get(s.value, 0),
            "share": round(100.0 * by_status.get(s.value, 0) / total, 2) if total else 0.0,
        }
        for s in TaskStatus
    ]


def _indicator_card(i: dict[str, Any], lang: str, day: Day) -> dict[str, Any]:
    t = Translator(lang)
    kind = IndicatorKind(i["kind"])
    values = [float(p["value"]) for p in i.get("trend", []) if p.get("value") is not None]
    if kind == IndicatorKind.unavailable:
        state = t("sv.ind.module_unavailable")
    elif not i["available"]:
        reason = i.get("reason") or ""
        no_network = "road network" in reason or "路网" in reason
        state = t("sv.ind.no_network") if no_network else t("sv.ind.source_unavailable")
    elif i["value"] is None:
        state = t("sv.ind.no_value")
    else:
        state = ""
    return {
        "key": i["key"],
        "name": i["name"] if lang.startswith("zh") else (i.get("name_en") or i["name"]),
        "name_zh": i["name"],
        "kind": i["kind"],
        "kind_label": kind.label(lang),
        "light": _light(i["light"], lang),
        "value": i["value"],
        "value_text": with_unit(i["value"], i["unit"], lang),
        "value_on": i.get("value_on"),
        "target_text": target_text(i["target"], i["comparator"], i["unit"], lang),
        "due_on": i["due_on"],
        "available": i["available"],
        "state": state,
        "reason": i.get("reason") or "",
        "note": i.get("note") or "",
        "source": i.get("source") or "",
        "tasks": i.get("tasks") or [],
        "spark": sparkline(values),
        "trend": values,
        "url": day.url(f"{BASE}/indicators/{i['key']}"),
    }


def per_division_verdict(key: str, unit: str, comparator: str) -> bool:
    """Whether the indicator's target applies to each division: shares (%), rates (≤) and targets
    "per county". Counts summed to a city total (beds, parks) are compared without a verdict."""
    return unit == "%" or comparator == Comparator.le or key.endswith("_per_county")


def _divisions(dash: dict[str, Any], names_en: dict[str, str], lang: str) -> dict[str, Any]:
    columns = []
    for c in dash["divisions"]["columns"]:
        verdict = per_division_verdict(c["key"], c["unit"], c["comparator"])
        columns.append(
            {
                "key": c["key"],
                "name": c["name"] if lang.startswith("zh") else names_en.get(c["key"]) or c["name"],
                "unit": unit_label(c["unit"], lang),
                "raw_unit": c["unit"],
                "target": c["target"],
                "comparator": c["comparator"],
                "target_text": target_text(c["target"], c["comparator"], c["unit"], lang),
                "verdict": verdict,
            }
        )
    rows = []
    for r in dash["divisions"]["rows"]:
        cells = []
        for c in columns:
            value = r["values"].get(c["key"])
            met = ind_service.meets(value, c["target"], c["comparator"]) if c["verdict"] else None
            cells.append({"key": c["key"], "value": value, "text": with_unit(value, c["raw_unit"], lang), "met": met})
        rows.append({"code": r["division_code"], "name": r["division"], "cells": cells})
    charts = [
        {
            "key": c["key"],
            "title": c["name"],
            "unit": c["unit"],
            "target": c["target"] if c["verdict"] else None,
            "target_text": c["target_text"],
            "comparator": c["comparator"],
            "categories": [r["name"] for r in rows],
            "values": [r["cells"][n]["value"] for r in rows],
            "met": [r["cells"][n]["met"] for r in rows],
        }
        for n, c in enumerate(columns)
    ]
    return {"columns": columns, "rows": rows, "charts": charts}


def _month_default(day: Day) -> str:
    return min(day.as_of, day.today).strftime("%Y-%m")


def dashboard_data(
    *, session: Session, user: User, plan: ActionPlan, day: Day, settings: Settings, lang: str
) -> dict[str, Any]:
    """Everything the dashboard and its print view show, as of ``day`` (the indicators evaluated
    once, for the summary and the cards)."""
    evaluated = ind_service.evaluate_all(
        session=session, plan=plan, as_of=day.as_of, today=day.today, data_dir=settings.data_dir,
        tz=settings.timezone,
    )
    dash = report_service.dashboard(
        session=session,
        user=user,
        plan=plan,
        as_of=day.as_of,
        today=day.today,
        data_dir=settings.data_dir,
        tz=settings.timezone,
        evaluated=evaluated,
    )
    try:
        indicators = ind_service.list_indicators(
            session=session,
            user=user,
            plan=plan,
            as_of=day.as_of,
            today=day.today,
            data_dir=settings.data_dir,
            tz=settings.timezone,
            evaluated=evaluated,
        )
    except Forbidden:
        indicators = []
    cards = [_indicator_card(i, lang, day) for i in indicators]
    names_en = {i["key"]: i.get("name_en") or i["name"] for i in indicators}
    overall = dash["overall"]
    total = overall["tasks"]
    sections = [
        {
            **s,
            "label": _section_label(s["section"], s["title"], lang),
            "url": day.url(f"{BASE}/tasks", section=s["section"]),
            "bar": _counts_row(s["by_status"], lang, s["tasks"]),
        }
        for s in dash["by_section"]
    ]
    units = [
        {
            **u,
            "url": day.url(f"{BASE}/tasks", unit=u["name"]),
            "bar": _counts_row(u["by_status"], lang, u["tasks"]),
        }
        for u in dash["by_unit"]
    ]
    overdue = [
        {
            **o,
            "reason_text": status_reason(o["reason"], lang),
            "url": day.url(f"{BASE}/tasks/{o['task_id']}"),
        }
        for o in dash["overdue"]
    ]
    divisions = _divisions(dash, names_en, lang)
    statuses = _statuses(lang)

    def series(rows: list[dict[str, Any]]) -> dict[str, list[int]]:
        return {s["value"]: [r["by_status"][s["value"]] for r in rows] for s in statuses}

    shown_units = units[:UNITS_SHOWN]
    chart = {
        "statuses": statuses,
        "sections": {
            "categories": [s["label"] for s in sections],
            "short": [s["section"] for s in sections],
            "urls": [s["url"] for s in sections],
            "counts": series(sections),
        },
        "units": {
            "categories": [u["name"] for u in shown_units],
            "urls": [u["url"] for u in shown_units],
            "counts": series(shown_units),
        },
        "divisions": divisions["charts"],
        "lights": [_light(lt.value, lang) for lt in Light],
        "texts": {
            "tasks": Translator(lang)("sv.chart.tasks"),
            "target": Translator(lang)("sv.chart.target"),
            "value": Translator(lang)("sv.chart.value"),
        },
    }
    lights = [
        {**_light(k, lang), "count": v} for k, v in dash["indicators"]["by_light"].items()
    ]
    return {
        "plan": plan,
        "overall": overall,
        "total": total,
        "status_cards": [
            {
                **_status(k, lang),
                "count": v,
                "url": day.url(f"{BASE}/tasks", status=k),
            }
            for k, v in overall["by_status"].items()
        ],
        "overall_bar": _counts_row(overall["by_status"], lang, total),
        "health": _light(overall["health"], lang),
        "indicators": cards,
        "light_counts": lights,
        "sections": sections,
        "units": units,
        "units_shown": len(shown_units),
        "overdue": overdue,
        "divisions": divisions,
        "unmatched_units": dash["unmatched_units"],
        "chart": chart,
        "can_export": perm.allowed(user.role, "action_tasks", "export"),
        "month": _month_default(day),
        "month_max": day.today.strftime("%Y-%m"),
        "report_url": f"{API}/monthly-report",
    }


# --- dashboard and print view -------------------------------------------------------------


@router.get("/supervision")
def supervision_dashboard(request: Request, user: WebUser, session: SessionDep, settings: SettingsDep) -> Response:
    lang = request_language(request, settings, user)
    day = review_day(request, settings)
    plan = _plan(session, user)
    if plan is None:
        return _no_plan(request, user, lang, day)
    data = dashboard_data(session=session, user=user, plan=plan, day=day, settings=settings, lang=lang)
    return _page(request, user, lang, day, "supervision/dashboard.html", **data)


@router.get("/supervision/print")
def supervision_print(request: Request, user: WebUser, session: SessionDep, settings: SettingsDep) -> Response:
    lang = request_language(request, settings, user)
    day = review_day(request, settings)
    plan = _plan(session, user)
    if plan is None:
        return _no_plan(request, user, lang, day)
    data = dashboard_data(session=session, user=user, plan=plan, day=day, settings=settings, lang=lang)
    return _page(request, user, lang, day, "supervision/print.html", **data)


# --- tasks ----------------------------------------------------------------------------------


def _task_row(task: dict[str, Any], lang: str, day: Day) -> dict[str, Any]:
    nxt = task.get("next_milestone")
    return {
        **task,
        "status_info": _status(str(task["status"]), lang),
        "reason_text": status_reason(task["status_reason"], lang),
        "url": day.url(f"{BASE}/tasks/{task['id']}"),
        "section_url": day.url(f"{BASE}/tasks", section=task["section"]),
        "percent_text": _percent_cell(task["percent"]),
        "expected_text": _percent_cell(task["expected_percent"]),
        "next_text": f"{nxt['due_on'].isoformat()} {nxt['text']}" if nxt else "—",
    }


def _unit_names(session: Session, plan: ActionPlan) -> list[str]:
    tasks = session.scalars(select(ActionTask).where(ActionTask.plan_id == plan.id).order_by(ActionTask.number))
    names: list[str] = []
    for task in tasks:
        for u in task.units:
            if u.name not in names:
                names.append(u.name)
    return names


@router.get("/supervision/tasks")
def supervision_tasks(request: Request, user: WebUser, session: SessionDep, settings: SettingsDep) -> Response:
    lang = request_language(request, settings, user)
    day = review_day(request, settings)
    plan = _plan(session, user)
    if plan is None:
        return _no_plan(request, user, lang, day)
    params = request.query_params
    sections = list(plan.sections or [])
    numerals = [str(s.get("number")) for s in sections]
    section = (params.get("section") or "").strip()
    if is_digits(section) and 1 <= int(section) <= len(numerals):
        section = numerals[int(section) - 1]
    if section not in numerals:
        section = ""
    status = params.get("status") or ""
    if status not in {s.value for s in TaskStatus}:
        status = ""
    role = params.get("role") or ""
    if role not in {r.value for r in UnitRole}:
        role = ""
    unit = (params.get("unit") or "").strip()[:100]
    q = (params.get("q") or "").strip()[:100]
    rows, _ = service.list_tasks(
        session=session,
        user=user,
        plan=plan,
        as_of=day.as_of,
        section=section or None,
        status=TaskStatus(status) if status else None,
        q=q or None,
        page=1,
        size=100_000,
    )
    if unit:
        rows = [
            r
            for r in rows
            if (role != "responsible" and unit in r["lead_units"])
            or (role != "lead" and unit in r["responsible_units"])
        ]
    tasks = [_task_row(r, lang, day) for r in rows]
    by_status: dict[str, int] = {s.value: 0 for s in TaskStatus}
    for r in rows:
        by_status[str(r["status"])] += 1
    current = next((s for s in sections if s.get("number") == section), None)
    chosen = (("section", section), ("status", status), ("unit", unit), ("role", role), ("q", q))
    hidden = {k: v for k, v in chosen if v}
    return _page(
        request,
        user,
        lang,
        day,
        "supervision/tasks.html",
        plan=plan,
        tasks=tasks,
        filters=hidden,
        section=section,
        section_title=_section_label(section, str(current.get("title", "")), lang) if current else "",
        section_options=[(str(s["number"]), _section_label(str(s["number"]), str(s["title"]), lang)) for s in sections],
        status_options=[(s["value"], s["label"]) for s in _statuses(lang)],
        role_options=[(r.value, r.label(lang)) for r in UnitRole],
        unit_options=_unit_names(session, plan),
        status=status,
        unit=unit,
        role=role,
        q=q,
        bar=_counts_row(by_status, lang, len(rows)),
        total=len(rows),
        clear_url=day.url(f"{BASE}/tasks"),
    )


def _owners(task: dict[str, Any], role: UnitRole | None = None) -> set[int]:
    return {
        int(u["unit_id"])
        for u in task["units"]
        if u["unit_id"] is not None and (role is None or u["role"] == role.value)
    }


def _api_messages(lang: str) -> dict[str, Any]:
    """Texts of the forms' script: its own messages, pydantic error types, known API messages."""
    return i18n_supervision.form_messages(lang)


@router.get("/supervision/tasks/{task_id}")
def supervision_task(
    request: Request, task_id: str, user: WebUser, session: SessionDep, settings: SettingsDep
) -> Response:
    lang = request_language(request, settings, user)
    t = Translator(lang)
    day = review_day(request, settings)
    if not is_digits(task_id) or len(task_id) > 12:
        raise NotFound(f"task {task_id} not found")
    task = service.task_detail(session=session, user=user, task_id=int(task_id), as_of=day.as_of)
    owners, leads = _owners(task), _owners(task, UnitRole.lead)
    can_create = perm.allowed(user.role, "progress_reports", "create")
    can_update = perm.allowed(user.role, "progress_reports", "update")
    is_admin = user.role == "admin"
    own_unit = user.unit_id if user.role == "department" else None
    can_report = can_create and (is_admin or (own_unit is not None and own_unit in owners))
    can_review = can_update and (is_admin or (own_unit is not None and own_unit in leads))
    if can_report:
        report_note = ""
    elif not can_create:
        report_note = t("sv.form.role_cannot_report")
    elif user.role == "department" and own_unit is None:
        report_note = t("sv.form.no_unit")
    else:
        report_note = t("sv.form.not_owner")
    milestones = []
    for m in task["milestones"]:
        if m["achieved_on"] is not None:
            state, label = "achieved", t("sv.ms.achieved", date=m["achieved_on"].isoformat())
        elif m["overdue"]:
            state, label = "overdue", t("sv.ms.overdue")
        else:
            state, label = "pending", t("sv.ms.pending")
        milestones.append({**m, "state": state, "state_label": label})
    reports = []
    for r in task["reports"]:
        reports.append(
            {
                **r,
                "status_info": _report_status(str(r["status"]), lang),
                "can_review": can_review and r["status"] == ReportStatus.submitted,
                "evidence_links": [
                    {
                        "name": e.filename,
                        "size": e.size,
                        "url": f"{API}/progress/{r['id']}/evidence/{e.id}",
                        "sha256": e.sha256,
                    }
                    for e in r["evidence"]
                ],
                "milestones_text": "、".join(str(s) for s in r["milestones_done"]),
            }
        )
    linked = list(
        session.scalars(
            select(Indicator)
            .where(Indicator.plan_id == task["plan_id"], Indicator.key.in_(task["indicators"] or ["-"]))
            .order_by(Indicator.seq)
        )
    )
    units = [
        {
            **u,
            "role_label": UnitRole(u["role"]).label(lang),
            "url": f"/registry/units/{u['unit_id']}"
            if u["unit_id"] is not None and perm.allowed(user.role, "units", "read")
            else None,
            "mine": own_unit is not None and u["unit_id"] == own_unit,
        }
        for u in task["units"]
    ]
    unit_choices: list[tuple[int, str]] = []
    for u in units:
        if u["unit_id"] is not None and all(u["unit_id"] != v for v, _ in unit_choices):
            role_text = f"（{u['role_label']}）" if lang.startswith("zh") else f" ({u['role_label']})"
            unit_choices.append((int(u["unit_id"]), f"{u['name']}{role_text}"))
    default_day = min(day.as_of, day.today)
    return _page(
        request,
        user,
        lang,
        day,
        "supervision/task.html",
        task=_task_row(task, lang, day),
        paragraphs=[p for p in str(task["text"]).split("\n") if p.strip()],
        parts=task["parts"] or [],
        units=units,
        milestones=milestones,
        reports=reports,
        indicators=[
            {
                "key": i.key,
                "name": i.name if lang.startswith("zh") else (i.name_en or i.name),
                "url": day.url(f"{BASE}/indicators/{i.key}"),
            }
            for i in linked
        ],
        can_report=can_report,
        can_review=can_review,
        report_note=report_note,
        choose_unit=can_report and is_admin,
        unit_choices=unit_choices,
        default_day=default_day.isoformat(),
        max_day=day.today.isoformat(),
        done=request.query_params.get("done") if request.query_params.get("done") in _DONE else None,
        form_config={
            "api": API,
            "task_id": task["id"],
            "messages": _api_messages(lang),
        },
        back_url=day.url(f"{BASE}/tasks", section=task["section"]),
    )


_DONE = {"reported", "confirmed", "returned", "value"}


# --- indicators -------------------------------------------------------------------------------


@router.get("/supervision/indicators/{key}")
def supervision_indicator(
    request: Request, key: str, user: WebUser, session: SessionDep, settings: SettingsDep
) -> Response:
    lang = request_language(request, settings, user)
    t = Translator(lang)
    day = review_day(request, settings)
    plan = _plan(session, user)
    if plan is None:
        return _no_plan(request, user, lang, day)
    if not re.fullmatch(r"[a-z0-9_]{1,80}", key):
        raise NotFound(f"indicator {key} not found")
    detail = ind_service.indicator_detail(
        session=session,
        user=user,
        plan=plan,
        key=key,
        as_of=day.as_of,
        today=day.today,
        data_dir=settings.data_dir,
        tz=settings.timezone,
    )
    history = ind_service.indicator_history(session=session, user=user, plan=plan, key=key, until=day.as_of)
    card = _indicator_card(detail, lang, day)
    points = [
        {
            "on_date": p["on_date"].isoformat(),
            "value": p["value"],
            "text": with_unit(p["value"], detail["unit"], lang),
            "origin": p["origin"],
            "origin_label": t(f"sv.origin.{p['origin']}"),
            "source": p["source"] or "",
            "note": p["note"] or "",
            "recorded_by": p["recorded_by"],
        }
        for p in history
    ]
    by_division = [
        {
            "code": r["division_code"],
            "name": r.get("division", r["division_code"]),
            "text": with_unit(r.get("value"), detail["unit"], lang),
            "met": r.get("met")
            if "met" in r
            else (
                ind_service.meets(r.get("value"), detail["target"], detail["comparator"])
                if per_division_verdict(key, detail["unit"], detail["comparator"])
                else None
            ),
            "extra": {
                k: v for k, v in r.items() if k not in ("division_code", "division", "value", "met") and v is not None
            },
        }
        for r in detail["detail"].get("by_division", [])
        if isinstance(r, dict) and "division_code" in r
    ]
    is_reported = detail["kind"] == IndicatorKind.reported
    may_create = perm.allowed(user.role, "indicators", "create")
    owners: set[int] = set()
    if is_reported and user.role == "department":
        owners = {
            int(u.unit_id)
            for task in session.scalars(
                select(ActionTask).where(ActionTask.plan_id == plan.id, ActionTask.number.in_(detail["tasks"] or [-1]))
            )
            for u in task.units
            if u.unit_id is not None
        }
    can_enter = (
        is_reported
        and may_create
        and (user.role != "department" or (user.unit_id is not None and user.unit_id in owners))
    )
    tasks = list(
        session.scalars(
            select(ActionTask)
            .where(ActionTask.plan_id == plan.id, ActionTask.number.in_(detail["tasks"] or [-1]))
            .order_by(ActionTask.number)
        )
    )
    return _page(
        request,
        user,
        lang,
        day,
        "supervision/indicator.html",
        card=card,
        ind=detail,
        comparator_text=Comparator(detail["comparator"]).label(lang),
        points=list(reversed(points)),
        by_division=by_division,
        reported=detail.get("reported"),
        tasks=[
            {"number": x.number, "title": x.title, "url": day.url(f"{BASE}/tasks/{x.id}")} for x in tasks
        ],
        is_reported=is_reported,
        can_enter=can_enter,
        enter_note="" if can_enter or not is_reported else t("sv.val.cannot"),
        default_day=min(day.as_of, day.today).isoformat(),
        max_day=day.today.isoformat(),
        done=request.query_params.get("done") if request.query_params.get("done") in _DONE else None,
        history_chart={
            "title": card["name"],
            "unit": unit_label(detail["unit"], lang),
            "target": detail["target"],
            "comparator": detail["comparator"],
            "dates": [p["on_date"] for p in points],
            "values": [p["value"] for p in points],
            "texts": {"target": t("sv.chart.target"), "value": t("sv.chart.value")},
        },
        form_config={"api": API, "indicator": key, "messages": _api_messages(lang)},
        back_url=day.url(BASE),
    )
