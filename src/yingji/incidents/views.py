"""Thin routers of the incidents domain: parse, call the service, shape the answer.

Authorisation and row rules live in the services (``incidents/access.py``); every route needs a
login. Under /api/v1: incidents, tasks, dispatches, plans, duty, consultations.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import JSONResponse

from yingji.common.geo import feature_collection, point_feature
from yingji.common.schemas import Page
from yingji.db.base import utcnow
from yingji.deps import CurrentUser, SessionDep, SettingsDep
from yingji.incidents import dispatch as dispatch_service
from yingji.incidents import duty as duty_service
from yingji.incidents import plans as plan_service
from yingji.incidents import reporting, reports, service
from yingji.incidents import tasks as task_service
from yingji.incidents.enums import ResourceType
from yingji.incidents.models import Consultation, Dispatch, DutyShift, Incident, Plan, Task
from yingji.incidents.schemas import (
    ActivationIn,
    ActivationRead,
    CancelIn,
    ConsultationCreate,
    ConsultationRead,
    ConsultationUpdate,
    DispatchCreate,
    DispatchRead,
    DispatchStatusIn,
    DoneIn,
    DutyLogCreate,
    DutyLogRead,
    GradePreview,
    HandoverIn,
    IncidentCreate,
    IncidentRead,
    IncidentUpdate,
    LevelDecision,
    NoteIn,
    OnDuty,
    PlanCreate,
    PlanRead,
    PlanSuggestion,
    PlanUpdate,
    ProgressIn,
    RejectIn,
    ReportCreate,
    ReportRead,
    ShiftCreate,
    ShiftRead,
    ShiftUpdate,
    TaskCreate,
    TaskRead,
    TimelineRead,
    TransitionIn,
)

MAX_PAGE = 1_000_000
PageQ = Annotated[int, Query(ge=1, le=MAX_PAGE)]
SizeQ = Annotated[int, Query(ge=1, le=500)]

incidents = APIRouter(prefix="/api/v1/incidents", tags=["incidents"])
tasks = APIRouter(prefix="/api/v1/tasks", tags=["incident tasks"])
dispatches = APIRouter(prefix="/api/v1/dispatches", tags=["dispatch"])
plans = APIRouter(prefix="/api/v1/plans", tags=["plans"])
duty = APIRouter(prefix="/api/v1/duty", tags=["duty"])
consultations = APIRouter(prefix="/api/v1/consultations", tags=["consultations"])
routers = [incidents, tasks, dispatches, plans, duty, consultations]


def _page(items: list[Any], total: int, page: int, size: int) -> dict[str, Any]:
    return {"items": items, "total": total, "page": page, "size": size}


# Loaders: the record named by the path, or 404 when it does not exist or lies outside the user's scope.
# As dependencies they run before the body is validated, so a route on someone else's record answers
# 404 whatever the body.


def _incident(incident_id: int, session: SessionDep, user: CurrentUser) -> Incident:
    return service.get_incident(session=session, user=user, incident_id=incident_id)


def _task(task_id: int, session: SessionDep, user: CurrentUser) -> Task:
    return task_service.get_task(session=session, user=user, task_id=task_id)[0]


def _dispatch(dispatch_id: int, session: SessionDep, user: CurrentUser) -> Dispatch:
    return dispatch_service.get_dispatch(session=session, user=user, dispatch_id=dispatch_id)[0]


def _plan(plan_id: int, session: SessionDep, user: CurrentUser) -> Plan:
    return plan_service.get_plan(session=session, user=user, plan_id=plan_id)


def _shift(shift_id: int, session: SessionDep, user: CurrentUser) -> DutyShift:
    return duty_service.get_shift(session=session, user=user, shift_id=shift_id)


def _consultation(consultation_id: int, session: SessionDep, user: CurrentUser) -> Consultation:
    return duty_service.get_consultation(session=session, user=user, consultation_id=consultation_id)


CurrentIncident = Annotated[Incident, Depends(_incident)]
CurrentTask = Annotated[Task, Depends(_task)]
CurrentDispatch = Annotated[Dispatch, Depends(_dispatch)]
CurrentPlan = Annotated[Plan, Depends(_plan)]
CurrentShift = Annotated[DutyShift, Depends(_shift)]
CurrentConsultation = Annotated[Consultation, Depends(_consultation)]


# ---- incidents ------------------------------------------------------------------------------


@incidents.get("", response_model=Page[IncidentRead], summary="List incidents in your scope (json or geojson)")
def list_incidents(
    session: SessionDep,
    user: CurrentUser,
    status: Annotated[list[str] | None, Query(max_length=7)] = None,
    open: bool | None = None,
    category: Annotated[str | None, Query(max_length=30)] = None,
    type: Annotated[str | None, Query(max_length=40)] = None,
    level: Annotated[str | None, Query(max_length=4)] = None,
    division: Annotated[str | None, Query(pattern=r"^\d{2,12}$")] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    page: PageQ = 1,
    size: SizeQ = 50,
    format: Literal["json", "geojson"] = "json",
) -> Any:
    filters = service.IncidentFilters(status=status, open=open, category=category, type=type, level=level,
                                      division=division, q=q, since=since, until=until)
    if format == "geojson":
        rows, _ = service.list_incidents(session=session, user=user, filters=filters, page=1, size=10_000)
        features = [point_feature(lon=r.lon, lat=r.lat, fid=r.id, properties={
            "title": r.title, "category": r.category, "type": r.type, "status": r.status,
            "level": r.effective_level, "level_confirmed": r.level is not None, "division_code": r.division_code,
            "dead": r.dead, "injured": r.injured, "occurred_at": r.occurred_at.isoformat()}) for r in rows]
        return JSONResponse(feature_collection(features), media_type="application/geo+json")
    items, total = service.list_incidents(session=session, user=user, filters=filters, page=page, size=size)
    return _page(items, total, page, size)


@incidents.post("", response_model=IncidentRead, status_code=201, summary="Report an incident (接报)")
def create_incident(data: IncidentCreate, session: SessionDep, user: CurrentUser, settings: SettingsDep) -> Any:
    return service.create_incident(session=session, data=data, actor=user, data_dir=settings.data_dir)


@incidents.get("/reference", summary="Categories, types, grading criteria and reporting limits in force")
def reference(user: CurrentUser, settings: SettingsDep) -> Any:
    return service.reference_summary(user=user, data_dir=settings.data_dir)


@incidents.get("/grade", summary="Suggest a level for figures (nothing is stored)")
def grade(data: Annotated[GradePreview, Query()], user: CurrentUser, settings: SettingsDep) -> Any:
    return service.preview_level(user=user, data=data, data_dir=settings.data_dir)


@incidents.get("/{incident_id}", response_model=IncidentRead, summary="One incident")
def get_incident(incident: CurrentIncident) -> Any:
    return incident


@incidents.patch("/{incident_id}", response_model=IncidentRead, summary="Correct the facts; the suggestion follows")
def update_incident(
    incident: CurrentIncident, data: IncidentUpdate, session: SessionDep, user: CurrentUser, settings: SettingsDep
) -> Any:
    return service.update_incident(session=session, user=user, incident_id=incident.id, data=data,
                                   data_dir=settings.data_dir)


@incidents.post("/{incident_id}/level", response_model=IncidentRead,
                summary="Confirm the suggested level or override it with a reason")
def decide_level(incident: CurrentIncident, data: LevelDecision, session: SessionDep, user: CurrentUser) -> Any:
    return service.decide_level(session=session, user=user, incident_id=incident.id, data=data)


@incidents.post("/{incident_id}/transitions", response_model=IncidentRead,
                summary="Move along the lifecycle (409 lists the allowed next states)")
def transition(incident: CurrentIncident, data: TransitionIn, session: SessionDep, user: CurrentUser) -> Any:
    return service.transition(session=session, user=user, incident_id=incident.id, data=data)


@incidents.get("/{incident_id}/timeline", response_model=list[TimelineRead], summary="The append-only timeline")
def timeline(
    incident: CurrentIncident, session: SessionDep, user: CurrentUser,
    after_id: Annotated[int | None, Query(ge=0)] = None,
) -> Any:
    return service.timeline(session=session, user=user, incident_id=incident.id, after_id=after_id)


@incidents.post("/{incident_id}/notes", response_model=TimelineRead, status_code=201,
                summary="Add a note or a recorded decision to the timeline")
def add_note(incident: CurrentIncident, data: NoteIn, session: SessionDep, user: CurrentUser) -> Any:
    return service.add_note(session=session, user=user, incident_id=incident.id, data=data)


@incidents.get("/{incident_id}/plans", response_model=list[PlanSuggestion],
               summary="Plans that apply, with the suggested response level")
def suggested_plans(incident: CurrentIncident, session: SessionDep, user: CurrentUser) -> Any:
    return plan_service.suggest_plans(session=session, user=user, incident_id=incident.id)


@incidents.post("/{incident_id}/activations", response_model=ActivationRead, status_code=201,
                summary="Activate a plan at a response level: creates that level's tasks")
def activate_plan(incident: CurrentIncident, data: ActivationIn, session: SessionDep, user: CurrentUser) -> Any:
    activation, created = plan_service.activate(session=session, user=user, incident_id=incident.id, data=data)
    return {**activation.to_dict(), "task_ids": [t.id for t in created]}


@incidents.get("/{incident_id}/activations", response_model=list[ActivationRead], summary="Plan activations")
def list_activations(incident: CurrentIncident, session: SessionDep, user: CurrentUser) -> Any:
    return plan_service.activations(session=session, user=user, incident_id=incident.id)


@incidents.get("/{incident_id}/tasks", response_model=Page[TaskRead], summary="Tasks of the incident")
def incident_tasks(
    incident: CurrentIncident, session: SessionDep, user: CurrentUser, page: PageQ = 1, size: SizeQ = 100
) -> Any:
    items, total = task_service.list_tasks(session=session, user=user, incident_id=incident.id, page=page,
                                           size=size)
    return _page(items, total, page, size)


@incidents.post("/{incident_id}/tasks", response_model=TaskRead, status_code=201,
                summary="Assign a task to a unit, a team or a person")
def create_task(incident: CurrentIncident, data: TaskCreate, session: SessionDep, user: CurrentUser) -> Any:
    return task_service.create_task(session=session, user=user, incident_id=incident.id, data=data)


@incidents.get("/{incident_id}/recommendations",
               summary="Available resources ranked by capability match and ETA (road, else straight line)")
def recommendations(
    incident: CurrentIncident,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    resource_type: ResourceType = ResourceType.team,
    k: Annotated[int, Query(ge=1, le=100)] = 10,
) -> Any:
    return dispatch_service.recommend(session=session, user=user, incident_id=incident.id,
                                      resource_type=resource_type, k=k, data_dir=settings.data_dir)


@incidents.get("/{incident_id}/dispatches", response_model=Page[DispatchRead], summary="Resources dispatched")
def incident_dispatches(
    incident: CurrentIncident, session: SessionDep, user: CurrentUser, active: bool | None = None,
    page: PageQ = 1, size: SizeQ = 100,
) -> Any:
    items, total = dispatch_service.list_dispatches(session=session, user=user, incident_id=incident.id,
                                                    active=active, page=page, size=size)
    return _page(items, total, page, size)


@incidents.post("/{incident_id}/dispatches", response_model=DispatchRead, status_code=201,
                summary="Dispatch a team, vehicle or expert (409 when it is not free)")
def create_dispatch(
    incident: CurrentIncident, data: DispatchCreate, session: SessionDep, user: CurrentUser, settings: SettingsDep
) -> Any:
    return dispatch_service.dispatch(session=session, user=user, incident_id=incident.id, data=data,
                                     data_dir=settings.data_dir)


@incidents.get("/{incident_id}/reports", response_model=list[ReportRead], summary="Reports sent upward")
def list_reports(incident: CurrentIncident, session: SessionDep, user: CurrentUser) -> Any:
    return reporting.list_reports(session=session, user=user, incident_id=incident.id)


@incidents.post("/{incident_id}/reports", response_model=ReportRead, status_code=201,
                summary="Record a report sent upward (首报/续报/终报)")
def submit_report(incident: CurrentIncident, data: ReportCreate, session: SessionDep, user: CurrentUser) -> Any:
    return reporting.submit(session=session, user=user, incident_id=incident.id, data=data)


@incidents.get("/{incident_id}/reports/schedule", summary="Reporting deadlines: due, done, overdue")
def report_schedule(incident: CurrentIncident, session: SessionDep, user: CurrentUser, settings: SettingsDep) -> Any:
    return reporting.schedule(session=session, user=user, incident_id=incident.id, data_dir=settings.data_dir)


@incidents.get("/{incident_id}/sitrep.docx", summary="Situation report (专报) as .docx",
               response_class=Response)
def sitrep_docx(incident: CurrentIncident, session: SessionDep, user: CurrentUser, settings: SettingsDep) -> Response:
    data = reporting.sitrep(session=session, user=user, incident_id=incident.id, data_dir=settings.data_dir)
    return Response(
        reports.docx(data, settings.timezone),
        media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        headers={"Content-Disposition": f'attachment; filename="incident-{incident.id}-sitrep.docx"'},
    )


@incidents.get("/{incident_id}/sitrep.md", summary="Situation report (专报) as Markdown", response_class=Response)
def sitrep_md(incident: CurrentIncident, session: SessionDep, user: CurrentUser, settings: SettingsDep) -> Response:
    data = reporting.sitrep(session=session, user=user, incident_id=incident.id, data_dir=settings.data_dir)
    return Response(reports.markdown(data, settings.timezone), media_type="text/markdown; charset=utf-8")


@incidents.get("/{incident_id}/consultations", response_model=list[ConsultationRead], summary="Consultations")
def list_consultations(incident: CurrentIncident, session: SessionDep, user: CurrentUser) -> Any:
    return duty_service.list_consultations(session=session, user=user, incident_id=incident.id)


@incidents.post("/{incident_id}/consultations", response_model=ConsultationRead, status_code=201,
                summary="Record a consultation (会商) with experts and units")
def create_consultation(
    incident: CurrentIncident, data: ConsultationCreate, session: SessionDep, user: CurrentUser
) -> Any:
    return duty_service.create_consultation(session=session, user=user, incident_id=incident.id, data=data)


# ---- tasks ----------------------------------------------------------------------------------


@tasks.get("", response_model=Page[TaskRead], summary="Tasks you may see; mine=true is your unit's inbox")
def list_tasks(
    session: SessionDep,
    user: CurrentUser,
    mine: bool = False,
    status: Annotated[str | None, Query(max_length=20)] = None,
    overdue: bool | None = None,
    incident_id: Annotated[int | None, Query(ge=1)] = None,
    page: PageQ = 1,
    size: SizeQ = 50,
) -> Any:
    items, total = task_service.list_tasks(session=session, user=user, incident_id=incident_id, mine=mine,
                                           status=status, overdue=overdue, page=page, size=size)
    return _page(items, total, page, size)


@tasks.get("/{task_id}", response_model=TaskRead, summary="One task")
def get_task(task: CurrentTask) -> Any:
    return task


@tasks.post("/{task_id}/accept", response_model=TaskRead, summary="Accept the task")
def accept_task(task: CurrentTask, session: SessionDep, user: CurrentUser) -> Any:
    return task_service.accept(session=session, user=user, task_id=task.id)


@tasks.post("/{task_id}/reject", response_model=TaskRead, summary="Reject the task with a reason")
def reject_task(task: CurrentTask, data: RejectIn, session: SessionDep, user: CurrentUser) -> Any:
    return task_service.reject(session=session, user=user, task_id=task.id, data=data)


@tasks.post("/{task_id}/progress", response_model=TaskRead, summary="Report progress (percent)")
def task_progress(task: CurrentTask, data: ProgressIn, session: SessionDep, user: CurrentUser) -> Any:
    return task_service.progress(session=session, user=user, task_id=task.id, data=data)


@tasks.post("/{task_id}/done", response_model=TaskRead, summary="Report the task done")
def task_done(task: CurrentTask, data: DoneIn, session: SessionDep, user: CurrentUser) -> Any:
    return task_service.done(session=session, user=user, task_id=task.id, data=data)


@tasks.post("/{task_id}/cancel", response_model=TaskRead, summary="Cancel the task (command side)")
def cancel_task(task: CurrentTask, data: CancelIn, session: SessionDep, user: CurrentUser) -> Any:
    return task_service.cancel(session=session, user=user, task_id=task.id, data=data)


# ---- dispatches -----------------------------------------------------------------------------


@dispatches.get("", response_model=Page[DispatchRead], summary="Dispatches you may see (active=true: the board)")
def list_dispatches(
    session: SessionDep,
    user: CurrentUser,
    active: bool | None = None,
    resource_type: Annotated[str | None, Query(max_length=10)] = None,
    page: PageQ = 1,
    size: SizeQ = 50,
) -> Any:
    items, total = dispatch_service.list_dispatches(session=session, user=user, active=active,
                                                    resource_type=resource_type, page=page, size=size)
    return _page(items, total, page, size)


@dispatches.get("/{dispatch_id}", response_model=DispatchRead, summary="One dispatch")
def get_dispatch(dispatch: CurrentDispatch) -> Any:
    return dispatch


@dispatches.post("/{dispatch_id}/status", response_model=DispatchRead,
                 summary="requested → en_route → on_scene → released (frees the resource)")
def dispatch_status(dispatch: CurrentDispatch, data: DispatchStatusIn, session: SessionDep, user: CurrentUser) -> Any:
    return dispatch_service.set_status(session=session, user=user, dispatch_id=dispatch.id, data=data)


# ---- plans ----------------------------------------------------------------------------------


@plans.get("", response_model=Page[PlanRead], summary="Plans of your division and those above it")
def list_plans(
    session: SessionDep,
    user: CurrentUser,
    kind: Annotated[str | None, Query(max_length=20)] = None,
    incident_type: Annotated[str | None, Query(max_length=40)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
    page: PageQ = 1,
    size: SizeQ = 50,
) -> Any:
    items, total = plan_service.list_plans(session=session, user=user, kind=kind, incident_type=incident_type,
                                           status=status, page=page, size=size)
    return _page(items, total, page, size)


@plans.post("", response_model=PlanRead, status_code=201, summary="Create a plan with its levels and actions")
def create_plan(data: PlanCreate, session: SessionDep, user: CurrentUser, settings: SettingsDep) -> Any:
    return plan_service.create_plan(session=session, user=user, data=data, data_dir=settings.data_dir)


@plans.get("/{plan_id}", response_model=PlanRead, summary="One plan")
def get_plan(plan: CurrentPlan) -> Any:
    return plan


@plans.patch("/{plan_id}", response_model=PlanRead, summary="Change a plan (levels only before any activation)")
def update_plan(
    plan: CurrentPlan, data: PlanUpdate, session: SessionDep, user: CurrentUser, settings: SettingsDep
) -> Any:
    return plan_service.update_plan(session=session, user=user, plan_id=plan.id, data=data,
                                    data_dir=settings.data_dir)


# ---- duty -----------------------------------------------------------------------------------


@duty.get("/now", response_model=OnDuty, summary="Who is on duty now, per duty room in your scope")
def on_duty(
    session: SessionDep, user: CurrentUser, division: Annotated[str | None, Query(pattern=r"^\d{6,12}$")] = None
) -> Any:
    at = utcnow()
    return {"at": at, "items": duty_service.on_duty(session=session, user=user, division=division, at=at)}


@duty.get("/shifts", response_model=Page[ShiftRead], summary="Duty shifts")
def list_shifts(
    session: SessionDep,
    user: CurrentUser,
    division: Annotated[str | None, Query(pattern=r"^\d{6,12}$")] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    page: PageQ = 1,
    size: SizeQ = 50,
) -> Any:
    items, total = duty_service.list_shifts(session=session, user=user, division=division, since=since,
                                            until=until, page=page, size=size)
    return _page(items, total, page, size)


@duty.post("/shifts", response_model=ShiftRead, status_code=201, summary="Plan a shift (officer and leader)")
def create_shift(data: ShiftCreate, session: SessionDep, user: CurrentUser) -> Any:
    return duty_service.create_shift(session=session, user=user, data=data)


@duty.get("/shifts/{shift_id}", response_model=ShiftRead, summary="One shift")
def get_shift(shift: CurrentShift) -> Any:
    return shift


@duty.patch("/shifts/{shift_id}", response_model=ShiftRead, summary="Change who is on a shift")
def update_shift(shift: CurrentShift, data: ShiftUpdate, session: SessionDep, user: CurrentUser) -> Any:
    return duty_service.update_shift(session=session, user=user, shift_id=shift.id, data=data)


@duty.post("/shifts/{shift_id}/handover", response_model=ShiftRead, summary="Hand the shift over (交接班)")
def handover(shift: CurrentShift, data: HandoverIn, session: SessionDep, user: CurrentUser) -> Any:
    return duty_service.handover(session=session, user=user, shift_id=shift.id, data=data)


@duty.get("/log", response_model=Page[DutyLogRead], summary="The duty log (值班日志)")
def list_log(
    session: SessionDep,
    user: CurrentUser,
    division: Annotated[str | None, Query(pattern=r"^\d{6,12}$")] = None,
    shift_id: Annotated[int | None, Query(ge=1)] = None,
    incident_id: Annotated[int | None, Query(ge=1)] = None,
    page: PageQ = 1,
    size: SizeQ = 100,
) -> Any:
    items, total = duty_service.list_log(session=session, user=user, division=division, shift_id=shift_id,
                                         incident_id=incident_id, page=page, size=size)
    return _page(items, total, page, size)


@duty.post("/log", response_model=DutyLogRead, status_code=201, summary="Write a line in the duty log")
def add_log(data: DutyLogCreate, session: SessionDep, user: CurrentUser) -> Any:
    return duty_service.add_log(session=session, user=user, data=data)


# ---- consultations --------------------------------------------------------------------------


@consultations.patch("/{consultation_id}", response_model=ConsultationRead,
                     summary="Complete a consultation (conclusions, participants)")
def update_consultation(
    consultation: CurrentConsultation, data: ConsultationUpdate, session: SessionDep, user: CurrentUser
) -> Any:
    return duty_service.update_consultation(session=session, user=user, consultation_id=consultation.id, data=data)
