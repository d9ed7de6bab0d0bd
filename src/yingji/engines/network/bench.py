"""Side-by-side routing benchmark: this engine, bare scipy and networkx on the same graph.

Operations (medians of ``repeats`` runs, one process, same graph and inputs):

* ``single_source`` — all travel times from one node;
* ``bounded_300s`` — the same search cut at 300 s (5 minutes);
* ``coverage`` — ~60 stations, 240 s drive budget, per-division covered population
  of a 1 km grid (the reference runs the same numpy aggregation after its search);
* ``nearest_k`` — the 5 fastest of 200 candidates from one node.

networkx is optional (imported here only): without it the result says so in ``checks``.
The graph comes from ``data(target_nodes)``; by default a synthetic jittered street grid
(:func:`~yingji.engines.network.synthetic.grid_for_nodes`). The engine may not import
the demo package, so the CLI passes ``yingji.demo.roads.demo_bench_data`` to benchmark
the demo city's network (``benchmarks/routing.py`` does).
"""

from __future__ import annotations

import gc
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy
from scipy.sparse.csgraph import dijkstra

from .coverage import coverage, snap_cells
from .graph import RoadGraph
from .population import PopulationGrid
from .routing import nearest_k, travel_times
from .synthetic import grid_for_nodes, grid_population

DataFactory = Callable[[int | None], tuple[RoadGraph, PopulationGrid]]
"""``data(target_nodes)`` → (graph, population grid); ``None`` = the standard size."""

DEFAULT_SIZES: tuple[int, ...] = (10_000, 100_000, 1_000_000)
TURNOUT_S = 60.0
DRIVE_S = 240.0
BOUND_S = 300.0


def synthetic_data(target_nodes: int | None) -> tuple[RoadGraph, PopulationGrid]:
    """Default benchmark data: a jittered grid (~110,000 nodes unless told) and its grid."""
    graph = grid_for_nodes(target_nodes or 110_000)
    return graph, grid_population(graph)


def _interleaved(fns: dict[str, Callable[[], Any]], repeats: int) -> tuple[dict[str, float], dict[str, Any]]:
    """Median seconds per function. Runs are interleaved, in an order rotated every round, so
    that load changes and cache effects (a heavy run before a light one) hit all alike."""
    outputs = {name: fn() for name, fn in fns.items()}  # warm-up (caches: KD-tree, cell snapping)
    times: dict[str, list[float]] = {name: [] for name in fns}
    names = list(fns)
    gc_was_on = gc.isenabled()
    gc.disable()  # as timeit does: no collection of others' garbage inside a timed run
    try:
        for r in range(max(1, repeats)):
            shift = r % len(names)
            for name in names[shift:] + names[:shift]:
                fn = fns[name]
                t0 = time.perf_counter()
                outputs[name] = fn()
                times[name].append(time.perf_counter() - t0)
    finally:
        if gc_was_on:
            gc.enable()
    return {name: statistics.median(ts) for name, ts in times.items()}, outputs


