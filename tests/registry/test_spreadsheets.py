"""Spreadsheet exchange through HTTP: .xlsx import (all or nothing, dry run, idempotent), template,
.xlsx/.csv export round trips, upload limits; and property tests of the cell parser."""

from __future__ import annotations

import io
import json
import string
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from api.helpers import (
    XLSX_MEDIA,
    names_field,
    read_csv,
    read_xlsx,
    registry_workbook,
    spreadsheet_row,
    upload,
    workbook,
)
from registry.test_registry_contracts import CONTRACTS
from yingji.config import Settings
from yingji.registry.enums import FacilityKind
from yingji.registry.specs import REGISTRIES, Column
from yingji.registry.spreadsheets import _parse_cell

FACILITIES = REGISTRIES["facilities"]
HEADERS = [c.zh for c in FACILITIES.columns]


def _col(field: str) -> int:
    return next(i for i, c in enumerate(FACILITIES.columns) if c.field == field)


def _facility_rows(n: int, *, stem: str = "导入设施") -> list[list[Any]]:
    contract = CONTRACTS["facilities"]()
    rows = []
    for i in range(n):
        body = contract.new_body(division="371581" if i % 2 else "371502", n=i % 50,
                                 name=f"{stem}{i:02d}", kind="hospital", capacity={"beds": 100 + i})
        rows.append(spreadsheet_row(FACILITIES, body))
    return rows


def _count(admin: TestClient, registry: str = "facilities") -> int:
    total: int = admin.get(f"/api/v1/{registry}").json()["total"]
    return total


def _audit_total(admin: TestClient) -> int:
    total: int = admin.get("/api/v1/audit").json()["total"]
    return total


# ---- import: all or nothing -------------------------------------------------------------


def test_fifty_rows_with_three_bad_ones_report_every_error_and_write_nothing(clients: Any) -> None:
    admin = clients["admin"]
    rows = _facility_rows(50)
    rows[9][_col("kind")] = "spaceport"  # sheet row 11
    rows[24][_col("lat")] = 95  # sheet row 26
    rows[39][_col("name")] = None  # sheet row 41
    before, audited = _count(admin), _audit_total(admin)

    r = upload(admin, "facilities", workbook(HEADERS, rows))
    assert r.status_code == 422, r.text
    report = r.json()
    assert report["written"] is False and report["rows"] == 50
    errors = {(e["row"], e["column"]): e["message"] for e in report["errors"]}
    assert set(errors) == {(11, "B 类型"), (26, "I 纬度"), (41, "A 名称")}, report["errors"]
    assert "hospital" in errors[(11, "B 类型")]  # says what is allowed
    assert "90" in errors[(26, "I 纬度")]
    assert "required" in errors[(41, "A 名称")].lower()
    assert _count(admin) == before and _audit_total(admin) == audited


def test_dry_run_reports_and_writes_nothing(clients: Any) -> None:
    admin = clients["admin"]
    before, audited = _count(admin), _audit_total(admin)
    r = upload(admin, "facilities", workbook(HEADERS, _facility_rows(50)), dry_run=True)
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["dry_run"], report["written"], report["rows"], report["created"]) == (True, False, 50, 50)
    assert report["errors"] == []
    assert _count(admin) == before and _audit_total(admin) == audited

    bad = _facility_rows(3)
    bad[1][_col("lon")] = "east"
    r = upload(admin, "facilities", workbook(HEADERS, bad), dry_run=True)
    assert r.status_code == 422
    assert [(e["row"], e["column"]) for e in r.json()["errors"]] == [(3, "H 经度")]
    assert _count(admin) == before


