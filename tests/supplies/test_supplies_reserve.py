"""Reserve standards as data, the gap report per division, warehouse and item, and rotation."""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy.orm import Session
from supplykit import Depots, add_lot  # type: ignore[import-not-found]

LINQING_POP = 730_000  # tests/conftest.py
SHARE = 0.008  # data/norms.json, both levels


def _row(report: dict[str, Any], code: str) -> dict[str, Any]:
    return next(d for d in report["divisions"] if d["division_code"] == code)


def _item(row: dict[str, Any], code: str) -> dict[str, Any]:
    return next(i for i in row["items"] if i["item_code"] == code)


def test_norms_carry_their_source_and_are_editable(clients: Any, depots: Depots) -> None:
    norms = clients["viewer"].get("/api/v1/supplies/norms", params={"profile": "relief"}).json()
    by_code = {n["item_code"]: n for n in norms}
    assert by_code["drinking_water"]["quantity"] == 2.5 and by_code["drinking_water"]["per_day"] is True
    water = by_code["drinking_water"]
    assert "InaSAFE" in water["source"] and water["source_status"] == "secondary"
    assert by_code["tent"]["per_persons"] == 4 and by_code["tent"]["source_status"] == "unverified"
    assert all(n["source"] for n in norms)
    tent = by_code["tent"]["id"]
    assert clients["linqing"].patch(f"/api/v1/supplies/norms/{tent}", json={"per_persons": 5}).status_code == 403
    change = {"per_persons": 5, "source": "市应急局 2026 年储备方案", "source_status": "verified"}
    r = clients["commander"].patch(f"/api/v1/supplies/norms/{tent}", json=change)
    assert r.status_code == 200 and r.json()["per_persons"] == 5
    assert clients["commander"].patch(f"/api/v1/supplies/norms/{tent}", json={"quantity": 0}).status_code == 422
    assert clients["commander"].post("/api/v1/supplies/norms", json={
        "profile": "relief", "item_id": depots.items["tent"], "quantity": 1, "source": "x"}).status_code == 409
    levels = clients["viewer"].get("/api/v1/supplies/reserve-levels").json()
    assert {lv["level"]: lv["population_share"] for lv in levels} == {"city": SHARE, "county": SHARE}


def test_gap_report_by_api(clients: Any, session: Session, depots: Depots) -> None:
    add_lot(session, depots, warehouse=depots.linqing, item="tent", quantity=1000)
    add_lot(session, depots, warehouse=depots.linqing, item="tent", quantity=200, ownership="enterprise_agreement")
    add_lot(session, depots, warehouse=depots.linqing, item="quilt", quantity=6000, expires_in_days=400)
    add_lot(session, depots, warehouse=depots.linqing, item="quilt", quantity=100, expires_in_days=-1, batch="old")
    add_lot(session, depots, warehouse=depots.city, item="tent", quantity=5000)
    add_lot(session, depots, warehouse=depots.dcf, item="tent", quantity=77)

    r = clients["commander"].get("/api/v1/supplies/reports/gap")
    assert r.status_code == 200, r.text
    report = r.json()
    lq = _row(report, "371581")
    persons = round(LINQING_POP * SHARE)  # 5,840
    assert lq["relief_population"] == persons and lq["relief_population_default"] is True
    tent = _item(lq, "tent")
    assert tent["required"] == math.ceil(persons / 4) == 1460
    assert tent["held"] == {"government": 1000, "enterprise_agreement": 200, "production_capacity": 0}
    assert (tent["held_total"], tent["gap"]) == (1200, 260)
    assert tent["share_met"] == 1200 / 1460 and tent["government_share_met"] == 1000 / 1460
    quilt = _item(lq, "quilt")
    assert (quilt["required"], quilt["held_total"], quilt["expired"], quilt["gap"]) == (5840, 6000, 100, 0)
    assert quilt["share_met"] == 1.0
    water = _item(lq, "drinking_water")
    assert water["required"] == math.ceil(persons * 2.5) and water["share_met"] == 0.0  # 1 day at county level
    assert [w["warehouse_id"] for w in lq["warehouses"]] == [depots.linqing]
    # the city row counts only city-level warehouses; 东昌府区's county row only its county depot
    city = _row(report, "371500")
    assert city["relief_population"] == round(5_950_000 * SHARE)
    assert _item(city, "tent")["held_total"] == 5000
    assert _item(city, "instant_food")["required"] == math.ceil(city["relief_population"] * 3 * 3)  # 3 days
    assert _item(_row(report, "371502"), "tent")["held_total"] == 77

    # a county sees only itself
    mine = clients["linqing"].get("/api/v1/supplies/reports/gap").json()["divisions"]
    assert [d["division_code"] for d in mine] == ["371581"]

    # an edited planned relief population changes the requirement
    r = clients["commander"].put("/api/v1/supplies/relief-populations/371581",
                                 json={"persons": 4000, "source": "临清市 2026 应急预案"})
    assert r.status_code == 200 and r.json()["persons"] == 4000 and r.json()["default"] is False
    lq = _row(clients["linqing"].get("/api/v1/supplies/reports/gap").json(), "371581")
    assert (_item(lq, "tent")["required"], _item(lq, "tent")["gap"], _item(lq, "tent")["share_met"]) == (1000, 0, 1.0)
    assert clients["linqing"].put("/api/v1/supplies/relief-populations/371581",
                                  json={"persons": 1, "source": "x"}).status_code == 403
    assert clients["commander"].put("/api/v1/supplies/relief-populations/371581",
                                    json={"persons": -1, "source": "x"}).status_code == 422


def test_rotation_flags_lots_expiring_soon_with_an_action(clients: Any, session: Session, depots: Depots) -> None:
    soon = add_lot(session, depots, warehouse=depots.linqing, item="instant_food", quantity=300, expires_in_days=10)
    later = add_lot(session, depots, warehouse=depots.linqing, item="drinking_water", quantity=500, expires_in_days=60)
    gone = add_lot(session, depots, warehouse=depots.linqing, item="quilt", quantity=20, expires_in_days=-3)
    add_lot(session, depots, warehouse=depots.linqing, item="rice", quantity=1000, expires_in_days=200)
    add_lot(session, depots, warehouse=depots.dcf, item="rice", quantity=1000, expires_in_days=5)
    r = clients["linqing"].get("/api/v1/supplies/reports/rotation", params={"within_days": 90})
    assert r.status_code == 200, r.text
    plan = r.json()
    actions = {x["id"]: x["action"] for x in plan["lots"]}
    assert actions == {gone.id: "write_off", soon.id: "replace", later.id: "issue_first"}
    assert [x["id"] for x in plan["lots"]] == [gone.id, soon.id, later.id]  # soonest first
    repl = {x["item_code"]: x["quantity"] for x in plan["replacements"]}
    assert repl == {"quilt": 20, "instant_food": 300, "drinking_water": 500}
    flagged = clients["linqing"].get("/api/v1/supplies/lots", params={"expiring_within_days": 30}).json()["items"]
    assert {x["id"] for x in flagged} == {soon.id, gone.id}
    assert clients["linqing"].get("/api/v1/supplies/reports/rotation", params={"within_days": -1}).status_code == 422
