"""The supplies demo: stock in the demo city's warehouses, labelled synthetic, idempotent, with gaps,
lots expiring soon and an expired one for the reports to show."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.demo.load import SystemPrincipal
from yingji.demo.load import load_demo as load_city
from yingji.registry.models import Facility
from yingji.supplies import service
from yingji.supplies.demo import NOTE, load_demo, load_demo_requests
from yingji.supplies.models import StockLot


def test_demo_stock(session: Session, world: Any, tmp_path: Path) -> None:
    city = load_city(session=session, data_dir=tmp_path, network=False)  # loads the supplies demo too
    assert city["stock_lots"] > 100
    actor = SystemPrincipal()
    again = load_demo(session=session, actor=actor)
    assert again == {"items": 0, "norms": 0, "levels": 0, "lots": 0}
    # one submitted request of 东昌府区 for the demo flooding, loaded once
    assert city["supply_requests"] == 1 and load_demo_requests(session=session, actor=actor) == 0
    [req] = service.list_requests(session=session, user=actor)["items"]
    assert (req.status, req.division_code, req.people) == ("submitted", "371502", 1200)
    assert req.incident_ref.endswith("东昌府区城区暴雨内涝（演示）") and len(req.lines) == 5
    lots = list(session.scalars(select(StockLot)))
    assert all(lot.notes == NOTE and lot.batch.startswith("DEMO-") for lot in lots)
    depots = {f.id: f.name for f in session.scalars(select(Facility).where(Facility.kind == "warehouse"))}
    stocked = {depots[lot.warehouse_id] for lot in lots}
    assert {"聊城市救灾物资储备库", "聊城市防汛物资储备库", "临清市救灾物资储备库"} <= stocked
    assert {lot.ownership for lot in lots} == {"government", "enterprise_agreement", "production_capacity"}

    gap = service.gap_report(session=session, user=actor)
    rows = {d["division_code"]: d for d in gap["divisions"]}
    assert "371500" in rows and len(rows) == 9  # the city and its eight counties
    shares = [i["share_met"] for d in rows.values() for i in d["items"]]
    assert min(shares) < 1.0 and max(shares) == 1.0  # some gaps, some met
    rotation = service.rotation_plan(session=session, user=actor, within_days=90)
    assert {x["action"] for x in rotation["lots"]} == {"write_off", "replace", "issue_first"}
