"""Vectorised rule evaluation over a batch of readings of many sensors at once (numpy only).

The stream is one set of parallel arrays sorted by (sensor, time); each rule type is evaluated
for all sensors in a handful of whole-array operations, with no Python loop over readings:

* per-row quantities (the value, the rate over a window via ``searchsorted``, the run length of
  a condition via ``maximum.accumulate``);
* per level, *set* and *reset* events (threshold reached / fallen back past the deadband);
* the hysteresis state of every level as "the last event so far in this sensor's segment, else the
  initial state", again one ``maximum.accumulate`` over event indices;
* the severity of a row = the highest level whose state is on.

Times are integer milliseconds since the epoch (exact comparisons, no rounding at window edges).
:mod:`yingji.engines.rules.reference` is the same semantics written row by row; the tests hold
the two equal on hand-made and random streams.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .spec import Rule, RuleError, RuleType

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]
I8 = npt.NDArray[np.int8]


@dataclass(frozen=True)
class Stream:
    """Readings sorted by (sensor, ts). ``emit`` marks the rows that may change a rule's state
    (the new readings); rows with ``emit`` False are earlier context (for windows and runs)."""

    sensor: I64
    ts_ms: I64
    value: F64
    emit: B
    n_sensors: int

    @property
    def n(self) -> int:
        return int(self.sensor.shape[0])

    def starts(self) -> I64:
        """Index of each sensor's first row (== its end when it has none)."""
        return np.searchsorted(self.sensor, np.arange(self.n_sensors), side="left").astype(np.int64)

    def ends(self) -> I64:
        return np.searchsorted(self.sensor, np.arange(self.n_sensors), side="right").astype(np.int64)


def make_stream(
    sensor: npt.ArrayLike, ts_ms: npt.ArrayLike, value: npt.ArrayLike,
    emit: npt.ArrayLike | None = None, n_sensors: int | None = None,
) -> tuple[Stream, I64]:
    """Sort parallel arrays by (sensor, ts) into a :class:`Stream`; also return the permutation
    (``stream.value == value[order]``)."""
    s = np.asarray(sensor, dtype=np.int64)
    t = np.asarray(ts_ms, dtype=np.int64)
    v = np.asarray(value, dtype=np.float64)
    e = np.ones(s.shape, dtype=bool) if emit is None else np.asarray(emit, dtype=bool)
    if not (s.shape == t.shape == v.shape == e.shape) or s.ndim != 1:
        raise ValueError("sensor, ts_ms, value and emit must be 1-d arrays of one length")
    if s.size and s.min() < 0:
        raise ValueError("sensor indices must be non-negative")
    m = int(s.max()) + 1 if s.size else 0
    if n_sensors is not None:
        if n_sensors < m:
            raise ValueError("n_sensors is smaller than the largest sensor index + 1")
        m = n_sensors
    order = np.lexsort((t, s)).astype(np.int64)
    return Stream(sensor=s[order], ts_ms=t[order], value=v[order], emit=e[order], n_sensors=m), order


@dataclass(frozen=True)
class Params:
    """Per-sensor parameters of one rule type, as arrays (row k of ``thresholds`` = sensor k;
    columns blue, yellow, orange, red; NaN = level unused)."""

    type: RuleType
    thresholds: F64  # (m, 4)
    deadband: F64  # (m, 4)
    sign: F64  # (m,) +1 above, -1 below
    window_ms: I64
    per_s: F64
    min_span_ms: I64
    duration_ms: I64
    silence_ms: I64
    silence_severity: npt.NDArray[np.int8]


