"""The stock ledger: a lot's quantity is the sum of its append-only moves and never goes below zero;
bad input is refused with a clear 4xx and writes nothing; scope rules hold."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session
from supplykit import Depots, add_lot  # type: ignore[import-not-found]

from yingji.audit.models import AuditEntry
from yingji.errors import Conflict
from yingji.supplies import service
from yingji.supplies.enums import MoveKind
from yingji.supplies.models import StockLot, StockMove
from yingji.supplies.schemas import MoveCreate, TransferCreate

KINDS = ("receipt", "issue", "adjustment", "write_off", "transfer")
moves = st.lists(st.tuples(st.sampled_from(KINDS), st.integers(min_value=1, max_value=60), st.booleans()),
                 min_size=1, max_size=25)


def _ledger_sum(session: Session, lot_id: int) -> int:
    return int(session.scalar(select(func.coalesce(func.sum(StockMove.quantity), 0))
                              .where(StockMove.lot_id == lot_id)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seq=moves)
def test_any_sequence_of_moves_keeps_every_lot_non_negative_and_equal_to_its_ledger(
    session: Session, depots: Depots, seq: list[tuple[str, int, bool]]
) -> None:
    admin = depots.users["admin"]
    with session.begin_nested() as sp:
        lot = add_lot(session, depots, warehouse=depots.city, item="quilt", quantity=50, batch="prop")
        expected = {lot.id: 50}
        other: int | None = None
        for kind, q, negative in seq:
            before = dict(expected)
            try:
                if kind == "transfer":
                    out, inn = service.transfer(session=session, user=admin, lot_id=lot.id,
                                                data=TransferCreate(to_warehouse_id=depots.linqing, quantity=q))
                    other = inn.lot_id
                    expected[lot.id] -= q
                    expected[other] = expected.get(other, 0) + q
                else:
                    delta = -q if kind == "adjustment" and negative else q
                    body = MoveCreate(kind=kind, quantity=delta, reason="盘点" if kind != "receipt" else None)  # type: ignore[arg-type]
                    service.post_move(session=session, user=admin, lot_id=lot.id, data=body)
                    expected[lot.id] += q if kind == "receipt" or (kind == "adjustment" and not negative) else -q
            except Conflict:
                expected = before  # refused: nothing changed
            assert all(v >= 0 for v in expected.values())
        for lot_id, qty in expected.items():
            session.expire_all()
            held = session.get(StockLot, lot_id)
            assert held is not None and held.quantity == qty >= 0
            assert _ledger_sum(session, lot_id) == qty
            balances = session.scalars(select(StockMove.balance_after).where(StockMove.lot_id == lot_id)
                                       .order_by(StockMove.id)).all()
            assert all(b >= 0 for b in balances) and balances[-1] == qty
        sp.rollback()


def test_issue_beyond_stock_is_refused_and_writes_nothing(clients: Any, session: Session, depots: Depots) -> None:
    lot = add_lot(session, depots, warehouse=depots.linqing, item="tent", quantity=10)
    moves_before = session.scalar(select(func.count()).select_from(StockMove))
    audit_before = session.scalar(select(func.count()).select_from(AuditEntry))
    c = clients["linqing"]
    r = c.post(f"/api/v1/supplies/lots/{lot.id}/moves", json={"kind": "issue", "quantity": 11})
    assert r.status_code == 409 and "holds 10" in r.json()["detail"]
    r = c.post(f"/api/v1/supplies/lots/{lot.id}/moves", json={"kind": "adjustment", "quantity": -11, "reason": "盘亏"})
    assert r.status_code == 409
    r = c.post(f"/api/v1/supplies/lots/{lot.id}/transfer", json={"to_warehouse_id": depots.city, "quantity": 11})
    assert r.status_code in (403, 409)  # the city depot is outside 临清: refused before stock is looked at
    session.expire_all()
    assert session.get(StockLot, lot.id).quantity == 10  # type: ignore[union-attr]
    assert session.scalar(select(func.count()).select_from(StockMove)) == moves_before
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == audit_before
    ok = c.post(f"/api/v1/supplies/lots/{lot.id}/moves", json={"kind": "issue", "quantity": 10})
    assert ok.status_code == 201 and ok.json()["balance_after"] == 0


def test_bad_input_gets_a_422_naming_the_field_and_writes_nothing(
    clients: Any, session: Session, depots: Depots
) -> None:
    c = clients["commander"]
    lots_before = session.scalar(select(func.count()).select_from(StockLot))
    base = {"warehouse_id": depots.city, "item_id": depots.items["quilt"], "batch": "B1", "quantity": 5}
    cases = [
        ({**base, "quantity": -5}, "quantity"),
        ({**base, "quantity": 0}, "quantity"),
        ({**base, "item_id": 999_999}, "item_id"),
        ({**base, "warehouse_id": 999_999}, "warehouse_id"),
        ({**base, "produced_on": "2026-05-01", "expires_on": "2026-04-30"}, "expires_on"),
        ({**base, "ownership": "stolen"}, "ownership"),
        ({**base, "holder_unit_id": 999_999}, "holder_unit_id"),
    ]
    for body, field in cases:
        r = c.post("/api/v1/supplies/lots", json=body)
        assert r.status_code == 422, (body, r.text)
        assert field in {str(p) for e in r.json()["detail"] for p in e["loc"]}, (field, r.text)
    lot = add_lot(session, depots, warehouse=depots.city, item="quilt", quantity=5)
    for body, field in [
        ({"kind": "issue", "quantity": -3}, "quantity"),
        ({"kind": "adjustment", "quantity": 0, "reason": "x"}, "quantity"),
        ({"kind": "adjustment", "quantity": 2}, "reason"),
        ({"kind": "write_off", "quantity": 2}, "reason"),
        ({"kind": "transfer_in", "quantity": 2}, "kind"),
        ({"kind": "issue", "quantity": 1, "request_id": 999_999}, "request_id"),
    ]:
        r = c.post(f"/api/v1/supplies/lots/{lot.id}/moves", json=body)
        assert r.status_code == 422, (body, r.text)
        assert field in {str(p) for e in r.json()["detail"] for p in e["loc"]}, (field, r.text)
    r = c.patch(f"/api/v1/supplies/lots/{lot.id}", json={"produced_on": "2030-01-01", "expires_on": "2029-01-01"})
    assert r.status_code == 422
    r = c.post(f"/api/v1/supplies/lots/{lot.id}/transfer", json={"to_warehouse_id": depots.city, "quantity": 1})
    assert r.status_code == 422  # to its own warehouse
    session.expire_all()
    assert session.get(StockLot, lot.id).quantity == 5  # type: ignore[union-attr]
    assert session.scalar(select(func.count()).select_from(StockLot)) == lots_before + 1
    tents = base | {"item_id": depots.items["tent"], "batch": "B2"}
    assert c.post("/api/v1/supplies/lots", json=tents).status_code == 201
    dup = c.post("/api/v1/supplies/lots", json=tents)
    assert dup.status_code == 409


def test_every_move_names_its_actor_and_the_lot_shows_its_expiry(clients: Any, depots: Depots) -> None:
    c = clients["linqing"]
    body = {"warehouse_id": depots.linqing, "item_id": depots.items["drinking_water"], "batch": "W-2026",
            "produced_on": "2026-01-01", "quantity": 240}
    r = c.post("/api/v1/supplies/lots", json=body)
    assert r.status_code == 201, r.text
    lot = r.json()
    assert lot["expires_on"] == "2027-01-01"  # shelf life 365 days from the catalogue
    assert lot["division_code"] == "371581" and lot["quantity"] == 240
    c.post(f"/api/v1/supplies/lots/{lot['id']}/moves", json={"kind": "issue", "quantity": 40})
    c.post(f"/api/v1/supplies/lots/{lot['id']}/moves", json={"kind": "write_off", "quantity": 10, "reason": "破损"})
    ledger = c.get(f"/api/v1/supplies/lots/{lot['id']}/moves").json()["items"]
    assert [(m["kind"], m["quantity"], m["balance_after"]) for m in ledger] == [
        ("receipt", 240, 240), ("issue", -40, 200), ("write_off", -10, 190)]
    assert {m["actor_name"] for m in ledger} == {"linqing"}
    assert c.get(f"/api/v1/supplies/lots/{lot['id']}").json()["quantity"] == 190


def test_the_ledger_is_append_only_in_the_database(session: Session, depots: Depots) -> None:
    lot = add_lot(session, depots, warehouse=depots.city, item="tent", quantity=3)
    for sql in ("UPDATE stock_moves SET quantity = 99", "DELETE FROM stock_moves"):
        with pytest.raises(Exception, match="append-only"), session.begin_nested():
            session.execute(text(sql + f" WHERE lot_id = {lot.id}"))
    with pytest.raises(Exception, match="quantity_not_negative|CHECK|check"), session.begin_nested():
        session.execute(text(f"UPDATE stock_lots SET quantity = -1 WHERE id = {lot.id}"))


def test_county_and_department_users_see_and_change_only_their_stock(
    clients: Any, session: Session, depots: Depots
) -> None:
    mine = add_lot(session, depots, warehouse=depots.linqing, item="tent", quantity=7)
    theirs = add_lot(session, depots, warehouse=depots.dcf, item="tent", quantity=9)
    city = add_lot(session, depots, warehouse=depots.city, item="tent", quantity=11)
    lq = clients["linqing"]
    seen = {x["id"] for x in lq.get("/api/v1/supplies/lots").json()["items"]}
    assert mine.id in seen and theirs.id not in seen and city.id not in seen
    assert lq.get(f"/api/v1/supplies/lots/{theirs.id}").status_code == 404
    assert lq.post(f"/api/v1/supplies/lots/{theirs.id}/moves", json={"kind": "issue", "quantity": 1}).status_code == 404
    r = lq.post("/api/v1/supplies/lots", json={"warehouse_id": depots.dcf, "item_id": depots.items["tent"],
                                                "batch": "X", "quantity": 1})
    assert r.status_code == 403
    assert {x["warehouse_id"] for x in lq.get("/api/v1/supplies/stock").json()["items"]} == {depots.linqing}
    # 市卫生健康委 (department): only its unit's warehouses or the lots it holds
    health = clients["health"]
    assert health.get("/api/v1/supplies/lots").json()["total"] == 0
    r = health.post("/api/v1/supplies/lots", json={"warehouse_id": depots.city, "item_id": depots.items["n95_mask"],
                                                    "batch": "卫健-1", "quantity": 1000})
    assert r.status_code == 201, r.text
    held = r.json()
    assert held["holder_unit_id"] == depots.users["health"].unit_id
    assert [x["id"] for x in health.get("/api/v1/supplies/lots").json()["items"]] == [held["id"]]
    issue = {"kind": "issue", "quantity": 1}
    assert health.post(f"/api/v1/supplies/lots/{city.id}/moves", json=issue).status_code == 404
    assert clients["viewer"].post(f"/api/v1/supplies/lots/{mine.id}/moves",
                                  json={"kind": "issue", "quantity": 1}).status_code == 403
    assert clients["duty"].post(f"/api/v1/supplies/lots/{mine.id}/moves",
                                json={"kind": "issue", "quantity": 1}).status_code == 403
    session.expire_all()
    assert session.get(StockLot, mine.id).quantity == 7  # type: ignore[union-attr]
    assert MoveKind.issue.label() == "出库"
