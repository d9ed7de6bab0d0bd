"""The stock lot pages' forms in a browser, on the small world of ``conftest.seed`` with the default
catalogue and one synthetic lot (演示数据为合成数据) in 市级应急物资储备库: a receipt recorded through
the lot page's form raises the quantity and adds a ledger line; an issue beyond the stock is refused
with the error beside the quantity field and nothing changed; the import form on the lots page shows
its bad rows, then imports a stock-take."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook
from playwright.sync_api import Page, expect
from sqlalchemy import select
from webui_helpers import login  # type: ignore[import-not-found]

from yingji.auth.models import User
from yingji.registry.models import Facility
from yingji.supplies import service
from yingji.supplies.models import Item, StockLot, StockMove
from yingji.supplies.schemas import LotCreate
from yingji.supplies.spreadsheet import COLUMNS

LiveServer = Any  # tests/web/conftest.py: url, settings, sessionmaker, admin

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

STOCK = 100
DEPOT = "市级应急物资储备库"


@pytest.fixture(scope="module")
def lot_server(live_server: LiveServer) -> LiveServer:
    """The small world plus the default catalogue and a lot of 100 tents in the city depot."""
    with live_server.sessionmaker() as session, session.begin():
        admin = session.scalars(select(User).where(User.username == live_server.admin[0])).one()
        service.load_defaults(session=session, user=admin)
        depot = session.scalars(select(Facility).where(Facility.name == DEPOT)).one()
        tent = session.scalars(select(Item).where(Item.code == "tent")).one()
        lot = service.create_lot(session=session, user=admin, data=LotCreate.model_validate({
            "warehouse_id": depot.id, "item_id": tent.id, "batch": "UI-TENT", "quantity": STOCK,
            "notes": "合成测试数据"}))
        live_server.lot_id = lot.id
    return live_server


def _state(server: LiveServer) -> tuple[int, int]:
    """The lot's quantity and the number of its moves, from the database."""
    with server.sessionmaker() as session:
        lot = session.get(StockLot, server.lot_id)
        assert lot is not None
        moves = session.scalars(select(StockMove).where(StockMove.lot_id == lot.id)).all()
        return lot.quantity, len(moves)


def test_receipt_through_the_lot_page_raises_the_quantity(page: Page, lot_server: LiveServer) -> None:
    before, n_moves = _state(lot_server)
    login(page, lot_server, f"/supplies/lots/{lot_server.lot_id}")
    facts = page.locator("[data-testid=lot-facts] [data-testid=lot-quantity]")
    expect(facts).to_have_text(str(before))
    form = page.locator("[data-testid=move-form]")
    form.locator("select[name=kind]").select_option("receipt")
    form.locator("input[name=quantity]").fill("25")
    form.locator("input[name=reason]").fill("新购入库")
    form.locator("[data-testid=move-submit]").click()
    expect(page.locator("[data-testid=done]")).to_have_text("已登记。")
    expect(facts).to_have_text(str(before + 25))
    receipts = page.locator("[data-testid=ledger] tbody tr[data-kind=receipt]")
    expect(receipts).to_have_count(n_moves + 1)
    expect(receipts.last).to_contain_text("+25")
    expect(receipts.last).to_contain_text("新购入库")
    assert _state(lot_server) == (before + 25, n_moves + 1)


def test_issue_beyond_the_stock_shows_the_error_beside_the_field(page: Page, lot_server: LiveServer) -> None:
    before, n_moves = _state(lot_server)
    login(page, lot_server, f"/supplies/lots/{lot_server.lot_id}")
    form = page.locator("[data-testid=move-form]")
    form.locator("select[name=kind]").select_option("issue")
    form.locator("input[name=quantity]").fill(str(before + 1))
    form.locator("[data-testid=move-submit]").click()
    error = page.locator("[data-testid=move-form] [data-field=quantity] [data-error-for=quantity]")
    expect(error).to_be_visible()
    expect(error).to_contain_text(f"库存不足：本批次现有 {before}")
    expect(page.locator("[data-testid=move-form] input[name=quantity]")).to_have_attribute("aria-invalid", "true")
    # the form keeps what was typed, and nothing changed
    expect(page.locator("[data-testid=move-form] select[name=kind]")).to_have_value("issue")
    expect(page.locator("[data-testid=lot-facts] [data-testid=lot-quantity]")).to_have_text(str(before))
    expect(page.locator("[data-testid=ledger] tbody tr")).to_have_count(n_moves)
    assert _state(lot_server) == (before, n_moves)


def _sheet(rows: list[dict[str, Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append([c.zh for c in COLUMNS])
    for r in rows:
        ws.append([r.get(c.field) for c in COLUMNS])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_import_form_lists_bad_rows_then_imports_a_stock_take(page: Page, lot_server: LiveServer) -> None:
    before, n_moves = _state(lot_server)
    login(page, lot_server, "/supplies/lots")
    export = page.locator("[data-testid=export-xlsx]")
    expect(export).to_have_attribute("href", "/api/v1/supplies/lots/export?format=xlsx")
    page.locator("[data-testid=import] summary").click()
    bad = _sheet([{"warehouse": DEPOT, "item_code": "tent", "batch": "UI-TENT", "quantity": -5},
                  {"warehouse": "没有这个仓库", "item_code": "tent", "batch": "X", "quantity": 1}])
    page.set_input_files("#imp-file", files=[{"name": "stock.xlsx", "mimeType": "application/octet-stream",
                                             "buffer": bad}])
    page.click("[data-testid=import-submit]")
    errors = page.locator("[data-testid=import-errors] tbody tr")
    expect(errors).to_have_count(2)
    expect(errors.first).to_contain_text("J 数量")
    assert _state(lot_server) == (before, n_moves)
    counted = _sheet([{"warehouse": DEPOT, "item_code": "tent", "batch": "UI-TENT", "quantity": before - 3}])
    page.set_input_files("#imp-file", files=[{"name": "stock.xlsx", "mimeType": "application/octet-stream",
                                             "buffer": counted}])
    page.click("[data-testid=import-submit]")
    expect(page.locator("[data-testid=import-done]")).to_contain_text("盘点调整 1")
    assert _state(lot_server) == (before - 3, n_moves + 1)
    row = page.locator(f"[data-testid=lots-table] tr[data-lot='{lot_server.lot_id}'] [data-testid=lot-quantity]")
    expect(row).to_have_text(str(before - 3))