def test_importing_the_same_file_twice_changes_nothing_the_second_time(clients: Any) -> None:
    admin = clients["admin"]
    content = workbook(HEADERS, _facility_rows(50))
    before = _count(admin)
    first = upload(admin, "facilities", content)
    assert first.status_code == 200, first.text
    assert (first.json()["created"], first.json()["updated"], first.json()["written"]) == (50, 0, True)
    assert _count(admin) == before + 50
    audited = _audit_total(admin)

    second = upload(admin, "facilities", content).json()
    assert (second["created"], second["updated"], second["unchanged"]) == (0, 0, 50), second
    assert _count(admin) == before + 50 and _audit_total(admin) == audited

    rows = _facility_rows(50)
    rows[7][_col("address")] = "新地址"
    third = upload(admin, "facilities", workbook(HEADERS, rows)).json()
    assert (third["created"], third["updated"], third["unchanged"]) == (0, 1, 49), third
    assert _audit_total(admin) == audited + 1


def test_headers_may_be_english_or_field_names(clients: Any) -> None:
    rows = _facility_rows(2)
    for headers in ([c.en for c in FACILITIES.columns], [c.field for c in FACILITIES.columns]):
        r = upload(clients["admin"], "facilities", workbook(headers, rows), dry_run=True)
        assert r.status_code == 200 and r.json()["created"] == 2, r.text


