"""Twenty concurrent issues of the same lot never overdraw it — on a committed database, with real
separate connections in separate threads (not the savepoint fixture), on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dbtools import own_database
from yingji.db import migrate
from yingji.db.session import make_engine
from yingji.errors import Conflict
from yingji.registry.models import Division, Facility
from yingji.supplies import service
from yingji.supplies.models import Item, StockLot, StockMove
from yingji.supplies.schemas import ItemCreate, LotCreate, MoveCreate

THREADS = 20
STOCK = 100
EACH = 7  # 20 × 7 = 140 asked of 100: at most 14 issues can succeed


@dataclass(frozen=True)
class Principal:
    id: int | None = None
    username: str = "tester"
    role: str = "admin"
    division_code: str | None = None
    unit_id: int | None = None


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of its own, migrated, dropped afterwards."""
    with own_database(request.param, tmp_path, "concurrent", prefix="yingji_conc") as url:
        migrate.upgrade(url)
        yield url


def test_twenty_concurrent_issues_never_overdraw_a_lot(fresh_url: str) -> None:
    kwargs = {} if fresh_url.startswith("sqlite") else {"pool_size": THREADS + 2}
    engine = make_engine(fresh_url, **kwargs)
    actor = Principal()
    try:
        with Session(engine) as s, s.begin():
            s.add(Division(code="371500", name="聊城市", level="city", population=1))
            s.flush()
            wh = Facility(name="并发测试库", kind="warehouse", division_code="371500", lon=116.0, lat=36.4,
                          capacity={"level": "city"})
            s.add(wh)
            s.flush()
            item = service.create_item(session=s, user=actor, data=ItemCreate(
                code="tent", name="帐篷", category="basic_living", unit="顶"))  # type: ignore[arg-type]
            lot = service.create_lot(session=s, user=actor, data=LotCreate(
                warehouse_id=wh.id, item_id=item.id, batch="C-1", quantity=STOCK))
            lot_id = lot.id
        barrier = threading.Barrier(THREADS)
        outcomes: list[str] = []
        lock = threading.Lock()

        def issue() -> None:
            barrier.wait()
            result = "ok"
            try:
                with Session(engine) as s, s.begin():
                    service.post_move(session=s, user=actor, lot_id=lot_id,
                                      data=MoveCreate(kind="issue", quantity=EACH))  # type: ignore[arg-type]
            except Conflict as exc:
                result = f"refused: {exc.message}"
            except Exception as exc:  # anything else is a failure of the test
                result = f"error: {type(exc).__name__}: {exc}"
            with lock:
                outcomes.append(result)

        threads = [threading.Thread(target=issue) for _ in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert len(outcomes) == THREADS
        assert not [o for o in outcomes if o.startswith("error")], outcomes
        ok = outcomes.count("ok")
        with Session(engine) as s:
            quantity = s.scalar(select(StockLot.quantity).where(StockLot.id == lot_id))
            ledger = s.scalar(select(func.sum(StockMove.quantity)).where(StockMove.lot_id == lot_id))
            issues = s.scalar(select(func.count()).select_from(StockMove).where(StockMove.lot_id == lot_id,
                                                                               StockMove.kind == "issue"))
            assert s.scalar(select(func.count()).select_from(Item)) == 1
        assert quantity == STOCK - EACH * ok >= 0
        assert ledger == quantity and issues == ok
        if fresh_url.startswith("postgresql"):
            # row lock + re-checked condition: exactly as many succeed as the stock allows
            assert ok == STOCK // EACH
        else:
            # one writer at a time; a writer whose snapshot went stale is refused (409), never let through
            assert 1 <= ok <= STOCK // EACH
    finally:
        engine.dispose()
