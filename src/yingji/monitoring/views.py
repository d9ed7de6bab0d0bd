"""Monitoring API: sensors (CRUD, map layer, series, effective rules) and reading ingest."""

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from yingji.common.geo import feature_collection
from yingji.common.schemas import Page
from yingji.db.base import utcnow
from yingji.deps import CurrentUser, SessionDep, SettingsDep
from yingji.errors import InvalidField, TooLarge
from yingji.monitoring import ingest, service
from yingji.monitoring.schemas import ReadingRead, SensorCreate, SensorRead, SensorUpdate

router = APIRouter(prefix="/api/v1", tags=["monitoring"])


@router.get("/sensors", response_model=Page[SensorRead], summary="List sensors (?format=geojson: map layer)")
def list_sensors(
    session: SessionDep,
    user: CurrentUser,
    division: Annotated[str | None, Query(pattern=r"^\d{2,12}$")] = None,
    kind: Annotated[str | None, Query(max_length=40)] = None,
    hazard_source_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    active: bool | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    size: Annotated[int, Query(ge=1, le=500)] = 50,
    format: Literal["json", "geojson"] = "json",
) -> Any:
    filters = service.Filters(division=division, kind=kind, hazard_source_id=hazard_source_id, active=active, q=q)
    now = utcnow()
    if format == "geojson":
        rows = service.all_sensors(session=session, user=user, filters=filters)
        return JSONResponse(feature_collection(service.to_feature(s, now) for s in rows),
                            media_type="application/geo+json")
    items, total = service.list_sensors(session=session, user=user, filters=filters, page=page, size=size)
    return {"items": [service.read_dict(s, now) for s in items], "total": total, "page": page, "size": size}


@router.get("/sensor_kinds", summary="Sensor kinds with default unit, silence limit and rules (with sources)")
def sensor_kinds(user: CurrentUser) -> Any:
    from yingji.auth import permissions as perm

    perm.require(user, service.RESOURCE, "read")
    return ingest.kinds()


@router.post("/sensors", response_model=SensorRead, status_code=201, summary="Register a sensor")
def create_sensor(session: SessionDep, user: CurrentUser, data: SensorCreate) -> Any:
    return service.read_dict(service.create_sensor(session=session, user=user, data=data))


@router.get("/sensors/{sensor_id}", response_model=SensorRead, summary="Read a sensor (status online/offline)")
def read_sensor(session: SessionDep, user: CurrentUser, sensor_id: int) -> Any:
    return service.read_dict(service.get_sensor(session=session, user=user, sensor_id=sensor_id))


@router.patch("/sensors/{sensor_id}", response_model=SensorRead, summary="Update a sensor (rules, silence …)")
def update_sensor(session: SessionDep, user: CurrentUser, sensor_id: int, data: SensorUpdate) -> Any:
    return service.read_dict(service.update_sensor(session=session, user=user, sensor_id=sensor_id, data=data))


@router.delete("/sensors/{sensor_id}", status_code=204, summary="Delete a sensor without readings")
def delete_sensor(session: SessionDep, user: CurrentUser, sensor_id: int) -> Response:
    service.delete_sensor(session=session, user=user, sensor_id=sensor_id)
    return Response(status_code=204)


@router.get("/sensors/{sensor_id}/rules", summary="The sensor's effective rules (kind defaults + overrides)")
def sensor_rules(session: SessionDep, user: CurrentUser, sensor_id: int) -> Any:
    return service.effective(service.get_sensor(session=session, user=user, sensor_id=sensor_id))


@router.get("/sensors/{sensor_id}/readings", response_model=list[ReadingRead], summary="Readings, oldest first")
def sensor_readings(
    session: SessionDep, user: CurrentUser, sensor_id: int, since: datetime | None = None,
    until: datetime | None = None, limit: Annotated[int, Query(ge=1, le=100_000)] = 1000,
) -> Any:
    for name, t in (("since", since), ("until", until)):
        if t is not None and t.tzinfo is None:
            raise InvalidField(name, "give a time zone (e.g. 2026-12-04T08:00:00+08:00)")
    return service.readings(session=session, user=user, sensor_id=sensor_id, since=since, until=until, limit=limit)


@router.post(
    "/readings",
    summary="Ingest a batch of readings (JSON {readings:[{sensor, ts, value}]} or CSV sensor,ts,value)",
    responses={200: {"description": "Stored and committed; bad items listed in 'rejected' with index and reason"},
               413: {"description": "Batch too large"}, 422: {"description": "Malformed body or every item bad"}},
)
async def post_readings(request: Request, session: SessionDep, user: CurrentUser, settings: SettingsDep) -> Any:
    raw = await request.body()
    if len(raw) > settings.max_upload_bytes:
        raise TooLarge(f"body: exceeds {settings.max_upload_bytes} bytes")
    ctype = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if ctype not in ("text/csv", "application/csv", "application/json", ""):
        raise InvalidField("body", "send application/json or text/csv")

    def store() -> ingest.IngestReport:
        """Parse, ingest and commit — blocking work, run off the event loop. Acknowledge only what
        is durable: commit here, inside the handler, so that a failed commit is an error response
        and a 200 always means stored (committing here does not depend on how get_session is
        declared)."""
        items = ingest.parse_json_body(raw) if ctype in ("application/json", "") else ingest.parse_csv_body(raw)
        report = ingest.ingest(session=session, actor=user, items=items)
        session.commit()
        return report

    report = await run_in_threadpool(store)
    body = report.as_dict()
    if report.received and not report.accepted and not report.duplicates:
        detail = [{"loc": ["body", "readings", r["index"]] + ([r["field"]] if r["field"] else []),
                   "msg": r["reason"], "type": "value_error"} for r in report.rejected]
        return JSONResponse({"detail": detail, **body}, status_code=422)
    return body
