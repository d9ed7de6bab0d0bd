"""Warnings API (/api/v1/warnings) and the Atom feed of active warnings (/cap/feed.xml)."""

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from yingji.auth import permissions as perm
from yingji.common.geo import feature_collection
from yingji.common.schemas import Page
from yingji.db.base import utcnow
from yingji.deps import CurrentUser, SessionDep, SettingsDep, get_current_user, read_upload
from yingji.errors import InvalidField, TooLarge
from yingji.warnings import cap, feed, imports, service
from yingji.warnings.schemas import (
    FeedImport,
    WarningAction,
    WarningCreate,
    WarningEscalation,
    WarningEventRead,
    WarningRead,
    WarningUpdate,
)

router = APIRouter(prefix="/api/v1/warnings", tags=["warnings"])


def _importer(user: CurrentUser) -> Any:
    """The import permission, checked before the body is read (a refused role gets 403, not 422)."""
    perm.require(user, service.RESOURCE, "import")
    return user


Importer = Annotated[Any, Depends(_importer)]
feed_router = APIRouter(tags=["warnings"])
XML_TYPES = ("application/xml", "text/xml", "application/cap+xml")


@router.get("", response_model=Page[WarningRead], summary="List warnings (most severe first; ?format=geojson)")
def list_warnings(
    session: SessionDep,
    user: CurrentUser,
    status: Annotated[str | None, Query(max_length=20)] = None,
    level: Annotated[int | None, Query(ge=1, le=4)] = None,
    division: Annotated[str | None, Query(pattern=r"^\d{2,12}$")] = None,
    origin: Literal["rule", "manual", "cap"] | None = None,
    source_type: Literal["sensor", "hazard_source", "division", "external"] | None = None,
    source_id: Annotated[str | None, Query(max_length=120)] = None,
    sensor_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    hazard_source_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    cause: Annotated[str | None, Query(max_length=120)] = None,
    since: datetime | None = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    size: Annotated[int, Query(ge=1, le=500)] = 50,
    format: Literal["json", "geojson"] = "json",
) -> Any:
    if since is not None and since.tzinfo is None:
        raise InvalidField("since", "give a time zone (e.g. 2026-12-04T08:00:00+08:00)")
    filters = service.Filters(status=status, level=level, division=division, origin=origin, source_type=source_type,
                              source_id=source_id, sensor_id=sensor_id, hazard_source_id=hazard_source_id,
                              cause=cause, since=since)
    if format == "geojson":
        rows, _ = service.list_warnings(session=session, user=user, filters=filters, page=1, size=10_000)
        return JSONResponse(feature_collection(service.to_feature(w) for w in rows),
                            media_type="application/geo+json")
    items, total = service.list_warnings(session=session, user=user, filters=filters, page=page, size=size)
    return {"items": [service.read_dict(w) for w in items], "total": total, "page": page, "size": size}


@router.post("", response_model=WarningRead, status_code=201,
             summary="Issue a warning by hand (an active one of the same source and cause is updated: 200)")
def create_warning(session: SessionDep, user: CurrentUser, data: WarningCreate, response: Response) -> Any:
    w, created = service.create_manual(session=session, user=user, data=data)
    if not created:
        response.status_code = 200
    return service.read_dict(w)


@router.post("/import", summary="Import one CAP 1.2 alert (XML body or multipart 'file'); malformed → 422")
async def import_cap(
    request: Request, session: SessionDep, user: Importer, settings: SettingsDep,
    division_code: Annotated[str | None, Query(pattern=r"^\d{6}(\d{3})?(\d{3})?$")] = None,
) -> Any:
    perm.require(user, service.RESOURCE, "import")
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype.startswith("multipart/"):
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise InvalidField("file", "attach the CAP document as 'file'")
        content = await run_in_threadpool(read_upload, upload, settings.max_upload_bytes)
    elif ctype in XML_TYPES:
        content = await request.body()
        if len(content) > settings.max_upload_bytes:
            raise TooLarge(f"body: CAP document exceeds {settings.max_upload_bytes} bytes")
    else:
        raise InvalidField("body", f"send the CAP XML as {', '.join(XML_TYPES)} or multipart/form-data")
    # the import (parsing, validation, database) is blocking work: off the event loop
    return await run_in_threadpool(imports.import_document, session=session, user=user, content=content,
                                   division_code=division_code)


