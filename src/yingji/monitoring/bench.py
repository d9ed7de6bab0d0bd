"""``yingji bench ingest``: readings per second through the ingest service (items as the API
receives them: validation, ON CONFLICT insert, sensor update, rules evaluated, warnings written,
commit per batch) against a bare ``executemany`` INSERT of the same rows into the same table of
the same database, batch for batch, interleaved (the order alternating each round) so that table
growth and caches weigh on both alike. The bare rows go to a twin set of sensors, so neither path
meets the other's (sensor, ts) keys.

Result in the DESIGN.md §7 format; ``ratios.ingest_over_bare_insert`` = ingest readings/s ÷ bare
readings/s (the target is ≥ 0.5).
"""

from __future__ import annotations

import os
import platform
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import numpy as np
from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

KINDS = ("gas_concentration", "water_level", "temperature", "wind")


def _prepare(url: str, sensors: int) -> tuple[Any, dict[str, int], dict[str, int]]:
    from yingji.db import migrate
    from yingji.db.session import make_engine, make_sessionmaker
    from yingji.monitoring.models import Sensor
    from yingji.registry.models import Division

    migrate.upgrade(url, "monitoring@head")
    engine = make_engine(url)
    sm = make_sessionmaker(engine)
    with sm.begin() as s:
        if s.get(Division, "371500") is None:
            s.add(Division(code="371500", name="聊城市", level="city"))
            s.flush()
        for prefix in ("ING", "BARE"):
            for k in range(sensors):
                kind = KINDS[k % len(KINDS)]
                s.add(Sensor(code=f"{prefix}-{k:05d}", name=f"{prefix} {k}", kind=kind, unit="-",
                             division_code="371500", lon=116.0, lat=36.4, rules=[]))
    with sm() as s:
        codes = {code: sid for code, sid in s.execute(select(Sensor.code, Sensor.id))}
    ing = {c: i for c, i in codes.items() if c.startswith("ING-")}
    bare = {c.replace("BARE-", "ING-"): i for c, i in codes.items() if c.startswith("BARE-")}
    return engine, ing, bare


#: per kind: normal level, noise (sd of the innovations) and excursion size (low, high)
PROFILES = {"gas_concentration": (3.0, 0.4, (15.0, 45.0)), "water_level": (30.0, 0.002, (0.3, 1.2)),
            "temperature": (25.0, 0.3, (25.0, 50.0)), "wind": (3.0, 0.4, (10.0, 25.0))}


def _series(n: int, sensors: int, seed: int) -> list[tuple[int, datetime, float]]:
    """(sensor index, time, value): one reading a minute per sensor. Each sensor hovers around the
    normal level of its kind (mean-reverting noise) with rare half-hour excursions that cross the
    default thresholds, so warnings are raised, changed and lifted as in operation."""
    rng = np.random.default_rng(seed)
    per = -(-n // sensors)
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=per + 10)
    walk = np.zeros((sensors, per))
    for k in range(sensors):
        base, sd, (lo, hi) = PROFILES[KINDS[k % len(KINDS)]]
        eps = rng.normal(0, sd, size=per)
        x = np.zeros(per)
        for j in range(1, per):
            x[j] = 0.8 * x[j - 1] + eps[j]
        for start in np.nonzero(rng.random(per) < 0.002)[0].tolist():
            x[start:start + 30] += np.linspace(0, rng.uniform(lo, hi), 30)[: per - start]
        walk[k] = base + x
    out = [(k, t0 + timedelta(minutes=j), float(round(walk[k, j], 3))) for j in range(per) for k in range(sensors)]
    return out[:n]


