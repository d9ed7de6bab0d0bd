"""``yingji bench ingest``: readings per second through the ingest service (items as the API
receives them: validation, ON CONFLICT insert, sensor update, rules evaluated, warnings written,
commit per batch) against a bare ``executemany`` INSERT of the same rows into the same table of
the same database, batch for batch, interleaved (the order alternating each round) so that table
growth and caches weigh on both alike. The bare rows go to a twin set of sensors, so neither path
meets the other's (sensor, ts) keys.

Result in the DESIGN.md §7 format; ``ratios.ingest_over_bare_insert`` = ingest readings/s ÷ bare
readings/s (the target is ≥ 0.5). The ingest path inserts with one statement per batch (PostgreSQL:
``INSERT … SELECT FROM unnest``; SQLite: the driver's ``executemany`` with the times converted once
per distinct time), so it can come out above 1 against the reference's Core ``executemany``, which
converts every parameter of every row. For information the same run also times the driver alone
(``cursor.executemany`` of ready tuples, the times converted before the clock starts, a third twin
set of sensors): ``ratios.ingest_over_driver_executemany`` says what validation, rules, warnings and
the sensor updates cost over storing the rows and nothing else (no target).

Then, when a ``mosquitto`` binary is found (or ``mqtt=True``), the latency of the MQTT path: a
private Mosquitto on a free loopback port, the subscriber (:func:`yingji.monitoring.mqtt.run_subscriber`)
in a thread on the same database, and ``mqtt_readings`` readings published one after the other
(QoS 1) to a gas sensor, alternating red and orange so that every one changes its warning. Each is
timed from just before ``publish`` to the moment the warning change is delivered by
:mod:`yingji.warnings.hooks`, which happens after the subscriber's commit (so the row is committed
and visible). ``mqtt_to_warning_ms`` = {p50, p95, n}. The subscriber runs with
``mqtt_batch_wait_s`` (default 0: no waiting for more messages); in operation its default wait of
0.2 s adds up to that much.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import numpy as np
from sqlalchemy import String, Table, func, insert, select, type_coerce
from sqlalchemy.orm import Session

from yingji.monitoring.mqtt import mosquitto_binary, private_broker

KINDS = ("gas_concentration", "water_level", "temperature", "wind")


def _prepare(url: str, sensors: int) -> tuple[Any, dict[str, int], dict[str, int], dict[str, int]]:
    from yingji.db import migrate
    from yingji.db.session import make_engine, make_sessionmaker
    from yingji.monitoring.models import Sensor
    from yingji.registry.models import Division

    migrate.upgrade(url, "monitoring@head")
    engine = make_engine(url)
    sm = make_sessionmaker(engine)
    with sm.begin() as s:
        if s.scalar(select(Sensor.id).where(Sensor.code == "ING-00000")) is not None:
            from yingji.errors import Conflict

            raise Conflict("this database already holds the benchmark's sensors (ING-00000 …) from an earlier "
                           "run: give a fresh, throw-away database")
        if s.get(Division, "371500") is None:
            s.add(Division(code="371500", name="聊城市", level="city"))
            s.flush()
        for prefix in ("ING", "BARE", "RAW"):
            for k in range(sensors):
                kind = KINDS[k % len(KINDS)]
                s.add(Sensor(code=f"{prefix}-{k:05d}", name=f"{prefix} {k}", kind=kind, unit="-",
                             division_code="371500", lon=116.0, lat=36.4, rules=[]))
    with sm() as s:
        codes = {code: sid for code, sid in s.execute(select(Sensor.code, Sensor.id))}
    ing = {c: i for c, i in codes.items() if c.startswith("ING-")}
    bare = {c.replace("BARE-", "ING-"): i for c, i in codes.items() if c.startswith("BARE-")}
    raw = {c.replace("RAW-", "ING-"): i for c, i in codes.items() if c.startswith("RAW-")}
    return engine, ing, bare, raw


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


MQTT_SENSOR = "MQTT-BENCH-GAS"
#: alternately red and orange for a gas sensor (default thresholds 10/20/25/50 %LEL)
MQTT_VALUES = (60.0, 30.0)


def mqtt_latency(engine: Any, broker: str, *, readings: int = 200, batch_wait_s: float = 0.0,
                 timeout_s: float = 10.0) -> dict[str, Any]:
    """Publish ``readings`` readings one after the other and time each until its warning change is
    committed (see the module docstring). Returns {"ms": [...], "missed": n, "changes": n}."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    from yingji.db.session import make_sessionmaker
    from yingji.monitoring.models import Sensor
    from yingji.monitoring.mqtt import TOPIC_PREFIX, parse_broker, run_subscriber
    from yingji.warnings import hooks

    sm = make_sessionmaker(engine)
    with sm.begin() as s:
        sensor_id = s.scalar(select(Sensor.id).where(Sensor.code == MQTT_SENSOR))
        if sensor_id is None:
            sensor = Sensor(code=MQTT_SENSOR, name="MQTT bench gas", kind="gas_concentration", unit="%LEL",
                            division_code="371500", lon=116.0, lat=36.4, rules=[])
            s.add(sensor)
            s.flush()
            sensor_id = sensor.id
    source = str(sensor_id)
    arrived = threading.Event()
    seen: list[float] = []

    def on_changes(changes: list[Any]) -> None:
        if any(c.source_type == "sensor" and c.source_id == source for c in changes):
            seen.append(time.perf_counter())
            arrived.set()

    stop, ready = threading.Event(), threading.Event()
    worker = threading.Thread(target=run_subscriber, args=(broker, sm), daemon=True, name="bench-mqtt", kwargs={
        "stop": stop, "ready": ready, "batch_wait_s": batch_wait_s, "sweep_every_s": 0,
        "client_id": f"yingji-bench-{os.getpid()}"})
    b = parse_broker(broker)
    pub = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, client_id=f"yingji-bench-pub-{os.getpid()}")
    if b.username:
        pub.username_pw_set(b.username, b.password)
    if b.tls:
        pub.tls_set()
    hooks.subscribe(on_changes)
    worker.start()
    latencies: list[float] = []
    missed = 0
    try:
        if not ready.wait(timeout_s):
            raise RuntimeError("the MQTT subscriber did not subscribe")
        pub.connect(b.host, b.port)
        pub.loop_start()
        topic = f"{TOPIC_PREFIX}/{MQTT_SENSOR}/readings"
        for i in range(readings):
            body = json.dumps({"ts": datetime.now(UTC).isoformat(), "value": MQTT_VALUES[i % 2]}).encode()
            arrived.clear()
            seen.clear()
            t0 = time.perf_counter()
            pub.publish(topic, body, qos=1)
            if arrived.wait(timeout_s):
                latencies.append((seen[0] - t0) * 1000)
            else:
                missed += 1
    finally:
        hooks.unsubscribe(on_changes)
        stop.set()
        worker.join(timeout_s)
        pub.loop_stop()
        pub.disconnect()
    return {"ms": latencies, "missed": missed}


