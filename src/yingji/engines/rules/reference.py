"""Row-by-row reference evaluation: the rules' semantics as plain loops, for the tests and the
benchmark to hold :mod:`yingji.engines.rules.vectorised` to.

Same inputs (sensor, integer-millisecond times, values, emit flags), same outputs; written
independently, one reading at a time, per sensor in time order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .spec import Rule


def _rate(ts: list[int], vs: list[float], i: int, rule: Rule) -> float:
    window = round(rule.window_s * 1000)
    min_span = round((rule.min_span_s if rule.min_span_s is not None else rule.window_s / 2) * 1000)
    j = i
    while j - 1 >= 0 and ts[j - 1] >= ts[i] - window:
        j -= 1
    dt = ts[i] - ts[j]
    if dt < max(min_span, 1):
        return math.nan
    return (vs[i] - vs[j]) / (dt / 1000.0) * rule.per_s


def evaluate_sensor(
    ts: Sequence[int], values: Sequence[float], emit: Sequence[bool], rule: Rule, initial: int = 0
) -> tuple[list[int], list[float]]:
    """Severity and watched quantity after each reading of one sensor (readings in time order)."""
    ts, vs = list(ts), [float(v) for v in values]
    sign = 1.0 if rule.direction == "above" else -1.0
    thr = rule.thresholds_array()
    dead = rule.deadbands()
    on = [not math.isnan(thr[k]) and initial > k for k in range(4)]
    run_first: list[int | None] = [None, None, None, None]
    sev_out: list[int] = []
    q_out: list[float] = []
    for i in range(len(ts)):
        if rule.type == "silence":
            sev_out.append(initial)
            q_out.append(math.nan)
            continue
        q = _rate(ts, vs, i, rule) if rule.type == "rate" else vs[i]
        x = q * sign
        for k in range(4):
            if math.isnan(thr[k]):
                continue
            t_on = thr[k] * sign
            t_off = t_on - dead[k]
            beyond = not math.isnan(x) and x >= t_on
            if rule.type == "sustained":
                if beyond:
                    if run_first[k] is None:
                        run_first[k] = i
                else:
                    run_first[k] = None
            if not emit[i]:
                continue
            if rule.type == "sustained":
                first = run_first[k]
                fire = beyond and first is not None and ts[i] - ts[first] >= round(rule.duration_s * 1000)
            else:
                fire = beyond
            if fire:
                on[k] = True
            elif not math.isnan(x) and x < t_off:
                on[k] = False
        sev_out.append(max((k + 1 for k in range(4) if on[k]), default=0))
        q_out.append(q)
    return sev_out, q_out


def evaluate_rows(
    sensor: Sequence[int], ts_ms: Sequence[int], values: Sequence[float], emit: Sequence[bool] | None,
    rules: Sequence[Rule], initial: Sequence[int] | None = None,
) -> dict[str, list[int] | list[float]]:
    """Evaluate a mixed, unsorted batch; rows are visited per sensor in time order. Returns
    per-row ``severity``/``quantity`` in the *input* order and per-sensor ``final``, ``peak``,
    ``peak_row`` (``peak_row`` is an input row index, -1 if none)."""
    n = len(sensor)
    em = [True] * n if emit is None else list(emit)
    m = len(rules)
    init = [0] * m if initial is None else list(initial)
    severity: list[int] = [0] * n
    quantity: list[float] = [math.nan] * n
    final, peak, peak_row = list(init), [0] * m, [-1] * m
    for k in range(m):
        rows = sorted((i for i in range(n) if sensor[i] == k), key=lambda i: (ts_ms[i], i))
        if not rows:
            continue
        sev, q = evaluate_sensor([ts_ms[i] for i in rows], [values[i] for i in rows],
                                 [em[i] for i in rows], rules[k], init[k])
        for pos, i in enumerate(rows):
            severity[i], quantity[i] = sev[pos], q[pos]
            if em[i] and sev[pos] > peak[k]:
                peak[k], peak_row[k] = sev[pos], i
        final[k] = sev[-1]
    return {"severity": severity, "quantity": quantity, "final": final, "peak": peak, "peak_row": peak_row}


def silent(last_ms: Sequence[int], now_ms: int, silence_ms: Sequence[int]) -> list[bool]:
    return [last < 0 or now_ms - last > lim for last, lim in zip(last_ms, silence_ms, strict=True)]