@pytest.mark.parametrize(("headers", "rows", "where", "words"), [
    (HEADERS + ["颜色"], [], (1, "L 颜色"), "unknown column"),
    (HEADERS + ["名称"], [], (1, "L 名称"), "twice"),
    ([h for h in HEADERS if h != "纬度"], [], (1, "纬度"), "required column missing"),
    ([], [], (1, "header"), "empty"),
])
def test_bad_headers_are_reported(clients: Any, headers: list[str], rows: list[list[Any]],
                                  where: tuple[int, str], words: str) -> None:
    r = upload(clients["admin"], "facilities", workbook(headers, rows) if headers else _empty_workbook())
    assert r.status_code == 422, r.text
    errors = r.json()["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [where] and words in errors[0]["message"], errors


def _empty_workbook() -> bytes:
    from openpyxl import Workbook

    buf = io.BytesIO()
    Workbook().save(buf)
    return buf.getvalue()


def test_row_level_rules_are_reported_per_row(clients: Any) -> None:
    rows = _facility_rows(4)
    rows[1] = list(rows[0])  # same natural key as row 2
    rows[2][_col("capacity")] = json.dumps({"beds": -1})
    rows[3][_col("division_code")] = "999999"
    r = upload(clients["admin"], "facilities", workbook(HEADERS, rows))
    assert r.status_code == 422
    errors = {e["row"]: e for e in r.json()["errors"]}
    assert set(errors) == {3, 4, 5}, errors
    assert "row 2" in errors[3]["message"]
    assert errors[4]["column"].endswith("容量(JSON)") and "beds" in errors[4]["message"]
    assert errors[5]["column"].endswith("区划代码") and "999999" in errors[5]["message"]


def test_import_respects_division_scope(clients: Any) -> None:
    admin, linqing = clients["admin"], clients["linqing"]
    rows = _facility_rows(4)  # rows alternate 东昌府区 / 临清市
    before = _count(admin)
    r = upload(linqing, "facilities", workbook(HEADERS, rows))
    assert r.status_code == 422
    assert sorted(e["row"] for e in r.json()["errors"]) == [2, 4]
    assert all("division" in e["message"] for e in r.json()["errors"])
    assert _count(admin) == before
    assert upload(clients["viewer"], "facilities", workbook(HEADERS, rows)).status_code == 403


# ---- upload limits and non-workbooks -----------------------------------------------------


def test_oversized_upload_is_413(clients: Any, settings: Settings) -> None:
    admin = clients["admin"]
    just_over = b"x" * (settings.max_upload_bytes + 1)  # passes the Content-Length screen, caught on read
    r = upload(admin, "facilities", just_over)
    assert r.status_code == 413 and "file" in r.json()["detail"], r.text
    far_over = b"x" * (settings.max_upload_bytes + 200 * 1024)  # refused before the body is read
    r = upload(admin, "facilities", far_over)
    assert r.status_code == 413, r.text


@pytest.mark.parametrize(("filename", "content", "media"), [
    ("notes.txt", "名称,类型\n医院,hospital\n".encode(), "text/plain"),
    ("fake.xlsx", b"PK\x03\x04 not really a zip", XLSX_MEDIA),
    ("empty.xlsx", b"", XLSX_MEDIA),
])
def test_a_file_that_is_not_a_workbook_is_422(clients: Any, filename: str, content: bytes, media: str) -> None:
    r = upload(clients["admin"], "facilities", content, filename=filename, media=media)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["column"] == "file"


def test_import_without_a_file_is_422_naming_it(clients: Any) -> None:
    r = clients["admin"].post("/api/v1/facilities/import")
    assert r.status_code == 422 and names_field(r, "file"), r.text


# ---- template and export round trips -----------------------------------------------------


@pytest.mark.parametrize("registry", list(REGISTRIES))
def test_template_has_the_chinese_headers(clients: Any, registry: str) -> None:
    r = clients["viewer"].get(f"/api/v1/{registry}/template")
    assert r.status_code == 200 and r.headers["content-type"] == XLSX_MEDIA
    assert f'{registry}-template.xlsx' in r.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    spec = REGISTRIES[registry]
    rows = [list(x) for x in wb.worksheets[0].iter_rows(values_only=True)]
    assert rows == [[c.zh for c in spec.columns]]
    notes = [list(x) for x in wb["说明 Notes"].iter_rows(values_only=True)]
    assert [n[1] for n in notes[1:]] == [c.field for c in spec.columns]
    if registry == "facilities":
        kind = next(n for n in notes if n[1] == "kind")
        assert kind[5] == ", ".join(k.value for k in FacilityKind) and kind[4]


def _same_cell(text: str, value: Any) -> bool:
    """A CSV cell says the same as a workbook cell (a workbook keeps 8.0 as the number 8)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(text) == float(value)
    return text == ("" if value is None else str(value))


@pytest.mark.parametrize("registry", list(REGISTRIES))
def test_export_xlsx_and_csv_round_trip(clients: Any, registry: str) -> None:
    admin = clients["admin"]
    contract = CONTRACTS[registry]()
    made = [contract.create(clients, division="371581", n=n) for n in (1, 2, 3)]
    spec = REGISTRIES[registry]

    r = admin.get(f"/api/v1/{registry}/export", params={"format": "xlsx"})
    xlsx = r.content
    assert r.status_code == 200 and r.headers["content-type"] == XLSX_MEDIA
    assert f'filename="{registry}.xlsx"' in r.headers["content-disposition"]
    sheet = read_xlsx(r.content)
    assert sheet[0] == [c.zh for c in spec.columns]
    assert len(sheet) - 1 == _count(admin, registry)
    name_at = [c.field for c in spec.columns].index("name")
    exported = {row[name_at]: row for row in sheet[1:]}
    for record in made:
        row = exported[record["name"]]
        assert row == spreadsheet_row(spec, {**record}), record

    r = admin.get(f"/api/v1/{registry}/export", params={"format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    table = read_csv(r.content)
    assert len(table) == len(sheet)
    for csv_row, xlsx_row in zip(table, sheet, strict=True):
        assert len(csv_row) == len(xlsx_row)
        assert all(_same_cell(t, v) for t, v in zip(csv_row, xlsx_row, strict=True)), (csv_row, xlsx_row)

    again = upload(admin, registry, xlsx)
    assert again.status_code == 200, again.text
    report = again.json()
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 0, len(sheet) - 1), report


def test_export_follows_filters_and_scope(clients: Any) -> None:
    contract = CONTRACTS["facilities"]()
    contract.create(clients, division="371581", n=1)
    contract.create(clients, division="371502", n=2)
    div_at = [c.field for c in FACILITIES.columns].index("division_code")
    for user, params, divisions in (("admin", {"division": "371502"}, {"371502"}),
                                    ("linqing", {}, {"371581"}),
                                    ("commander", {"q": "测试设施"}, {"371581", "371502"})):
        r = clients[user].get("/api/v1/facilities/export", params={"format": "csv", **params})
        assert r.status_code == 200, r.text
        assert {row[div_at] for row in read_csv(r.content)[1:]} == divisions, (user, params)
    assert clients["viewer"].get("/api/v1/facilities/export").status_code == 403
    r = clients["admin"].get("/api/v1/facilities/export", params={"format": "pdf"})
    assert r.status_code == 422 and names_field(r, "format")


# ---- the cell parser, by property --------------------------------------------------------

INT, FLOAT, LIST, JSON_, STR = (Column("f", "列", "Col", kind) for kind in ("int", "float", "list", "json", "str"))
_token = st.text(alphabet=string.ascii_letters + string.digits + "_-中文专家", min_size=1, max_size=12)
_json = st.recursive(
    st.none() | st.booleans() | st.integers(-10**9, 10**9) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=10,
)
_raw = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)


@given(st.integers(-10**12, 10**12))
def test_int_cells_read_back_whatever_form_they_come_in(n: int) -> None:
    for raw in (n, float(n), str(n), f"  {n} "):
        assert _parse_cell(INT, raw) == n


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_float_cells_read_back(x: float) -> None:
    assert _parse_cell(FLOAT, x) == x
    assert _parse_cell(FLOAT, repr(x)) == x


@given(st.lists(_token, min_size=1, max_size=6), st.sampled_from([",", "，", "、", ";", "；", " ", ", "]))
def test_list_cells_split_on_any_usual_separator(items: list[str], sep: str) -> None:
    assert _parse_cell(LIST, sep.join(items)) == items


@given(_json)
def test_json_cells_read_back(value: Any) -> None:
    text = json.dumps(value, ensure_ascii=False)
    assert _parse_cell(JSON_, text) == value


@given(st.text(max_size=40))
def test_text_cells_are_stripped_and_blank_is_empty(text: str) -> None:
    parsed = _parse_cell(STR, text)
    assert parsed == (text.strip() or None)


@given(_raw, st.sampled_from([INT, FLOAT, LIST, JSON_, STR]))
def test_any_cell_either_parses_or_raises_a_value_error(raw: Any, col: Column) -> None:
    try:
        _parse_cell(col, raw)
    except ValueError as exc:
        assert str(exc)


_row = st.fixed_dictionaries({
    "name": _token,
    "kind": st.sampled_from(["school", "helipad", "chemical_park"]),
    "division_code": st.sampled_from(["371581", "371502", "371500"]),
    "lon": st.floats(115.0, 117.0),
    "lat": st.floats(35.5, 37.5),
    "address": st.none() | st.text(alphabet=string.ascii_letters + "路号 ", max_size=20),
})


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_row, min_size=1, max_size=8, unique_by=lambda r: (r["name"], r["division_code"])))
def test_random_valid_rows_import_cleanly(clients: Any, rows: list[dict[str, Any]]) -> None:
    r = upload(clients["admin"], "facilities", registry_workbook("facilities", rows), dry_run=True)
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["rows"], report["created"], report["errors"]) == (len(rows), len(rows), [])


def test_natural_key_matching_sees_only_the_users_own_records(clients: Any) -> None:
    """A 临清市 import of a contact named like a 东昌府区 contact creates its own record; it neither
    fails on nor reveals nor changes the other county's record."""
    admin = clients["admin"]
    body = {"name": "张三", "division_code": "371502", "title": "科长"}
    theirs = admin.post("/api/v1/contacts", json=body).json()
    row = {**body, "division_code": "371581", "title": "主任"}
    r = upload(clients["linqing"], "contacts", registry_workbook("contacts", [row]))
    assert r.status_code == 200, r.text
    assert (r.json()["created"], r.json()["updated"]) == (1, 0)
    assert admin.get(f"/api/v1/contacts/{theirs['id']}").json() == theirs
    again = upload(clients["linqing"], "contacts", registry_workbook("contacts", [row])).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 1)
