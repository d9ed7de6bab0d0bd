"""The allocation engine on instances solved by hand, against an independent solver, and on bad input.

No published table exists for these plans; the hand-worked instances and the independent optimum
(OR-Tools min-cost flow when installed, else a one-shot LP over every pair) are the reference.
"""

from __future__ import annotations

import ast
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yingji.engines.allocation import (
    AllocationError,
    greedy_plan,
    max_relief_population,
    optimal_plan,
    unmet_penalty,
)

INF = math.inf


def _flows(plan: object) -> set[tuple[int, int, int, float]]:
    return {(int(w), int(p), int(k), float(q)) for w, p, k, q in
            zip(plan.warehouse, plan.point, plan.item, plan.quantity, strict=True)}  # type: ignore[attr-defined]


def test_two_by_two_by_hand() -> None:
    # W0 → P0 100 s, P1 300 s; W1 → P0 200 s, P1 1000 s; 10 in each warehouse, 8 needed at each point.
    # P1 is far from W1, so W0 gives P1 all 8 (2,400) and P0 its last 2 (200); W1 gives P0 6 (1,200).
    plan = optimal_plan(supply=[[10], [10]], demand=[[8], [8]], times=[[100, 300], [200, 1000]])
    assert _flows(plan) == {(0, 0, 0, 2.0), (0, 1, 0, 8.0), (1, 0, 0, 6.0)}
    assert plan.objective == 3800.0 and plan.unmet.sum() == 0 and plan.served_share == 1.0
    greedy = greedy_plan(supply=[[10], [10]], demand=[[8], [8]], times=[[100, 300], [200, 1000]])
    # greedy: P0 first (more demand, then index), nearest W0: 8; P1 nearest W0: 2, then W1: 6
    assert _flows(greedy) == {(0, 0, 0, 8.0), (0, 1, 0, 2.0), (1, 1, 0, 6.0)}
    assert greedy.objective == 8 * 100 + 2 * 300 + 6 * 1000


def test_people_weight_the_waiting() -> None:
    # one warehouse, 10 units; A (1,000 people) 500 s away, B (10 people) 100 s away, each needs 10:
    # only one can be served, and the 1,000 people are (B's 10 are then unmet).
    plan = optimal_plan(supply=[[10]], demand=[[10], [10]], times=[[500, 100]], people=[1000, 10])
    assert _flows(plan) == {(0, 0, 0, 10.0)}
    assert plan.unmet[1, 0] == 10 and plan.unmet_weight == pytest.approx(10.0)
    assert plan.objective == pytest.approx(1000 / 10 * 500 * 10)
    assert plan.mean_delivery_s == pytest.approx(500.0)


def test_unmet_when_stock_is_short_and_when_time_is_short() -> None:
    short = optimal_plan(supply=[[5, 100]], demand=[[8, 3]], times=[[60]])
    assert short.unmet.tolist() == [[3.0, 0.0]] and short.delivered.tolist() == [[5.0, 3.0]]
    late = optimal_plan(supply=[[100]], demand=[[8]], times=[[7200]], deadline_s=3600)
    assert late.unmet.tolist() == [[8.0]] and late.quantity.size == 0
    unreachable = optimal_plan(supply=[[100]], demand=[[8]], times=[[INF]])
    assert unreachable.unmet.tolist() == [[8.0]]
    # the deadline excludes the near-but-empty and keeps the far-but-in-time
    plan = optimal_plan(supply=[[0], [4], [10]], demand=[[10]], times=[[10], [100], [5000]], deadline_s=4000)
    assert _flows(plan) == {(1, 0, 0, 4.0)} and plan.unmet[0, 0] == 6