def run(*, readings: int = 50_000, sensors: int = 100, batch: int = 5_000, url: str | None = None,
        seed: int = 7) -> dict[str, Any]:
    """Run the benchmark on ``url`` (default: a fresh SQLite file in a temporary directory)."""
    from yingji.monitoring.ingest import ingest
    from yingji.monitoring.models import Reading
    from yingji.warnings.models import EarlyWarning

    tmp = None
    if url is None:
        tmp = tempfile.TemporaryDirectory(prefix="yingji-bench-")
        url = f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    engine, ing_ids, bare_ids = _prepare(url, sensors)
    try:
        rows = _series(readings, sensors, seed)
        codes = [f"ING-{k:05d}" for k in range(sensors)]
        batches = [rows[i:i + batch] for i in range(0, len(rows), batch)]
        t_ing: list[float] = []
        t_bare: list[float] = []
        warnings_seen = 0
        table = cast(Table, Reading.__table__)
        for r, part in enumerate(batches):
            items = [{"sensor": codes[k], "ts": ts.isoformat(), "value": v} for k, ts, v in part]
            now = datetime.now(UTC)
            bare_rows = [{"sensor_id": bare_ids[codes[k]], "ts": ts, "value": v, "received_at": now}
                         for k, ts, v in part]

            def do_ingest(items: list[dict[str, Any]] = items) -> None:
                nonlocal warnings_seen
                with Session(engine) as s:
                    rep = ingest(session=s, actor=None, items=items)
                    s.commit()
                warnings_seen += len(rep.warnings)

            def do_bare(bare_rows: list[dict[str, Any]] = bare_rows) -> None:
                with engine.begin() as conn:
                    conn.execute(insert(table), bare_rows)

            order = [(do_ingest, t_ing), (do_bare, t_bare)]
            for fn, times in order if r % 2 == 0 else order[::-1]:
                t0 = time.perf_counter()
                fn()
                times.append(time.perf_counter() - t0)
        with Session(engine) as s:
            n_ing = s.scalar(select(func.count()).select_from(Reading).where(
                Reading.sensor_id.in_(list(ing_ids.values())))) or 0
            n_bare = s.scalar(select(func.count()).select_from(Reading).where(
                Reading.sensor_id.in_(list(bare_ids.values())))) or 0
            n_warn = s.scalar(select(func.count()).select_from(EarlyWarning)) or 0
        total_ing, total_bare = sum(t_ing), sum(t_bare)
        ratio = (len(rows) / total_ing) / (len(rows) / total_bare) if total_ing and total_bare else 0.0
        return {
            "bench": "ingest",
            "data": {"readings": len(rows), "sensors": sensors, "batch": batch, "batches": len(batches),
                     "backend": engine.dialect.name},
            "medians_s": {"yingji.ingest_batch": round(statistics.median(t_ing), 5),
                          "bare.executemany_batch": round(statistics.median(t_bare), 5)},
            "readings_per_s": {"yingji.ingest": round(len(rows) / total_ing), "bare.executemany":
                               round(len(rows) / total_bare)},
            "ratios": {"ingest_over_bare_insert": round(ratio, 3)},
            "checks": {"all_rows_stored": n_ing == len(rows) and n_bare == len(rows),
                       "warnings_written": n_warn > 0, "ratio_at_least_0_5": ratio >= 0.5,
                       "warning_changes_reported": warnings_seen},
            "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        }
    finally:
        engine.dispose()
        if tmp is not None:
            tmp.cleanup()


def format_table(result: dict[str, Any]) -> str:
    d = result["data"]
    lines = [f"ingest benchmark — {d['readings']} readings, {d['sensors']} sensors, batches of {d['batch']}, "
             f"{d['backend']}",
             f"  {'path':<28}{'readings/s':>12}{'median batch s':>16}"]
    for name, key in (("yingji.ingest", "yingji.ingest_batch"), ("bare.executemany", "bare.executemany_batch")):
        lines.append(f"  {name:<28}{result['readings_per_s'][name]:>12}{result['medians_s'][key]:>16}")
    lines.append(f"  ingest_over_bare_insert = {result['ratios']['ingest_over_bare_insert']}  (target ≥ 0.5)")
    lines.append(f"  checks: {result['checks']}")
    return "\n".join(lines)


