"""Reading ingest (HTTP batches and MQTT) with the rules evaluated on the new readings.

* Each item is checked on its own: a bad item (unknown sensor, non-numeric value, time without
  a zone or far in the future …) is rejected with its index and reason; the good items of the
  same batch are stored. A batch larger than :data:`MAX_BATCH` is refused whole (413).
* (sensor, ts) is unique; rows are inserted with ``ON CONFLICT DO NOTHING`` (SQLite and
  PostgreSQL alike), so a resent batch is harmless and counted as duplicates.
* Out-of-order readings are accepted. Rules judge the readings newer than the sensor's latest
  reading before the batch; older (late) readings are stored and serve as context for rate and
  duration windows, but raise nothing on their own (the warning state already reflects later data).
* The caller owns the transaction; the HTTP route commits before it acknowledges, the MQTT
  subscriber commits before it sends PUBACK.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import numpy as np
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    String,
    Table,
    and_,
    bindparam,
    func,
    or_,
    select,
    text,
    type_coerce,
    update,
)
from sqlalchemy.orm import Session

from yingji.auth import permissions as perm
from yingji.db.base import utcnow
from yingji.engines.rules import (
    Rule,
    effective_rules,
    evaluate,
    kind_defaults,
    make_stream,
    params_of,
    severity_of_level,
    silence_rule,
    silent,
    warning_level,
)
from yingji.errors import InvalidField, TooLarge
from yingji.monitoring.enums import SensorKind
from yingji.monitoring.models import Reading, Sensor
from yingji.warnings import service as warnings

MAX_BATCH = 10_000
FUTURE_TOLERANCE = timedelta(minutes=5)
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
_US = timedelta(microseconds=1)
_FIELDS = frozenset({"sensor", "ts", "value"})


def to_ms(dt: datetime) -> int:
    return (dt - _EPOCH) // _MS


@dataclass
class SensorInfo:
    id: int
    code: str
    name: str
    kind: str
    unit: str
    division_code: str
    unit_id: int | None
    hazard_source_id: int | None
    lon: float
    lat: float
    active: bool
    rules: list[dict[str, Any]]
    silence_minutes: int | None
    last_reading_at: datetime | None
    created_at: datetime


_COLS = (Sensor.id, Sensor.code, Sensor.name, Sensor.kind, Sensor.unit, Sensor.division_code, Sensor.unit_id,
         Sensor.hazard_source_id, Sensor.lon, Sensor.lat, Sensor.active, Sensor.rules, Sensor.silence_minutes,
         Sensor.last_reading_at, Sensor.created_at)


def _sensor_infos(session: Session, codes: Sequence[str]) -> dict[str, SensorInfo]:
    out: dict[str, SensorInfo] = {}
    for i in range(0, len(codes), 500):
        for row in session.execute(select(*_COLS).where(Sensor.code.in_(codes[i:i + 500]))):
            out[row.code] = SensorInfo(*row)
    return out


@dataclass
class IngestReport:
    received: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"received": self.received, "accepted": self.accepted, "duplicates": self.duplicates,
                "rejected": self.rejected, "warnings": self.warnings}


# ---- parsing -------------------------------------------------------------------------------------


def parse_json_body(raw: bytes) -> list[Any]:
    """``{"readings": [...]}`` or a bare list; the items themselves are checked later, one by one."""
    try:
        payload = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidField("body", f"not valid JSON: {exc}") from None
    items = payload.get("readings") if isinstance(payload, dict) else payload
    if isinstance(payload, dict) and set(payload) - {"readings"}:
        raise InvalidField(sorted(set(payload) - {"readings"})[0], "unknown field; send {\"readings\": [...]}")
    if not isinstance(items, list):
        raise InvalidField("readings", "expected a list of {sensor, ts, value}")
    if len(items) > MAX_BATCH:
        raise TooLarge(f"readings: {len(items)} items; a batch holds at most {MAX_BATCH}")
    return items


def parse_csv_body(raw: bytes) -> list[Any]:
    """CSV with a header ``sensor,ts,value`` (UTF-8, optional BOM)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidField("body", "CSV must be UTF-8") from None
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or [h.strip() for h in header] != ["sensor", "ts", "value"]:
        raise InvalidField("body", "CSV header must be: sensor,ts,value")
    items: list[Any] = []
    for row in reader:
        if not row or all(not c.strip() for c in row):
            continue
        if len(items) >= MAX_BATCH:
            raise TooLarge(f"readings: more than {MAX_BATCH} rows; a batch holds at most {MAX_BATCH}")
        if len(row) != 3:
            items.append({"__bad__": f"expected 3 columns, got {len(row)}"})
            continue
        sensor, ts, value = (c.strip() for c in row)
        try:
            num: Any = float(value)
        except ValueError:
            num = value  # rejected below as non-numeric, with its index
        items.append({"sensor": sensor, "ts": ts, "value": num})
    return items


