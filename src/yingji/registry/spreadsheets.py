"""Spreadsheet exchange for registries: .xlsx/.csv export, template, all-or-nothing .xlsx import.

Import rules: headers may be Chinese, English or field names; every error is reported as
(row, column, message); a file with any error writes nothing; rows are matched on the
registry's natural key, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from pydantic import ValidationError
from sqlalchemy.orm import Session

from yingji.auth import permissions as perm
from yingji.errors import InvalidField, YingjiError
from yingji.registry import service
from yingji.registry.specs import Column, RegistrySpec

XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA = "text/csv; charset=utf-8"
MAX_ROWS = 20_000
_LIST_SPLIT = re.compile(r"[,，、;；\s]+")


@dataclass
class ImportReport:
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def error(self, row: int, column: str, message: str) -> None:
        self.errors.append({"row": row, "column": column, "message": message})

    def as_dict(self) -> dict[str, Any]:
        written = not self.dry_run and not self.errors
        return {
            "dry_run": self.dry_run, "written": written, "rows": self.rows, "created": self.created,
            "updated": self.updated, "unchanged": self.unchanged, "errors": self.errors,
        }


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell_out(col: Column, value: Any) -> Any:
    if value is None:
        return None
    if col.kind == "list":
        value = ",".join(str(v) for v in value)
    elif col.kind == "json":
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        # Never let a cell become a formula in Excel (CSV/formula injection): prefix a quote,
        # which the importer strips again.
        return "'" + value
    return value


def export_rows(spec: RegistrySpec, rows: list[Any], *, fmt: str, lang: str = "zh-CN") -> tuple[bytes, str]:
    headers = [c.zh if lang.startswith("zh") else c.en for c in spec.columns]
    data = [[_cell_out(c, getattr(r, c.field)) for c in spec.columns] for r in rows]
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(headers)
        writer.writerows(data)
        return ("\ufeff" + buf.getvalue()).encode("utf-8"), CSV_MEDIA  # BOM: Excel opens UTF-8 correctly
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = spec.zh
    ws.append(headers)
    for row in data:
        ws.append(row)
    for i, h in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, len(h) * 2 + 2)
    ws.freeze_panes = "A2"
    buf2 = io.BytesIO()
    wb.save(buf2)
    return buf2.getvalue(), XLSX_MEDIA


def template(spec: RegistrySpec) -> bytes:
    """An empty workbook with the Chinese headers and a sheet explaining each column."""
    content, _ = export_rows(spec, [], fmt="xlsx")
    wb = load_workbook(io.BytesIO(content))
    notes = wb.create_sheet("说明 Notes")
    notes.append(["列 Column", "字段 Field", "English", "类型 Type", "必填 Required", "取值 Allowed values"])
    fields = spec.create.model_fields
    for c in spec.columns:
        allowed = ""
        ann = fields[c.field].annotation if c.field in fields else None
        members = _enum_values(ann)
        if members:
            allowed = ", ".join(members)
        notes.append([c.zh, c.field, c.en, c.kind, "是 yes" if c.required else "", allowed])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _enum_values(annotation: Any) -> list[str]:
    import enum
    import typing

    candidates = [annotation, *typing.get_args(annotation)]
    for cand in candidates:
        if isinstance(cand, type) and issubclass(cand, enum.Enum):
            return [str(m.value) for m in cand]
        for inner in typing.get_args(cand):
            if isinstance(inner, type) and issubclass(inner, enum.Enum):
                return [str(m.value) for m in inner]
    return []


def _header_map(spec: RegistrySpec) -> dict[str, Column]:
    out: dict[str, Column] = {}
    for c in spec.columns:
        for name in (c.zh, c.en, c.field):
            out[name.strip().lower()] = c
    return out


def _parse_cell(col: Column, raw: Any) -> Any:
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    if col.kind == "int":
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        try:
            return int(str(raw).strip())
        except ValueError:
            raise ValueError(f"expected a whole number, got {raw!r}") from None
    if col.kind == "float":
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return float(raw)
        try:
            return float(str(raw).strip())
        except ValueError:
            raise ValueError(f"expected a number, got {raw!r}") from None
    if col.kind == "list":
        return [p for p in _LIST_SPLIT.split(str(raw).strip()) if p]
    if col.kind == "json":
        try:
            return json.loads(str(raw))
        except json.JSONDecodeError as exc:
            raise ValueError(f"invalid JSON: {exc.msg}") from None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip()
    if text.startswith("'") and text[1:2] in _FORMULA_START:
        text = text[1:]
    return text


def header_columns(
    spec: RegistrySpec, report: ImportReport, header: Iterable[Any]
) -> list[tuple[int, str, Column | None]]:
    """The sheet's columns from its header row: (index, "letter header" for error messages, the column
    or None for a blank header). Unknown, repeated and missing required columns are reported as
    errors of row 1."""
    hmap = _header_map(spec)
    columns: list[tuple[int, str, Column | None]] = []
    seen: set[str] = set()
    for i, h in enumerate(header):
        letter = get_column_letter(i + 1)
        if h is None or str(h).strip() == "":
            columns.append((i, letter, None))
            continue
        col = hmap.get(str(h).strip().lower())
        if col is None:
            report.error(1, f"{letter} {h}", "unknown column header")
        elif col.field in seen:
            report.error(1, f"{letter} {h}", "column given twice")
        else:
            seen.add(col.field)
        columns.append((i, f"{letter} {h}", col))
    for c in spec.columns:
        if c.required and c.field not in seen:
            report.error(1, c.zh, f"required column missing ({c.en})")
    return columns


def import_xlsx(
    *, session: Session, spec: RegistrySpec, user: perm.Principal, content: bytes, dry_run: bool
) -> ImportReport:
    report = ImportReport(dry_run=dry_run)
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        report.error(0, "file", "not a readable .xlsx workbook")
        return report
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        report.error(1, "header", "the sheet is empty")
        return report
    columns = header_columns(spec, report, header)
    if report.errors:
        return report

    label = {col.field: name for _, name, col in columns if col is not None}
    keys_in_file: dict[tuple[Any, ...], int] = {}
    outer = session.begin_nested()
    try:
        for rownum, row in enumerate(rows, start=2):
            if row is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
                continue
            report.rows += 1
            if report.rows > MAX_ROWS:
                report.error(rownum, "file", f"more than {MAX_ROWS} rows")
                break
            _import_row(session, spec, user, report, rownum, row, columns, label, keys_in_file)
    finally:
        if dry_run or report.errors:
            outer.rollback()
        else:
            outer.commit()
    return report


def _import_row(
    session: Session, spec: RegistrySpec, user: perm.Principal, report: ImportReport, rownum: int,
    row: tuple[Any, ...], columns: list[tuple[int, str, Column | None]], label: dict[str, str],
    keys_in_file: dict[tuple[Any, ...], int],
) -> None:
    values: dict[str, Any] = {}
    bad = False
    for i, name, col in columns:
        if col is None or i >= len(row):
            continue
        try:
            parsed = _parse_cell(col, row[i])
        except ValueError as exc:
            report.error(rownum, name, str(exc))
            bad = True
            continue
        if parsed is not None:
            values[col.field] = parsed
    if bad:
        return
    try:
        data = spec.create.model_validate(values)
    except ValidationError as exc:
        for err in exc.errors():
            fld = str(err["loc"][0]) if err["loc"] else "row"
            report.error(rownum, label.get(fld, fld), err["msg"])
        return
    key = tuple(values.get(k) for k in spec.natural_key)
    if key in keys_in_file:
        report.error(rownum, "/".join(label.get(k, k) for k in spec.natural_key),
                     f"same key as row {keys_in_file[key]}")
        return
    keys_in_file[key] = rownum
    existing = service.find_by_natural_key(session=session, spec=spec, values=data.model_dump(mode="json"),
                                           user=user)
    sp = session.begin_nested()
    try:
        if existing is None:
            service.create_record(session=session, spec=spec, user=user, data=data)
            report.created += 1
        else:
            upd = spec.update.model_validate({k: v for k, v in data.model_dump().items() if k in values
                                              and k in spec.update.model_fields})
            before = existing.to_dict()
            service.update_record(session=session, spec=spec, user=user,
                                  key=getattr(existing, spec.pk), data=upd)
            if existing.to_dict() == before:
                report.unchanged += 1
            else:
                report.updated += 1
        sp.commit()
    except InvalidField as exc:
        sp.rollback()
        for loc, msg in exc.errors:
            fld = str(loc[0])
            report.error(rownum, label.get(fld, fld), msg if len(loc) == 1 else f"{'.'.join(map(str, loc))}: {msg}")
    except YingjiError as exc:
        sp.rollback()
        report.error(rownum, "row", exc.message)