def _agree(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> bool:
    fa, fb = np.isfinite(a), np.isfinite(b)
    return bool(np.array_equal(fa, fb) and np.allclose(a[fa], b[fb], rtol=1e-9, atol=1e-6))


def _to_networkx(graph: RoadGraph) -> Any:
    import networkx as nx

    csr = graph.csr
    rows = np.repeat(np.arange(graph.n_nodes), np.diff(csr.indptr))
    g = nx.DiGraph()
    g.add_nodes_from(range(graph.n_nodes))
    g.add_weighted_edges_from(zip(rows.tolist(), csr.indices.tolist(), csr.data.tolist(), strict=True))
    return g


def _dict_to_array(d: dict[int, float], n: int) -> npt.NDArray[np.float64]:
    out = np.full(n, np.inf)
    if d:
        keys = np.fromiter(d.keys(), dtype=np.int64, count=len(d))
        out[keys] = np.fromiter(d.values(), dtype=np.float64, count=len(d))
    return out


def _division_sums(
    covered: npt.NDArray[np.bool_], pop: npt.NDArray[np.float64], inverse: npt.NDArray[np.int64], n_div: int
) -> npt.NDArray[np.float64]:
    return np.asarray(np.bincount(inverse, weights=np.where(covered, pop, 0.0), minlength=n_div))


def run(
    *,
    json_out: bool = False,
    sizes: Sequence[int] = DEFAULT_SIZES,
    repeats: int = 7,
    seed: int = 0,
    data: DataFactory | None = None,
    stations: int = 60,
    candidates: int = 200,
    k: int = 5,
    networkx: bool = True,
) -> dict[str, Any]:
    """Run the benchmark and return the result dict (printed as JSON when ``json_out``).

    ``sizes`` are the approximate node counts of the scaling runs (engine single-source
    only); pass ``()`` to skip them. ``networkx=False`` skips the slow reference.
    """
    factory = data or synthetic_data
    rng = np.random.default_rng(seed)
    graph, cells = factory(None)
    n = graph.n_nodes
    csr = graph.csr
    origin = int(rng.integers(n))
    sources = np.sort(rng.choice(n, size=min(stations, n), replace=False)).astype(np.int64)
    cand = rng.choice(n, size=min(candidates, n), replace=False).astype(np.int64)
    snapped = snap_cells(graph, cells)
    cell_on = snapped.node >= 0
    cell_node = snapped.node[cell_on]
    codes, inverse = np.unique(cells.division, return_inverse=True)
    inverse_on = inverse.ravel()[cell_on]
    pop_on = cells.population[cell_on]

    medians: dict[str, float] = {}
    results: dict[str, dict[str, Any]] = {}

    plan: dict[str, dict[str, Callable[[], Any]]] = {}

    def bench(name: str, engine: str, fn: Callable[[], Any]) -> None:
        plan.setdefault(name, {})[engine] = fn

    # ------------------------------------------------------------- this engine
    bench("single_source", "yingji", lambda: travel_times(graph, sources=origin).seconds)
    bench("bounded_300s", "yingji", lambda: travel_times(graph, sources=origin, limit_s=BOUND_S).seconds)
    bench(
        "coverage",
        "yingji",
        lambda: coverage(graph, sources=sources, turnout_s=TURNOUT_S, drive_budget_s=DRIVE_S, cells=cells),
    )
    bench("nearest_k", "yingji", lambda: nearest_k(graph, origin=origin, candidates=cand, k=k))

    # -------------------------------------------------------------- bare scipy
    def scipy_coverage() -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        dist = dijkstra(csr, directed=True, indices=sources, min_only=True, limit=DRIVE_S)
        covered = dist[cell_node] <= DRIVE_S
        return dist, _division_sums(covered, pop_on, inverse_on, codes.size)

    def scipy_nearest() -> list[int]:
        dist = dijkstra(csr, directed=True, indices=origin)
        eta = dist[cand]
        order = np.lexsort((np.arange(cand.size), eta))
        return [int(i) for i in order[np.isfinite(eta[order])][:k]]

    bench("single_source", "scipy", lambda: dijkstra(csr, directed=True, indices=origin))
    bench("bounded_300s", "scipy", lambda: dijkstra(csr, directed=True, indices=origin, limit=BOUND_S))
    bench("coverage", "scipy", scipy_coverage)
    bench("nearest_k", "scipy", scipy_nearest)

    # ----------------------------------------------------------------- networkx
    checks: dict[str, Any] = {}
    have_nx = False
    if networkx:
        try:
            import networkx as nx

            have_nx = True
        except ImportError:
            checks["networkx"] = "not installed: no networkx timings or ratios"
    else:
        checks["networkx"] = "skipped on request"
    if have_nx:
        g_nx = _to_networkx(graph)

        def nx_single() -> npt.NDArray[np.float64]:
            return _dict_to_array(nx.single_source_dijkstra_path_length(g_nx, origin, weight="weight"), n)

        def nx_bounded() -> npt.NDArray[np.float64]:
            d = nx.single_source_dijkstra_path_length(g_nx, origin, cutoff=BOUND_S, weight="weight")
            return _dict_to_array(d, n)

        def nx_coverage() -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
            d = nx.multi_source_dijkstra_path_length(
                g_nx, set(sources.tolist()), cutoff=DRIVE_S, weight="weight"
            )
            dist = _dict_to_array(d, n)
            covered = dist[cell_node] <= DRIVE_S
            return dist, _division_sums(covered, pop_on, inverse_on, codes.size)

        def nx_nearest() -> list[int]:
            dist = _dict_to_array(nx.single_source_dijkstra_path_length(g_nx, origin, weight="weight"), n)
            eta = dist[cand]
            order = np.lexsort((np.arange(cand.size), eta))
            return [int(i) for i in order[np.isfinite(eta[order])][:k]]

        bench("single_source", "networkx", nx_single)
        bench("bounded_300s", "networkx", nx_bounded)
        bench("coverage", "networkx", nx_coverage)
        bench("nearest_k", "networkx", nx_nearest)
        checks["networkx"] = f"networkx {nx.__version__}"

    for name, fns in plan.items():
        op_medians, op_outputs = _interleaved(fns, repeats)
        for engine, t in op_medians.items():
            medians[f"{engine}.{name}"] = t
        results[name] = op_outputs

    # ------------------------------------------------------------------ checks
    agree = True
    details: dict[str, bool] = {}
    for name in ("single_source", "bounded_300s"):
        ref = results[name]["scipy"]
        for engine in ("yingji", "networkx"):
            if engine in results[name]:
                ok = _agree(results[name][engine], ref)
                details[f"{engine}_vs_scipy.{name}"] = ok
                agree &= ok
    cov = results["coverage"]["yingji"]
    cov_engine = np.array([cov.by_division[str(c)].covered_population for c in codes])
    for engine in ("scipy", "networkx"):
        if engine in results["coverage"]:
            dist, sums = results["coverage"][engine]
            ok = bool(np.allclose(sums, cov_engine)) and _agree(
                travel_times(graph, sources=sources, limit_s=DRIVE_S).seconds, dist
            )
            details[f"yingji_vs_{engine}.coverage"] = ok
            agree &= ok
    ranked = [r.candidate for r in results["nearest_k"]["yingji"]]
    for engine in ("scipy", "networkx"):
        if engine in results["nearest_k"]:
            ok = ranked == results["nearest_k"][engine]
            details[f"yingji_vs_{engine}.nearest_k"] = ok
            agree &= ok
    checks["distances_agree"] = bool(agree)
    checks["details"] = details

    ratios: dict[str, float] = {}
    for name in ("single_source", "bounded_300s", "coverage", "nearest_k"):
        y = medians[f"yingji.{name}"]
        if f"networkx.{name}" in medians:
            ratios[f"networkx_over_yingji.{name}"] = medians[f"networkx.{name}"] / y
        ratios[f"yingji_over_scipy.{name}"] = y / medians[f"scipy.{name}"]

    # ----------------------------------------------------------------- scaling
    scaling: list[dict[str, Any]] = []
    for size in sizes:
        g_s, _ = factory(int(size))
        o = int(np.random.default_rng(seed).integers(g_s.n_nodes))

        def engine_run(g_s: RoadGraph = g_s, o: int = o) -> Any:
            return travel_times(g_s, sources=o)

        def scipy_run(g_s: RoadGraph = g_s, o: int = o) -> Any:
            return dijkstra(g_s.csr, directed=True, indices=o)

        scale_medians, _ = _interleaved({"yingji": engine_run, "scipy": scipy_run}, repeats)
        t_y, t_s = scale_medians["yingji"], scale_medians["scipy"]
        scaling.append(
            {
                "nodes": g_s.n_nodes,
                "edges": g_s.n_edges,
                "yingji.single_source_s": t_y,
                "scipy.single_source_s": t_s,
                "yingji.us_per_node": t_y / g_s.n_nodes * 1e6,
            }
        )
        del g_s

    result: dict[str, Any] = {
        "bench": "routing",
        "data": {
            "nodes": n,
            "edges": graph.n_edges,
            "arcs": int(csr.nnz),
            "cells": len(cells),
            "stations": int(sources.size),
            "candidates": int(cand.size),
            "network": getattr(factory, "__qualname__", "data"),
        },
        "medians_s": medians,
        "ratios": ratios,
        "checks": checks,
        "scaling": scaling,
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "platform": platform.platform(),
        },
    }
    if json_out:
        print(json.dumps(result, ensure_ascii=False))
    return result