def params_of(rules: Sequence[Rule]) -> Params:
    """Stack the rules of several sensors (one each, all of one type) into arrays."""
    if not rules:
        raise RuleError("rules", "no rules given")
    rtype = rules[0].type
    if any(r.type != rtype for r in rules):
        raise RuleError("type", "params_of stacks rules of one type only")
    thr = np.array([r.thresholds_array() for r in rules], dtype=np.float64).reshape(len(rules), 4)
    dead = np.array([r.deadbands() for r in rules], dtype=np.float64).reshape(len(rules), 4)
    sign = np.array([1.0 if r.direction == "above" else -1.0 for r in rules])
    window = np.array([round(r.window_s * 1000) for r in rules], dtype=np.int64)
    min_span = np.array([round((r.min_span_s if r.min_span_s is not None else r.window_s / 2) * 1000)
                         for r in rules], dtype=np.int64)
    return Params(
        type=rtype, thresholds=thr, deadband=dead, sign=sign, window_ms=window,
        per_s=np.array([r.per_s for r in rules], dtype=np.float64), min_span_ms=min_span,
        duration_ms=np.array([round(r.duration_s * 1000) for r in rules], dtype=np.int64),
        silence_ms=np.array([round(r.silence_s * 1000) for r in rules], dtype=np.int64),
        silence_severity=np.array([r.silence_severity for r in rules], dtype=np.int8),
    )


@dataclass(frozen=True)
class Outcome:
    """Per row: ``severity`` (state after the row) and ``quantity`` (the watched number: the
    value, or the rate; NaN where not computable). Per sensor: ``final`` state after its last
    row, ``peak`` = worst state on any emit row (0 if none) and ``peak_row`` = the first emit row
    reaching it (-1 if none)."""

    severity: I8
    quantity: F64
    final: I8
    peak: I8
    peak_row: I64


def rate_of_change(stream: Stream, window_ms: I64, per_s: F64, min_span_ms: I64) -> F64:
    """Rate per row: (v_i − v_j) / (t_i − t_j) · per_s, j = the oldest reading of the same sensor
    with t_j ≥ t_i − window; NaN when t_i − t_j < min_span (including j = i)."""
    n = stream.n
    if n == 0:
        return np.empty(0, dtype=np.float64)
    s, t, v = stream.sensor, stream.ts_ms, stream.value
    t0 = int(t.min())
    span = int(t.max()) - t0
    key = s * (span + 1) + (t - t0)  # increasing along the (sensor, ts) order
    j = np.searchsorted(key, key - window_ms[s], side="left")
    j = np.maximum(j, stream.starts()[s])  # never reach back into the previous sensor
    dt = t - t[j]
    ok = dt >= np.maximum(min_span_ms[s], 1)
    rate = np.full(n, np.nan)
    rate[ok] = (v[ok] - v[j[ok]]) / (dt[ok] / 1000.0) * per_s[s[ok]]
    return rate


def run_start(stream: Stream, cond: B) -> I64:
    """For each row where ``cond`` holds, the index of the first row of its unbroken run of
    ``cond`` within the same sensor; -1 elsewhere."""
    n = stream.n
    idx = np.arange(n, dtype=np.int64)
    prev_cond = np.zeros(n, dtype=bool)
    prev_cond[1:] = cond[:-1]
    same = np.zeros(n, dtype=bool)
    same[1:] = stream.sensor[1:] == stream.sensor[:-1]
    starts_here = cond & ~(prev_cond & same)
    start = np.maximum.accumulate(np.where(starts_here, idx, -1)) if n else idx
    return np.where(cond, start, -1)


def _hold(stream: Stream, set_: B, reset: B, init_on: B, seg_start: I64) -> B:
    """Hysteresis state per row: the last set/reset event so far in the row's sensor, else the
    sensor's initial state."""
    n = stream.n
    idx = np.arange(n, dtype=np.int64)
    last = np.maximum.accumulate(np.where(set_ | reset, idx, -1)) if n else idx
    has = last >= seg_start
    return np.where(has, set_[np.maximum(last, 0)], init_on[stream.sensor])


