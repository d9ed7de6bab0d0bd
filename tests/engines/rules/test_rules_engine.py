"""The rules engine on hand-made series (every rule type, hysteresis, silence) and the vectorised
evaluation against the row-by-row reference on seeded random and hypothesis-generated streams."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yingji.engines.rules import (
    Rule,
    RuleError,
    effective_rules,
    evaluate,
    gaps,
    kind_defaults,
    make_stream,
    params_of,
    parse_rule,
    reference,
    rule_to_dict,
    severity_of_level,
    silent,
    warning_level,
)

MIN = 60_000  # one minute in ms


def run(rule: Rule, values: list[float], *, step_ms: int = MIN, initial: int = 0,
        emit: list[bool] | None = None) -> tuple[list[int], Any]:
    n = len(values)
    stream, _ = make_stream(np.zeros(n), np.arange(n) * step_ms, values, emit)
    out = evaluate(stream, params_of([rule]), [initial])
    ref_sev, _ = reference.evaluate_sensor(list(np.arange(n) * step_ms), values, emit or [True] * n, rule, initial)
    assert out.severity.tolist() == ref_sev
    return out.severity.tolist(), out


THRESH = parse_rule({"type": "threshold", "thresholds": [10, 20, 30, 40], "deadband": [1, 1, 1, 1]})


def test_threshold_levels_four_to_one() -> None:
    sev, out = run(THRESH, [5, 10, 19.9, 20, 30, 45, 5])
    assert sev == [0, 1, 1, 2, 3, 4, 0]
    assert [warning_level(s) for s in sev] == [None, 4, 4, 3, 2, 1, None]
    assert out.final.tolist() == [0] and out.peak.tolist() == [4] and out.peak_row.tolist() == [5]


def test_hysteresis_hovering_value_does_not_flap() -> None:
    hovering = [20.2, 19.8, 20.1, 19.5, 19.9, 20.0, 19.1]
    sev, _ = run(THRESH, hovering)
    assert sev == [2, 2, 2, 2, 2, 2, 2]  # never below 20 - 1
    sev, _ = run(THRESH, [*hovering, 18.9, 19.5, 19.9])
    assert sev[-3:] == [1, 1, 1]  # left only below 19, and not re-entered before 20
    no_deadband = parse_rule({"type": "threshold", "thresholds": [10, 20, 30, 40]})
    sev, _ = run(no_deadband, hovering)
    assert sev == [2, 1, 2, 1, 1, 2, 1]  # without hysteresis it flaps


def test_initial_state_carries_hysteresis_across_batches() -> None:
    sev, out = run(THRESH, [19.5, 19.2], initial=2)  # yellow from the previous batch holds
    assert sev == [2, 2] and out.final.tolist() == [2]
    sev, _ = run(THRESH, [19.5, 19.2], initial=0)
    assert sev == [1, 1]


def test_below_direction() -> None:
    low = parse_rule({"type": "threshold", "direction": "below", "thresholds": [8, 6, 5, 4],
                      "deadband": [0.5, 0.5, 0.5, 0.5]})
    sev, _ = run(low, [9, 7.9, 6, 3.9, 4.2, 4.6, 9])
    assert sev == [0, 1, 2, 4, 4, 3, 0]
    with pytest.raises(RuleError, match="thresholds"):
        parse_rule({"type": "threshold", "direction": "below", "thresholds": [4, 5, 6, 8]})


def test_rate_of_change_over_a_window() -> None:
    rate = parse_rule({"type": "rate", "thresholds": [0.1, 0.2, 0.3, 0.5], "deadband": [0.02] * 4,
                       "window_s": 600, "per_s": 3600})
    # 10-minute readings: level rises 0, 0, then 0.05 m per 10 min (0.3 m/h), then flat
    values = [1.0, 1.0, 1.05, 1.10, 1.15, 1.15, 1.15]
    sev, out = run(rate, values, step_ms=10 * MIN)
    q = out.quantity.tolist()
    assert math.isnan(q[0]) and q[1] == pytest.approx(0.0)
    assert q[2] == pytest.approx(0.3) and q[5] == pytest.approx(0.0)
    assert sev == [0, 0, 3, 3, 3, 0, 0]


def test_rate_needs_half_a_window_of_span() -> None:
    rate = parse_rule({"type": "rate", "thresholds": [1, None, None, None], "window_s": 3600})
    sev, out = run(rate, [0.0, 5.0], step_ms=10 * MIN)  # 10 min < 30 min: not judged
    assert sev == [0, 0] and math.isnan(out.quantity[1])


def test_sustained_over_a_duration() -> None:
    rule = parse_rule({"type": "sustained", "thresholds": [50, None, None, 80], "deadband": [2, None, None, 2],
                       "duration_s": 300})
    values = [55, 55, 55, 55, 55, 55, 90, 90, 90, 90, 90, 90, 47, 90]
    sev, _ = run(rule, values)
    # blue after 5 minutes above 50 (row 5); red after 5 minutes above 80 (rows 6..11 → row 11);
    # 47 < 50 - 2 leaves blue and red; a single spike does not count
    assert sev == [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 4, 0, 0]


def test_sustained_run_uses_context_rows() -> None:
    rule = parse_rule({"type": "sustained", "thresholds": [50, None, None, None], "duration_s": 300})
    emit = [False] * 4 + [True] * 2  # four earlier readings already above 50 (context)
    sev, _ = run(rule, [60, 60, 60, 60, 60, 60], emit=emit)
    assert sev == [0, 0, 0, 0, 0, 1]  # 5 minutes reached at the first emit row after row 0


def test_context_rows_never_change_state() -> None:
    sev, out = run(THRESH, [45, 45, 5], emit=[False, False, True])
    assert sev == [0, 0, 0] and out.peak.tolist() == [0]


def test_silence() -> None:
    last = [0, 50 * MIN, -1]
    assert silent(last, 60 * MIN, [30 * MIN] * 3).tolist() == [True, False, True]
    assert reference.silent(last, 60 * MIN, [30 * MIN] * 3) == [True, False, True]
    stream, _ = make_stream([0, 0, 0, 1, 1], [0, 10 * MIN, 50 * MIN, 0, 31 * MIN], [1, 1, 1, 1, 1])
    assert gaps(stream, [30 * MIN, 30 * MIN]).tolist() == [False, False, True, False, True]
    rule = parse_rule({"type": "silence", "silence_minutes": 15, "severity": "yellow"})
    assert rule.silence_s == 900 and rule.silence_severity == 2
    sev, _ = run(rule, [1, 2, 3], initial=2)  # readings keep the state; the clock decides
    assert sev == [2, 2, 2]


def test_level_conversions() -> None:
    assert [severity_of_level(x) for x in (1, 2, 3, 4, None)] == [4, 3, 2, 1, 0]
    assert warning_level(0) is None


def test_parse_rule_errors_name_the_field() -> None:
    cases = [({"type": "nope"}, "type"), ({"type": "threshold"}, "thresholds"),
             ({"type": "threshold", "thresholds": [1, 2, 3]}, "thresholds"),
             ({"type": "threshold", "thresholds": [1, 2, 3, "x"]}, "thresholds.red"),
             ({"type": "rate", "thresholds": [1, 2, 3, 4], "window_s": -5}, "window_s"),
             ({"type": "threshold", "thresholds": [1, 2, 3, 4], "deadband": [-1, 0, 0, 0]}, "deadband"),
             ({"type": "threshold", "thresholds": [1, 2, 3, 4], "colour": 1}, "colour")]
    for data, field in cases:
        with pytest.raises(RuleError) as exc:
            parse_rule(data)
        assert exc.value.field == field, data
    r = parse_rule({"type": "threshold", "thresholds": {"yellow": 3, "red": 9}})
    assert r.thresholds == (None, 3.0, None, 9.0)
    assert parse_rule(rule_to_dict(r)) == r


def test_defaults_per_kind_and_overrides() -> None:
    d = kind_defaults()
    assert set(d) == {"water_level", "rainfall", "gas_concentration", "toxic_gas", "phreatic_line",
                      "displacement", "temperature", "pressure", "wind"}
    assert d["gas_concentration"].unit == "%LEL" and d["gas_concentration"].rules[0].thresholds[2] == 25
    rules = {r.cause: r for r in effective_rules("gas_concentration", None)}
    assert set(rules) == {"threshold", "silence"} and rules["silence"].silence_s == 600
    over = effective_rules("gas_concentration", [{"type": "threshold", "thresholds": [5, 10, 15, 20]},
                                                 {"type": "silence", "disabled": True}])
    assert [r.thresholds for r in over] == [(5.0, 10.0, 15.0, 20.0)]
    with pytest.raises(RuleError, match=r"rules\.0\.thresholds"):
        effective_rules("wind", [{"type": "threshold", "thresholds": "high"}])


# ---- vectorised == reference on random streams ---------------------------------------------------

RULES = [
    THRESH,
    parse_rule({"type": "threshold", "direction": "below", "thresholds": [0, -10, None, -30],
                "deadband": [3, 0, None, 1]}),
    parse_rule({"type": "rate", "thresholds": [5, 10, 20, 40], "deadband": [1, 2, 0, 5], "window_s": 900}),
    parse_rule({"type": "rate", "direction": "below", "thresholds": [-5, -10, -20, -40], "window_s": 600,
                "min_span_s": 60}),
    parse_rule({"type": "sustained", "thresholds": [10, 20, 30, 40], "deadband": [2, 2, 2, 2], "duration_s": 240}),
]


def _compare(rule: Rule, sensor: np.ndarray, ts: np.ndarray, val: np.ndarray, emit: np.ndarray,
             initial: np.ndarray) -> None:
    m = len(initial)
    stream, order = make_stream(sensor, ts, val, emit, n_sensors=m)
    out = evaluate(stream, params_of([rule] * m), initial)
    ref = reference.evaluate_rows(sensor.tolist(), ts.tolist(), val.tolist(), emit.tolist(), [rule] * m,
                                  initial.tolist())
    sev_in_input_order = np.empty_like(out.severity)
    sev_in_input_order[order] = out.severity
    assert sev_in_input_order.tolist() == ref["severity"]
    q = np.empty_like(out.quantity)
    q[order] = out.quantity
    np.testing.assert_array_equal(q, np.asarray(ref["quantity"], dtype=float))
    assert out.final.tolist() == ref["final"]
    assert out.peak.tolist() == ref["peak"]
    rows = [int(order[r]) if r >= 0 else -1 for r in out.peak_row.tolist()]
    assert rows == ref["peak_row"]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r.type}-{r.direction}")
def test_vectorised_agrees_with_reference_on_a_seeded_random_stream(rule: Rule) -> None:
    rng = np.random.default_rng(20261204)
    m, per = 12, 150
    sensor = np.repeat(np.arange(m), per)
    steps = rng.integers(1, 4, size=m * per) * 30_000
    ts = np.concatenate([np.cumsum(steps[k * per:(k + 1) * per]) for k in range(m)])
    walk = np.concatenate([np.cumsum(rng.normal(0, 4, per)) for _ in range(m)])
    val = np.round(walk + 15, 1)
    emit = np.ones(m * per, dtype=bool)
    emit[np.arange(m * per) % per < 20] = False  # leading context rows
    shuffle = rng.permutation(m * per)  # out-of-order input
    initial = rng.integers(0, 5, size=m).astype(np.int8)
    _compare(rule, sensor[shuffle], ts[shuffle], val[shuffle], emit[shuffle], initial)


@st.composite
def streams(draw: Any) -> tuple[np.ndarray, ...]:
    m = draw(st.integers(1, 4))
    rows = draw(st.lists(st.tuples(st.integers(0, m - 1), st.integers(0, 40),
                                   st.floats(-50, 60, allow_nan=False).map(lambda x: round(x, 1)),
                                   st.booleans()), min_size=0, max_size=60))
    seen: set[tuple[int, int]] = set()
    uniq = []
    for s, t, v, e in rows:  # (sensor, time) is unique, as in the database
        if (s, t) not in seen:
            seen.add((s, t))
            uniq.append((s, t * 30_000, v, e))
    initial = draw(st.lists(st.integers(0, 4), min_size=m, max_size=m))
    arr = np.array(uniq, dtype=float).reshape(-1, 4)
    return (arr[:, 0].astype(np.int64), arr[:, 1].astype(np.int64), arr[:, 2], arr[:, 3].astype(bool),
            np.array(initial, dtype=np.int8))


@settings(max_examples=150, deadline=None)
@given(data=streams(), which=st.integers(0, len(RULES) - 1))
def test_vectorised_agrees_with_reference_property(data: tuple[np.ndarray, ...], which: int) -> None:
    _compare(RULES[which], *data)
