"""Thin routers for every registry, built from the declarations in ``specs``."""


from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Response, UploadFile
from fastapi.responses import JSONResponse

from yingji.auth import permissions as perm
from yingji.common.geo import feature_collection, parse_bbox
from yingji.common.schemas import Page
from yingji.deps import CurrentUser, SessionDep, SettingsDep, read_upload
from yingji.errors import InvalidField
from yingji.registry import service, spreadsheets
from yingji.registry.specs import REGISTRIES, RegistrySpec

MAX_PAGE = 1_000_000  # keeps (page - 1) * size within what every database accepts as an OFFSET


def _filters(
    division: str | None, kind: str | None, status: str | None, q: str | None, bbox: str | None,
    unit_id: int | None,
) -> service.ListFilters:
    return service.ListFilters(
        division=division, kind=kind, status=status, q=q, bbox=parse_bbox(bbox), unit_id=unit_id
    )


def build_router(spec: RegistrySpec) -> APIRouter:
    router = APIRouter(prefix=f"/api/v1/{spec.name}", tags=[spec.name])
    Read, Create, Update = spec.read, spec.create, spec.update
    key_type: Any = int if spec.pk == "id" else str

    @router.get("", response_model=Page[Read], summary=f"List {spec.en}")  # type: ignore[valid-type]
    def list_(
        session: SessionDep,
        user: CurrentUser,
        division: Annotated[str | None, Query(pattern=r"^\d{2,12}$")] = None,
        kind: Annotated[str | None, Query(max_length=40)] = None,
        status: Annotated[str | None, Query(max_length=40)] = None,
        q: Annotated[str | None, Query(max_length=100)] = None,
        bbox: Annotated[str | None, Query(description="minlon,minlat,maxlon,maxlat")] = None,
        unit_id: int | None = None,
        page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
        size: Annotated[int, Query(ge=1, le=500)] = 50,
        format: Annotated[Literal["json", "geojson"], Query()] = "json",
        geometry: Annotated[
            Literal["point", "boundary"], Query(description="geojson: divisions may give their boundary")
        ] = "point",
    ) -> Any:
        filters = _filters(division, kind, status, q, bbox, unit_id)
        service.check_filter_values(spec, filters)
        if format == "geojson":
            if not spec.located:
                raise InvalidField("format", f"{spec.name} have no location; geojson is not available")
            if geometry == "boundary" and spec.name != "divisions":
                raise InvalidField("geometry", "only divisions have a boundary")
            rows = service.all_records(session=session, spec=spec, user=user, filters=filters)
            features = [service.to_feature(spec, r) for r in rows]
            if geometry == "boundary":
                for feature, r in zip(features, rows, strict=True):
                    if r.boundary:
                        feature["geometry"] = r.boundary
            return JSONResponse(feature_collection(features), media_type="application/geo+json")
        items, total = service.list_records(
            session=session, spec=spec, user=user, filters=filters, page=page, size=size
        )
        return {"items": items, "total": total, "page": page, "size": size}

    @router.get("/export", summary=f"Export {spec.en} as .xlsx or .csv")
    def export(
        session: SessionDep,
        user: CurrentUser,
        format: Annotated[Literal["xlsx", "csv"], Query()] = "xlsx",
        division: Annotated[str | None, Query(pattern=r"^\d{2,12}$")] = None,
        kind: Annotated[str | None, Query(max_length=40)] = None,
        status: Annotated[str | None, Query(max_length=40)] = None,
        q: Annotated[str | None, Query(max_length=100)] = None,
    ) -> Response:
        perm.require(user, spec.name, "export")
        filters = _filters(division, kind, status, q, None, None)
        service.check_filter_values(spec, filters)
        rows = service.all_records(session=session, spec=spec, user=user, filters=filters)
        content, media = spreadsheets.export_rows(spec, rows, fmt=format)
        return Response(
            content,
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="{spec.name}.{format}"'},
        )

    @router.get("/template", summary=f"Empty .xlsx template for {spec.en} with Chinese headers")
    def template(user: CurrentUser) -> Response:
        perm.require(user, spec.name, "read")
        return Response(
            spreadsheets.template(spec),
            media_type=spreadsheets.XLSX_MEDIA,
            headers={"Content-Disposition": f'attachment; filename="{spec.name}-template.xlsx"'},
        )

    @router.post("/import", summary=f"Import {spec.en} from .xlsx (all or nothing)")
    def import_(
        session: SessionDep,
        user: CurrentUser,
        settings: SettingsDep,
        file: UploadFile,
        dry_run: bool = False,
    ) -> Any:
        perm.require(user, spec.name, "import")
        content = read_upload(file, settings.max_upload_bytes)
        report = spreadsheets.import_xlsx(
            session=session, spec=spec, user=user, content=content, dry_run=dry_run
        )
        if report.errors:
            return JSONResponse(report.as_dict(), status_code=422)
        return report.as_dict()

    @router.post("", response_model=Read, status_code=201, summary=f"Create one of {spec.en}")
    def create(session: SessionDep, user: CurrentUser, data: Annotated[Create, Body()]) -> Any:  # type: ignore[valid-type]
        return service.create_record(session=session, spec=spec, user=user, data=data)

    @router.get("/{key}", response_model=Read, summary=f"Read one of {spec.en}")
    def read(session: SessionDep, user: CurrentUser, key: key_type) -> Any:  # type: ignore[valid-type]
        return service.get_record(session=session, spec=spec, user=user, key=key)

    @router.patch("/{key}", response_model=Read, summary=f"Update one of {spec.en}")
    def update(
        session: SessionDep, user: CurrentUser, key: key_type, data: Annotated[Update, Body()]  # type: ignore[valid-type]
    ) -> Any:
        return service.update_record(session=session, spec=spec, user=user, key=key, data=data)

    @router.delete("/{key}", status_code=204, summary=f"Delete one of {spec.en}")
    def delete(session: SessionDep, user: CurrentUser, key: key_type) -> Response:  # type: ignore[valid-type]
        service.delete_record(session=session, spec=spec, user=user, key=key)
        return Response(status_code=204)

    return router


routers = [build_router(spec) for spec in REGISTRIES.values()]
