"""Every supplies route, enumerated from the app: a county user can neither read nor change another
county's stock, requests or dispatch orders through any of them, and no answer so much as names
them. A new supplies route fails ``test_every_supplies_route_is_classified`` until it is classified.

Kinds: ``theirs`` (the other county's record: 404), ``refused`` (403), ``list`` and ``reference``
(200, nothing of theirs), ``export`` (the stock sheet, .xlsx and .csv, read back: only the user's
lots), ``import`` (a stock sheet naming the other county's warehouse or lot: 422, nothing written)."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from supplykit import Depots, add_lot, lonlat, point  # type: ignore[import-not-found]

from yingji.engines.network.graph import RoadGraph
from yingji.registry.models import Facility
from yingji.supplies.models import StockLot, StockMove
from yingji.supplies.spreadsheet import COLUMNS

MARKER = "机密"  # in the name of every record of the other county (东昌府区)
P = "/api/v1/supplies"

#: (method, path) -> how a 临清 user's call on 东昌府's records must answer
ROUTES: dict[tuple[str, str], str] = {
    ("GET", f"{P}/items"): "reference", ("GET", f"{P}/items/{{item_id}}"): "reference",
    ("POST", f"{P}/items"): "refused", ("PATCH", f"{P}/items/{{item_id}}"): "refused",
    ("DELETE", f"{P}/items/{{item_id}}"): "refused", ("POST", f"{P}/defaults"): "refused",
    ("GET", f"{P}/norms"): "reference", ("POST", f"{P}/norms"): "refused",
    ("PATCH", f"{P}/norms/{{norm_id}}"): "refused", ("DELETE", f"{P}/norms/{{norm_id}}"): "refused",
    ("GET", f"{P}/reserve-levels"): "reference", ("PUT", f"{P}/reserve-levels/{{level}}"): "refused",
    ("GET", f"{P}/relief-populations"): "list", ("PUT", f"{P}/relief-populations/{{division_code}}"): "theirs",
    ("GET", f"{P}/lots"): "list", ("POST", f"{P}/lots"): "refused",
    ("GET", f"{P}/lots/export"): "export", ("GET", f"{P}/lots/template"): "reference",
    ("POST", f"{P}/lots/import"): "import",
    ("GET", f"{P}/lots/{{lot_id}}"): "theirs", ("PATCH", f"{P}/lots/{{lot_id}}"): "theirs",
    ("GET", f"{P}/lots/{{lot_id}}/moves"): "theirs", ("POST", f"{P}/lots/{{lot_id}}/moves"): "theirs",
    ("POST", f"{P}/lots/{{lot_id}}/transfer"): "theirs", ("GET", f"{P}/stock"): "list",
    ("GET", f"{P}/reports/gap"): "list", ("GET", f"{P}/reports/rotation"): "list",
    ("GET", f"{P}/reports/relief-check"): "list",
    ("GET", f"{P}/requests"): "list", ("POST", f"{P}/requests"): "refused",
    ("GET", f"{P}/requests/{{request_id}}"): "theirs", ("POST", f"{P}/requests/{{request_id}}/decision"): "theirs",
    ("POST", f"{P}/requests/{{request_id}}/cancel"): "theirs",
    ("POST", f"{P}/allocation/plan"): "refused", ("POST", f"{P}/dispatch-orders"): "refused",
    ("GET", f"{P}/dispatch-orders"): "list", ("GET", f"{P}/dispatch-orders/{{order_id}}"): "theirs",
    ("POST", f"{P}/dispatch-orders/{{order_id}}/receipt"): "theirs",
    ("POST", f"{P}/dispatch-orders/{{order_id}}/cancel"): "theirs",
}


def _routes(app: Any) -> set[tuple[str, str]]:
    """(method, path) of every supplies route, from the OpenAPI document (routers are included lazily)."""
    return {(m.upper(), path) for path, ops in app.openapi()["paths"].items() if path.startswith(P) for m in ops}


def test_every_supplies_route_is_classified(clients: Any) -> None:
    assert _routes(clients.app) == set(ROUTES)


def _scene(clients: Any, session: Session, depots: Depots, g: RoadGraph) -> dict[str, Any]:
    lon, lat = lonlat(g, 12, 1)
    theirs_wh = Facility(name=f"{MARKER}东昌府区仓库", kind="warehouse", division_code="371502",
                         unit_id=depots.users["dongchangfu"].unit_id, lon=lon, lat=lat, capacity={"level": "county"})
    session.add(theirs_wh)
    session.flush()
    theirs_lot = add_lot(session, depots, warehouse=theirs_wh.id, item="tent", quantity=50, batch=f"{MARKER}批次",
                         expires_in_days=20)
    add_lot(session, depots, warehouse=depots.dcf, item="quilt", quantity=30, batch=f"{MARKER}棉被", expires_in_days=5)
    mine_lot = add_lot(session, depots, warehouse=depots.linqing, item="tent", quantity=40, expires_in_days=20)
    admin, commander = clients["admin"], clients["commander"]

    def request(user: str, division: str, label: str, i: int) -> int:
        body = {"division_code": division, "incident_ref": label, "destination": label, **point(g, i),
                "lines": [{"item_id": depots.items["tent"], "quantity": 5}]}
        r = clients[user].post(f"{P}/requests", json=body)
        assert r.status_code == 201, r.text
        rid: int = r.json()["id"]
        assert commander.post(f"{P}/requests/{rid}/decision", json={"decision": "approve"}).status_code == 200
        return rid

    theirs_req = request("dongchangfu", "371502", f"{MARKER}事件", 12)
    mine_req = request("linqing", "371581", "临清事件", 18)
    r = commander.post(f"{P}/dispatch-orders", json={"request_id": theirs_req, "shipments": [
        {"warehouse_id": theirs_wh.id, "item_code": "tent", "quantity": 5, "destination": f"{MARKER}安置点",
         **point(g, 12)}]})
    assert r.status_code == 201, r.text
    theirs_order = r.json()[0]["id"]
    r = commander.post(f"{P}/dispatch-orders", json={"request_id": mine_req, "shipments": [
        {"warehouse_id": depots.linqing, "item_code": "tent", "quantity": 5, "destination": "临清安置点",
         **point(g, 18)}]})
    assert r.status_code == 201, r.text
    norm = admin.get(f"{P}/norms").json()[0]["id"]
    return {"lot_id": theirs_lot.id, "request_id": theirs_req, "order_id": theirs_order,
            "division_code": "371502", "item_id": depots.items["tent"], "norm_id": norm, "level": "county",
            "theirs_wh": theirs_wh.id, "theirs_wh_name": theirs_wh.name, "theirs_batch": theirs_lot.batch,
            "mine": {"lot": mine_lot.id, "request": mine_req, "batch": mine_lot.batch}}


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


def _check_export(lq: Any, url: str, scene: dict[str, Any]) -> str:
    """Both formats, read back: only the user's own lot; returns the cells as text for the marker check."""
    cells: list[str] = []
    for fmt in ("xlsx", "csv"):
        r = lq.get(url, params={"format": fmt})
        assert r.status_code == 200, (url, fmt, r.text)
        if fmt == "xlsx":
            rows = [list(x) for x in load_workbook(io.BytesIO(r.content)).worksheets[0].iter_rows(values_only=True)]
        else:
            rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
        assert [str(x[4]) for x in rows[1:]] == [scene["mine"]["batch"]], rows
        cells += [str(v) for x in rows for v in x]
    return "\n".join(cells)