def _ts(value: Any, now: datetime) -> datetime | str:
    """A reading time, or the reason it is refused."""
    if isinstance(value, bool):
        return "expected an ISO 8601 time with a zone or Unix seconds"
    if isinstance(value, int | float):
        if not math.isfinite(value):
            return "not a finite number"
        try:
            dt = datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            return "Unix seconds out of range"
    elif isinstance(value, str):
        try:
            dt = datetime.fromisoformat(value)
        except ValueError:
            return "expected an ISO 8601 time with a zone (e.g. 2026-12-04T08:00:00+08:00)"
        if dt.tzinfo is None:
            return "time has no zone; add Z or +08:00"
        try:
            dt = dt.astimezone(UTC)
        except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00
            return f"{value[:40]} is out of range"
    else:
        return "expected an ISO 8601 time with a zone or Unix seconds"
    if dt > now + FUTURE_TOLERANCE:
        return f"{dt.isoformat()} is more than {int(FUTURE_TOLERANCE.total_seconds() // 60)} minutes in the future"
    if dt < EARLIEST:
        return f"{dt.isoformat()} is before {EARLIEST.date()}"
    return dt


# ---- ingest --------------------------------------------------------------------------------------


def ingest(*, session: Session, actor: perm.Principal | None, items: Sequence[Any], sensor_code: str | None = None,
           now: datetime | None = None, evaluate_rules: bool = True) -> IngestReport:
    """Store the valid items of a batch and evaluate the rules on them.

    ``actor`` None = the system (the MQTT subscriber, trusted by the broker's ACL); otherwise the
    user needs ``readings:create`` and may write only to sensors in its scope (and, for a
    department, of its unit). ``sensor_code`` names the sensor of every item (MQTT topic)."""
    now = now or utcnow()
    if len(items) > MAX_BATCH:
        raise TooLarge(f"readings: {len(items)} items; a batch holds at most {MAX_BATCH}")
    if actor is not None:
        perm.require(actor, "readings", "create")
    report = IngestReport(received=len(items))
    if sensor_code is not None:
        codes = [sensor_code]
    else:
        codes = sorted({c for it in items if type(it) is dict and type(c := it.get("sensor")) is str})
    infos = _sensor_infos(session, codes)
    if actor is not None:
        for code, info in list(infos.items()):
            if not perm.in_scope(actor, info.division_code):
                del infos[code]  # outside the scope: as unknown, so its existence is not revealed
    batch = _Batch()
    sids, times, micros, values = batch.sensor_id, batch.ts, batch.us, batch.value
    seen: set[tuple[int, datetime]] = set()
    parsed: dict[str, tuple[datetime, int] | str] = {}  # a batch's sensors often share their times
    reject = report.rejected
    unit_only = actor is not None and actor.role == "department"
    actor_unit = actor.unit_id if actor is not None else None
    for i, it in enumerate(items):
        if type(it) is not dict:
            reject.append({"index": i, "field": None, "reason": "expected an object {sensor, ts, value}"})
            continue
        if "__bad__" in it:
            reject.append({"index": i, "field": None, "reason": it["__bad__"]})
            continue
        if not _FIELDS.issuperset(it):
            reject.append({"index": i, "field": sorted(set(it) - _FIELDS)[0], "reason": "unknown field"})
            continue
        given = it.get("sensor") if sensor_code is None else sensor_code
        if "sensor" in it and sensor_code is not None and it["sensor"] != sensor_code:
            reject.append({"index": i, "field": "sensor", "reason": f"the topic names sensor {sensor_code}"})
            continue
        found = infos.get(given) if type(given) is str else None
        if found is None:
            reject.append({"index": i, "field": "sensor", "reason": f"unknown sensor {given!r}"[:160]})
            continue
        info = found
        if unit_only and info.unit_id != actor_unit:
            reject.append({"index": i, "field": "sensor", "reason": f"sensor {given} is not of your unit"})
            continue
        if not info.active:
            reject.append({"index": i, "field": "sensor", "reason": f"sensor {given} is inactive"})
            continue
        value = it.get("value")
        if type(value) is not float and (isinstance(value, bool) or not isinstance(value, int | float)):
            reject.append({"index": i, "field": "value", "reason": f"not a number: {value!r}"[:120]})
            continue
        try:
            finite = math.isfinite(value)
        except OverflowError:  # an integer beyond the float range
            finite = False
        if not finite:
            reject.append({"index": i, "field": "value", "reason": "not a finite number"})
            continue
        if "ts" not in it:
            reject.append({"index": i, "field": "ts", "reason": "missing"})
            continue
        raw = it["ts"]
        if type(raw) is str:
            got = parsed.get(raw)
            if got is None:
                got = parsed[raw] = _ts_us(raw, now)
        else:
            got = _ts_us(raw, now)
        if type(got) is str:
            reject.append({"index": i, "field": "ts", "reason": got})
            continue
        dt, at_us = cast(tuple[datetime, int], got)
        key = (info.id, dt)
        if key in seen:
            report.duplicates += 1
            continue
        seen.add(key)
        sids.append(info.id)
        times.append(dt)
        micros.append(at_us)
        values.append(float(value))
    if not sids:
        return report
    new = insert_ignore(session, batch, now)
    report.accepted = len(new)
    report.duplicates += len(batch) - len(new)
    if len(new):
        by_id = {info.id: info for info in infos.values()}
        _update_last(session, by_id, new)
        if evaluate_rules:
            report.warnings = evaluate_new(session=session, sensors=by_id, new=new, now=now)
    return report