def format_table(result: dict[str, Any]) -> str:
    """A plain-text table of a :func:`run` result."""
    med = result["medians_s"]
    ratios = result["ratios"]
    data = result["data"]
    lines = [
        f"routing benchmark — {data['nodes']:,} nodes, {data['edges']:,} edges ({data.get('network', '')})",
        f"{'operation':<15}{'yingji s':>11}{'scipy s':>11}{'networkx s':>12}"
        f"{'nx/yingji':>11}{'yingji/scipy':>14}",
    ]
    for name in ("single_source", "bounded_300s", "coverage", "nearest_k"):
        nx_t = med.get(f"networkx.{name}")
        nx_r = ratios.get(f"networkx_over_yingji.{name}")
        lines.append(
            f"{name:<15}{med[f'yingji.{name}']:>11.4f}{med[f'scipy.{name}']:>11.4f}"
            f"{(f'{nx_t:.4f}' if nx_t is not None else 'n/a'):>12}"
            f"{(f'{nx_r:.1f}x' if nx_r is not None else 'n/a'):>11}"
            f"{ratios[f'yingji_over_scipy.{name}']:>13.2f}x"
        )
    lines.append(
        f"checks: distances_agree={result['checks']['distances_agree']} ({result['checks'].get('networkx')})"
    )
    for row in result.get("scaling", []):
        lines.append(
            f"scaling: {row['nodes']:>9,} nodes  single_source {row['yingji.single_source_s']:.4f} s"
            f"  ({row['yingji.us_per_node']:.3f} µs/node; scipy {row['scipy.single_source_s']:.4f} s)"
        )
    m = result["machine"]
    lines.append(f"machine: python {m['python']}, {m['cpus']} cpus")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m yingji.engines.network.bench [--json] [--quick]`` on the synthetic grid."""
    args = list(sys.argv[1:] if argv is None else argv)
    result = run(sizes=(10_000, 100_000) if "--quick" in args else DEFAULT_SIZES)
    print(json.dumps(result, ensure_ascii=False) if "--json" in args else format_table(result))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
