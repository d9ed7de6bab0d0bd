"""Supplies API under /api/v1/supplies/ (thin: parse, call the service; the service authorises)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response, UploadFile
from fastapi.responses import JSONResponse

from yingji.auth import permissions as perm
from yingji.common.schemas import Page
from yingji.deps import CurrentUser, SessionDep, SettingsDep, read_upload
from yingji.supplies import service, spreadsheet
from yingji.supplies.schemas import (
    DEADLINE_MAX_S,
    DispatchCreate,
    DispatchRead,
    ItemCreate,
    ItemRead,
    ItemUpdate,
    LevelRead,
    LevelUpdate,
    LotCreate,
    LotRead,
    LotUpdate,
    MoveCreate,
    MoveRead,
    NormCreate,
    NormRead,
    NormUpdate,
    PlanRequest,
    ReceiptIn,
    ReliefPopulationRead,
    ReliefPopulationSet,
    RequestCreate,
    RequestDecision,
    RequestRead,
    TransferCreate,
)

router = APIRouter(prefix="/api/v1/supplies", tags=["supplies"])

PageQ = Annotated[int, Query(ge=1, le=1_000_000)]
SizeQ = Annotated[int, Query(ge=1, le=500)]
DivisionQ = Annotated[str | None, Query(pattern=r"^\d{2,12}$")]
Id = Annotated[int, Query(ge=1, le=2**31 - 1)]


# ---- catalogue -------------------------------------------------------------------------------------


@router.get("/items", response_model=Page[ItemRead], summary="The item catalogue (物资目录)")
def list_items(
    session: SessionDep, user: CurrentUser, category: Annotated[str | None, Query(max_length=30)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None, page: PageQ = 1, size: SizeQ = 100,
) -> Any:
    return service.list_items(session=session, user=user, category=category, q=q, page=page, size=size)


@router.post("/items", response_model=ItemRead, status_code=201, summary="Add an item to the catalogue")
def create_item(body: ItemCreate, session: SessionDep, user: CurrentUser) -> Any:
    return service.create_item(session=session, user=user, data=body)


@router.post("/defaults", summary="Load the default catalogue, relief profile, reserve norms and levels (missing ones)")
def load_defaults(session: SessionDep, user: CurrentUser) -> dict[str, int]:
    return service.load_defaults(session=session, user=user)


@router.get("/items/{item_id}", response_model=ItemRead, summary="One catalogue item")
def get_item(item_id: int, session: SessionDep, user: CurrentUser) -> Any:
    return service.get_item(session=session, user=user, item_id=item_id)


@router.patch("/items/{item_id}", response_model=ItemRead, summary="Change a catalogue item")
def update_item(item_id: int, body: ItemUpdate, session: SessionDep, user: CurrentUser) -> Any:
    return service.update_item(session=session, user=user, item_id=item_id, data=body)


@router.delete("/items/{item_id}", status_code=204, summary="Remove an unused catalogue item")
def delete_item(item_id: int, session: SessionDep, user: CurrentUser) -> Response:
    service.delete_item(session=session, user=user, item_id=item_id)
    return Response(status_code=204)


# ---- stock -----------------------------------------------------------------------------------------


@router.get("/lots", response_model=Page[LotRead], summary="Stock lots (in your scope)")
def list_lots(
    session: SessionDep, user: CurrentUser, warehouse_id: Id | None = None, item_id: Id | None = None,
    item: Annotated[str | None, Query(max_length=40, description="Item code")] = None,
    ownership: Annotated[str | None, Query(max_length=30)] = None, division: DivisionQ = None,
    expiring_within_days: Annotated[int | None, Query(ge=0, le=36_500)] = None, include_empty: bool = False,
    page: PageQ = 1, size: SizeQ = 100,
) -> Any:
    return service.list_lots(
        session=session, user=user, warehouse_id=warehouse_id, item_id=item_id, item_code=item,
        ownership=ownership, division=division, expiring_within_days=expiring_within_days,
        include_empty=include_empty, page=page, size=size,
    )


@router.post("/lots", response_model=LotRead, status_code=201, summary="A new lot with its first receipt")
def create_lot(body: LotCreate, session: SessionDep, user: CurrentUser) -> Any:
    lot = service.create_lot(session=session, user=user, data=body)
    return service.get_lot(session=session, user=user, lot_id=lot.id)


@router.get("/lots/export", summary="Stock lots (in your scope, the list's filters) as .xlsx or .csv")
def export_lots(
    session: SessionDep, user: CurrentUser, format: Annotated[Literal["xlsx", "csv"], Query()] = "xlsx",
    warehouse_id: Id | None = None, item_id: Id | None = None,
    item: Annotated[str | None, Query(max_length=40, description="Item code")] = None,
    ownership: Annotated[str | None, Query(max_length=30)] = None, division: DivisionQ = None,
    expiring_within_days: Annotated[int | None, Query(ge=0, le=36_500)] = None, include_empty: bool = False,
) -> Response:
    content, media, _ = spreadsheet.export_stock(
        session=session, user=user, fmt=format, warehouse_id=warehouse_id, item_id=item_id, item_code=item,
        ownership=ownership, division=division, expiring_within_days=expiring_within_days,
        include_empty=include_empty,
    )
    return Response(content, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="stock-lots.{format}"'})


@router.get("/lots/template", summary="Empty .xlsx template of the stock sheet (Chinese headers)")
def lots_template(user: CurrentUser) -> Response:
    perm.require(user, "stock", "read")
    return Response(spreadsheet.template(), media_type=spreadsheet.XLSX_MEDIA,
                    headers={"Content-Disposition": 'attachment; filename="stock-lots-template.xlsx"'})


@router.post("/lots/import", summary="Import lots from .xlsx or .csv: receipts and stock-takes, all or nothing")
def import_lots(
    session: SessionDep, user: CurrentUser, settings: SettingsDep, file: UploadFile, dry_run: bool = False,
) -> Any:
    content = read_upload(file, settings.max_upload_bytes)
    report = spreadsheet.import_stock(session=session, user=user, content=content, filename=file.filename,
                                      dry_run=dry_run)
    if report.errors:
        return JSONResponse(report.as_dict(), status_code=422)
    return report.as_dict()


@router.get("/lots/{lot_id}", response_model=LotRead, summary="One stock lot")
def get_lot(lot_id: int, session: SessionDep, user: CurrentUser) -> Any:
    return service.get_lot(session=session, user=user, lot_id=lot_id)


@router.patch("/lots/{lot_id}", response_model=LotRead, summary="Change a lot's batch, dates, holder or notes")
def update_lot(lot_id: int, body: LotUpdate, session: SessionDep, user: CurrentUser) -> Any:
    return service.update_lot(session=session, user=user, lot_id=lot_id, data=body)


@router.get("/lots/{lot_id}/moves", response_model=Page[MoveRead], summary="A lot's ledger")
def list_moves(lot_id: int, session: SessionDep, user: CurrentUser, page: PageQ = 1, size: SizeQ = 100) -> Any:
    return service.list_moves(session=session, user=user, lot_id=lot_id, page=page, size=size)


@router.post("/lots/{lot_id}/moves", response_model=MoveRead, status_code=201,
             summary="Receipt, issue, adjustment or write-off (never below zero)")
def post_move(lot_id: int, body: MoveCreate, session: SessionDep, user: CurrentUser) -> Any:
    return service.post_move(session=session, user=user, lot_id=lot_id, data=body)


@router.post("/lots/{lot_id}/transfer", response_model=list[MoveRead], status_code=201,
             summary="Transfer to another warehouse (two moves)")
def transfer(lot_id: int, body: TransferCreate, session: SessionDep, user: CurrentUser) -> Any:
    return service.transfer(session=session, user=user, lot_id=lot_id, data=body)


@router.get("/stock", summary="Quantity per warehouse, item and ownership")
def stock_summary(
    session: SessionDep, user: CurrentUser, division: DivisionQ = None,
    item: Annotated[str | None, Query(max_length=40)] = None,
) -> Any:
    return {"items": service.stock_summary(session=session, user=user, division=division, item_code=item)}


# ---- reserve standards and reports -----------------------------------------------------------------


@router.get("/norms", response_model=list[NormRead], summary="Per-capita norms (relief profile, city, county)")
def list_norms(session: SessionDep, user: CurrentUser,
               profile: Annotated[str | None, Query(max_length=20)] = None) -> Any:
    return service.list_norms(session=session, user=user, profile=profile)


@router.post("/norms", response_model=NormRead, status_code=201, summary="Add a norm")
def create_norm(body: NormCreate, session: SessionDep, user: CurrentUser) -> Any:
    return service.create_norm(session=session, user=user, data=body)


@router.patch("/norms/{norm_id}", response_model=NormRead, summary="Change a norm (and its source)")
def update_norm(norm_id: int, body: NormUpdate, session: SessionDep, user: CurrentUser) -> Any:
    return service.update_norm(session=session, user=user, norm_id=norm_id, data=body)


@router.delete("/norms/{norm_id}", status_code=204, summary="Remove a norm")
def delete_norm(norm_id: int, session: SessionDep, user: CurrentUser) -> Response:
    service.delete_norm(session=session, user=user, norm_id=norm_id)
    return Response(status_code=204)


@router.get("/reserve-levels", response_model=list[LevelRead], summary="Default planned relief population per level")
def list_levels(session: SessionDep, user: CurrentUser) -> Any:
    return service.list_levels(session=session, user=user)


@router.put("/reserve-levels/{level}", response_model=LevelRead, summary="Set a level's population share")
def set_level(level: str, body: LevelUpdate, session: SessionDep, user: CurrentUser) -> Any:
    return service.set_level(session=session, user=user, level=level, data=body)


@router.get("/relief-populations", response_model=list[ReliefPopulationRead],
            summary="Planned relief population per division (default: the level's share)")
def relief_populations(session: SessionDep, user: CurrentUser) -> Any:
    return service.relief_populations(session=session, user=user)


@router.put("/relief-populations/{division_code}", response_model=ReliefPopulationRead,
            summary="Set a division's planned relief population")
def set_relief_population(division_code: str, body: ReliefPopulationSet, session: SessionDep,
                          user: CurrentUser) -> Any:
    return service.set_relief_population(session=session, user=user, division_code=division_code, data=body)


@router.get("/reports/gap", summary="Reserve gap per division, warehouse and item (required, held, gap, share met)")
def gap_report(session: SessionDep, user: CurrentUser, division: DivisionQ = None) -> Any:
    return service.gap_report(session=session, user=user, division=division)


@router.get("/reports/rotation", summary="Lots expiring soon and the rotation plan")
def rotation(
    session: SessionDep, user: CurrentUser, within_days: Annotated[int, Query(ge=0, le=3650)] = 90,
    replace_lead_days: Annotated[int, Query(ge=0, le=3650)] = 30,
) -> Any:
    return service.rotation_plan(session=session, user=user, within_days=within_days,
                                 replace_lead_days=replace_lead_days)


@router.get("/reports/relief-check",
            summary="12-hour relief check: largest affected population served in time, per division and city")
def relief_check(
    session: SessionDep, user: CurrentUser, settings: SettingsDep,
    deadline_s: Annotated[float | None, Query(gt=0, le=DEADLINE_MAX_S, description="Default 12 h")] = None,
    days: Annotated[int, Query(ge=1, le=30)] = 1,
) -> Any:
    return service.relief_check(session=session, user=user, data_dir=settings.data_dir, deadline_s=deadline_s,
                                days=days)


# ---- requests --------------------------------------------------------------------------------------


@router.get("/requests", response_model=Page[RequestRead], summary="Supply requests (yours, or in your scope)")
def list_requests(
    session: SessionDep, user: CurrentUser, status: Annotated[str | None, Query(max_length=30)] = None,
    division: DivisionQ = None, page: PageQ = 1, size: SizeQ = 50,
) -> Any:
    return service.list_requests(session=session, user=user, status=status, division=division, page=page, size=size)


@router.post("/requests", response_model=RequestRead, status_code=201, summary="Request supplies for an incident")
def create_request(body: RequestCreate, session: SessionDep, user: CurrentUser) -> Any:
    return service.create_request(session=session, user=user, data=body)


@router.get("/requests/{request_id}", response_model=RequestRead, summary="One request with its progress")
def get_request(request_id: int, session: SessionDep, user: CurrentUser) -> Any:
    return service.get_request(session=session, user=user, request_id=request_id)


@router.post("/requests/{request_id}/decision", response_model=RequestRead,
             summary="The city approves (in full or in part) or rejects")
def decide(request_id: int, body: RequestDecision, session: SessionDep, user: CurrentUser) -> Any:
    return service.decide(session=session, user=user, request_id=request_id, data=body)


@router.post("/requests/{request_id}/cancel", response_model=RequestRead, summary="Withdraw a request")
def cancel_request(request_id: int, session: SessionDep, user: CurrentUser) -> Any:
    return service.cancel_request(session=session, user=user, request_id=request_id)


# ---- allocation and dispatch -----------------------------------------------------------------------


@router.post("/allocation/plan", summary="Shipment plan (exact LP; greedy beside it) with unmet demand")
def plan(body: PlanRequest, session: SessionDep, user: CurrentUser, settings: SettingsDep) -> Any:
    return service.plan(session=session, user=user, data_dir=settings.data_dir, data=body)


@router.post("/dispatch-orders", response_model=list[DispatchRead], status_code=201,
             summary="Accept a plan: dispatch orders, stock issued FEFO, all or nothing")
def create_orders(body: DispatchCreate, session: SessionDep, user: CurrentUser) -> Any:
    return service.create_orders(session=session, user=user, data=body)


@router.get("/dispatch-orders", response_model=Page[DispatchRead], summary="Dispatch orders (in your scope)")
def list_orders(
    session: SessionDep, user: CurrentUser, status: Annotated[str | None, Query(max_length=20)] = None,
    request_id: Id | None = None, page: PageQ = 1, size: SizeQ = 50,
) -> Any:
    return service.list_orders(session=session, user=user, status=status, request_id=request_id, page=page,
                               size=size)


@router.get("/dispatch-orders/{order_id}", response_model=DispatchRead, summary="One dispatch order")
def get_order(order_id: int, session: SessionDep, user: CurrentUser) -> Any:
    return service.get_order(session=session, user=user, order_id=order_id)


@router.post("/dispatch-orders/{order_id}/receipt", response_model=DispatchRead,
             summary="Receipt at the destination: closes the order")
def receive(order_id: int, body: ReceiptIn, session: SessionDep, user: CurrentUser) -> Any:
    return service.receive(session=session, user=user, order_id=order_id, note=body.note)


@router.post("/dispatch-orders/{order_id}/cancel", response_model=DispatchRead,
             summary="Call an order back: its goods return to their lots")
def cancel_order(order_id: int, session: SessionDep, user: CurrentUser) -> Any:
    return service.cancel_order(session=session, user=user, order_id=order_id)