@router.post("/import/feed", summary="Poll an Atom feed of CAP alerts (or one CAP URL) and import each alert")
def import_feed(session: SessionDep, user: Importer, data: FeedImport) -> Any:
    return imports.import_feed(session=session, user=user, url=data.url, division_code=data.division_code)


@router.get("/{warning_id}", response_model=WarningRead, summary="Read a warning")
def read_warning(session: SessionDep, user: CurrentUser, warning_id: int) -> Any:
    return service.read_dict(service.get_warning(session=session, user=user, warning_id=warning_id))


@router.patch("/{warning_id}", response_model=WarningRead, summary="Escalate/de-escalate (level) or edit texts")
def update_warning(session: SessionDep, user: CurrentUser, warning_id: int, data: WarningUpdate) -> Any:
    return service.read_dict(service.update_warning(session=session, user=user, warning_id=warning_id, data=data))


@router.post("/{warning_id}/acknowledge", response_model=WarningRead,
             summary="Acknowledge an active warning (optional {reason} kept as a note)")
def acknowledge(session: SessionDep, user: CurrentUser, warning_id: int, data: WarningAction | None = None) -> Any:
    w = service.acknowledge(session=session, user=user, warning_id=warning_id, note=data.reason if data else None)
    return service.read_dict(w)


@router.post("/{warning_id}/lift", response_model=WarningRead, summary="Lift (解除) an active warning: {reason}")
def lift(session: SessionDep, user: CurrentUser, warning_id: int, data: WarningAction) -> Any:
    return service.read_dict(service.lift(session=session, user=user, warning_id=warning_id, reason=data.reason))


@router.post("/{warning_id}/escalate", response_model=WarningEscalation, status_code=201,
             summary="Escalate to an incident in one step (links both ways); already escalated: 200, same incident")
def escalate(session: SessionDep, user: CurrentUser, settings: SettingsDep, warning_id: int,
             response: Response) -> Any:
    w = service.get_warning(session=session, user=user, warning_id=warning_id)
    perm.require(user, service.RESOURCE, "update")
    perm.require(user, "incidents", "create")
    before = service.linked_incident(w)
    incident_id = service.escalate_to_incident(session=session, user=user, warning_id=warning_id,
                                               data_dir=settings.data_dir)
    created = before is None
    if not created:
        response.status_code = 200
    return {"incident_id": incident_id, "created": created, "warning": service.read_dict(w)}


@router.get("/{warning_id}/events", response_model=list[WarningEventRead], summary="History of a warning")
def warning_events(session: SessionDep, user: CurrentUser, warning_id: int) -> Any:
    return service.events(session=session, user=user, warning_id=warning_id)


@router.get("/{warning_id}/cap", summary="The warning as a CAP 1.2 alert (application/cap+xml)")
def warning_cap(session: SessionDep, user: CurrentUser, warning_id: int) -> Response:
    w = service.get_warning(session=session, user=user, warning_id=warning_id)
    perm.require(user, service.RESOURCE, "export")
    body = cap.to_cap(w, service.cap_history(session=session, warning=w))
    return Response(body, media_type=cap.CAP_MEDIA,
                    headers={"Content-Disposition": f'inline; filename="{cap.identifier(w.id, w.version)}.xml"'})


@feed_router.get("/cap/feed.xml", summary="Atom feed of active warnings with their CAP alerts (login required)")
def cap_feed(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    # Login required like every route; a deployment may make the feed public with the setting
    # ``cap_feed_public`` (then anonymous readers get the active Actual warnings of the whole city).
    public = bool(getattr(settings, "cap_feed_public", False))
    has_credentials = request.headers.get("authorization") or request.cookies.get("yingji_session")
    if public and not has_credentials:
        from yingji.auth.enums import Role

        class _Public:
            id, username, role, division_code, unit_id = 0, "public", Role.viewer.value, None, None

        user: Any = _Public()
    else:
        user = get_current_user(request, session, settings)
        perm.require(user, service.RESOURCE, "export")
    rows = service.active_in_scope(session=session, user=user)
    base = str(request.base_url).rstrip("/")
    histories = service.cap_histories(session=session, warning_ids=[w.id for w in rows])
    body = feed.build([(w, histories.get(w.id, [])) for w in rows],
                      self_url=f"{base}/cap/feed.xml", base_url=base, now=utcnow())
    return Response(body, media_type="application/atom+xml")


routers = [router, feed_router]
