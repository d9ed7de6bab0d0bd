"""Small helpers shared by the API, registry, auth and audit tests (no fixtures here)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from openpyxl import Workbook, load_workbook
from sqlalchemy import Engine, event

from yingji.registry.specs import REGISTRIES, RegistrySpec

XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: A representative point in each base division (lon, lat), degrees.
POINTS: dict[str, tuple[float, float]] = {
    "371500": (115.985, 36.457),
    "371581": (115.705, 36.838),
    "371502": (115.985, 36.457),
}
#: A bounding box around 临清市 that excludes 东昌府区 (minlon,minlat,maxlon,maxlat).
LINQING_BBOX = "115.55,36.70,115.85,36.95"


def point(division: str, n: int = 0) -> dict[str, float]:
    """Coordinates inside ``division`` (its first six digits), nudged by ``n`` thousandths of a degree."""
    lon, lat = POINTS[division[:6]]
    return {"lon": round(lon + n * 0.001, 6), "lat": round(lat + n * 0.001, 6)}


def names_field(response: Response, field: str) -> bool:
    """True when a 4xx response's detail names ``field`` (in a ``loc`` or in the message)."""
    detail = response.json().get("detail")
    if isinstance(detail, str):
        return field in detail
    assert isinstance(detail, list), response.text
    for err in detail:
        loc = [str(p) for p in err.get("loc", [])]
        if field in loc or field in ".".join(loc) or field in str(err.get("msg", "")):
            return True
    return False


def cell_value(kind: str, value: Any) -> Any:
    """How a value of a spreadsheet column kind is written in a workbook cell."""
    if value is None:
        return None
    if kind == "list":
        return ",".join(str(v) for v in value)
    if kind == "json":
        return json.dumps(value, ensure_ascii=False)
    return value


def spreadsheet_row(spec: RegistrySpec, body: dict[str, Any]) -> list[Any]:
    return [cell_value(c.kind, body.get(c.field)) for c in spec.columns]


def workbook(headers: list[str], rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def registry_workbook(registry: str, bodies: list[dict[str, Any]]) -> bytes:
    """A workbook with the registry's Chinese headers and one row per create body."""
    spec = REGISTRIES[registry]
    return workbook([c.zh for c in spec.columns], [spreadsheet_row(spec, b) for b in bodies])


def read_xlsx(content: bytes) -> list[list[Any]]:
    wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]


def read_csv(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff"), "CSV export should start with a BOM so that Excel reads UTF-8"
    return list(csv.reader(io.StringIO(text[1:])))


def upload(client: TestClient, registry: str, content: bytes, *, dry_run: bool = False,
           filename: str = "data.xlsx", media: str = XLSX_MEDIA) -> Response:
    return client.post(f"/api/v1/{registry}/import", params={"dry_run": str(dry_run).lower()},
                       files={"file": (filename, content, media)})


def audit_rows(admin: TestClient, entity_type: str, entity_id: Any) -> list[dict[str, Any]]:
    """Audit entries of one record, oldest first."""
    r = admin.get("/api/v1/audit", params={"entity_type": entity_type, "entity_id": str(entity_id), "size": 500})
    assert r.status_code == 200, r.text
    return list(reversed(r.json()["items"]))


class QueryCounter:
    """Counts SQL statements sent to the database (savepoint bookkeeping excluded)."""

    IGNORED = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN", "COMMIT", "ROLLBACK")

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.statements: list[str] = []
        self._active = False
        event.listen(engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self._active and not statement.lstrip().upper().startswith(self.IGNORED):
            self.statements.append(statement)

    @contextmanager
    def count(self) -> Iterator[list[str]]:
        """Collect the statements run inside the block into the yielded list."""
        self.statements = []
        self._active = True
        try:
            yield self.statements
        finally:
            self._active = False

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._on_execute)
