"""Stock spreadsheets (库存表): the lots as .xlsx/.csv, an empty template, and the all-or-nothing import.

One row per lot: warehouse (name, or id), item code, item name and unit (informational; ignored on
import), batch, production and expiry dates, ownership (code or label, default government stock),
holder unit (name, or id), quantity and notes. Headers are Chinese, English or field names — the
registries' spreadsheet helpers (:mod:`yingji.registry.spreadsheets`) read and write them, quote
formula-like cells and report errors as (row, column, message).

Import rules: a lot is identified by (warehouse, item, batch, ownership) — the table's own unique
key. A row naming an existing lot is a **stock-take**: its quantity is the counted quantity and an
``adjustment`` move ("盘点导入 / stock-take import") records the difference, only when there is one;
dates, holder and notes the row gives (non-empty) replace the lot's when they differ. Any other row is
a **receipt**: a new lot with its ``receipt`` move. Every quantity goes through the ledger
(:mod:`yingji.supplies.stock`), so the moves name the actor and a quantity never goes below zero.
Any bad row (unknown warehouse or item, out of the user's scope, negative quantity, a bad date, expiry
before production, the same lot twice in the file…) writes nothing: every bad row is reported with
its row number and column. Importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

from openpyxl import load_workbook
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth import permissions as perm
from yingji.common.schemas import is_digits
from yingji.errors import InvalidField, YingjiError
from yingji.registry import spreadsheets as sheets
from yingji.registry.models import Facility, Unit
from yingji.registry.specs import Column, RegistrySpec
from yingji.supplies import common, stock
from yingji.supplies.enums import Ownership
from yingji.supplies.models import Item, StockLot
from yingji.supplies.schemas import MAX_QTY, LotCreate, LotRead, LotUpdate, MoveCreate

XLSX_MEDIA = sheets.XLSX_MEDIA
CSV_MEDIA = sheets.CSV_MEDIA
ADJUSTMENT_REASON = "盘点导入 / stock-take import"
RECEIPT_REASON = "表格导入入库 / spreadsheet receipt"

COLUMNS: tuple[Column, ...] = (
    Column("warehouse", "仓库", "Warehouse", required=True),
    Column("item_code", "物资编码", "Item code", required=True),
    Column("item", "物资名称", "Item name"),
    Column("unit", "计量单位", "Unit"),
    Column("batch", "批号", "Batch", required=True),
    Column("produced_on", "生产日期", "Produced on", "date"),
    Column("expires_on", "有效期至", "Expires on", "date"),
    Column("ownership", "储备方式", "Ownership", "enum"),
    Column("holder_unit", "保管单位", "Holder unit"),
    Column("quantity", "数量", "Quantity", "int", required=True),
    Column("notes", "备注", "Notes"),
)
SPEC = RegistrySpec(
    name="stock", zh="库存批次", en="Stock lots", model=StockLot, create=LotCreate, update=LotUpdate,
    read=LotRead, natural_key=("warehouse", "item_code", "batch", "ownership"), columns=COLUMNS,
)
"""The stock sheet in the shape the registries' spreadsheet helpers read (not a registry itself)."""

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]00:00(?::00)?)?$")


@dataclass
class StockImportReport(sheets.ImportReport):
    """``created``: new lots; ``updated``: existing lots changed (quantity or descriptive fields);
    ``adjusted``: adjustment moves recorded; ``unchanged``: rows matching their lot exactly."""

    adjusted: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "adjusted": self.adjusted}


# ---- export ---------------------------------------------------------------------------------------