def test_the_most_is_delivered_before_time_is_saved() -> None:
    # W0 reaches P0 (10 s) and P1 (1,000 s); W1 reaches only P0 (900 s). 1 unit each, 1 needed each.
    # Cheapest in seconds would be W0 → P0 alone (10 s) leaving P1 unmet; the optimum serves both:
    # W0 → P1 (1,000) and W1 → P0 (900).
    plan = optimal_plan(supply=[[1], [1]], demand=[[1], [1]], times=[[10, 1000], [900, INF]])
    assert _flows(plan) == {(0, 1, 0, 1.0), (1, 0, 0, 1.0)} and plan.unmet.sum() == 0
    assert unmet_penalty(np.array([10.0, 1000.0, 900.0]), 2, 2) == 2 * 1000 + 1
    assert unmet_penalty(np.array([10.0]), 1, 5, spread=3.0) == (10 + 1) * 3


def _random_instance(rng: np.random.Generator, n_w: int, n_p: int, n_k: int) -> tuple[np.ndarray, ...]:
    xy_w, xy_p = rng.uniform(0, 100_000, (n_w, 2)), rng.uniform(0, 100_000, (n_p, 2))
    times = np.round(np.hypot(*(xy_w[:, None, :] - xy_p[None, :, :]).transpose(2, 0, 1)) / 10.0)
    times[rng.random(times.shape) < 0.05] = INF
    people = rng.integers(1, 500, n_p).astype(float)
    per_person = rng.integers(1, 4, n_k)
    demand = people[:, None] * per_person[None, :]
    supply = np.round(rng.dirichlet(np.ones(n_w), n_k).T * demand.sum(0) * rng.uniform(0.6, 1.3))
    return supply, demand, times, people


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), n_w=st.integers(1, 6), n_p=st.integers(1, 40), n_k=st.integers(1, 3))
def test_column_generation_reaches_the_full_lp_optimum(seed: int, n_w: int, n_p: int, n_k: int) -> None:
    supply, demand, times, people = _random_instance(np.random.default_rng(seed), n_w, n_p, n_k)
    deadline = float(np.nanmax(np.where(np.isfinite(times), times, np.nan), initial=0.0)) * 0.8 or 1.0
    a = optimal_plan(supply=supply, demand=demand, times=times, people=people, deadline_s=deadline, candidates=2)
    b = optimal_plan(supply=supply, demand=demand, times=times, people=people, deadline_s=deadline, candidates=None)
    assert a.lp_objective == pytest.approx(b.lp_objective, rel=1e-9, abs=1e-6)
    assert a.objective == pytest.approx(b.objective, rel=1e-9, abs=1e-6)
    # a feasible, integral plan that respects stock, demand and the deadline
    for plan in (a, b, greedy_plan(supply=supply, demand=demand, times=times, people=people, deadline_s=deadline)):
        assert np.all(plan.quantity == np.round(plan.quantity)) and np.all(plan.quantity > 0)
        used = np.zeros_like(supply)
        np.add.at(used, (plan.warehouse, plan.item), plan.quantity)
        assert np.all(used <= supply + 1e-9)
        assert np.all(plan.delivered + plan.unmet == demand)
        assert np.all(times[plan.warehouse, plan.point] <= deadline)
        assert plan.delivered.sum() <= a.delivered.sum() + 1e-9  # nothing delivers more than the optimum


def test_optimum_equals_an_independent_min_cost_flow() -> None:
    mcf = pytest.importorskip("ortools.graph.python.min_cost_flow")
    rng = np.random.default_rng(7)
    supply, demand, times, people = _random_instance(rng, 8, 120, 3)
    deadline = 9000.0
    plan = optimal_plan(supply=supply, demand=demand, times=times, people=people, deadline_s=deadline)
    total_ref = 0.0
    flow_ref = 0
    for k in range(supply.shape[1]):
        solver = mcf.SimpleMinCostFlow()
        w, p = np.nonzero(times <= deadline)
        solver.add_arcs_with_capacity_and_unit_cost(w, supply.shape[0] + p, np.full(w.size, 10**9),
                                                    times[w, p].astype(np.int64))
        solver.set_nodes_supplies(np.arange(supply.shape[0] + demand.shape[0]),
                                  np.concatenate([supply[:, k], -demand[:, k]]).astype(np.int64))
        assert solver.solve_max_flow_with_min_cost() == solver.OPTIMAL
        weight = people[0] / demand[0, k]  # persons per unit: the same at every point (needs profile)
        total_ref += solver.optimal_cost() * weight
        flow_ref += solver.maximum_flow()
    assert plan.delivered.sum() == flow_ref
    assert plan.objective == pytest.approx(total_ref, rel=1e-9)