def _percentiles(ms: list[float]) -> dict[str, Any] | None:
    if not ms:
        return None
    p50, p95 = np.percentile(np.array(ms), [50, 95])
    return {"p50": round(float(p50), 2), "p95": round(float(p95), 2), "n": len(ms)}


def _mqtt_part(engine: Any, *, mqtt: bool | None, broker: str | None, readings: int, batch_wait_s: float
               ) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """(mqtt_to_warning_ms or None, checks): never fails the whole benchmark, says why instead."""
    if mqtt is False:
        return None, {"mqtt_latency": "not measured (--no-mqtt)"}
    binary = mosquitto_binary()
    if broker is None and binary is None:
        return None, {"mqtt_latency": "not measured: no mosquitto binary on PATH"}
    try:
        with contextlib.ExitStack() as stack:
            url = broker or stack.enter_context(private_broker(cast(str, binary)))
            got = mqtt_latency(engine, url, readings=readings, batch_wait_s=batch_wait_s)
    except Exception as exc:  # a broken broker must not hide the throughput figures
        return None, {"mqtt_latency": f"not measured: {type(exc).__name__}: {exc}"[:200]}
    return _percentiles(got["ms"]), {"mqtt_latency": "measured", "mqtt_every_reading_warned": got["missed"] == 0}