def _check_import(lq: Any, url: str, scene: dict[str, Any], session: Session) -> str:
    """A sheet into the other county's warehouse (by name and by id), or counting its lot: 422, nothing
    written; the same batch in the user's own warehouse is a new lot there (dry run)."""
    def count() -> tuple[int, int, int]:
        session.expire_all()
        theirs = session.get(StockLot, scene["lot_id"])
        assert theirs is not None
        return (session.scalar(select(func.count()).select_from(StockLot)) or 0,
                session.scalar(select(func.count()).select_from(StockMove)) or 0, theirs.quantity)

    before = count()
    texts = []
    into = [{"warehouse": scene["theirs_wh_name"], "item_code": "tent", "batch": "越界", "quantity": 5},
            {"warehouse": str(scene["theirs_wh"]), "item_code": "tent", "batch": "越界2", "quantity": 5},
            {"warehouse": scene["theirs_wh_name"], "item_code": "tent", "batch": scene["theirs_batch"], "quantity": 1}]
    for dry_run in (False, True):
        r = lq.post(url, files={"file": ("s.xlsx", _sheet(into))}, params={"dry_run": dry_run})
        assert r.status_code == 422, r.text
        assert sorted(e["row"] for e in r.json()["errors"]) == [2, 3, 4], r.text
        texts.append(r.text)
    lookalike = [{"warehouse": "测试临清储备库", "item_code": "tent", "batch": scene["theirs_batch"], "quantity": 1}]
    r = lq.post(url, files={"file": ("s.xlsx", _sheet(lookalike))}, params={"dry_run": True})
    assert r.status_code == 200 and (r.json()["created"], r.json()["updated"]) == (1, 0), r.text
    texts.append(r.text)
    assert count() == before
    return "\n".join(texts)


BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", f"{P}/lots/{{lot_id}}"): {"notes": "改"},
    ("POST", f"{P}/lots/{{lot_id}}/moves"): {"kind": "issue", "quantity": 1},
    ("POST", f"{P}/lots/{{lot_id}}/transfer"): {"to_warehouse_id": 1, "quantity": 1},
    ("POST", f"{P}/requests/{{request_id}}/decision"): {"decision": "reject"},
    ("POST", f"{P}/dispatch-orders/{{order_id}}/receipt"): {},
    ("PUT", f"{P}/relief-populations/{{division_code}}"): {"persons": 1, "source": "越界"},
}


def test_county_user_cannot_reach_another_county_through_any_supplies_route(
    clients: Any, session: Session, depots: Depots, ladder_graph: RoadGraph
) -> None:
    scene = _scene(clients, session, depots, ladder_graph)
    lq = clients["linqing"]
    refused_bodies = {
        ("POST", f"{P}/items"): {"code": "x", "name": "x", "category": "other", "unit": "个"},
        ("PATCH", f"{P}/items/{{item_id}}"): {"spec": "改"},
        ("POST", f"{P}/norms"): {"profile": "relief", "item_id": scene["item_id"], "quantity": 1, "source": "x"},
        ("PATCH", f"{P}/norms/{{norm_id}}"): {"quantity": 2},
        ("PUT", f"{P}/reserve-levels/{{level}}"): {"population_share": 0.5, "source": "x"},
        ("POST", f"{P}/lots"): {"warehouse_id": scene["theirs_wh"], "item_id": scene["item_id"], "batch": "越界",
                                "quantity": 1},
        ("POST", f"{P}/requests"): {"division_code": "371502", "incident_ref": "越界", "destination": "越界",
                                    **point(ladder_graph, 12), "lines": [{"item_id": scene["item_id"], "quantity": 1}]},
        ("POST", f"{P}/allocation/plan"): {"points": [{"name": "x", **point(ladder_graph, 12),
                                                       "quantities": {"tent": 1}}]},
        ("POST", f"{P}/dispatch-orders"): {"shipments": [{
            "warehouse_id": scene["theirs_wh"], "item_code": "tent", "quantity": 1, "destination": "x",
            **point(ladder_graph, 12)}]},
    }
    texts = []
    for (method, path), kind in sorted(ROUTES.items()):
        url = re.sub(r"\{(\w+)\}", lambda m: str(scene[m.group(1)]), path)
        if kind == "export":
            texts.append((method, path, _check_export(lq, url, scene)))
            continue
        if kind == "import":
            texts.append((method, path, _check_import(lq, url, scene, session)))
            continue
        if kind == "theirs":
            r = lq.request(method, url, json=BODIES.get((method, path)) if method != "GET" else None)
            assert r.status_code == 404, (method, path, r.status_code, r.text)
        elif kind == "refused":
            r = lq.request(method, url, json=refused_bodies.get((method, path)) if method != "DELETE" else None)
            assert r.status_code == 403, (method, path, r.status_code, r.text)
        else:
            r = lq.request(method, url, params={"size": 500} if "reports" not in path else None)
            assert r.status_code == 200, (method, path, r.text)
        texts.append((method, path, r.text))
    for method, path, text in texts:
        assert MARKER not in text and "东昌府" not in text, (method, path, text[:400])
    # and the 临清 user's own records are there
    lots = lq.get(f"{P}/lots").json()["items"]
    assert [x["id"] for x in lots] == [scene["mine"]["lot"]]
    assert [x["id"] for x in lq.get(f"{P}/requests").json()["items"]] == [scene["mine"]["request"]]
    orders = lq.get(f"{P}/dispatch-orders").json()["items"]
    assert [o["request_id"] for o in orders] == [scene["mine"]["request"]]
    rotation = lq.get(f"{P}/reports/rotation").json()
    assert [x["id"] for x in rotation["lots"]] == [scene["mine"]["lot"]]
