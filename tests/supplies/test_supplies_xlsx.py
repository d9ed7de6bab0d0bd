"""The stock sheet: export of the lots (.xlsx, .csv) read back with openpyxl, the template, and the
all-or-nothing import — receipts create lots, a re-import is a no-op, a changed count is one
adjustment, bad rows are each reported and nothing is written, a dry run writes nothing, scope."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from supplykit import Depots, add_lot  # type: ignore[import-not-found]

from yingji.auth import service as auth_service
from yingji.auth.models import User
from yingji.deps import SESSION_COOKIE
from yingji.supplies.common import local_today
from yingji.supplies.models import StockLot, StockMove
from yingji.supplies.spreadsheet import ADJUSTMENT_REASON, COLUMNS

P = "/api/v1/supplies/lots"
ZH = [c.zh for c in COLUMNS]
EN = [c.en for c in COLUMNS]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LINQING_WH = "测试临清储备库"
DCF_WH = "测试东昌府储备库"


def book(headers: list[str], rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(headers)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(client: Any, content: bytes, *, name: str = "stock.xlsx", dry_run: bool = False) -> Any:
    media = XLSX if name.endswith(".xlsx") else "text/csv"
    return client.post(f"{P}/import", files={"file": (name, content, media)},
                       params={"dry_run": "true"} if dry_run else None)


def read_xlsx(content: bytes) -> list[list[Any]]:
    ws = load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def counts(session: Session) -> tuple[int, int]:
    session.expire_all()
    return (session.scalar(select(func.count()).select_from(StockLot)) or 0,
            session.scalar(select(func.count()).select_from(StockMove)) or 0)


def lot(session: Session, warehouse: int, batch: str) -> StockLot:
    session.expire_all()
    found = session.scalars(select(StockLot).where(StockLot.warehouse_id == warehouse, StockLot.batch == batch)).one()
    return found


def moves(session: Session, lot_id: int) -> list[StockMove]:
    return list(session.scalars(select(StockMove).where(StockMove.lot_id == lot_id).order_by(StockMove.id)))


def row(warehouse: str = LINQING_WH, item: str = "tent", batch: str = "B1", quantity: Any = 10,
        produced: Any = None, expires: Any = None, ownership: Any = None, holder: Any = None,
        notes: Any = None) -> list[Any]:
    return [warehouse, item, None, None, batch, produced, expires, ownership, holder, quantity, notes]


def test_export_reads_back_with_openpyxl_and_holds_only_the_users_scope(
    clients: Any, session: Session, depots: Depots
) -> None:
    today = local_today()
    add_lot(session, depots, warehouse=depots.linqing, item="tent", quantity=40, batch="=SUM(A1)",
            expires_in_days=100)
    add_lot(session, depots, warehouse=depots.linqing, item="quilt", quantity=7, batch="Q-1",
            ownership="enterprise_agreement")
    add_lot(session, depots, warehouse=depots.dcf, item="tent", quantity=99, batch="DCF-1")
    r = clients["linqing"].get(f"{P}/export", params={"format": "xlsx"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == XLSX
    rows = read_xlsx(r.content)
    assert rows[0] == ZH
    assert len(rows) == 3, rows
    by_batch = {x[4]: dict(zip(ZH, x, strict=True)) for x in rows[1:]}
    tent = by_batch["'=SUM(A1)"]  # a formula-like cell is quoted, never a formula
    assert tent["仓库"] == LINQING_WH and tent["物资编码"] == "tent" and tent["数量"] == 40
    assert tent["计量单位"] and tent["物资名称"]
    assert tent["有效期至"] == datetime.combine(today + timedelta(days=100), datetime.min.time())
    assert tent["储备方式"] == "政府实物储备"
    assert by_batch["Q-1"]["储备方式"] == "企业（协议）储备" and by_batch["Q-1"]["数量"] == 7
    # the lots list's filters apply, and CSV carries the same rows
    r = clients["linqing"].get(f"{P}/export", params={"format": "csv", "item": "quilt"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert lines[0] == ZH and len(lines) == 2 and lines[1][4] == "Q-1" and lines[1][9] == "7"
    # the city sees every warehouse
    assert len(read_xlsx(clients["commander"].get(f"{P}/export").content)) == 4
    # a viewer may read but not export
    assert clients["viewer"].get(f"{P}/export").status_code == 403


def test_template_has_the_chinese_headers_and_notes(clients: Any, depots: Depots) -> None:
    r = clients["viewer"].get(f"{P}/template")
    assert r.status_code == 200 and r.headers["content-type"] == XLSX
    wb = load_workbook(io.BytesIO(r.content))
    assert [list(x) for x in wb.worksheets[0].iter_rows(values_only=True)] == [ZH]
    notes = [list(x) for x in wb.worksheets[1].iter_rows(values_only=True)]
    assert [n[0] for n in notes[1:]] == ZH
    assert "government" in next(n[5] for n in notes if n[0] == "储备方式")


def test_import_creates_lots_then_reimport_is_a_no_op_and_a_new_count_is_one_adjustment(
    clients: Any, session: Session, depots: Depots
) -> None:
    lq = clients["linqing"]
    content = book(ZH, [
        row(batch="T-1", quantity=30, produced=date(2025, 1, 1), expires="2030-01-01", notes="新购"),
        row(item="quilt", batch="Q-1", quantity=12, ownership="企业（协议）储备", holder="临清市应急管理局"),
    ])
    before = counts(session)
    r = upload(lq, content)
    assert r.status_code == 200, r.text
    assert r.json() | {"errors": []} == {"dry_run": False, "written": True, "rows": 2, "created": 2, "updated": 0,
                                         "unchanged": 0, "adjusted": 0, "errors": []}
    assert counts(session) == (before[0] + 2, before[1] + 2)
    t1 = lot(session, depots.linqing, "T-1")
    assert (t1.quantity, t1.produced_on, t1.expires_on, t1.notes) == (30, date(2025, 1, 1), date(2030, 1, 1), "新购")
    q1 = lot(session, depots.linqing, "Q-1")
    assert (q1.quantity, q1.ownership, q1.holder_unit_id) == (12, "enterprise_agreement",
                                                              depots.users["linqing"].unit_id)
    [m] = moves(session, t1.id)
    assert (m.kind, m.quantity, m.balance_after, m.actor_name) == ("receipt", 30, 30, "linqing")
    # the same file again changes nothing
    r = upload(lq, content)
    assert r.status_code == 200, r.text
    assert (r.json()["created"], r.json()["updated"], r.json()["unchanged"]) == (0, 0, 2)
    assert counts(session) == (before[0] + 2, before[1] + 2)
    # a stock-take: 26 counted instead of 30 → exactly one adjustment of -4, by the importer
    content = book(EN, [row(batch="T-1", quantity=26), row(item="quilt", batch="Q-1", quantity=12,
                                                            ownership="enterprise_agreement")])
    r = upload(lq, content)
    assert r.status_code == 200, r.text
    assert (r.json()["updated"], r.json()["adjusted"], r.json()["unchanged"]) == (1, 1, 1)
    assert counts(session) == (before[0] + 2, before[1] + 3)
    ledger = moves(session, t1.id)
    assert [(x.kind, x.quantity, x.balance_after) for x in ledger] == [("receipt", 30, 30), ("adjustment", -4, 26)]
    assert ledger[-1].reason == ADJUSTMENT_REASON and ledger[-1].actor_name == "linqing"
    assert lot(session, depots.linqing, "T-1").quantity == 26
    assert upload(lq, content).json()["unchanged"] == 2


def test_export_then_import_round_trips_unchanged_and_csv_imports(
    clients: Any, session: Session, depots: Depots
) -> None:
    add_lot(session, depots, warehouse=depots.linqing, item="tent", quantity=40, batch="-5 批", expires_in_days=9)
    add_lot(session, depots, warehouse=depots.linqing, item="quilt", quantity=3, batch="Q",
            ownership="production_capacity")
    lq = clients["linqing"]
    before = counts(session)
    for fmt in ("xlsx", "csv"):
        exported = lq.get(f"{P}/export", params={"format": fmt}).content
        r = upload(lq, exported, name=f"stock.{fmt}")
        assert r.status_code == 200, r.text
        assert (r.json()["unchanged"], r.json()["created"], r.json()["updated"]) == (2, 0, 0), r.text
    assert counts(session) == before
    csv_text = "\ufeff" + ",".join(ZH) + "\n" + f"{LINQING_WH},tent,,,C-1,2025/3/1,2027年3月1日,government,,5,\n"
    r = upload(lq, csv_text.encode(), name="stock.csv")
    assert r.status_code == 200 and r.json()["created"] == 1, r.text
    c1 = lot(session, depots.linqing, "C-1")
    assert (c1.produced_on, c1.expires_on, c1.quantity) == (date(2025, 3, 1), date(2027, 3, 1), 5)
    # two warehouses in scope with one name: the export writes their ids, so the file imports back
    from yingji.registry.models import Facility

    twin = Facility(name=LINQING_WH, kind="warehouse", division_code="371581", lon=115.72, lat=36.84,
                    unit_id=depots.users["linqing"].unit_id, capacity={"level": "county", "area_m2": 500.0})
    session.add(twin)
    session.flush()
    add_lot(session, depots, warehouse=twin.id, item="tent", quantity=8, batch="TW")
    exported = read_xlsx(lq.get(f"{P}/export").content)
    assert {r[0] for r in exported[1:]} == {str(depots.linqing), str(twin.id)}
    before = counts(session)
    r = upload(lq, lq.get(f"{P}/export").content)
    assert r.status_code == 200 and r.json()["unchanged"] == len(exported) - 1, r.text
    assert counts(session) == before


def test_bad_rows_are_each_reported_and_nothing_is_written(clients: Any, session: Session, depots: Depots) -> None:
    add_lot(session, depots, warehouse=depots.linqing, item="tent", quantity=40, batch="OLD")
    content = book(ZH, [
        row(batch="OK-1"),                                              # 2 good
        row(warehouse="没有这个仓库", batch="X"),                          # 3 unknown warehouse
        row(batch="OLD", quantity=41),                                   # 4 good (an adjustment)
        row(batch="N", quantity=-3, produced="2025-13-01"),              # 5 negative quantity and a bad date
        row(batch="E", produced=date(2025, 5, 1), expires=date(2025, 4, 1)),  # 6 expiry before production
        row(batch="OK-1"),                                               # 7 the same lot as row 2
        row(item="no_such_item", batch="I"),                             # 8 unknown item
        row(warehouse=DCF_WH, batch="Y"),                                # 9 another county's warehouse
        row(batch="W", quantity="很多"),                                  # 10 not a number
    ])
    before = counts(session)
    r = clients["linqing"].post(f"{P}/import", files={"file": ("s.xlsx", content, XLSX)})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["written"] is False
    got = {(e["row"], e["column"]) for e in body["errors"]}
    assert got == {
        (3, "A 仓库"), (5, "J 数量"), (5, "F 生产日期"), (6, "G 有效期至"), (7, "A 仓库/B 物资编码/E 批号"),
        (8, "B 物资编码"), (9, "A 仓库"), (10, "J 数量"),
    }, body["errors"]
    messages = {(e["row"], e["column"]): e["message"] for e in body["errors"]}
    assert "negative" in messages[(5, "J 数量")] and "unknown warehouse" in messages[(9, "A 仓库")]
    assert "row 2" in messages[(7, "A 仓库/B 物资编码/E 批号")]
    assert "东昌府" not in r.text  # the other county's warehouse is not named back
    assert counts(session) == before
    assert lot(session, depots.linqing, "OLD").quantity == 40
    # a missing required column is reported on the header row
    r = upload(clients["linqing"], book(ZH[:9], [row()[:9]]))
    assert r.status_code == 422 and {e["column"] for e in r.json()["errors"]} == {"数量"}
    r = upload(clients["linqing"], b"not a workbook", name="s.xlsx")
    assert r.status_code == 422 and r.json()["errors"][0]["column"] == "file"
    # a new lot with a count of zero is refused, an existing one may be counted down to zero
    r = upload(clients["linqing"], book(ZH, [row(batch="Z", quantity=0)]))
    assert r.status_code == 422 and r.json()["errors"][0]["column"] == "J 数量", r.text
    r = upload(clients["linqing"], book(ZH, [row(batch="OLD", quantity=0)]))
    assert r.status_code == 200 and r.json()["adjusted"] == 1, r.text
    assert lot(session, depots.linqing, "OLD").quantity == 0


def test_dry_run_writes_nothing(clients: Any, session: Session, depots: Depots) -> None:
    add_lot(session, depots, warehouse=depots.linqing, item="tent", quantity=40, batch="OLD")
    before = counts(session)
    r = upload(clients["linqing"], book(ZH, [row(batch="NEW"), row(batch="OLD", quantity=35)]), dry_run=True)
    assert r.status_code == 200, r.text
    assert r.json() | {"errors": []} == {"dry_run": True, "written": False, "rows": 2, "created": 1, "updated": 1,
                                         "unchanged": 0, "adjusted": 1, "errors": []}
    assert counts(session) == before
    assert lot(session, depots.linqing, "OLD").quantity == 40


def test_import_scope_and_permissions(clients: Any, session: Session, depots: Depots) -> None:
    theirs = add_lot(session, depots, warehouse=depots.dcf, item="tent", quantity=50, batch="DCF-1")
    before = counts(session)
    # a county user cannot count another county's lot, by name or by id
    for wh in (DCF_WH, str(depots.dcf)):
        r = upload(clients["linqing"], book(ZH, [row(warehouse=wh, batch="DCF-1", quantity=1)]))
        assert r.status_code == 422 and r.json()["errors"][0]["column"] == "A 仓库", r.text
    assert counts(session) == before and lot(session, depots.dcf, "DCF-1").quantity == 50
    # the same batch in the user's own warehouse is a new lot of its own
    r = upload(clients["linqing"], book(ZH, [row(batch="DCF-1", quantity=1)]))
    assert r.status_code == 200 and r.json()["created"] == 1, r.text
    session.refresh(theirs)
    assert theirs.quantity == 50
    # roles without stock create/update may not import at all
    for user in ("viewer", "duty"):
        assert upload(clients[user], book(ZH, [row()])).status_code == 403
    # a department user's new lot is held by its unit (as through the API); another unit's lot it cannot count
    r = upload(clients["health"], book(ZH, [row(warehouse="测试市级储备库", batch="H")]))
    assert r.status_code == 200 and r.json()["created"] == 1, r.text
    assert lot(session, depots.city, "H").holder_unit_id == depots.users["health"].unit_id
    add_lot(session, depots, warehouse=depots.city, item="tent", quantity=5, batch="EMERG")
    r = upload(clients["health"], book(ZH, [row(warehouse="测试市级储备库", batch="EMERG", quantity=4)]))
    assert r.status_code == 422 and "unit" in r.json()["errors"][0]["message"], r.text
    assert lot(session, depots.city, "EMERG").quantity == 5


# ---- the pages' forms, at the HTTP level (the browser test is tests/web/test_supplies_lots_ui.py) ----------


def web(clients: Any, username: str) -> tuple[Any, str]:
    """A client signed in with the session cookie (as a browser is) and its CSRF token."""
    user = clients.session.get(User, clients.world.users[username])
    token, _ = auth_service.create_token(settings=clients.settings, user=user)
    client = TestClient(clients.app)
    client.cookies.set(SESSION_COOKIE, token)
    return client, auth_service.csrf_token(settings=clients.settings, session_token=token)


def test_lot_pages_forms_and_import_form(clients: Any, session: Session, depots: Depots) -> None:
    mine = add_lot(session, depots, warehouse=depots.linqing, item="tent", quantity=10, batch="P-1")
    lq, csrf = web(clients, "linqing")
    page = lq.get("/supplies/lots").text
    assert 'data-testid="export-xlsx"' in page and 'data-testid="import-form"' in page
    assert "/api/v1/supplies/lots/export?format=xlsx" in page
    html = lq.get(f"/supplies/lots/{mine.id}").text
    assert 'data-testid="move-form"' in html and 'data-testid="edit-form"' in html
    # every text has both languages
    words_by_lang = {"zh-CN": ("登记出入库", "导入库存表", "新建批次"),
                     "en": ("Record a move", "Import a stock sheet", "New lot")}
    for lang, words in words_by_lang.items():
        lq.cookies.set("yingji_lang", lang)
        pages = [lq.get(u).text for u in (f"/supplies/lots/{mine.id}", "/supplies/lots", "/supplies/lots/new")]
        for text, word in zip(pages, words, strict=True):
            assert word in text and "sup." not in text.replace("sup.css", ""), (lang, word)
    lq.cookies.set("yingji_lang", "zh-CN")
    # a viewer sees the lot but no form, and may not post one
    viewer, vcsrf = web(clients, "viewer")
    html = viewer.get(f"/supplies/lots/{mine.id}").text
    assert 'data-testid="lot-facts"' in html and "move-form" not in html and "edit-form" not in html
    assert "import-form" not in viewer.get("/supplies/lots").text
    r = viewer.post(f"/supplies/lots/{mine.id}/moves", data={"csrf_token": vcsrf, "kind": "receipt", "quantity": "1"})
    assert r.status_code == 403
    # without the CSRF token nothing is recorded
    r = lq.post(f"/supplies/lots/{mine.id}/moves", data={"kind": "receipt", "quantity": "5"})
    assert r.status_code == 403
    # a receipt, an issue beyond the stock (the error beside the quantity), a write-off without a reason
    r = lq.post(f"/supplies/lots/{mine.id}/moves", data={"csrf_token": csrf, "kind": "receipt", "quantity": "5"},
                follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/supplies/lots/{mine.id}?done=move"
    r = lq.post(f"/supplies/lots/{mine.id}/moves", data={"csrf_token": csrf, "kind": "issue", "quantity": "99"})
    assert r.status_code == 409 and 'data-error-for="quantity"' in r.text and "现有 15" in r.text
    r = lq.post(f"/supplies/lots/{mine.id}/moves", data={"csrf_token": csrf, "kind": "write_off", "quantity": "1"})
    assert r.status_code == 422 and 'data-error-for="reason"' in r.text
    r = lq.post(f"/supplies/lots/{mine.id}/moves", data={"csrf_token": csrf, "kind": "issue", "quantity": ""})
    assert r.status_code == 422 and 'data-error-for="quantity"' in r.text
    assert lot(session, depots.linqing, "P-1").quantity == 15
    # the lot's fields: expiry before production is refused beside the expiry; a good edit is saved
    edit = {"csrf_token": csrf, "batch": "P-1", "produced_on": "2025-05-01", "expires_on": "2025-04-01",
            "holder_unit_id": "", "notes": ""}
    r = lq.post(f"/supplies/lots/{mine.id}/edit", data=edit)
    assert r.status_code == 422 and 'data-error-for="expires_on"' in r.text
    r = lq.post(f"/supplies/lots/{mine.id}/edit", data={**edit, "expires_on": "2027-05-01", "notes": "复核"},
                follow_redirects=False)
    assert r.status_code == 303, r.text
    edited = lot(session, depots.linqing, "P-1")
    assert (edited.expires_on, edited.notes) == (date(2027, 5, 1), "复核")
    # another county's lot: not found, through the forms too
    theirs = add_lot(session, depots, warehouse=depots.dcf, item="tent", quantity=10, batch="T-DCF")
    r = lq.post(f"/supplies/lots/{theirs.id}/moves", data={"csrf_token": csrf, "kind": "issue", "quantity": "1"})
    assert r.status_code == 404 and "T-DCF" not in r.text
    # a new lot; a duplicate batch is refused beside the batch
    new = {"csrf_token": csrf, "warehouse_id": str(depots.linqing), "item_id": str(depots.items["quilt"]),
           "batch": "N-1", "produced_on": "", "expires_on": "", "ownership": "government", "holder_unit_id": "",
           "quantity": "8", "notes": ""}
    r = lq.post("/supplies/lots/new", data=new, follow_redirects=False)
    assert r.status_code == 303, r.text
    assert r.headers["location"].endswith("?done=created")
    assert lot(session, depots.linqing, "N-1").quantity == 8
    r = lq.post("/supplies/lots/new", data=new)
    assert r.status_code == 409 and 'data-error-for="batch"' in r.text
    r = lq.post("/supplies/lots/new", data={**new, "batch": "", "quantity": ""})
    assert r.status_code == 422 and r.text.count('<p class="field-error"') == 2 and "必填" in r.text
    r = lq.post("/supplies/lots/new", data={**new, "warehouse_id": str(depots.dcf), "batch": "N-2"})
    assert r.status_code == 403 and 'data-error-for="warehouse_id"' in r.text
    # the import form: errors listed on the page, then a dry run, then the import
    bad = book(ZH, [row(batch="I-1", quantity=-1)])
    r = lq.post("/supplies/lots/import", data={"csrf_token": csrf}, files={"file": ("s.xlsx", bad, XLSX)})
    assert r.status_code == 422 and 'data-testid="import-errors"' in r.text and "J 数量" in r.text
    good = book(ZH, [row(batch="I-1", quantity=4)])
    r = lq.post("/supplies/lots/import", data={"csrf_token": csrf, "dry_run": "1"},
                files={"file": ("s.xlsx", good, XLSX)})
    assert r.status_code == 200 and 'data-testid="import-done"' in r.text and "未写入" in r.text
    assert session.scalar(select(func.count()).select_from(StockLot).where(StockLot.batch == "I-1")) == 0
    r = lq.post("/supplies/lots/import", data={"csrf_token": csrf}, files={"file": ("s.xlsx", good, XLSX)})
    assert r.status_code == 200 and "新建 1" in r.text
    assert lot(session, depots.linqing, "I-1").quantity == 4
    r = lq.post("/supplies/lots/import", data={"csrf_token": csrf})
    assert r.status_code == 422 and 'data-error-for="file"' in r.text
    r = lq.post("/supplies/lots/import", files={"file": ("s.xlsx", good, XLSX)})
    assert r.status_code == 403
