"""Supervision API under /api/v1/supervision/ (thin: parse, authorise, call the service).

Every read takes ``as_of`` (a local day, default today) so the plan can be reviewed as it stood
on any day, and ``plan`` (a plan code, default the most recently issued plan).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Body, File, Query, Response, UploadFile
from fastapi.responses import FileResponse

from yingji.auth import permissions as perm
from yingji.common.schemas import Page
from yingji.deps import CurrentUser, SessionDep, SettingsDep, read_upload
from yingji.supervision import indicators as ind_service
from yingji.supervision import reminders as reminder_service
from yingji.supervision import reports as report_service
from yingji.supervision import service
from yingji.supervision import statistics as stats_service
from yingji.supervision.common import local_today
from yingji.supervision.enums import IndicatorKind, Light, LossKind, ReportStatus, TaskStatus, UnitRole
from yingji.supervision.models import ActionPlan
from yingji.supervision.schemas import (
    EvidenceRead,
    GdpCreate,
    GdpRead,
    GdpUpdate,
    IndicatorRead,
    IndicatorValueIn,
    LoadReport,
    LossStatCreate,
    LossStatRead,
    LossStatUpdate,
    PlanRead,
    ProgressCreate,
    ProgressRead,
    ProgressUpdate,
    ProjectRead,
    ReviewIn,
    SnapshotReport,
    TaskDetail,
    TaskRead,
)

router = APIRouter(prefix="/api/v1/supervision", tags=["supervision"])

AsOf = Annotated[date | None, Query(description="Review as of this local day (default today)")]
PlanQ = Annotated[str | None, Query(max_length=80, description="Plan code (default the latest plan)")]
PageQ = Annotated[int, Query(ge=1, le=100_000)]
SizeQ = Annotated[int, Query(ge=1, le=500)]
JsonOnly = Annotated[
    Literal["json"], Query(description="Statistics are not located: JSON only (no GeoJSON layer)")
]


def _plan(session: SessionDep, user: CurrentUser, code: str | None) -> ActionPlan:
    return service.get_plan(session=session, user=user, code=code)


def _day(settings: Any, as_of: date | None) -> tuple[date, date]:
    today = local_today(settings.timezone)
    return (as_of or today), today


# ---- plans ------------------------------------------------------------------------------------


@router.get("/plans", response_model=list[PlanRead], summary="Loaded action plans")
def list_plans(session: SessionDep, user: CurrentUser) -> Any:
    return service.list_plans(session=session, user=user)


@router.post(
    "/plans", response_model=LoadReport, summary="Load or reload a plan document (the plan file's JSON)"
)
def load_plan(session: SessionDep, user: CurrentUser, document: Annotated[dict[str, Any], Body()]) -> Any:
    return service.load_plan_data(session=session, data=document, actor=user)


@router.get(
    "/plan", response_model=PlanRead, summary="One plan: its overall requirements, sections, unmatched units"
)
def get_plan(session: SessionDep, user: CurrentUser, plan: PlanQ = None) -> Any:
    return service.plan_out(session=session, plan=_plan(session, user, plan))


@router.get("/projects", response_model=list[ProjectRead], summary="Major projects of the plan's annex")
def list_projects(session: SessionDep, user: CurrentUser, plan: PlanQ = None) -> Any:
    return service.list_projects(session=session, user=user, plan=_plan(session, user, plan))


# ---- tasks ------------------------------------------------------------------------------------


@router.get("/tasks", response_model=Page[TaskRead], summary="Tasks with their status as of a day")
def list_tasks(
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    plan: PlanQ = None,
    as_of: AsOf = None,
    section: Annotated[str | None, Query(max_length=10, description="Section: 一…十 or 1…10")] = None,
    unit_id: Annotated[int | None, Query(description="Tasks this unit leads or is responsible for")] = None,
    role: UnitRole | None = None,
    status: TaskStatus | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    page: PageQ = 1,
    size: SizeQ = 50,
) -> Any:
    day, _ = _day(settings, as_of)
    items, total = service.list_tasks(
        session=session,
        user=user,
        plan=_plan(session, user, plan),
        as_of=day,
        section=section,
        unit_id=unit_id,
        role=role,
        status=status,
        q=q,
        page=page,
        size=size,
    )
    return {"items": items, "total": total, "page": page, "size": size}


@router.get("/tasks/{task_id}", response_model=TaskDetail, summary="A task with its milestones and reports")
def get_task(
    task_id: int, session: SessionDep, user: CurrentUser, settings: SettingsDep, as_of: AsOf = None
) -> Any:
    day, _ = _day(settings, as_of)
    return service.task_detail(session=session, user=user, task_id=task_id, as_of=day)


@router.post(
    "/tasks/{task_id}/progress",
    response_model=ProgressRead,
    status_code=201,
    summary="Report progress on a task (a unit that owns the task)",
)
def create_progress(
    task_id: int, body: ProgressCreate, session: SessionDep, user: CurrentUser, settings: SettingsDep
) -> Any:
    report = service.create_report(
        session=session, user=user, task_id=task_id, data=body, today=local_today(settings.timezone)
    )
    return service.report_read(session=session, report=report)


# ---- progress reports -------------------------------------------------------------------------


@router.get("/progress", response_model=Page[ProgressRead], summary="Progress reports")
def list_progress(
    session: SessionDep,
    user: CurrentUser,
    plan: PlanQ = None,
    as_of: AsOf = None,
    since: date | None = None,
    task_id: int | None = None,
    unit_id: int | None = None,
    status: ReportStatus | None = None,
    page: PageQ = 1,
    size: SizeQ = 50,
) -> Any:
    items, total = service.list_reports(
        session=session,
        user=user,
        plan=_plan(session, user, plan),
        as_of=as_of,
        since=since,
        task_id=task_id,
        unit_id=unit_id,
        status=status,
        page=page,
        size=size,
    )
    return {"items": items, "total": total, "page": page, "size": size}


@router.get("/progress/{report_id}", response_model=ProgressRead, summary="One progress report")
def get_progress(report_id: int, session: SessionDep, user: CurrentUser) -> Any:
    report = service.get_report(session=session, user=user, report_id=report_id)
    return service.report_read(session=session, report=report)


@router.patch(
    "/progress/{report_id}", response_model=ProgressRead, summary="Change one's own unconfirmed report"
)
def update_progress(
    report_id: int, body: ProgressUpdate, session: SessionDep, user: CurrentUser, settings: SettingsDep
) -> Any:
    report = service.update_report(
        session=session, user=user, report_id=report_id, data=body, today=local_today(settings.timezone)
    )
    return service.report_read(session=session, report=report)


@router.post("/progress/{report_id}/confirm", response_model=ProgressRead, summary="Confirm (a lead unit)")
def confirm_progress(
    report_id: int, session: SessionDep, user: CurrentUser, body: ReviewIn | None = None
) -> Any:
    report = service.review_report(
        session=session, user=user, report_id=report_id, confirm=True, note=body.note if body else None
    )
    return service.report_read(session=session, report=report)


@router.post(
    "/progress/{report_id}/return", response_model=ProgressRead, summary="Return with a note (a lead unit)"
)
def return_progress(report_id: int, body: ReviewIn, session: SessionDep, user: CurrentUser) -> Any:
    report = service.review_report(
        session=session, user=user, report_id=report_id, confirm=False, note=body.note
    )
    return service.report_read(session=session, report=report)


@router.post(
    "/progress/{report_id}/evidence",
    response_model=EvidenceRead,
    status_code=201,
    summary="Attach an evidence file to one's own unconfirmed report (stored by sha256)",
)
def add_evidence(
    report_id: int,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="The evidence file")],
) -> Any:
    content = read_upload(file, settings.max_upload_bytes)
    return service.add_evidence(
        session=session,
        user=user,
        report_id=report_id,
        data_dir=settings.data_dir,
        filename=file.filename,
        content_type=file.content_type,
        content=content,
        max_bytes=settings.max_upload_bytes,
    )


@router.get(
    "/progress/{report_id}/evidence/{evidence_id}",
    response_class=FileResponse,
    summary="Download an evidence file",
)
def get_evidence(
    report_id: int, evidence_id: int, session: SessionDep, user: CurrentUser, settings: SettingsDep
) -> Any:
    ev, path = service.get_evidence(
        session=session, user=user, report_id=report_id, evidence_id=evidence_id, data_dir=settings.data_dir
    )
    return FileResponse(
        path,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(ev.filename)}",
            "X-Content-SHA256": ev.sha256,
            "X-Content-Type-Options": "nosniff",
        },
    )


# ---- indicators -------------------------------------------------------------------------------


@router.get(
    "/indicators", response_model=list[IndicatorRead], summary="Indicators: value, target, light, trend"
)
def list_indicators(
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    plan: PlanQ = None,
    as_of: AsOf = None,
    kind: IndicatorKind | None = None,
    light: Light | None = None,
) -> Any:
    day, today = _day(settings, as_of)
    return ind_service.list_indicators(
        session=session,
        user=user,
        plan=_plan(session, user, plan),
        as_of=day,
        today=today,
        data_dir=settings.data_dir,
        tz=settings.timezone,
        kind=kind,
        light=light,
    )


@router.post("/indicators/snapshot", response_model=SnapshotReport, summary="Record today's snapshots")
def snapshot_indicators(
    session: SessionDep, user: CurrentUser, settings: SettingsDep, plan: PlanQ = None
) -> Any:
    return ind_service.snapshot_all(
        session=session,
        user=user,
        plan=_plan(session, user, plan),
        data_dir=settings.data_dir,
        today=local_today(settings.timezone),
        tz=settings.timezone,
    )


@router.get("/indicators/{key}", response_model=IndicatorRead, summary="One indicator as of a day")
def get_indicator(
    key: str,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    plan: PlanQ = None,
    as_of: AsOf = None,
) -> Any:
    day, today = _day(settings, as_of)
    return ind_service.indicator_detail(
        session=session,
        user=user,
        plan=_plan(session, user, plan),
        key=key,
        as_of=day,
        today=today,
        data_dir=settings.data_dir,
        tz=settings.timezone,
    )


@router.get(
    "/indicators/{key}/history", summary="Every recorded value (snapshots and reports) in a date range"
)
def indicator_history(
    key: str,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    plan: PlanQ = None,
    since: date | None = None,
    as_of: AsOf = None,
) -> Any:
    day, _ = _day(settings, as_of)
    return ind_service.indicator_history(
        session=session, user=user, plan=_plan(session, user, plan), key=key, until=day, since=since
    )


@router.post("/indicators/{key}/values", status_code=201, summary="Enter a value of a reported indicator")
def report_indicator_value(
    key: str,
    body: IndicatorValueIn,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    plan: PlanQ = None,
) -> Any:
    row = ind_service.report_value(
        session=session,
        user=user,
        plan=_plan(session, user, plan),
        key=key,
        data=body,
        today=local_today(settings.timezone),
    )
    return {c.key: getattr(row, c.key) for c in row.__table__.columns}


# ---- statistics -------------------------------------------------------------------------------


@router.get(
    "/statistics/losses", response_model=Page[LossStatRead], summary="Accident and disaster-loss statistics"
)
def list_losses(
    session: SessionDep,
    user: CurrentUser,
    kind: LossKind | None = None,
    division: Annotated[str | None, Query(pattern=r"^\d{6,12}$")] = None,
    year: Annotated[int | None, Query(ge=1949, le=2100)] = None,
    as_of: AsOf = None,
    page: PageQ = 1,
    size: SizeQ = 50,
    format: JsonOnly = "json",
) -> Any:
    items, total = stats_service.list_losses(
        session=session, user=user, kind=kind, division=division, year=year, as_of=as_of, page=page, size=size
    )
    return {"items": items, "total": total, "page": page, "size": size}


@router.post("/statistics/losses", response_model=LossStatRead, status_code=201, summary="Enter statistics")
def create_loss(body: LossStatCreate, session: SessionDep, user: CurrentUser) -> Any:
    return stats_service.create_loss(session=session, user=user, data=body)


@router.get("/statistics/losses/{stat_id}", response_model=LossStatRead, summary="One statistics row")
def get_loss(stat_id: int, session: SessionDep, user: CurrentUser) -> Any:
    return stats_service.get_loss(session=session, user=user, stat_id=stat_id)


@router.patch("/statistics/losses/{stat_id}", response_model=LossStatRead, summary="Change a statistics row")
def update_loss(stat_id: int, body: LossStatUpdate, session: SessionDep, user: CurrentUser) -> Any:
    return stats_service.update_loss(session=session, user=user, stat_id=stat_id, data=body)


@router.delete("/statistics/losses/{stat_id}", status_code=204, summary="Delete a statistics row")
def delete_loss(stat_id: int, session: SessionDep, user: CurrentUser) -> Response:
    stats_service.delete_loss(session=session, user=user, stat_id=stat_id)
    return Response(status_code=204)


@router.get("/statistics/gdp", response_model=Page[GdpRead], summary="GDP per division and year (亿元)")
def list_gdp(
    session: SessionDep,
    user: CurrentUser,
    division: Annotated[str | None, Query(pattern=r"^\d{6,12}$")] = None,
    year: Annotated[int | None, Query(ge=1949, le=2100)] = None,
    page: PageQ = 1,
    size: SizeQ = 50,
    format: JsonOnly = "json",
) -> Any:
    items, total = stats_service.list_gdp(
        session=session, user=user, division=division, year=year, page=page, size=size
    )
    return {"items": items, "total": total, "page": page, "size": size}


@router.post("/statistics/gdp", response_model=GdpRead, status_code=201, summary="Enter a GDP figure")
def create_gdp(body: GdpCreate, session: SessionDep, user: CurrentUser) -> Any:
    return stats_service.create_gdp(session=session, user=user, data=body)


@router.get("/statistics/gdp/{gdp_id}", response_model=GdpRead, summary="One GDP figure")
def get_gdp(gdp_id: int, session: SessionDep, user: CurrentUser) -> Any:
    return stats_service.get_gdp(session=session, user=user, gdp_id=gdp_id)


@router.patch("/statistics/gdp/{gdp_id}", response_model=GdpRead, summary="Change a GDP figure")
def update_gdp(gdp_id: int, body: GdpUpdate, session: SessionDep, user: CurrentUser) -> Any:
    return stats_service.update_gdp(session=session, user=user, gdp_id=gdp_id, data=body)


@router.delete("/statistics/gdp/{gdp_id}", status_code=204, summary="Delete a GDP figure")
def delete_gdp(gdp_id: int, session: SessionDep, user: CurrentUser) -> Response:
    stats_service.delete_gdp(session=session, user=user, gdp_id=gdp_id)
    return Response(status_code=204)


@router.get(
    "/statistics/rates", summary="Deaths per 100 million yuan of GDP and disaster loss share, per division"
)
def rates(
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    year: Annotated[int, Query(ge=1949, le=2100)],
    division: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    plan: PlanQ = None,
    as_of: AsOf = None,
) -> Any:
    if division is None:
        division = _plan(session, user, plan).division_code
    return stats_service.rates(session=session, user=user, division=division, year=year, until=as_of)


# ---- dashboard, reminders, monthly report -------------------------------------------------------


@router.get(
    "/dashboard", summary="Overall status, by section and unit, overdue list, per-division comparison"
)
def dashboard(
    session: SessionDep, user: CurrentUser, settings: SettingsDep, plan: PlanQ = None, as_of: AsOf = None
) -> Any:
    day, today = _day(settings, as_of)
    return report_service.dashboard(
        session=session,
        user=user,
        plan=_plan(session, user, plan),
        as_of=day,
        today=today,
        data_dir=settings.data_dir,
        tz=settings.timezone,
    )


@router.get("/reminders", summary="Reminders due (milestones coming due, overdue, at risk) — preview")
def reminders(
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    plan: PlanQ = None,
    as_of: AsOf = None,
    days: Annotated[int, Query(ge=0, le=366)] = reminder_service.DEFAULT_HORIZON_DAYS,
) -> Any:
    day, _ = _day(settings, as_of)
    items = reminder_service.pending_reminders(
        session=session, user=user, plan=_plan(session, user, plan), as_of=day, horizon_days=days
    )
    if user.role == "department":
        items = [r for r in items if r.unit_id == user.unit_id]
    delivery = "preview only: `yingji plan remind` queues these as notifications"
    return {"as_of": day, "items": items, "delivery": delivery}


@router.get("/monthly-report", summary="The monthly supervision report (.docx or .xlsx)")
def monthly_report(
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    month: Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")],
    format: Annotated[str, Query(pattern=r"^(docx|xlsx)$")] = "docx",
    plan: PlanQ = None,
) -> Response:
    perm.require(user, "action_tasks", "export")
    content, name, media = report_service.monthly_report(
        session=session,
        user=user,
        plan=_plan(session, user, plan),
        month=month,
        fmt=format,
        today=local_today(settings.timezone),
        data_dir=settings.data_dir,
        tz=settings.timezone,
    )
    return Response(
        content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
