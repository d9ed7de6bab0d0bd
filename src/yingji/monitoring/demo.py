"""Demo sensors (合成演示数据) on the demo hazard sources, with recent normal readings.

Needs the demo hazard sources (:func:`yingji.risk.demo.load_demo`, called first if they are
missing). About 250 sensors, deterministic and idempotent (matched by code):

* every Yellow River dike section: 12 water-level gauges (with the section's warning stages as a
  threshold rule — the river falls downstream, from 41 m to 38 m, synthetic), 2 displacement
  points and a rain gauge;
* every chemical park: an anemometer; every enterprise in it: 4 toxic-gas (ppm, H2S-calibrated
  defaults), 4 combustible-gas (%LEL), 2 tank-temperature and 1 pressure sensor (with thresholds);
* every tailings pond: 3 phreatic-line, 3 displacement sensors and a rain gauge;
* every gas pipeline: 8 combustible-gas detectors along it and 2 pressure sensors;
* every crowded place: 2 combustible-gas detectors (kitchens).

Readings: the last hour every 10 minutes at the sensor's normal value (deterministic per code and
time slot), ingested through :func:`yingji.monitoring.ingest.ingest` so that statuses are online
and nothing is raised. A reload adds the slots that are new since the last load.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import yingji.events  # noqa: F401  (its after-commit listener must exist before the first commit)
from yingji.db.base import utcnow
from yingji.monitoring import ingest
from yingji.monitoring import service as sensors_service
from yingji.monitoring.models import Sensor
from yingji.monitoring.schemas import SensorCreate
from yingji.risk.models import HazardSource

NOTE = "合成演示数据：传感器与读数均为虚构。"
SLOT = timedelta(minutes=10)
HISTORY = timedelta(hours=1)
WATER_STAGE_TOP, WATER_STAGE_FALL = 41.0, 3.0
"""Synthetic normal stage (m) at the upstream end of the river and its fall to the downstream end."""
STAGE_MARGINS = (1.0, 1.5, 2.0, 2.5)
"""Warning stages above the normal stage: blue, yellow, orange, red (m)."""

#: normal value and relative noise per kind (water level: see :func:`normal_value`)
NORMAL: dict[str, tuple[float, float]] = {
    "toxic_gas": (0.4, 0.25),
    "gas_concentration": (1.0, 0.3),
    "temperature": (24.0, 0.03),
    "pressure": (0.8, 0.02),
    "wind": (3.0, 0.3),
    "rainfall": (0.0, 0.0),
    "phreatic_line": (11.0, 0.01),
    "displacement": (4.0, 0.05),
    "water_level": (0.0, 0.0),
}


@dataclass
class DemoSensor:
    code: str
    name: str
    kind: str
    hazard_code: str
    lon: float
    lat: float
    rules: list[dict[str, Any]] = field(default_factory=list)
    baseline: float = 0.0


def _jitter(code: str, slot: int) -> float:
    """A deterministic number in [-1, 1] for a sensor and a time slot."""
    return (zlib.crc32(f"{code}:{slot}".encode()) % 20001) / 10000.0 - 1.0


def stage_of(fraction: float) -> float:
    """Normal water stage (m) at ``fraction`` (0 upstream … 1 downstream) of the synthetic river."""
    return round(WATER_STAGE_TOP - WATER_STAGE_FALL * fraction, 2)


def normal_value(sensor: DemoSensor | Sensor, at: datetime, baseline: float | None = None) -> float:
    """The sensor's normal reading at ``at`` (deterministic per code and 10-minute slot)."""
    slot = int(at.timestamp() // SLOT.total_seconds())
    if sensor.kind == "water_level":
        base = baseline if baseline is not None else getattr(sensor, "baseline", None)
        if base is None:
            base = _stage_from_rules(getattr(sensor, "rules", None) or []) or WATER_STAGE_TOP
        return round(base + 0.01 * _jitter(sensor.code, slot), 3)
    base, noise = NORMAL.get(sensor.kind, (1.0, 0.1))
    return round(max(0.0, base * (1.0 + noise * _jitter(sensor.code, slot))), 3)


def _stage_from_rules(rules: list[dict[str, Any]]) -> float | None:
    for r in rules:
        if r.get("name") == "stage" and r.get("thresholds"):
            return float(r["thresholds"][0]) - STAGE_MARGINS[0]
    return None


def _along(coords: list[list[float]], f: float) -> tuple[float, float]:
    """The point at fraction ``f`` of a polyline's vertices (by segment count, good enough here)."""
    n = len(coords) - 1
    x = min(max(f, 0.0), 1.0) * n
    i = min(int(x), n - 1)
    t = x - i
    (x0, y0), (x1, y1) = coords[i][:2], coords[i + 1][:2]
    return round(x0 + t * (x1 - x0), 6), round(y0 + t * (y1 - y0), 6)


def _around(lon: float, lat: float, k: int, n: int, r: float) -> tuple[float, float]:
    a = 2 * math.pi * k / max(n, 1)
    return round(lon + r * math.cos(a), 6), round(lat + r * math.sin(a), 6)


def plan(session: Session) -> list[DemoSensor]:
    """Every demo sensor, in a fixed order (hazard sources by code)."""
    from yingji.risk.demo import RIVER

    out: list[DemoSensor] = []
    sources = list(session.scalars(select(HazardSource).where(HazardSource.code.like("DEMO-HS-%"))
                                   .order_by(HazardSource.code)))
    (rx0, _), (rx1, _) = RIVER
    for hs in sources:
        code = str(hs.code).removeprefix("DEMO-HS-")
        geom = hs.geometry or {}
        line = geom.get("coordinates") if geom.get("type") == "LineString" else None

        def add(kind: str, n: int, label: str, *, radius: float = 0.002, rules: list[dict[str, Any]] | None = None,
                hs: HazardSource = hs, code: str = code, line: list[list[float]] | None = line) -> None:
            for k in range(n):
                lon, lat = _along(line, (k + 0.5) / n) if line else _around(hs.lon, hs.lat, k, n, radius)
                out.append(DemoSensor(f"DEMO-{code}-{kind.upper().replace('_', '')}-{k + 1:02d}",
                                      f"{hs.name.removesuffix('（演示）')}{label}{k + 1}号", kind, str(hs.code),
                                      lon, lat, list(rules or [])))

        if hs.kind == "dike_sluice":
            f_mid = (hs.lon - rx0) / (rx1 - rx0)
            base = stage_of(f_mid)
            stage = {"type": "threshold", "name": "stage",
                     "thresholds": [round(base + m, 2) for m in STAGE_MARGINS], "deadband": [0.05] * 4}
            add("water_level", 12, "水位站", rules=[stage])
            for s in out[-12:]:
                s.baseline = base
            add("displacement", 2, "堤身位移监测点")
            add("rainfall", 1, "雨量站")
        elif hs.kind == "chemical_park":
            add("wind", 1, "气象站风速")
        elif hs.kind == "hazmat_enterprise":
            add("toxic_gas", 4, "有毒气体探测器", radius=0.0015)
            add("gas_concentration", 4, "可燃气体探测器", radius=0.0012)
            add("temperature", 2, "储罐温度", radius=0.0008)
            add("pressure", 1, "反应釜压力", radius=0.0005, rules=[
                {"type": "threshold", "name": "pressure", "thresholds": [1.0, 1.1, 1.2, 1.3],
                 "deadband": [0.02] * 4}])
        elif hs.kind == "tailings_pond":
            add("phreatic_line", 3, "浸润线监测点", radius=0.003)
            add("displacement", 3, "坝体位移监测点", radius=0.0035)
            add("rainfall", 1, "雨量站", radius=0.0)
        elif hs.kind == "gas_pipeline":
            add("gas_concentration", 8, "沿线可燃气体探测器")
            add("pressure", 2, "管线压力", rules=[
                {"type": "threshold", "name": "pressure", "thresholds": [1.0, 1.1, 1.2, 1.3],
                 "deadband": [0.02] * 4}])
        elif hs.kind == "crowded_place":
            add("gas_concentration", 2, "餐饮区可燃气体探测器", radius=0.001)
    return out


def load_demo(*, session: Session, actor: Any, now: datetime | None = None) -> dict[str, int]:
    """Insert the missing demo sensors and the readings of the last hour; returns counts."""
    if session.scalar(select(HazardSource.id).where(HazardSource.code.like("DEMO-HS-%")).limit(1)) is None:
        from yingji.risk.demo import load_demo as load_risk

        load_risk(session=session, actor=actor)
    hs_rows = {h.code: h for h in session.scalars(select(HazardSource).where(HazardSource.code.like("DEMO-HS-%")))}
    existing = set(session.scalars(select(Sensor.code).where(Sensor.code.like("DEMO-%"))))
    planned = plan(session)
    added = 0
    for s in planned:
        if s.code in existing:
            continue
        hs = hs_rows[s.hazard_code]
        data = SensorCreate.model_validate({
            "code": s.code, "name": s.name[:200], "kind": s.kind, "division_code": hs.division_code,
            "unit_id": hs.unit_id, "hazard_source_id": hs.id, "facility_id": hs.facility_id,
            "lon": s.lon, "lat": s.lat, "rules": s.rules, "notes": NOTE,
        })
        sensors_service.create_sensor(session=session, user=actor, data=data)
        added += 1
    session.flush()
    now = now or utcnow()
    last_slot = int(now.timestamp() // SLOT.total_seconds())
    slots = [last_slot - k for k in range(int(HISTORY / SLOT), -1, -1)]
    items = []
    for s in planned:
        for slot in slots:
            at = datetime.fromtimestamp(slot * SLOT.total_seconds(), UTC)
            items.append({"sensor": s.code, "ts": at.isoformat(), "value": normal_value(s, at)})
    report = ingest.ingest(session=session, actor=None, items=items, now=now)
    return {"sensors": added, "readings": report.accepted}