def test_max_relief_population_by_hand() -> None:
    # two points with 60 % and 40 % of the people; tents 1 per 4 persons, water 2.5 L per person.
    # W0 (reaches both) has 100 tents and 10,000 L; W1 (reaches only the second) 50 tents.
    # Tents: N·0.6/4 ≤ 100 (only W0 reaches the first) and N/4 ≤ 150 → N ≤ 600. Water: N ≤ 4,000.
    cap = max_relief_population(supply=[[100, 10_000], [50, 0]], need_per_person=[0.25, 2.5], shares=[0.6, 0.4],
                                times=[[100, 100], [INF, 100]])
    assert cap.people == pytest.approx(600.0)
    assert cap.per_item.tolist() == pytest.approx([600.0, 4000.0]) and cap.binding_item == 0
    # beyond the deadline the far warehouse does not count
    cap = max_relief_population(supply=[[100, 10_000], [50, 0]], need_per_person=[0.25, 2.5], shares=[0.6, 0.4],
                                times=[[100, 100], [INF, 99_999]], deadline_s=43_200)
    assert cap.people == pytest.approx(400.0)  # W0's 100 tents for everybody
    # a point nobody reaches leaves nobody served (spread like the population)
    assert max_relief_population(supply=[[100]], need_per_person=[1.0], shares=[0.5, 0.5],
                                 times=[[10, INF]]).people == 0.0
    # the LP figure is exactly what the plan can deliver
    supply = np.array([[100.0, 10_000.0], [50.0, 0.0]])
    for n, short in ((600.0, False), (604.0, True)):
        plan = optimal_plan(supply=supply, demand=np.array([[0.6, 0.4]]).T * n * np.array([0.25, 2.5]),
                            times=[[100, 100], [INF, 100]])
        assert bool(plan.unmet.sum() > 1e-6) == short


def test_bad_input_names_the_argument() -> None:
    good = {"supply": [[1.0]], "demand": [[1.0]], "times": [[1.0]]}
    cases = [
        ({**good, "supply": [[-1.0]]}, "supply"),
        ({**good, "demand": [[math.nan]]}, "demand"),
        ({**good, "times": [[math.nan]]}, "times"),
        ({**good, "times": [[1.0, 2.0]]}, "times"),
        ({**good, "demand": [[1.0, 2.0]]}, "demand"),
        ({**good, "people": [1.0, 2.0]}, "people"),
        ({**good, "deadline_s": 0.0}, "deadline_s"),
        ({**good, "supply": [1.0]}, "supply"),
    ]
    for kwargs, field in cases:
        with pytest.raises(AllocationError) as exc:
            optimal_plan(**kwargs)  # type: ignore[arg-type]
        assert exc.value.field == field
        with pytest.raises(AllocationError):
            greedy_plan(**kwargs)  # type: ignore[arg-type]
    with pytest.raises(AllocationError) as exc:
        max_relief_population(supply=[[1.0]], need_per_person=[1.0], shares=[0.0], times=[[1.0]])
    assert exc.value.field == "shares"


def test_the_engine_imports_only_numpy_and_scipy() -> None:
    import yingji.engines.allocation as pkg

    allowed = {"numpy", "scipy", "__future__", "dataclasses", "time", "typing", "collections", "math",
               "json", "os", "platform", "statistics", "gc", "sys"}
    for path in Path(pkg.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in allowed or (path.name == "bench.py" and top == "ortools"), (path.name, name)