def run(*, readings: int = 50_000, sensors: int = 100, batch: int = 5_000, url: str | None = None,
        seed: int = 7, mqtt: bool | None = None, broker: str | None = None, mqtt_readings: int = 200,
        mqtt_batch_wait_s: float = 0.0) -> dict[str, Any]:
    """Run the benchmark on ``url`` (default: a fresh SQLite file in a temporary directory).

    ``mqtt`` None = measure the MQTT latency when a ``mosquitto`` binary is found (or ``broker`` is
    given: an ``mqtt://`` URL to use instead of a private broker); False = skip it."""
    from yingji.monitoring.ingest import ingest
    from yingji.monitoring.models import Reading
    from yingji.warnings.models import EarlyWarning

    tmp = None
    if url is None:
        tmp = tempfile.TemporaryDirectory(prefix="yingji-bench-")
        url = f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    engine, ing_ids, bare_ids, raw_ids = _prepare(url, sensors)
    try:
        rows = _series(readings, sensors, seed)
        codes = [f"ING-{k:05d}" for k in range(sensors)]
        batches = [rows[i:i + batch] for i in range(0, len(rows), batch)]
        t_ing: list[float] = []
        t_bare: list[float] = []
        t_raw: list[float] = []
        warnings_seen = 0
        table = cast(Table, Reading.__table__)
        # a second reference, for information: the driver's own executemany of ready parameters
        # (times already in the form the column stores, converted before the clock starts)
        processor = table.c.ts.type._cached_bind_processor(engine.dialect)  # noqa: SLF001

        def bind_ts(value: datetime) -> Any:
            return processor(value) if processor is not None else value

        mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
        raw_sql = (f"INSERT INTO {table.name} (sensor_id, ts, value, received_at) "
                   f"VALUES ({', '.join([mark] * 4)})")
        for r, part in enumerate(batches):
            items = [{"sensor": codes[k], "ts": ts.isoformat(), "value": v} for k, ts, v in part]
            now = datetime.now(UTC)
            bare_rows = [{"sensor_id": bare_ids[codes[k]], "ts": ts, "value": v, "received_at": now}
                         for k, ts, v in part]
            raw_rows = [(raw_ids[codes[k]], bind_ts(ts), v, bind_ts(now)) for k, ts, v in part]

            def do_ingest(items: list[dict[str, Any]] = items) -> None:
                nonlocal warnings_seen
                with Session(engine) as s:
                    rep = ingest(session=s, actor=None, items=items)
                    s.commit()
                warnings_seen += len(rep.warnings)

            def do_bare(bare_rows: list[dict[str, Any]] = bare_rows) -> None:
                with engine.begin() as conn:
                    conn.execute(insert(table), bare_rows)

            def do_raw(raw_rows: list[tuple[Any, ...]] = raw_rows) -> None:
                with engine.begin() as conn:
                    conn.exec_driver_sql(raw_sql, raw_rows)

            order: list[tuple[Callable[[], None], list[float]]] = [(do_ingest, t_ing), (do_bare, t_bare),
                                                                  (do_raw, t_raw)]
            k = r % len(order)
            for fn, times in order[k:] + order[:k]:
                t0 = time.perf_counter()
                fn()
                times.append(time.perf_counter() - t0)
        with Session(engine) as s:
            n_ing = s.scalar(select(func.count()).select_from(Reading).where(
                Reading.sensor_id.in_(list(ing_ids.values())))) or 0
            n_bare = s.scalar(select(func.count()).select_from(Reading).where(
                Reading.sensor_id.in_(list(bare_ids.values())))) or 0
            n_raw = s.scalar(select(func.count()).select_from(Reading).where(
                Reading.sensor_id.in_(list(raw_ids.values())))) or 0
            n_warn = s.scalar(select(func.count()).select_from(EarlyWarning)) or 0
            raw_ts = type_coerce(Reading.ts, String)  # SQLite: the stored text itself
            stored = {prefix: sorted(s.execute(select(Reading.sensor_id, raw_ts, Reading.value).where(
                Reading.sensor_id.in_(list(ids.values()))))) for prefix, ids in (("ING", ing_ids), ("BARE", bare_ids),
                                                                                 ("RAW", raw_ids))}

        def same_as_ingest(prefix: str, ids: dict[str, int]) -> bool:
            twin = {ids[code]: ing_ids[code] for code in ing_ids}  # the same rows, as stored by either path
            return sorted((twin[sid], ts, v) for sid, ts, v in stored[prefix]) == [tuple(r) for r in stored["ING"]]

        same_rows = same_as_ingest("BARE", bare_ids) and same_as_ingest("RAW", raw_ids)
        latency, mqtt_check = _mqtt_part(engine, mqtt=mqtt, broker=broker, readings=mqtt_readings,
                                         batch_wait_s=mqtt_batch_wait_s)
        total_ing, total_bare, total_raw = sum(t_ing), sum(t_bare), sum(t_raw)
        ratio = total_bare / total_ing if total_ing and total_bare else 0.0  # throughput over throughput
        ratio_raw = total_raw / total_ing if total_ing and total_raw else 0.0
        return {
            "bench": "ingest",
            "data": {"readings": len(rows), "sensors": sensors, "batch": batch, "batches": len(batches),
                     "backend": engine.dialect.name,
                     "mqtt": {"readings": mqtt_readings, "qos": 1, "batch_wait_s": mqtt_batch_wait_s}
                     if latency is not None else None},
            "medians_s": {"yingji.ingest_batch": round(statistics.median(t_ing), 5),
                          "bare.executemany_batch": round(statistics.median(t_bare), 5),
                          "driver.executemany_batch": round(statistics.median(t_raw), 5)},
            "readings_per_s": {"yingji.ingest": round(len(rows) / total_ing), "bare.executemany":
                               round(len(rows) / total_bare), "driver.executemany": round(len(rows) / total_raw)},
            "ratios": {"ingest_over_bare_insert": round(ratio, 3),
                       "ingest_over_driver_executemany": round(ratio_raw, 3)},
            "mqtt_to_warning_ms": latency,
            "checks": {"all_rows_stored": n_ing == len(rows) and n_bare == len(rows) and n_raw == len(rows),
                       "stored_as_the_bare_insert_stores": same_rows,
                       "warnings_written": n_warn > 0, "ratio_at_least_0_5": ratio >= 0.5,
                       "warning_changes_reported": warnings_seen, **mqtt_check},
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
    for name in ("yingji.ingest", "bare.executemany", "driver.executemany"):
        lines.append(f"  {name:<28}{result['readings_per_s'][name]:>12}{result['medians_s'][name + '_batch']:>16}")
    lines.append(f"  ingest_over_bare_insert = {result['ratios']['ingest_over_bare_insert']}  (target ≥ 0.5)")
    lines.append(f"  ingest_over_driver_executemany = {result['ratios']['ingest_over_driver_executemany']}"
                 "  (for information: the driver alone, parameters ready)")
    lat = result.get("mqtt_to_warning_ms")
    if lat:
        lines.append(f"  mqtt_to_warning_ms: p50 {lat['p50']}  p95 {lat['p95']}  ({lat['n']} readings published "
                     f"one at a time, QoS 1, private mosquitto)")
    else:
        lines.append(f"  mqtt_to_warning_ms: {result['checks'].get('mqtt_latency', 'not measured')}")
    lines.append(f"  checks: {result['checks']}")
    return "\n".join(lines)