def export_stock(
    *, session: Session, user: perm.Principal, fmt: str = "xlsx", lang: str = "zh-CN",
    warehouse_id: int | None = None, item_id: int | None = None, item_code: str | None = None,
    ownership: str | None = None, division: str | None = None, expiring_within_days: int | None = None,
    include_empty: bool = False,
) -> tuple[bytes, str, int]:
    """The lots in the user's scope (the lots list's filters) as a workbook or CSV; (content, media, rows)."""
    perm.require(user, "stock", "export")
    lots = stock.all_lots(
        session=session, user=user, warehouse_id=warehouse_id, item_id=item_id, item_code=item_code,
        ownership=ownership, division=division, expiring_within_days=expiring_within_days,
        include_empty=include_empty,
    )
    unit_ids = {lot.holder_unit_id for lot, _, _ in lots if lot.holder_unit_id is not None}
    units = {uid: name for uid, name in session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids)))}
    labels = {c.value: (c.zh if lang.startswith("zh") else c.en) for c in Ownership.choices()}
    # a name several warehouses in scope share would not import back: write the id instead
    visible = [f for f in session.scalars(select(Facility).where(Facility.kind == "warehouse"))
               if perm.in_scope(user, f.division_code)]
    shared = {n for n in {f.name for f in visible} if sum(f.name == n for f in visible) > 1}
    rows = [
        SimpleNamespace(
            warehouse=str(wh.id) if wh.name in shared else wh.name, item_code=it.code, item=it.name, unit=it.unit,
            batch=lot.batch,
            produced_on=lot.produced_on, expires_on=lot.expires_on,
            ownership=labels.get(lot.ownership, lot.ownership),
            holder_unit=units.get(lot.holder_unit_id) if lot.holder_unit_id is not None else None,
            quantity=lot.quantity, notes=lot.notes,
        )
        for lot, wh, it in lots
    ]
    content, media = sheets.export_rows(SPEC, rows, fmt=fmt, lang=lang)
    return content, media, len(rows)


def template() -> bytes:
    """An empty workbook with the Chinese headers and a sheet explaining each column."""
    return sheets.template(SPEC)


# ---- reading a file -----------------------------------------------------------------------------------


def _rows(content: bytes, filename: str | None) -> Iterator[tuple[Any, ...]]:
    """The rows of the first sheet (.xlsx) or of a CSV file (UTF-8 with or without BOM, or GB18030)."""
    name = (filename or "").lower()
    if name.endswith(".csv") or (not name.endswith(".xlsx") and not content.startswith(b"PK")):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = content.decode("gb18030")
            except UnicodeDecodeError:
                raise ValueError("not a readable .csv file (neither UTF-8 nor GB18030)") from None
        for row in csv.reader(io.StringIO(text)):
            yield tuple(v if v.strip() else None for v in row)
        return
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValueError("not a readable .xlsx workbook") from None
    yield from wb.worksheets[0].iter_rows(values_only=True)


def _parse_date(raw: Any) -> date | None:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = str(raw).strip()
    m = _DATE.match(text)
    if m is None:
        raise ValueError(f"expected a date such as 2025-06-30, got {text!r}")
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise ValueError(f"not a calendar date: {text!r}") from None


def _parse(col: Column, raw: Any) -> Any:
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    if col.kind == "date":
        return _parse_date(raw)
    return sheets._parse_cell(col, raw)


# ---- the import ------------------------------------------------------------------------------------


@dataclass
class _Refs:
    """Warehouses, items, units and ownerships the rows are resolved against (loaded once)."""

    warehouses_by_name: dict[str, list[Facility]]
    warehouses_by_id: dict[int, Facility]
    items: dict[str, Item]
    units_by_name: dict[str, int]
    unit_ids: set[int]
    ownerships: dict[str, str]

    @classmethod
    def load(cls, session: Session) -> _Refs:
        by_name: dict[str, list[Facility]] = {}
        by_id: dict[int, Facility] = {}
        for f in session.scalars(select(Facility).where(Facility.kind == "warehouse").order_by(Facility.id)):
            by_name.setdefault(f.name.strip(), []).append(f)
            by_id[f.id] = f
        units = {name: uid for name, uid in session.execute(select(Unit.name, Unit.id))}
        owners: dict[str, str] = {}
        for c in Ownership.choices():
            for label in (c.value, c.zh, c.en):
                owners[label.strip().lower()] = c.value
        return cls(by_name, by_id, common.items_by_code(session), {k.strip(): v for k, v in units.items()},
                   set(units.values()), owners)


