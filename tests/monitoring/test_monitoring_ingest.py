"""Sensors and reading ingest through HTTP: per-item rejection, resend safety, out-of-order data,
oversized batches, CSV, scope, commit-before-acknowledge, and the rules evaluated on ingest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from yingji.db.base import utcnow
from yingji.monitoring import ingest
from yingji.monitoring.models import Reading

T0 = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)


def iso(minutes: float, base: datetime = T0) -> str:
    return (base + timedelta(minutes=minutes)).isoformat()


def sensor(c: Any, **over: Any) -> dict[str, Any]:
    body = {"code": "LQ-GAS-01", "name": "临清化工园区可燃气体1号", "kind": "gas_concentration",
            "division_code": "371581", "lon": 115.71, "lat": 36.84} | over
    r = c.post("/api/v1/sensors", json=body)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def count(session: Session, sensor_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Reading).where(Reading.sensor_id == sensor_id)) or 0


def post(c: Any, readings: list[Any]) -> Any:
    return c.post("/api/v1/readings", json={"readings": readings})


def test_sensor_crud_defaults_and_status(clients: Any) -> None:
    c = clients["linqing"]
    s = sensor(c)
    assert s["unit"] == "%LEL" and s["status"] == "offline" and s["active"]
    rules = c.get(f"/api/v1/sensors/{s['id']}/rules").json()
    assert {r["cause"] for r in rules} == {"threshold", "silence"}
    r = post(c, [{"sensor": "LQ-GAS-01", "ts": utcnow().isoformat(), "value": 1.0}])
    assert r.status_code == 200 and r.json()["accepted"] == 1
    s = c.get(f"/api/v1/sensors/{s['id']}").json()
    assert s["status"] == "online" and s["last_value"] == 1.0
    bad = c.patch(f"/api/v1/sensors/{s['id']}", json={"rules": [{"type": "threshold", "thresholds": [3, 2, 1, 0]}]})
    assert bad.status_code == 422 and "rules" in bad.text
    ok = c.patch(f"/api/v1/sensors/{s['id']}", json={"silence_minutes": 1, "rules": [
        {"type": "threshold", "thresholds": [5, 10, 15, 20]}]})
    assert ok.status_code == 200
    assert c.delete(f"/api/v1/sensors/{s['id']}").status_code == 409  # has readings
    assert clients["dongchangfu"].get(f"/api/v1/sensors/{s['id']}").status_code == 404
    assert c.post("/api/v1/sensors", json={"code": "LQ-GAS-01", "name": "x", "kind": "wind",
                                           "division_code": "371581", "lon": 115, "lat": 36}).status_code == 409
    layer = c.get("/api/v1/sensors", params={"format": "geojson"}).json()
    assert layer["features"][0]["properties"]["status"] == "online"
    kinds = c.get("/api/v1/sensor_kinds").json()
    assert {k["kind"] for k in kinds} >= {"water_level", "phreatic_line", "wind"}


def test_bad_items_are_rejected_with_index_good_ones_stored(clients: Any, session: Session) -> None:
    c = clients["linqing"]
    s = sensor(c)
    future = (utcnow() + timedelta(days=2)).isoformat()
    batch = [
        {"sensor": "LQ-GAS-01", "ts": iso(0), "value": 1.5},  # 0 good
        {"sensor": "NOPE", "ts": iso(1), "value": 1.0},  # 1 unknown sensor
        {"sensor": "LQ-GAS-01", "ts": iso(2), "value": "high"},  # 2 non-numeric
        {"sensor": "LQ-GAS-01", "ts": future, "value": 1.0},  # 3 far future
        {"sensor": "LQ-GAS-01", "ts": "2026-12-01T00:03:00", "value": 1.0},  # 4 no zone
        {"sensor": "LQ-GAS-01", "ts": iso(4), "value": 2, "extra": 1},  # 5 unknown field
        "not an object",  # 6
        {"sensor": "LQ-GAS-01", "ts": iso(5), "value": True},  # 7 boolean is not a number
        {"sensor": "LQ-GAS-01", "ts": 1764547560, "value": 2.5},  # 8 good, Unix seconds
        {"sensor": "LQ-GAS-01", "ts": iso(6), "value": 10**400},  # 9 an integer beyond the float range
        {"sensor": "LQ-GAS-01", "ts": "0001-01-01T00:00:00+01:00", "value": 1.0},  # 10 before year 1 in UTC
        {"sensor": "LQ-GAS-01", "ts": "9999-12-31T23:59:59-05:00", "value": 1.0},  # 11 after year 9999 in UTC
    ]
    r = post(c, batch)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["accepted"] == 2 and body["received"] == 12
    got = {x["index"]: (x["field"], x["reason"]) for x in body["rejected"]}
    assert set(got) == {1, 2, 3, 4, 5, 6, 7, 9, 10, 11}
    assert got[9] == ("value", "not a finite number") and got[10][0] == got[11][0] == "ts"
    assert got[1][0] == "sensor" and "unknown sensor" in got[1][1]
    assert got[2][0] == "value" and "not a number" in got[2][1]
    assert got[3][0] == "ts" and "future" in got[3][1]
    assert got[4][0] == "ts" and "zone" in got[4][1]
    assert got[5][0] == "extra"
    assert count(session, s["id"]) == 2


def test_resend_is_harmless_and_out_of_order_is_accepted(clients: Any, session: Session) -> None:
    c = clients["linqing"]
    s = sensor(c)
    batch = [{"sensor": "LQ-GAS-01", "ts": iso(m), "value": 1.0 + m} for m in (5, 3, 9, 1)]  # out of order
    assert post(c, batch).json()["accepted"] == 4
    again = post(c, batch + [batch[0]]).json()  # the same batch again, one item twice
    assert again["accepted"] == 0 and again["duplicates"] == 5
    late = post(c, [{"sensor": "LQ-GAS-01", "ts": iso(0), "value": 0.5}]).json()
    assert late["accepted"] == 1
    assert count(session, s["id"]) == 5
    series = c.get(f"/api/v1/sensors/{s['id']}/readings").json()
    assert [x["value"] for x in series] == [0.5, 2.0, 4.0, 6.0, 10.0]
    assert c.get(f"/api/v1/sensors/{s['id']}").json()["last_value"] == 10.0  # latest by time, not arrival


def test_whole_batch_errors_write_nothing(clients: Any, session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    c = clients["linqing"]
    s = sensor(c)
    monkeypatch.setattr(ingest, "MAX_BATCH", 10)
    big = [{"sensor": "LQ-GAS-01", "ts": iso(m), "value": 1.0} for m in range(11)]
    assert post(c, big).status_code == 413
    csv_big = "sensor,ts,value\n" + "".join(f"LQ-GAS-01,{iso(m)},1\n" for m in range(11))
    assert c.post("/api/v1/readings", content=csv_big, headers={"content-type": "text/csv"}).status_code == 413
    r = c.post("/api/v1/readings", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422 and "JSON" in r.text
    assert c.post("/api/v1/readings", json={"readings": "x"}).status_code == 422
    assert c.post("/api/v1/readings", json={"reading": []}).status_code == 422
    r = post(c, [{"sensor": "NOPE", "ts": iso(0), "value": 1}, {"sensor": "LQ-GAS-01", "ts": iso(0), "value": "x"}])
    assert r.status_code == 422
    assert [d["loc"] for d in r.json()["detail"]] == [["body", "readings", 0, "sensor"],
                                                      ["body", "readings", 1, "value"]]
    assert count(session, s["id"]) == 0


def test_csv_batch(clients: Any, session: Session) -> None:
    c = clients["linqing"]
    s = sensor(c)
    text = f"sensor,ts,value\nLQ-GAS-01,{iso(0)},1.5\nLQ-GAS-01,{iso(1)},abc\nLQ-GAS-01,{iso(2)}\n"
    r = c.post("/api/v1/readings", content=text.encode(), headers={"content-type": "text/csv"})
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] == 1 and [x["index"] for x in r.json()["rejected"]] == [1, 2]
    assert count(session, s["id"]) == 1
    r = c.post("/api/v1/readings", content=b"a,b\n1,2\n", headers={"content-type": "text/csv"})
    assert r.status_code == 422 and "header" in r.text


def test_scope_and_permissions(clients: Any, session: Session) -> None:
    s = sensor(clients["admin"], code="DCF-W-1", division_code="371502", kind="wind", lon=115.98, lat=36.45)
    r = post(clients["linqing"], [{"sensor": "DCF-W-1", "ts": iso(0), "value": 3.0}])
    assert r.status_code == 422 and "unknown sensor" in r.text  # another county's sensor is not revealed
    assert post(clients["viewer"], [{"sensor": "DCF-W-1", "ts": iso(0), "value": 3.0}]).status_code == 403
    assert post(clients["dongchangfu"], [{"sensor": "DCF-W-1", "ts": iso(0), "value": 3.0}]).status_code == 200
    assert count(session, s["id"]) == 1


def test_acknowledged_only_after_commit(clients: Any, session: Session) -> None:
    c = clients["linqing"]
    sensor(c)

    def refuse(_s: Session) -> None:
        raise RuntimeError("disk full")

    event.listen(Session, "before_commit", refuse)
    try:
        with pytest.raises(RuntimeError, match="disk full"):  # an error, never a 200
            post(c, [{"sensor": "LQ-GAS-01", "ts": iso(0), "value": 1.0}])
    finally:
        event.remove(Session, "before_commit", refuse)


def _warnings(c: Any, sensor_id: int, **params: Any) -> list[dict[str, Any]]:
    r = c.get("/api/v1/warnings", params={"sensor_id": sensor_id, **params})
    assert r.status_code == 200, r.text
    return r.json()["items"]  # type: ignore[no-any-return]


def test_rules_on_ingest_raise_escalate_deescalate_and_lift(clients: Any) -> None:
    c = clients["linqing"]
    s = sensor(c)
    body = post(c, [{"sensor": "LQ-GAS-01", "ts": iso(m), "value": v} for m, v in ((0, 5), (1, 12), (2, 26))]).json()
    assert [(w["cause"], w["level"]) for w in body["warnings"]] == [("threshold", 2)]  # orange: ≥ 25 %LEL
    [w] = _warnings(c, s["id"], status="active")
    assert w["level"] == 2 and w["origin"] == "rule" and w["category"] == "Fire"
    assert post(c, [{"sensor": "LQ-GAS-01", "ts": iso(3), "value": 24.0}]).json()["warnings"] == []  # hysteresis
    assert post(c, [{"sensor": "LQ-GAS-01", "ts": iso(4), "value": 22.0}]).json()["warnings"][0]["level"] == 3
    # a spike to red within one batch escalates, then the level follows the last reading
    post(c, [{"sensor": "LQ-GAS-01", "ts": iso(5), "value": 60.0}, {"sensor": "LQ-GAS-01", "ts": iso(6), "value": 21}])
    [w] = _warnings(c, s["id"], status="active")
    assert w["level"] == 3 and w["peak_level"] == 1
    post(c, [{"sensor": "LQ-GAS-01", "ts": iso(7), "value": 1.0}])
    assert _warnings(c, s["id"], status="active") == []
    [w] = _warnings(c, s["id"])
    assert w["status"] == "lifted" and w["lifted_by"] == "system"
    kinds = [(e["kind"], e["level_to"]) for e in c.get(f"/api/v1/warnings/{w['id']}/events").json()]
    assert kinds == [("raised", 2), ("de_escalated", 3), ("escalated", 1), ("de_escalated", 3), ("lifted", 3)]
    # a late reading (older than the latest) is stored but raises nothing
    late = post(c, [{"sensor": "LQ-GAS-01", "ts": iso(-10), "value": 90.0}]).json()
    assert late["accepted"] == 1 and late["warnings"] == [] and _warnings(c, s["id"], status="active") == []


def test_rate_rule_uses_the_previous_batch_as_context(clients: Any) -> None:
    c = clients["linqing"]
    s = sensor(c, code="LQ-WL-1", kind="water_level", name="卫运河临清站水位")
    post(c, [{"sensor": "LQ-WL-1", "ts": iso(m), "value": 30.0} for m in (0, 10, 20, 30)])
    assert _warnings(c, s["id"]) == []
    # one new reading: its rate needs the previous batch. +0.25 m against the oldest reading of
    # the 1-hour window (t = 0) = 0.25 m/h: yellow (≥ 0.2), level 3
    body = post(c, [{"sensor": "LQ-WL-1", "ts": iso(60), "value": 30.25}]).json()
    assert [(w["cause"], w["level"]) for w in body["warnings"]] == [("rise", 3)]
    [w] = _warnings(c, s["id"], status="active")
    assert w["details"]["value"] == pytest.approx(0.25)


def test_sustained_rule(clients: Any) -> None:
    c = clients["linqing"]
    s = sensor(c, code="LQ-T-1", kind="temperature", name="储罐壁温")
    post(c, [{"sensor": "LQ-T-1", "ts": iso(m), "value": 50.0} for m in range(0, 9)])
    assert _warnings(c, s["id"]) == []  # above 45 °C for 8 minutes: not yet 10
    body = post(c, [{"sensor": "LQ-T-1", "ts": iso(m), "value": 50.0} for m in (9, 10, 11)]).json()
    assert [(w["cause"], w["level"]) for w in body["warnings"]] == [("sustained", 4)]


def test_silence_sweep_raises_and_data_lifts(clients: Any, session: Session) -> None:
    c = clients["linqing"]
    s = sensor(c)
    now = utcnow()
    post(c, [{"sensor": "LQ-GAS-01", "ts": (now - timedelta(minutes=20)).isoformat(), "value": 1.0}])
    result = ingest.sweep(session=session, now=now)
    assert result["silence_raised"] == 1
    session.flush()
    assert ingest.sweep(session=session, now=now)["silence_raised"] == 0  # one active warning per cause
    session.commit()
    [w] = _warnings(c, s["id"], status="active")
    assert w["cause"] == "silence" and w["level"] == 4 and c.get(f"/api/v1/sensors/{s['id']}").json()["status"] \
        == "offline"
    body = post(c, [{"sensor": "LQ-GAS-01", "ts": now.isoformat(), "value": 1.0}]).json()
    assert [(x["cause"], x["status"]) for x in body["warnings"]] == [("silence", "lifted")]
    assert _warnings(c, s["id"], status="active") == []


def test_status_and_sweep_judge_silence_alike() -> None:
    """One silence rule for the offline status and the sweep: a disabled silence rule means neither
    offline nor a silence warning; the sensor's own silence_minutes sets the limit of both."""
    from yingji.engines.rules import silence_rule
    from yingji.monitoring.service import silence_s

    off = [{"type": "silence", "disabled": True}]
    assert silence_rule("water_level", off, None) is None
    assert silence_s(kind="water_level", rules=off, silence_minutes=None) is None
    assert silence_s(kind="water_level", rules=off, silence_minutes=10) is None
    rule = silence_rule("water_level", None, 7)
    assert rule is not None and rule.silence_s == 420.0
    assert silence_s(kind="water_level", rules=None, silence_minutes=7) == 420.0
