"""Side-by-side routing benchmark: this engine, bare scipy and networkx on the same graph.

Operations (medians of at least ``repeats`` interleaved runs — more for fast operations,
see :func:`_interleaved` — in one process, on the same graph and inputs). Each run is
timed twice: wall clock (``medians_s``, ``ratios``) and the thread's CPU time
(``cpu_medians_s``, ``cpu_ratios``), which leaves out waits for a CPU on a busy machine.
The ratios are medians of the per-round ratios, each between two runs of the same round,
which is steadier than a ratio of medians when the load changes during the run:

* ``single_source`` — all travel times from one node;
* ``bounded_300s`` — the same search cut at 300 s (5 minutes);
* ``coverage`` — ~60 stations, 240 s drive budget, per-division covered population
  of a 1 km grid. The references solve the same problem the plain way: one bounded
  multi-source Dijkstra over the whole graph (scipy: ``dijkstra(min_only=True,
  limit=240)``; networkx: ``multi_source_dijkstra_path_length(cutoff=240)``), then they
  gather each on-network cell's time and sum the covered population per division with
  ``np.bincount`` (cell snapping and division codes precomputed, as the engine caches
  them). The engine searches a contracted graph instead (pass-through nodes removed,
  built once per graph and closure set, before timing — see
  :mod:`~yingji.engines.network.coverage`); the checks compare its per-cell times and
  sums with the references';
* ``nearest_k`` — the 5 fastest of 200 candidates from one node;
* ``isochrones_5_10_15min`` and ``isochrones_30min`` — :func:`isochrones` polygons (150 m
  buffer) from the *centre*: the node nearest the middle of the grid's most populous
  7.5 km disc (on the demo network: 东昌府, the city seat). This engine only: there is no
  reference implementation to compare with.

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
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import scipy
import shapely
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from .coverage import coverage, snap_cells
from .graph import RoadGraph
from .isochrones import Isochrone, isochrones_detailed
from .population import PopulationGrid
from .routing import nearest_k, snap_many, travel_times
from .synthetic import grid_for_nodes, grid_population

DataFactory = Callable[[int | None], tuple[RoadGraph, PopulationGrid]]
"""``data(target_nodes)`` → (graph, population grid); ``None`` = the standard size."""

DEFAULT_SIZES: tuple[int, ...] = (10_000, 100_000, 1_000_000)
TURNOUT_S = 60.0
DRIVE_S = 240.0
BOUND_S = 300.0
ISOCHRONE_SETS: dict[str, tuple[float, ...]] = {
    "isochrones_5_10_15min": (300.0, 600.0, 900.0),
    "isochrones_30min": (1800.0,),
}
"""Engine-only isochrone operations: name → thresholds (s)."""
CENTRE_RADIUS_M = 7_500.0
ROUND_BUDGET_S = 2.0
"""Fast operations get as many rounds as fit in this many seconds of their slowest contestant."""
MAX_ROUNDS = 101


def synthetic_data(target_nodes: int | None) -> tuple[RoadGraph, PopulationGrid]:
    """Default benchmark data: a jittered grid (~110,000 nodes unless told) and its grid."""
    graph = grid_for_nodes(target_nodes or 110_000)
    return graph, grid_population(graph)


class Timings(NamedTuple):
    """Per function, one entry per timed round: wall-clock and thread CPU seconds."""

    wall: dict[str, list[float]]
    cpu: dict[str, list[float]]


def _interleaved(
    fns: dict[str, Callable[[], Any]], repeats: int, *, budget_s: float = ROUND_BUDGET_S
) -> tuple[Timings, dict[str, Any]]:
    """Wall-clock and CPU seconds of every timed run per function, and the last outputs.

    Runs are interleaved, in an order rotated every round and reversed every other cycle
    of rotations, so that load changes and cache effects (a light run right after a heavy
    one finds the CPU caches cold) hit all alike: within rounds, each function follows
    each other one equally often. There are at least ``repeats`` rounds, more for fast
    operations: as many as fit in ``budget_s`` of the slowest function's warm-up time, up
    to :data:`MAX_ROUNDS` (medians of a few millisecond-long runs are otherwise at the
    mercy of a shared machine's load). CPU time is ``time.thread_time()``: it leaves out
    the time the thread waits for a CPU, which on an oversubscribed machine can exceed
    the run itself."""
    outputs: dict[str, Any] = {}
    slowest = 0.0
    for name, fn in fns.items():  # warm-up (caches: KD-tree, cell maps, masked matrices)
        t0 = time.perf_counter()
        outputs[name] = fn()
        slowest = max(slowest, time.perf_counter() - t0)
    rounds = max(1, repeats, min(MAX_ROUNDS, int(budget_s / max(slowest, 1e-9))))
    timings = Timings({name: [] for name in fns}, {name: [] for name in fns})
    names = list(fns)
    gc_was_on = gc.isenabled()
    gc.disable()  # as timeit does: no collection of others' garbage inside a timed run
    try:
        for r in range(rounds):
            shift = r % len(names)
            order = names[shift:] + names[:shift]
            if (r // len(names)) % 2:
                order.reverse()
            for name in order:
                fn = fns[name]
                c0 = time.thread_time()
                t0 = time.perf_counter()
                outputs[name] = fn()
                t1 = time.perf_counter()
                c1 = time.thread_time()
                timings.wall[name].append(t1 - t0)
                timings.cpu[name].append(c1 - c0)
    finally:
        if gc_was_on:
            gc.enable()
    return timings, outputs


def _paired_ratio(num: list[float], den: list[float]) -> float:
    """Median over rounds of ``num[r] / den[r]``: both runs of a round saw the same load."""
    ratios = [a / b for a, b in zip(num, den, strict=True) if b > 0]
    return float(statistics.median(ratios)) if ratios else float("nan")


def busiest_node(graph: RoadGraph, cells: PopulationGrid, *, radius_m: float = CENTRE_RADIUS_M) -> int:
    """The node nearest the centre of the cell whose ``radius_m`` disc holds the most people."""
    x, y = graph.projection.to_xy(cells.lon, cells.lat)
    tree = cKDTree(np.column_stack([x, y]))
    pairs = tree.sparse_distance_matrix(tree, radius_m, output_type="coo_matrix")
    people = np.bincount(pairs.row, weights=cells.population[pairs.col], minlength=len(cells))
    best = int(np.argmax(people))  # pairs include each cell with itself
    far = 1e9  # metres: any node will do, however far
    return int(snap_many(graph, lon=[cells.lon[best]], lat=[cells.lat[best]], max_distance_m=far).node[0])


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
    round_budget_s: float = ROUND_BUDGET_S,
) -> dict[str, Any]:
    """Run the benchmark and return the result dict (printed as JSON when ``json_out``).

    ``sizes`` are the approximate node counts of the scaling runs (engine single-source
    only); pass ``()`` to skip them. ``networkx=False`` skips the slow reference.
    ``round_budget_s`` sets how many extra rounds fast operations get (0: ``repeats``).
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
    cpu_medians: dict[str, float] = {}
    samples: dict[str, list[float]] = {}
    cpu_samples: dict[str, list[float]] = {}
    rounds: dict[str, int] = {}
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
    centre = busiest_node(graph, cells)

    def iso_run(thresholds: tuple[float, ...]) -> Callable[[], list[Isochrone]]:
        return lambda: isochrones_detailed(graph, origins=centre, thresholds_s=thresholds)

    for iso_name, thresholds in ISOCHRONE_SETS.items():
        bench(iso_name, "yingji", iso_run(thresholds))

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
        op_times, op_outputs = _interleaved(fns, repeats, budget_s=round_budget_s)
        for engine in fns:
            medians[f"{engine}.{name}"] = statistics.median(op_times.wall[engine])
            cpu_medians[f"{engine}.{name}"] = statistics.median(op_times.cpu[engine])
            samples[f"{engine}.{name}"] = op_times.wall[engine]
            cpu_samples[f"{engine}.{name}"] = op_times.cpu[engine]
        rounds[name] = len(op_times.wall["yingji"])
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
            ok = (
                bool(np.allclose(sums, cov_engine))
                and _agree(travel_times(graph, sources=sources, limit_s=DRIVE_S).seconds, dist)
                and _agree(cov.cell_drive_s[cell_on], dist[cell_node])
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

    isos = {name: results[name]["yingji"] for name in ISOCHRONE_SETS}
    iso_info = {
        name: {
            "thresholds_s": [iso.threshold_s for iso in out],
            "area_km2": [round(iso.area_km2, 3) for iso in out],
            "reached_nodes": [iso.reached_nodes for iso in out],
            "vertices": [int(shapely.get_num_coordinates(iso.polygon)) for iso in out],
        }
        for name, out in isos.items()
    }
    nested = all(
        large.polygon.buffer(1e-9).contains(small.polygon)
        for out in isos.values()
        for small, large in zip(out, out[1:], strict=False)
    )
    checks["isochrones_nested"] = bool(nested)

    ratios: dict[str, float] = {}
    cpu_ratios: dict[str, float] = {}
    for name in ("single_source", "bounded_300s", "coverage", "nearest_k"):
        for out, runs in ((ratios, samples), (cpu_ratios, cpu_samples)):
            y = runs[f"yingji.{name}"]
            if f"networkx.{name}" in runs:
                out[f"networkx_over_yingji.{name}"] = _paired_ratio(runs[f"networkx.{name}"], y)
            out[f"yingji_over_scipy.{name}"] = _paired_ratio(y, runs[f"scipy.{name}"])

    # ----------------------------------------------------------------- scaling
    scaling: list[dict[str, Any]] = []
    for size in sizes:
        g_s, _ = factory(int(size))
        o = int(np.random.default_rng(seed).integers(g_s.n_nodes))

        def engine_run(g_s: RoadGraph = g_s, o: int = o) -> Any:
            return travel_times(g_s, sources=o)

        def scipy_run(g_s: RoadGraph = g_s, o: int = o) -> Any:
            return dijkstra(g_s.csr, directed=True, indices=o)

        scale_times, _ = _interleaved({"yingji": engine_run, "scipy": scipy_run}, repeats, budget_s=round_budget_s)
        t_y, t_s = statistics.median(scale_times.wall["yingji"]), statistics.median(scale_times.wall["scipy"])
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

    # the targets, judged on the CPU-time ratios (waits for a busy machine's CPU left out):
    # ≥ 10× networkx for single source and coverage (a bounded search is cheap for networkx too),
    # ≤ 1.5× bare scipy, cost per node about flat (≤ 3× from the smallest graph up)
    nx_ratios = [cpu_ratios[f"networkx_over_yingji.{op}"] for op in ("single_source", "coverage")
                 if f"networkx_over_yingji.{op}" in cpu_ratios]
    per_node = [row["yingji.us_per_node"] for row in scaling]
    checks["targets"] = {
        "networkx_at_least_10x": all(v >= 10 for v in nx_ratios) if nx_ratios else None,
        "scipy_within_1_5x": all(v <= 1.5 for k, v in cpu_ratios.items() if k.startswith("yingji_over_scipy.")),
        "scaling_about_linear": (max(per_node) / min(per_node) <= 3.0) if len(per_node) > 1 else None,
    }

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
            "isochrone_origin": {
                "node": centre,
                "lon": float(graph.node_lon[centre]),
                "lat": float(graph.node_lat[centre]),
            },
        },
        "isochrones": iso_info,
        "medians_s": medians,
        "cpu_medians_s": cpu_medians,
        "rounds": rounds,
        "ratios": ratios,
        "cpu_ratios": cpu_ratios,
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
        f"{'':<15}{'wall-clock medians':^34}{'ratios (wall)':^25}{'ratios (CPU)':^25}",
        f"{'operation':<15}{'yingji s':>11}{'scipy s':>11}{'networkx s':>12}"
        f"{'nx/yingji':>11}{'yingji/scipy':>14}{'nx/yingji':>11}{'yingji/scipy':>14}{'runs':>6}",
    ]
    runs = result.get("rounds", {})
    cpu = result.get("cpu_ratios", {})
    for name in ("single_source", "bounded_300s", "coverage", "nearest_k"):
        nx_t = med.get(f"networkx.{name}")
        nx_r = ratios.get(f"networkx_over_yingji.{name}")
        nx_c = cpu.get(f"networkx_over_yingji.{name}")
        ys_c = cpu.get(f"yingji_over_scipy.{name}")
        lines.append(
            f"{name:<15}{med[f'yingji.{name}']:>11.4f}{med[f'scipy.{name}']:>11.4f}"
            f"{(f'{nx_t:.4f}' if nx_t is not None else 'n/a'):>12}"
            f"{(f'{nx_r:.1f}x' if nx_r is not None else 'n/a'):>11}"
            f"{ratios[f'yingji_over_scipy.{name}']:>13.2f}x"
            f"{(f'{nx_c:.1f}x' if nx_c is not None else 'n/a'):>11}"
            f"{(f'{ys_c:.2f}x' if ys_c is not None else 'n/a'):>14}"
            f"{runs.get(name, ''):>6}"
        )
    origin = data.get("isochrone_origin")
    where = f" from node {origin['node']} ({origin['lon']:.4f}, {origin['lat']:.4f})" if origin else ""
    lines.append(f"isochrones, yingji only (no reference){where}:")
    for name, info in result.get("isochrones", {}).items():
        minutes = "/".join(f"{t / 60:g}" for t in info["thresholds_s"])
        areas = "/".join(f"{a:.0f}" for a in info["area_km2"])
        cpu_t = result.get("cpu_medians_s", {}).get(f"yingji.{name}")
        lines.append(
            f"  {minutes + ' min':<13}{med[f'yingji.{name}']:>11.4f} s"
            f"{f' (CPU {cpu_t:.4f} s)' if cpu_t is not None else ''}   {areas} km², "
            f"{sum(info['vertices']):,} vertices, {runs.get(name, '?')} runs"
        )
    lines.append(
        f"checks: distances_agree={result['checks']['distances_agree']} ({result['checks'].get('networkx')}), "
        f"isochrones_nested={result['checks'].get('isochrones_nested')}"
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
