"""Side-by-side allocation benchmark: the exact plan beside an independent solver and the greedy
plan, on one seeded instance (DESIGN.md §7 format).

The instance: ``warehouses`` depots and ``points`` demand points scattered over a square of
``side_km``; travel times are straight-line distance × 1.3 (detour) at 30 km/h, whole seconds, and
2 % of the pairs are cut (closed roads: ``inf``); the deadline is 12 h, which the far pairs exceed.
Each point has a lognormal number of people; each person needs a whole number (1–3) of units of each
item, so every item's persons-per-unit weight is the same at every point and the exact plan is the
lexicographic optimum (most delivered, then least person-seconds) — the problem OR-Tools'
``SimpleMinCostFlow.solve_max_flow_with_min_cost`` (network simplex) solves. Stock per item is 80–120 %
of the demand, split unevenly between the warehouses.

Reference: OR-Tools min-cost flow, per item, when ``ortools`` is installed; otherwise scipy
``linprog(method="highs-ipm")`` (interior point, not the engine's dual simplex) on a different
formulation — maximum flow first, then minimum cost at that flow — and ``checks.reference`` says which.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy
import scipy.sparse as sp
from scipy.optimize import linprog

from .core import DEFAULT_DEADLINE_S, Plan, greedy_plan, optimal_plan

FloatArray = npt.NDArray[np.float64]


def instance(
    *, warehouses: int = 50, points: int = 2000, items: int = 10, seed: int = 0, side_km: float = 250.0
) -> dict[str, Any]:
    """The seeded benchmark instance: supply (W, K), demand (P, K), times (W, P), people (P,),
    per_person (K,) whole units per person."""
    rng = np.random.default_rng(seed)
    xy_w = rng.uniform(0, side_km * 1000, (warehouses, 2))
    xy_p = rng.uniform(0, side_km * 1000, (points, 2))
    dist = np.hypot(xy_w[:, None, 0] - xy_p[None, :, 0], xy_w[:, None, 1] - xy_p[None, :, 1])
    times = np.round(dist * 1.3 / (30 / 3.6))
    times[rng.random(times.shape) < 0.02] = np.inf
    people = np.maximum(1.0, np.round(rng.lognormal(5.5, 0.9, points)))
    per_person = rng.integers(1, 4, items).astype(float)
    demand = people[:, None] * per_person[None, :]
    share = rng.dirichlet(np.full(warehouses, 0.7), items).T
    supply = np.round(share * demand.sum(axis=0) * rng.uniform(0.8, 1.2, items))
    return {"supply": supply, "demand": demand, "times": times, "people": people, "per_person": per_person}


def _reference_ortools(inst: dict[str, Any], deadline_s: float) -> tuple[float, float]:
    from ortools.graph.python import min_cost_flow

    supply, demand, times, per_person = inst["supply"], inst["demand"], inst["times"], inst["per_person"]
    n_w, n_k = supply.shape
    w, p = np.nonzero(times <= deadline_s)
    cost = times[w, p].astype(np.int64)
    big = int(demand.sum()) + 1
    nodes = np.arange(n_w + demand.shape[0])
    objective = 0.0
    delivered = 0.0
    for k in range(n_k):
        solver = min_cost_flow.SimpleMinCostFlow()
        solver.add_arcs_with_capacity_and_unit_cost(w, n_w + p, np.full(w.size, big), cost)
        solver.set_nodes_supplies(nodes, np.concatenate([supply[:, k], -demand[:, k]]).astype(np.int64))
        status = solver.solve_max_flow_with_min_cost()
        if status != solver.OPTIMAL:
            raise RuntimeError(f"OR-Tools min-cost flow: {status}")
        objective += solver.optimal_cost() / per_person[k]  # persons per unit = 1 / per_person
        delivered += solver.maximum_flow()
    return objective, delivered


def _reference_scipy(inst: dict[str, Any], deadline_s: float) -> tuple[float, float]:
    """Max flow first (an LP), then min cost with the flow held — interior point, not dual simplex."""
    supply, demand, times, per_person = inst["supply"], inst["demand"], inst["times"], inst["per_person"]
    n_w, n_k = supply.shape
    n_p = demand.shape[0]
    objective = 0.0
    delivered = 0.0
    for k in range(n_k):
        w, p = np.nonzero((times <= deadline_s) & (supply[:, k] > 0)[:, None] & (demand[:, k] > 0)[None, :])
        n_e = w.size
        a_ub = sp.vstack([sp.csr_matrix((np.ones(n_e), (w, np.arange(n_e))), shape=(n_w, n_e)),
                          sp.csr_matrix((np.ones(n_e), (p, np.arange(n_e))), shape=(n_p, n_e))]).tocsr()
        b_ub = np.concatenate([supply[:, k], demand[:, k]])
        first = linprog(-np.ones(n_e), A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs-ipm")
        flow = -float(first.fun)
        second = linprog(times[w, p], A_ub=a_ub, b_ub=b_ub, A_eq=np.ones((1, n_e)), b_eq=[flow], bounds=(0, None),
                         method="highs-ipm")
        objective += float(second.fun) / per_person[k]
        delivered += flow
    return objective, delivered


def _median_times(fns: dict[str, Callable[[], Any]], repeats: int) -> tuple[dict[str, float], dict[str, Any]]:
    """Median seconds per function; runs interleaved in a rotated order (as the routing bench)."""
    outputs = {name: fn() for name, fn in fns.items()}  # warm-up
    runs: dict[str, list[float]] = {name: [] for name in fns}
    names = list(fns)
    was_on = gc.isenabled()
    gc.disable()
    try:
        for r in range(max(1, repeats)):
            for name in names[r % len(names):] + names[: r % len(names)]:
                t0 = time.perf_counter()
                outputs[name] = fns[name]()
                runs[name].append(time.perf_counter() - t0)
    finally:
        if was_on:
            gc.enable()
    return {name: statistics.median(ts) for name, ts in runs.items()}, outputs


def _full_objective(plan: Plan, penalty: FloatArray, weight: FloatArray) -> float:
    """The function the exact LP minimises: person-seconds plus the unmet person-units at M_k each."""
    return plan.objective + float(np.sum(weight * plan.unmet * penalty[None, :]))


def run(
    *,
    json_out: bool = False,
    warehouses: int = 50,
    points: int = 2000,
    items: int = 10,
    seed: int = 0,
    repeats: int = 3,
    deadline_s: float = DEFAULT_DEADLINE_S,
    reference: str = "auto",
) -> dict[str, Any]:
    """Run the benchmark; return (and with ``json_out`` print) the result dict.

    ``reference``: ``"auto"`` (OR-Tools if importable, else scipy interior point), ``"ortools"`` or
    ``"scipy"``.
    """
    inst = instance(warehouses=warehouses, points=points, items=items, seed=seed)
    kwargs = {k: inst[k] for k in ("supply", "demand", "times", "people")}
    checks: dict[str, Any] = {}
    ref_name = reference
    if reference in ("auto", "ortools"):
        try:
            import ortools

            ref_name = "ortools"
            checks["reference"] = (f"OR-Tools {ortools.__version__} SimpleMinCostFlow."
                                   "solve_max_flow_with_min_cost (network simplex), per item")
        except ImportError:
            if reference == "ortools":
                raise
            ref_name = "scipy"
    if ref_name == "scipy":
        checks["reference"] = ("ortools not installed: scipy linprog(method='highs-ipm'), max flow then min cost "
                               "at that flow (a different formulation and method)")
    ref_fn = _reference_ortools if ref_name == "ortools" else _reference_scipy
    fns: dict[str, Callable[[], Any]] = {
        "yingji.optimal": lambda: optimal_plan(**kwargs, deadline_s=deadline_s),
        f"{ref_name}.reference": lambda: ref_fn(inst, deadline_s),
        "yingji.greedy": lambda: greedy_plan(**kwargs, deadline_s=deadline_s),
    }
    medians, out = _median_times(fns, repeats)
    opt: Plan = out["yingji.optimal"]
    greedy: Plan = out["yingji.greedy"]
    ref_objective, ref_delivered = out[f"{ref_name}.reference"]
    weight = np.divide(inst["people"][:, None], inst["demand"], out=np.zeros_like(inst["demand"]),
                       where=inst["demand"] > 0)
    penalty = np.zeros(items)
    for row in opt.per_item:
        penalty[int(row["item"])] = row["penalty_s"]
    checks["objective_equal"] = bool(np.isclose(opt.objective, ref_objective, rtol=1e-9, atol=1e-6))
    checks["delivered_equal"] = bool(abs(float(opt.delivered.sum()) - ref_delivered) < 1e-6)
    checks["greedy_delivers_no_more"] = bool(greedy.delivered.sum() <= opt.delivered.sum() + 1e-9)
    allowed = int(np.sum(inst["times"] <= deadline_s))
    result: dict[str, Any] = {
        "bench": "allocation",
        "data": {
            "warehouses": warehouses, "points": points, "items": items, "seed": seed,
            "pairs_within_deadline": allowed, "pairs": int(inst["times"].size), "deadline_s": deadline_s,
            "demand_units": float(inst["demand"].sum()), "supply_units": float(inst["supply"].sum()),
            "people": float(inst["people"].sum()),
            "lp_columns": int(sum(r["columns"] for r in opt.per_item)),
            "lp_rounds": [int(r["rounds"]) for r in opt.per_item],
        },
        "medians_s": medians,
        "objectives": {
            "yingji.optimal_person_s": opt.objective, "reference_person_s": ref_objective,
            "yingji.greedy_person_s": greedy.objective,
            "yingji.optimal_mean_delivery_s": opt.mean_delivery_s,
            "yingji.greedy_mean_delivery_s": greedy.mean_delivery_s,
            "yingji.optimal_served_share": opt.served_share, "yingji.greedy_served_share": greedy.served_share,
        },
        "ratios": {
            "yingji_over_reference": medians["yingji.optimal"] / medians[f"{ref_name}.reference"],
            "greedy_over_optimal": greedy.objective / opt.objective if opt.objective else float("nan"),
            "greedy_over_optimal_with_unmet": (_full_objective(greedy, penalty, weight)
                                               / _full_objective(opt, penalty, weight)),
            "greedy_time_over_optimal_time": medians["yingji.greedy"] / medians["yingji.optimal"],
        },
        "checks": checks,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "numpy": np.__version__,
                    "scipy": scipy.__version__, "platform": platform.platform()},
    }
    if json_out:
        print(json.dumps(result, ensure_ascii=False))
    return result


def format_table(result: dict[str, Any]) -> str:
    """A plain-text summary of a :func:`run` result."""
    d, med, rat, obj, chk = (result[k] for k in ("data", "medians_s", "ratios", "objectives", "checks"))
    lines = [
        f"allocation benchmark — {d['warehouses']} warehouses × {d['points']} points × {d['items']} items "
        f"({d['pairs_within_deadline']:,} of {d['pairs']:,} pairs within {d['deadline_s'] / 3600:g} h)",
        *(f"  {name:<24}{t:>10.3f} s" for name, t in med.items()),
        f"  optimal: {obj['yingji.optimal_person_s']:.6g} person-s, served {obj['yingji.optimal_served_share']:.2%}; "
        f"greedy: {obj['yingji.greedy_person_s']:.6g} person-s, served {obj['yingji.greedy_served_share']:.2%}",
        *(f"  {k:<32}{v:>10.3f}" for k, v in rat.items()),
        f"  reference: {chk['reference']}",
        f"  objective_equal: {chk['objective_equal']}   delivered_equal: {chk['delivered_equal']}",
    ]
    return "\n".join(lines)
