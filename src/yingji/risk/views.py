"""Risk API: hazard sources (with ``?format=geojson``), risk assessments, chemicals."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from yingji.common.geo import parse_bbox
from yingji.common.schemas import Page
from yingji.deps import CurrentUser, SessionDep
from yingji.risk import service
from yingji.risk.schemas import (
    AssessmentCreate,
    AssessmentRead,
    HazardSourceCreate,
    HazardSourceRead,
    HazardSourceUpdate,
)

router = APIRouter(prefix="/api/v1", tags=["risk"])


@router.get("/hazard_sources", response_model=Page[HazardSourceRead],
            summary="List hazard sources (?format=geojson: the four-colour map layer)")
def list_hazard_sources(
    session: SessionDep,
    user: CurrentUser,
    division: Annotated[str | None, Query(pattern=r"^\d{2,12}$")] = None,
    kind: Annotated[str | None, Query(max_length=40)] = None,
    colour: Annotated[str | None, Query(max_length=10)] = None,
    grade: Annotated[int | None, Query(ge=1, le=4)] = None,
    status: Annotated[str | None, Query(max_length=30)] = None,
    unit_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    bbox: Annotated[str | None, Query(description="minlon,minlat,maxlon,maxlat")] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    size: Annotated[int, Query(ge=1, le=500)] = 50,
    format: Literal["json", "geojson"] = "json",
) -> Any:
    filters = service.Filters(division=division, kind=kind, colour=colour, grade=grade, status=status,
                              unit_id=unit_id, q=q, bbox=parse_bbox(bbox))
    if format == "geojson":
        return JSONResponse(service.layer(session=session, user=user, filters=filters),
                            media_type="application/geo+json")
    items, total = service.list_hazard_sources(session=session, user=user, filters=filters, page=page, size=size)
    return {"items": [service.read_dict(h) for h in items], "total": total, "page": page, "size": size}


@router.post("/hazard_sources", response_model=HazardSourceRead, status_code=201, summary="Create a hazard source")
def create_hazard_source(session: SessionDep, user: CurrentUser, data: HazardSourceCreate) -> Any:
    return service.read_dict(service.create_hazard_source(session=session, user=user, data=data))


@router.get("/hazard_sources/{hazard_id}", response_model=HazardSourceRead, summary="Read a hazard source")
def read_hazard_source(session: SessionDep, user: CurrentUser, hazard_id: int) -> Any:
    return service.read_dict(service.get_hazard_source(session=session, user=user, hazard_id=hazard_id))


@router.patch("/hazard_sources/{hazard_id}", response_model=HazardSourceRead, summary="Update a hazard source")
def update_hazard_source(session: SessionDep, user: CurrentUser, hazard_id: int, data: HazardSourceUpdate) -> Any:
    obj = service.update_hazard_source(session=session, user=user, hazard_id=hazard_id, data=data)
    return service.read_dict(obj)


@router.delete("/hazard_sources/{hazard_id}", status_code=204, summary="Delete a hazard source")
def delete_hazard_source(session: SessionDep, user: CurrentUser, hazard_id: int) -> Response:
    service.delete_hazard_source(session=session, user=user, hazard_id=hazard_id)
    return Response(status_code=204)


@router.get("/hazard_sources/{hazard_id}/assessments", response_model=list[AssessmentRead],
            summary="Risk assessment history of a hazard source (newest first)")
def list_assessments(session: SessionDep, user: CurrentUser, hazard_id: int) -> Any:
    return service.list_assessments(session=session, user=user, hazard_id=hazard_id)


@router.post("/hazard_sources/{hazard_id}/assessments", response_model=AssessmentRead, status_code=201,
             summary="Record a risk assessment (L × S → score → colour)")
def add_assessment(session: SessionDep, user: CurrentUser, hazard_id: int, data: AssessmentCreate) -> Any:
    return service.add_assessment(session=session, user=user, hazard_id=hazard_id, data=data)


@router.get("/chemicals", summary="The chemicals table (CAS, UN number, properties, toxic thresholds, sources)")
def list_chemicals(user: CurrentUser, q: Annotated[str | None, Query(max_length=100)] = None) -> Any:
    return service.list_chemicals(user=user, q=q)


@router.get("/chemicals/{key}", summary="One chemical by CAS number, UN number or name")
def read_chemical(user: CurrentUser, key: str) -> Any:
    return service.get_chemical(user=user, key=key)