def _warehouse(refs: _Refs, user: perm.Principal, value: str) -> Facility:
    """By name (preferring those in the user's scope), else by id. Messages never repeat the cell."""
    found = refs.warehouses_by_name.get(value.strip(), [])
    if not found and is_digits(value.strip()):
        wh = refs.warehouses_by_id.get(int(value))
        found = [wh] if wh is not None else []
    mine = [f for f in found if perm.in_scope(user, f.division_code)]
    if not mine:  # another division's warehouse reads as unknown: its existence is not told
        raise ValueError("unknown warehouse in your division (give the warehouse's name or id)")
    if len(mine) > 1:
        raise ValueError("several warehouses have this name; give the warehouse's id")
    return mine[0]


def import_stock(
    *, session: Session, user: perm.Principal, content: bytes, filename: str | None = None, dry_run: bool = False,
) -> StockImportReport:
    """Import a stock sheet (all or nothing; see the module doc). The caller commits."""
    perm.require(user, "stock", "create")
    perm.require(user, "stock", "update")
    report = StockImportReport(dry_run=dry_run)
    try:
        rows = _rows(content, filename)
        header = next(rows, None)
    except ValueError as exc:
        report.error(0, "file", str(exc))
        return report
    if header is None:
        report.error(1, "header", "the sheet is empty")
        return report
    columns = _columns(report, header)
    if report.errors:
        return report
    refs = _Refs.load(session)
    label = {col.field: name for _, name, col in columns if col is not None}
    seen: dict[tuple[Any, ...], int] = {}
    outer = session.begin_nested()
    try:
        for rownum, row in enumerate(rows, start=2):
            if row is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
                continue
            report.rows += 1
            if report.rows > sheets.MAX_ROWS:
                report.error(rownum, "file", f"more than {sheets.MAX_ROWS} rows")
                break
            _import_row(session, user, refs, report, rownum, row, columns, label, seen)
    except ValueError as exc:  # a CSV that stops being readable half-way
        report.error(0, "file", str(exc))
    finally:
        if dry_run or report.errors:
            outer.rollback()
        else:
            outer.commit()
    report.errors.sort(key=lambda e: e["row"])
    return report


def _columns(report: StockImportReport, header: Iterable[Any]) -> list[tuple[int, str, Column | None]]:
    return sheets.header_columns(SPEC, report, header)


_LOC_COLUMN = {"warehouse_id": "warehouse", "item_id": "item_code", "holder_unit_id": "holder_unit"}