@dataclass
class _Batch:
    """The valid readings of a batch as parallel lists (no object per reading)."""

    sensor_id: list[int] = field(default_factory=list)
    ts: list[datetime] = field(default_factory=list)
    us: list[int] = field(default_factory=list)  # microseconds since the epoch (to_ms = us // 1000)
    value: list[float] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.sensor_id)

    def only(self, keep: Sequence[bool]) -> _Batch:
        at = [i for i, k in enumerate(keep) if k]
        return _Batch([self.sensor_id[i] for i in at], [self.ts[i] for i in at], [self.us[i] for i in at],
                      [self.value[i] for i in at])


def _ts_us(value: Any, now: datetime) -> tuple[datetime, int] | str:
    dt = _ts(value, now)
    return dt if isinstance(dt, str) else (dt, (dt - _EPOCH) // _US)


def insert_ignore(session: Session, rows: _Batch, now: datetime) -> _Batch:
    """Insert the rows whose (sensor_id, ts) is not stored yet; return the rows inserted.

    The keys already stored are looked up first (one range query on the unique index, which finds
    nothing for fresh data), then the rest goes in with ``ON CONFLICT (sensor_id, ts) DO NOTHING``
    — the conflict clause still guards against a concurrent writer. One statement for the batch:
    on PostgreSQL an ``INSERT … SELECT FROM unnest(arrays)``; on SQLite one prepared statement run
    by the driver for every row, the times converted once per distinct time with the column type's
    own bind processor (so the stored text is what SQLAlchemy itself writes)."""
    table = cast(Table, Reading.__table__)
    existing: set[tuple[int, datetime]] = set()
    sids = sorted(set(rows.sensor_id))
    lo, hi = min(rows.ts), max(rows.ts)
    for i in range(0, len(sids), 500):
        existing.update((sid, ts) for sid, ts in session.execute(select(Reading.sensor_id, Reading.ts).where(
            Reading.sensor_id.in_(sids[i:i + 500]), Reading.ts >= lo, Reading.ts <= hi)))
    fresh = rows.only([k not in existing for k in zip(rows.sensor_id, rows.ts, strict=True)]) if existing else rows
    if not fresh:
        return fresh
    conn = session.connection()
    dialect = conn.dialect
    to_db = table.c.ts.type.dialect_impl(dialect).bind_processor(dialect) or (lambda v: v)
    cols = ", ".join(table.c[c].name for c in ("sensor_id", "ts", "value", "received_at"))
    if dialect.name == "postgresql":
        conn.execute(text(
            f"INSERT INTO {table.name} ({cols}) SELECT u.s, u.t, u.v, :now FROM unnest(CAST(:s AS integer[]), "
            "CAST(:t AS timestamptz[]), CAST(:v AS double precision[])) AS u(s, t, v) "
            "ON CONFLICT (sensor_id, ts) DO NOTHING"),
            {"s": fresh.sensor_id, "t": [to_db(t) for t in fresh.ts], "v": fresh.value, "now": to_db(now)})
    elif dialect.name == "sqlite":
        stored: dict[datetime, Any] = {}
        for t in fresh.ts:
            if t not in stored:
                stored[t] = to_db(t)
        received = to_db(now)
        conn.exec_driver_sql(
            f"INSERT INTO {table.name} ({cols}) VALUES (?, ?, ?, ?) ON CONFLICT (sensor_id, ts) DO NOTHING",
            [(s, stored[t], v, received) for s, t, v in zip(fresh.sensor_id, fresh.ts, fresh.value, strict=True)])
    else:  # pragma: no cover - the platform runs on SQLite and PostgreSQL only
        raise RuntimeError(f"readings cannot be stored on {dialect.name}")
    return fresh


def _latest(new: _Batch) -> tuple[np.ndarray, np.ndarray]:
    """Each sensor of the batch (sorted) and the index of its latest reading in ``new``."""
    sid = np.asarray(new.sensor_id, dtype=np.int64)
    us = np.asarray(new.us, dtype=np.int64)
    order = np.lexsort((us, sid))
    last = np.flatnonzero(np.r_[sid[order][1:] != sid[order][:-1], True])
    return sid[order][last], order[last]


def _update_last(session: Session, sensors: dict[int, SensorInfo], new: _Batch) -> None:
    ids, idx = _latest(new)
    params = []
    for sid, k in zip(ids.tolist(), idx.tolist(), strict=True):
        prev = sensors[sid].last_reading_at
        ts = new.ts[k]
        if prev is None or ts > prev:
            params.append({"sid": sid, "lra": ts, "lv": new.value[k]})
    if params:
        t = cast(Table, Sensor.__table__)
        conn = session.connection()
        if conn.dialect.name == "postgresql":  # one statement instead of one per sensor
            to_db = t.c.last_reading_at.type.dialect_impl(conn.dialect).bind_processor(conn.dialect) or (lambda v: v)
            conn.execute(text(
                f"UPDATE {t.name} SET last_reading_at = u.t, last_value = u.v, updated_at = :now "
                "FROM unnest(CAST(:sid AS integer[]), CAST(:t AS timestamptz[]), CAST(:v AS double precision[])) "
                f"AS u(sid, t, v) WHERE {t.name}.id = u.sid "
                # a concurrent batch may have stored a later reading meanwhile: never move back
                f"AND ({t.name}.last_reading_at IS NULL OR {t.name}.last_reading_at < u.t)"),
                {"sid": [p["sid"] for p in params], "t": [to_db(p["lra"]) for p in params],
                 "v": [p["lv"] for p in params], "now": to_db(utcnow())})
        else:
            stmt = (update(t)
                    .where(t.c.id == bindparam("sid"),
                           or_(t.c.last_reading_at.is_(None), t.c.last_reading_at < bindparam("lra")))
                    .values(last_reading_at=bindparam("lra"), last_value=bindparam("lv"), updated_at=bindparam("now")))
            now = utcnow()
            conn.execute(stmt, [p | {"now": now} for p in params])
        touched = set(ids.tolist())
        for obj in list(session.identity_map.values()):
            if isinstance(obj, Sensor) and obj.id in touched:
                session.expire(obj)


# ---- rules ---------------------------------------------------------------------------------------


def _category(kind: str) -> str:
    from yingji.warnings.cap import profile

    return str(profile()["category_by_sensor_kind"].get(kind, "Other"))


def _signal(info: SensorInfo, rule: Rule, final_sev: int, peak_sev: int, value: float | None, at_ms: int,
            details: dict[str, Any] | None = None) -> warnings.RuleSignal:
    return warnings.RuleSignal(
        sensor_id=info.id, sensor_code=info.code, sensor_name=info.name, kind_zh=SensorKind(info.kind).label("zh"),
        unit=info.unit, category=_category(info.kind), division_code=info.division_code, unit_id=info.unit_id,
        hazard_source_id=info.hazard_source_id, lon=info.lon, lat=info.lat, cause=rule.cause, rule_type=rule.type,
        final_level=warning_level(final_sev), peak_level=warning_level(peak_sev),
        value=None if value is None or math.isnan(value) else float(value),
        at=_EPOCH + timedelta(milliseconds=at_ms), auto_lift=rule.auto_lift, details=details or {},
    )


def evaluate_new(*, session: Session, sensors: dict[int, SensorInfo], new: _Batch,
                 now: datetime) -> list[dict[str, Any]]:
    """Run every sensor's rules over its new readings (see the module docstring) and apply the
    outcome to its warnings. Returns one entry per warning raised, changed or lifted."""
    rules_of: dict[int, tuple[Rule, ...]] = {}
    cache: dict[tuple[str, str], tuple[Rule, ...]] = {}
    for sid in set(new.sensor_id):
        info = sensors[sid]
        key = (info.kind, json.dumps(info.rules or [], sort_keys=True))
        if key not in cache:
            cache[key] = effective_rules(info.kind, info.rules)
        rules_of[sid] = cache[key]
    # emit rows: newer than the sensor's latest reading before this batch; the rest is context
    sid_a = np.asarray(new.sensor_id, dtype=np.int64)
    ts_a = np.asarray(new.us, dtype=np.int64) // 1000  # to_ms
    val_a = np.asarray(new.value, dtype=np.float64)
    ids = np.array(sorted(rules_of), dtype=np.int64)
    prev_ms = np.array([to_ms(last) if (last := sensors[int(sid)].last_reading_at) else -1 for sid in ids],
                       dtype=np.int64)
    prev_a = prev_ms[np.searchsorted(ids, sid_a)]
    emit_a = ts_a > prev_a
    ctx = _context(session, sensors, rules_of, sid_a, ts_a, emit_a)
    if ctx is not None:
        sid_a = np.concatenate([sid_a, ctx[0]])
        ts_a = np.concatenate([ts_a, ctx[1]])
        val_a = np.concatenate([val_a, ctx[2]])
        emit_a = np.concatenate([emit_a, np.zeros(len(ctx[0]), dtype=bool)])
    emitting = {int(s) for s in np.unique(sid_a[emit_a])}
    if not emitting:
        return []
    active = warnings.active_for_sources(session=session, source_type="sensor",
                                         source_ids=[str(s) for s in sorted(emitting)])
    groups: dict[tuple[str, str], list[tuple[int, Rule]]] = {}
    for sid in sorted(emitting):
        for rule in rules_of[sid]:
            if rule.type != "silence":
                groups.setdefault((rule.cause, rule.type), []).append((sid, rule))
    out: list[dict[str, Any]] = []
    signals: list[tuple[warnings.RuleSignal, Any]] = []
    for (cause, _rtype), members in groups.items():
        ids = np.array([sid for sid, _ in members], dtype=np.int64)
        mask = np.isin(sid_a, ids)
        dense = np.searchsorted(ids, sid_a[mask])  # ids are sorted: sid → its row in params
        stream, _order = make_stream(dense, ts_a[mask], val_a[mask], emit_a[mask], n_sensors=len(ids))
        initial = np.array([severity_of_level(active[(str(sid), cause)].level) if (str(sid), cause) in active else 0
                            for sid, _ in members], dtype=np.int8)
        outcome = evaluate(stream, params_of([r for _, r in members]), initial)
        ends = stream.ends()
        for k, (sid, rule) in enumerate(members):
            init, final, peak = int(initial[k]), int(outcome.final[k]), int(outcome.peak[k])
            if final == init and peak <= init:
                continue
            row = int(outcome.peak_row[k]) if peak > 0 else int(ends[k]) - 1
            sig = _signal(sensors[sid], rule, final, peak, float(outcome.quantity[row]), int(stream.ts_ms[row]))
            signals.append((sig, active.get((str(sid), cause))))
    for (sig, _), w in zip(signals, warnings.apply_signals(session=session, signals=signals, now=now), strict=True):
        if w is not None:
            out.append({"warning_id": w.id, "sensor": sig.sensor_code, "cause": sig.cause, "level": w.level,
                        "status": w.status})
    for (_sid, cause), w in active.items():
        if cause != "silence" or w.status != "active":
            continue
        warnings.end(session=session, warning=w, actor=None, reason="data resumed", at=now)
        out.append({"warning_id": w.id, "sensor": sensors[int(w.source_id)].code, "cause": "silence",
                    "level": w.level, "status": w.status})
    return out


def _last(info: SensorInfo) -> datetime:
    assert info.last_reading_at is not None
    return info.last_reading_at


def _window(session: Session, groups: list[tuple[list[int], datetime]], hi: datetime
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(sensor, ms, value) arrays of the stored readings with lo ≤ ts ≤ hi of each (sensors, lo)
    group. The times are converted without a Python datetime per row: PostgreSQL computes the
    epoch, SQLite's stored text is parsed by numpy (both floor to the millisecond, as :func:`to_ms`
    does)."""
    dialect = session.get_bind().dialect.name
    within = or_(*(and_(Reading.sensor_id.in_(ids), Reading.ts >= lo) for ids, lo in groups))
    cond = (within, Reading.ts <= hi)
    if dialect == "postgresql":
        ms: ColumnElement[Any] = func.floor(func.extract("epoch", Reading.ts) * 1000).cast(BigInteger)
        rows: Sequence[Any] = session.execute(select(Reading.sensor_id, ms, Reading.value).where(*cond)).all()
        t = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))
    else:
        # SQLAlchemy stores SQLite datetimes as 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC here), which
        # numpy parses as it stands
        raw = type_coerce(Reading.ts, String)
        rows = session.execute(select(Reading.sensor_id, raw, Reading.value).where(*cond)).all()
        t = np.array([r[1] for r in rows], dtype="datetime64[us]").astype(np.int64) // 1000
    s = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    v = np.fromiter((r[2] for r in rows), dtype=np.float64, count=len(rows))
    return s, t, v


def _context(session: Session, sensors: dict[int, SensorInfo], rules_of: dict[int, tuple[Rule, ...]],
             sid_a: np.ndarray, ts_a: np.ndarray, emit_a: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Stored readings before each sensor's first new reading, as far back as its rules look."""
    back_ms = {sid: int(max((r.lookback_s for r in rules), default=0.0) * 1000) for sid, rules in rules_of.items()}
    looking = np.array(sorted(sid for sid, b in back_ms.items()
                              if b > 0 and sensors[sid].last_reading_at is not None), dtype=np.int64)
    if not len(looking):
        return None
    sel = emit_a & np.isin(sid_a, looking)
    if not sel.any():
        return None
    order = np.lexsort((ts_a[sel], sid_a[sel]))  # each sensor's first new reading
    s_sel, t_sel = sid_a[sel][order], ts_a[sel][order]
    first = np.r_[True, s_sel[1:] != s_sel[:-1]]
    need = {int(sid): int(t0) - back_ms[int(sid)] for sid, t0 in zip(s_sel[first], t_sel[first], strict=True)}
    by_start: dict[int, list[int]] = {}
    for sid, start_ms in need.items():
        by_start.setdefault(start_ms, []).append(sid)
    if len(by_start) > 16:  # many different starts: one range from the earliest (filtered below)
        by_start = {min(by_start): sorted(need)}
    groups = [(ids, _EPOCH + timedelta(milliseconds=start_ms)) for start_ms, ids in sorted(by_start.items())]
    hi = max(_last(sensors[s]) for s in need)
    s, t, v = _window(session, groups, hi)
    if not len(s):
        return None
    ids = np.array(sorted(need), dtype=np.int64)
    start = np.array([need[int(x)] for x in ids], dtype=np.int64)[np.searchsorted(ids, s)]
    keep = t >= start
    hi_ms = to_ms(hi)
    if (ts_a <= hi_ms).any():  # late rows of this batch are in the arrays already and visible here
        new_keys = set(zip(sid_a[ts_a <= hi_ms].tolist(), ts_a[ts_a <= hi_ms].tolist(), strict=True))
        keep &= np.array([(int(a), int(b)) not in new_keys for a, b in zip(s, t, strict=True)], dtype=bool)
    return s[keep], t[keep], v[keep]


# ---- silence and expiry --------------------------------------------------------------------------


def sweep(*, session: Session, now: datetime | None = None) -> dict[str, int]:
    """Raise silence warnings for sensors that stopped reporting; expire warnings past their end.
    Run periodically (the MQTT subscriber does, every minute; or ``yingji ingest sweep`` from cron)."""
    now = now or utcnow()
    infos = [SensorInfo(*row) for row in session.execute(select(*_COLS).where(Sensor.active.is_(True)))]
    watched: list[tuple[SensorInfo, Rule]] = []
    for info in infos:
        rule = silence_rule(info.kind, info.rules, info.silence_minutes)
        if rule is not None:
            watched.append((info, rule))
    raised = 0
    if watched:
        last = np.array([to_ms(i.last_reading_at or i.created_at) for i, _ in watched], dtype=np.int64)
        limit = np.array([round(r.silence_s * 1000) for _, r in watched], dtype=np.int64)
        quiet = silent(last, to_ms(now), limit)
        active = warnings.active_for_sources(session=session, source_type="sensor",
                                             source_ids=[str(i.id) for i, _ in watched])
        for (info, rule), q, last_ms in zip(watched, quiet, last, strict=True):
            if q and (str(info.id), rule.cause) not in active:
                sig = _signal(info, rule, rule.silence_severity, rule.silence_severity, None, int(last_ms),
                              {"silence_s": rule.silence_s})
                sig.auto_lift = False
                warnings.apply_signal(session=session, signal=sig, active=None, now=now)
                raised += 1
    expired = warnings.expire_due(session=session, now=now)
    return {"sensors": len(infos), "silence_raised": raised, "expired": len(expired)}


def kinds() -> list[dict[str, Any]]:
    """The sensor kinds with their default unit, silence limit and rules (the defaults table)."""
    from yingji.engines.rules import rule_to_dict

    return [{"kind": k, "zh": d.zh, "en": d.en, "unit": d.unit, "silence_minutes": d.silence_s / 60,
             "rules": [rule_to_dict(r) for r in d.rules], "source": d.source, "status": d.status}
            for k, d in kind_defaults().items()]
