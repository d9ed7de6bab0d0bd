"""Routing API under /api/v1/routing/ (thin: parse, authorise, call the service)."""

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from yingji.auth import permissions as perm
from yingji.deps import CurrentUser, SessionDep, SettingsDep
from yingji.errors import InvalidField
from yingji.routing import service
from yingji.routing.schemas import (
    ClosureCreate,
    ClosureRead,
    ClosureUpdate,
    MatrixRequest,
    Point,
    RouteRequest,
)

router = APIRouter(prefix="/api/v1/routing", tags=["routing"])

LonQ = Annotated[float, Query(ge=-180, le=180, description="Longitude, degrees")]
LatQ = Annotated[float, Query(ge=-90, le=90, description="Latitude, degrees")]


def _read(user: Any) -> None:
    perm.require(user, "routing", "read")


@router.post("/route", summary="Fastest route between two points (GeoJSON Feature with time_s, length_m)")
def route(body: RouteRequest, session: SessionDep, user: CurrentUser, settings: SettingsDep) -> Any:
    _read(user)
    return service.route(
        session=session,
        data_dir=settings.data_dir,
        user=user,
        origin=body.origin,
        destination=body.destination,
    )


@router.post("/matrix", summary="Travel-time matrix in seconds (null = unreachable)")
def matrix(body: MatrixRequest, session: SessionDep, user: CurrentUser, settings: SettingsDep) -> Any:
    _read(user)
    return service.matrix(
        session=session,
        data_dir=settings.data_dir,
        user=user,
        origins=body.origins,
        destinations=body.destinations,
    )


@router.get("/nearest", summary="Nearest resources with their drive time (ETA) to a point")
def nearest(
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    lon: LonQ,
    lat: LatQ,
    resource: Literal["teams", "facilities", "vehicles"] = "teams",
    kind: Annotated[str | None, Query(max_length=40)] = None,
    status: Annotated[str | None, Query(max_length=40)] = None,
    capability: Annotated[str | None, Query(max_length=40)] = None,
    k: Annotated[int, Query(ge=1, le=100)] = 5,
    limit_s: Annotated[float | None, Query(gt=0, le=86_400)] = None,
) -> Any:
    _read(user)
    return service.nearest_resources(
        session=session,
        data_dir=settings.data_dir,
        user=user,
        point=Point(lon=lon, lat=lat),
        resource=resource,
        kind=kind,
        status=status,
        capability=capability,
        k=k,
        limit_s=limit_s,
    )


@router.get("/isochrones", summary="Isochrone polygons (GeoJSON) from a point for several thresholds")
def isochrones(
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    lon: LonQ,
    lat: LatQ,
    thresholds: Annotated[
        str, Query(description="Comma-separated seconds, e.g. 300,600,900")
    ] = "300,600,900",
) -> Any:
    _read(user)
    try:
        values = [float(t) for t in thresholds.split(",") if t.strip()]
    except ValueError:
        raise InvalidField("thresholds", "expected comma-separated numbers of seconds") from None
    if not values or len(values) > 8 or any(not (0 < v <= 14_400) for v in values):
        raise InvalidField("thresholds", "give 1 to 8 thresholds, each in (0, 14400] seconds")
    return service.isochrones(
        session=session,
        data_dir=settings.data_dir,
        user=user,
        point=Point(lon=lon, lat=lat),
        thresholds_s=values,
    )


@router.get(
    "/coverage/{kind}",
    summary="Population coverage per division: fire (60 s + 240 s), medical (2 h), "
    "shelter (capacity against the population in reach)",
)
def coverage(
    kind: Literal["fire", "medical", "shelter"],
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    turnout_s: Annotated[float | None, Query(ge=0, le=3600)] = None,
    drive_s: Annotated[float | None, Query(gt=0, le=86_400)] = None,
    built_up_density: Annotated[float, Query(ge=0, le=100_000, description="persons/km² of a built-up cell")] = (
        service.BUILT_UP_DENSITY
    ),
) -> Any:
    _read(user)
    return service.coverage(
        session=session,
        data_dir=settings.data_dir,
        user=user,
        kind=kind,
        turnout_s=turnout_s,
        drive_s=drive_s,
        built_up_density=built_up_density,
    )


@router.get("/siting", summary="Best k new fire-station sites maximising newly covered population")
def siting(
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    k: Annotated[int, Query(ge=1, le=20)] = 3,
    method: Literal["greedy", "mip"] = "mip",
) -> Any:
    _read(user)
    return service.siting(session=session, data_dir=settings.data_dir, user=user, k=k, method=method)


@router.get("/closures", summary="Road closures (阻断) in your scope")
def list_closures(
    session: SessionDep,
    user: CurrentUser,
    active: bool | None = None,
    format: Literal["json", "geojson"] = "json",
) -> Any:
    rows = service.list_closures(session=session, user=user, active=active)
    if format == "geojson":
        return {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "id": r["id"],
                    "geometry": r["geometry"],
                    "properties": {k: v for k, v in r.items() if k not in ("geometry", "edges")},
                }
                for r in rows
            ],
        }
    return {"items": rows, "total": len(rows)}


@router.get("/closures/report", summary="Share of closures opened in a period that were cleared within 24 h")
def closures_report(session: SessionDep, user: CurrentUser, since: datetime, until: datetime) -> Any:
    from datetime import UTC

    since = since if since.tzinfo else since.replace(tzinfo=UTC)
    until = until if until.tzinfo else until.replace(tzinfo=UTC)
    if until < since:
        raise InvalidField("until", "must not be before since")
    return service.clearance_report(session=session, user=user, since=since, until=until)


@router.post(
    "/closures", response_model=ClosureRead, status_code=201, summary="Close roads by polygon or by edges"
)
def create_closure(body: ClosureCreate, session: SessionDep, user: CurrentUser, settings: SettingsDep) -> Any:
    c = service.create_closure(session=session, data_dir=settings.data_dir, user=user, data=body)
    return service.closure_out(c)


@router.get("/closures/{closure_id}", response_model=ClosureRead)
def get_closure(closure_id: int, session: SessionDep, user: CurrentUser) -> Any:
    return service.closure_out(service.get_closure(session=session, user=user, closure_id=closure_id))


@router.patch(
    "/closures/{closure_id}", response_model=ClosureRead, summary="Update or clear (cleared_at) a closure"
)
def update_closure(closure_id: int, body: ClosureUpdate, session: SessionDep, user: CurrentUser) -> Any:
    c = service.update_closure(session=session, user=user, closure_id=closure_id, data=body)
    return service.closure_out(c)


@router.delete("/closures/{closure_id}", status_code=204)
def delete_closure(closure_id: int, session: SessionDep, user: CurrentUser) -> Response:
    service.delete_closure(session=session, user=user, closure_id=closure_id)
    return Response(status_code=204)
