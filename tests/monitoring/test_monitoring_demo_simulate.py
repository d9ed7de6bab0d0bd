"""Demo hazard sources and sensors (deterministic, idempotent, online, quiet) and the simulation's
series: a deterministic bump that crosses the red threshold and falls back, which the rules turn
into a warning that rises to red and is lifted."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.db.base import utcnow
from yingji.monitoring import demo, ingest, simulate
from yingji.monitoring.models import Sensor
from yingji.monitoring.service import status_of
from yingji.registry.models import Division, Facility
from yingji.risk import demo as risk_demo
from yingji.risk.models import HazardSource
from yingji.warnings.models import EarlyWarning, WarningEvent

T0 = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)


def test_bump_series_crosses_red_then_falls() -> None:
    a = simulate.bump_series(baseline=0.4, red=14.0, start=T0, minutes=10, step_s=15, seed="S1")
    b = simulate.bump_series(baseline=0.4, red=14.0, start=T0, minutes=10, step_s=15, seed="S1")
    assert a == b and len(a) == 41 and a[0][0] == T0 and a[-1][0] == T0 + timedelta(minutes=10)
    values = [v for _, v in a]
    peak = max(range(len(values)), key=values.__getitem__)
    assert values[peak] > 14.0 and 0.3 < peak / len(values) < 0.5
    assert all(v < 3.5 for v in values[:4]) and all(v < 3.5 for v in values[-9:])  # below blue before and after
    first_red = next(i for i, v in enumerate(values) if v >= 14.0)
    last_red = max(i for i, v in enumerate(values) if v >= 14.0)
    assert first_red < peak <= last_red < len(values) - 9
    # a falling quantity (phreatic line depth) falls below its red depth and comes back
    down = [v for _, v in simulate.bump_series(baseline=11.0, red=4.0, start=T0, minutes=5, step_s=10, seed="P")]
    assert min(down) < 4.0 and down[-1] > 10.5
    assert simulate.bump_series(baseline=0.4, red=14.0, start=T0, minutes=10, step_s=15, seed="S2") != a


def test_red_of_rules() -> None:
    assert simulate.red_of([{"type": "rate", "thresholds": [1, 2, 3, 4]},
                            {"type": "threshold", "thresholds": [3.5, 5, 7, 14]}]) == (14.0, "above")
    assert simulate.red_of([{"type": "threshold", "direction": "below", "thresholds": [8, 6, 5, 4]}]) == (4.0, "below")
    assert simulate.red_of([{"type": "threshold", "thresholds": [1, 2, 3, None]}]) is None


@pytest.fixture
def parks(session: Session, world: Any) -> list[int]:
    for code, name in (("371521", "阳谷县"), ("371524", "东阿县"), ("371526", "高唐县")):
        session.add(Division(code=code, name=name, level="county", parent_code="371500"))
    session.flush()
    ids = []
    for name, div, lon, lat in (("测试化工产业园区", "371581", 115.74, 36.86),
                                ("测试生态工业园", "371502", 115.95, 36.43)):
        f = Facility(name=name, kind="chemical_park", division_code=div, lon=lon, lat=lat,
                     capacity={"enterprises": 10, "area_km2": 4.0}, address=f"{name}管委会")
        session.add(f)
        session.flush()
        ids.append(f.id)
    return ids


def test_demo_sources_and_sensors_are_deterministic_idempotent_and_online(session: Session, parks: list[int]) -> None:
    from yingji.demo.load import SystemPrincipal

    actor = SystemPrincipal()
    now = utcnow()
    first = demo.load_demo(session=session, actor=actor, now=now)  # loads the hazard sources first
    kinds = Counter(session.scalars(select(HazardSource.kind).where(HazardSource.code.like("DEMO-HS-%"))))
    assert kinds == {"chemical_park": 2, "hazmat_enterprise": 8, "dike_sluice": 6, "tailings_pond": 2,
                     "gas_pipeline": 2, "crowded_place": 3}
    dikes = list(session.scalars(select(HazardSource).where(HazardSource.kind == "dike_sluice")))
    assert {d.division_code for d in dikes} == {"371521", "371524"}
    assert all(115.85 <= d.lon <= 116.45 and 35.98 <= d.lat <= 36.42 for d in dikes)
    assert first["sensors"] == len(demo.plan(session)) >= 150
    sensors = list(session.scalars(select(Sensor).where(Sensor.code.like("DEMO-%"))))
    assert {status_of(s, now) for s in sensors} == {"online"}
    assert first["readings"] == 7 * len(sensors)
    assert session.scalar(select(func.count()).select_from(EarlyWarning)) == 0  # normal values raise nothing
    kinds_s = Counter(s.kind for s in sensors)
    assert kinds_s["water_level"] == 72 and kinds_s["toxic_gas"] == 32
    gauge = next(s for s in sensors if s.kind == "water_level")
    assert gauge.rules[0]["name"] == "stage" and gauge.hazard_source_id is not None
    # a second load adds nothing (same slot: no new readings either); the plan is the same
    again = demo.load_demo(session=session, actor=actor, now=now)
    assert again == {"sensors": 0, "readings": 0}
    assert risk_demo.load_demo(session=session, actor=actor) == {"hazard_sources": 0}
    assert [s.code for s in demo.plan(session)] == [s.code for s in demo.plan(session)]


def test_simulated_series_raises_a_red_warning_and_lifts_it(session: Session, parks: list[int]) -> None:
    from yingji.demo.load import SystemPrincipal

    start = utcnow().replace(microsecond=0) - timedelta(minutes=12)
    demo.load_demo(session=session, actor=SystemPrincipal(), now=start - timedelta(minutes=1))
    code = "DEMO-CP1-E1-TOXICGAS-01"
    sensor = session.scalar(select(Sensor).where(Sensor.code == code))
    assert sensor is not None
    red = simulate.red_of(simulate.DirectSink(lambda: None).rules(sensor))
    assert red == (14.0, "above")
    scenario = simulate.Scenario(code=code, baseline=demo.normal_value(sensor, start), red=red[0])
    background = [s for s in session.scalars(select(Sensor).where(Sensor.code.like("DEMO-CP1-%")))]
    levels: list[int | None] = []
    for at, items in simulate.plan_steps([scenario], background, start=start, minutes=10, step_s=20):
        assert {it["sensor"] for it in items} == {s.code for s in background}
        report = ingest.ingest(session=session, actor=None, items=items, now=at + timedelta(seconds=1))
        assert report.accepted == len(items) and not report.rejected
        w = session.scalar(select(EarlyWarning).where(EarlyWarning.sensor_id == sensor.id)
                           .order_by(EarlyWarning.id.desc()))
        levels.append(w.level if w is not None and w.status == "active" else None)
    assert levels[0] is None and 1 in levels and levels[-1] is None
    warnings = list(session.scalars(select(EarlyWarning)))
    assert [(w.sensor_id, w.peak_level, w.status) for w in warnings] == [(sensor.id, 1, "lifted")]
    kinds = list(session.scalars(select(WarningEvent.kind).where(WarningEvent.warning_id == warnings[0].id)
                                 .order_by(WarningEvent.id)))
    assert kinds[0] == "raised" and "escalated" in kinds and "de_escalated" in kinds and kinds[-1] == "lifted"
