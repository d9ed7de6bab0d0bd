"""Exports never carry a live spreadsheet formula, and the importer reads the escaped value back."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook


def test_formula_like_text_is_escaped_on_export_and_round_trips(clients: Any) -> None:
    c = clients["admin"]
    r = c.post("/api/v1/contacts", json={"name": "=HYPERLINK(\"http://x\")", "division_code": "371581",
                                         "duties": "+1 值班"})
    assert r.status_code == 201, r.text
    x = c.get("/api/v1/contacts/export", params={"format": "xlsx"})
    ws = load_workbook(io.BytesIO(x.content)).worksheets[0]
    values = [cell for row in ws.iter_rows(values_only=True) for cell in row if isinstance(cell, str)]
    assert "'=HYPERLINK(\"http://x\")" in values and "'+1 值班" in values
    assert not any(v.startswith(("=", "+")) for v in values)
    csv = c.get("/api/v1/contacts/export", params={"format": "csv"}).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv
    imp = c.post("/api/v1/contacts/import", files={"file": ("c.xlsx", x.content)})
    assert imp.status_code == 200, imp.text
    assert imp.json()["created"] == 0 and imp.json()["updated"] == 0