def _import_row(
    session: Session, user: perm.Principal, refs: _Refs, report: StockImportReport, rownum: int,
    row: tuple[Any, ...], columns: list[tuple[int, str, Column | None]], label: dict[str, str],
    seen: dict[tuple[Any, ...], int],
) -> None:
    values: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
    for i, name, col in columns:
        if col is None or i >= len(row):
            continue
        try:
            parsed = _parse(col, row[i])
        except ValueError as exc:
            errors.append((name, str(exc)))
            values[col.field] = ValueError
            continue
        if parsed is not None:
            values[col.field] = parsed
    for c in SPEC.columns:
        if c.required and c.field not in values:
            errors.append((label.get(c.field, c.zh), "required"))
    resolved: dict[str, Any] = {}

    def resolve(field: str, fn: Any) -> None:
        raw = values.get(field)
        if raw is None or raw is ValueError:
            return
        try:
            resolved[field] = fn(str(raw))
        except ValueError as exc:
            errors.append((label[field], str(exc)))

    resolve("warehouse", lambda v: _warehouse(refs, user, v))
    resolve("item_code", lambda v: _lookup(refs.items, v.strip(), "unknown item code"))
    resolve("ownership", lambda v: _lookup(refs.ownerships, v.strip().lower(),
                                           "unknown ownership (" + ", ".join(o.value for o in Ownership) + ")"))
    resolve("holder_unit", lambda v: _unit(refs, v))
    qty = values.get("quantity")
    if isinstance(qty, int) and not 0 <= qty <= MAX_QTY:
        errors.append((label["quantity"], "must not be negative" if qty < 0 else f"must be at most {MAX_QTY}"))
    produced, expires = values.get("produced_on"), values.get("expires_on")
    if isinstance(produced, date) and isinstance(expires, date) and expires < produced:
        errors.append((label["expires_on"], f"must not be before the production date ({produced.isoformat()})"))
    if not errors:
        holder = resolved.get("holder_unit")
        if holder is None and common.is_department(user):
            holder = user.unit_id
        if not common.stock_row_allowed(user, resolved["warehouse"], holder):
            errors.append((label["warehouse"], f"a department user changes only stock of unit {user.unit_id}"))
    if errors:
        for column, message in errors:
            report.error(rownum, column, message)
        return
    wh: Facility = resolved["warehouse"]
    ownership = resolved.get("ownership", Ownership.government.value)
    it: Item = resolved["item_code"]
    key = (wh.id, it.id, values["batch"], ownership)
    if key in seen:
        report.error(rownum, "/".join(label.get(k, k) for k in ("warehouse", "item_code", "batch")),
                     f"the same lot as row {seen[key]}")
        return
    seen[key] = rownum
    data = {"produced_on": produced, "expires_on": expires, "holder_unit_id": resolved.get("holder_unit"),
            "notes": values.get("notes")}
    sp = session.begin_nested()
    try:
        _write(session, user, report, wh, it, values["batch"], ownership, values["quantity"], data)
        sp.commit()
    except ValidationError as exc:
        sp.rollback()
        for err in exc.errors():
            fld = str(err["loc"][0]) if err["loc"] else "row"
            fld = _LOC_COLUMN.get(fld, fld)
            report.error(rownum, label.get(fld, fld), err["msg"])
    except InvalidField as exc:
        sp.rollback()
        for loc, msg in exc.errors:
            fld = _LOC_COLUMN.get(str(loc[0]), str(loc[0])) if loc else "row"
            report.error(rownum, label.get(fld, fld), msg)
    except YingjiError as exc:
        sp.rollback()
        m = re.match(r"^(\w+): (.+)$", exc.message)
        fld = _LOC_COLUMN.get(m.group(1), m.group(1)) if m else "row"
        report.error(rownum, label.get(fld, "row"), m.group(2) if m and fld in label else exc.message)


def _lookup(table: dict[str, Any], key: str, message: str) -> Any:
    if key not in table:
        raise ValueError(message)
    return table[key]


def _unit(refs: _Refs, value: str) -> int:
    if value.strip() in refs.units_by_name:
        return refs.units_by_name[value.strip()]
    if is_digits(value.strip()) and int(value) in refs.unit_ids:
        return int(value)
    raise ValueError("unknown unit (give the unit's name or id)")


def _write(
    session: Session, user: perm.Principal, report: StockImportReport, wh: Facility, it: Item, batch: str,
    ownership: str, qty: int, data: dict[str, Any],
) -> None:
    lot = session.scalars(
        select(StockLot)
        .where(StockLot.warehouse_id == wh.id, StockLot.item_id == it.id, StockLot.batch == batch,
               StockLot.ownership == ownership)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if lot is None:
        if qty == 0:
            raise InvalidField("quantity", "a new lot needs a quantity of at least 1")
        create = LotCreate.model_validate({
            "warehouse_id": wh.id, "item_id": it.id, "batch": batch, "ownership": ownership, "quantity": qty,
            "reason": RECEIPT_REASON, **{k: v for k, v in data.items() if v is not None},
        })
        stock.create_lot(session=session, user=user, data=create)
        report.created += 1
        return
    if not common.stock_row_allowed(user, wh, lot.holder_unit_id):
        raise InvalidField("batch", f"a department user records only stock of unit {user.unit_id} here: "
                                    "choose another batch")
    changes = {k: v for k, v in data.items() if v is not None and getattr(lot, k) != v}
    if changes:
        stock.update_lot(session=session, user=user, lot_id=lot.id, data=LotUpdate.model_validate(changes))
    delta = qty - lot.quantity
    if delta:
        move = MoveCreate.model_validate({"kind": "adjustment", "quantity": delta, "reason": ADJUSTMENT_REASON})
        stock.post_move(session=session, user=user, lot_id=lot.id, data=move)
        report.adjusted += 1
    if changes or delta:
        report.updated += 1
    else:
        report.unchanged += 1