def evaluate(stream: Stream, params: Params, initial: npt.ArrayLike | None = None) -> Outcome:
    """Evaluate one rule type for every sensor of ``stream``; ``initial`` = each sensor's state
    (severity 0–4) before the stream's first emit row."""
    m, n = stream.n_sensors, stream.n
    if params.thresholds.shape[0] != m:
        raise ValueError("params must have one row per sensor")
    init = np.zeros(m, dtype=np.int8) if initial is None else np.asarray(initial, dtype=np.int8)
    s = stream.sensor
    starts, ends = stream.starts(), stream.ends()
    if params.type == "silence":
        # silence is judged against a clock, not per reading: see ``silent``; rows keep the state
        sev = init[s].astype(np.int8)
        return _finish(stream, sev, np.full(n, np.nan), init, starts, ends)
    if params.type == "rate":
        q = rate_of_change(stream, params.window_ms, params.per_s, params.min_span_ms)
    else:
        q = stream.value.copy()
    x = q * params.sign[s]
    seg_start = starts[s]
    severity = np.zeros(n, dtype=np.int8)
    for k in range(4):
        thr = params.thresholds[:, k] * params.sign  # sign-adjusted: "worse" is always larger
        used = ~np.isnan(thr)
        if not used.any():
            continue
        on_at = thr[s]
        off_below = (thr - params.deadband[:, k])[s]
        with np.errstate(invalid="ignore"):
            beyond = x >= on_at
            back = x < off_below
        if params.type == "sustained":
            rs = run_start(stream, beyond)
            long_enough = np.zeros(n, dtype=bool)
            inrun = rs >= 0
            long_enough[inrun] = (stream.ts_ms[inrun] - stream.ts_ms[rs[inrun]]) >= params.duration_ms[s[inrun]]
            set_ = stream.emit & beyond & long_enough
        else:
            set_ = stream.emit & beyond
        reset = stream.emit & back & ~set_
        init_on = used & (init > k)
        on = _hold(stream, set_, reset, init_on, seg_start)
        severity = np.where(on, np.int8(k + 1), severity).astype(np.int8)
    return _finish(stream, severity, q, init, starts, ends)


def _finish(stream: Stream, severity: I8, q: F64, init: I8, starts: I64, ends: I64) -> Outcome:
    m = stream.n_sensors
    nonempty = ends > starts
    final = init.copy()
    final[nonempty] = severity[ends[nonempty] - 1]
    sev_emit = np.where(stream.emit, severity, 0).astype(np.int8)
    peak = np.zeros(m, dtype=np.int8)
    if nonempty.any():
        peak[nonempty] = np.maximum.reduceat(sev_emit, starts[nonempty])
    peak_row = np.full(m, -1, dtype=np.int64)
    cand = np.flatnonzero(stream.emit & (severity == peak[stream.sensor]) & (peak[stream.sensor] > 0))
    if cand.size:
        sensors, first = np.unique(stream.sensor[cand], return_index=True)
        peak_row[sensors] = cand[first]
    return Outcome(severity=severity, quantity=q, final=final, peak=peak, peak_row=peak_row)


def silent(last_ms: npt.ArrayLike, now_ms: int, silence_ms: npt.ArrayLike) -> B:
    """Whether each sensor has been silent longer than its limit at ``now_ms``
    (a sensor that never reported, ``last_ms`` < 0, counts as silent)."""
    last = np.asarray(last_ms, dtype=np.int64)
    lim = np.asarray(silence_ms, dtype=np.int64)
    return (last < 0) | (np.int64(now_ms) - last > lim)


def gaps(stream: Stream, silence_ms: npt.ArrayLike) -> B:
    """Rows that end a silence: more than the sensor's limit after the previous reading of the
    same sensor (history, e.g. for the gaps of a day)."""
    lim = np.asarray(silence_ms, dtype=np.int64)
    out = np.zeros(stream.n, dtype=bool)
    if stream.n > 1:
        same = stream.sensor[1:] == stream.sensor[:-1]
        out[1:] = same & ((stream.ts_ms[1:] - stream.ts_ms[:-1]) > lim[stream.sensor[1:]])
    return out
