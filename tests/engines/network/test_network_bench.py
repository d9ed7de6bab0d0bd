"""The routing benchmark runs, agrees with its references and has the agreed shape."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

from yingji.engines.network import PopulationGrid, bench
from yingji.engines.network.synthetic import grid_for_nodes, grid_population


def small(target):
    graph = grid_for_nodes(target or 3_000, seed=1)
    return graph, grid_population(graph, cell_size_m=300.0)


def test_bench_shape_and_agreement(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("networkx")
    result = bench.run(json_out=True, sizes=(1_000, 4_000), repeats=1, data=small, round_budget_s=0.0)
    printed = json.loads(capsys.readouterr().out)
    assert printed["bench"] == "routing"
    assert result["checks"]["distances_agree"] is True
    assert all(result["checks"]["details"].values())
    assert set(result["data"]) >= {"nodes", "edges"}
    for op in ("single_source", "bounded_300s", "coverage", "nearest_k"):
        for engine in ("yingji", "networkx", "scipy"):
            assert result["medians_s"][f"{engine}.{op}"] > 0
            assert result["cpu_medians_s"][f"{engine}.{op}"] >= 0
        for ratios in (result["ratios"], result["cpu_ratios"]):
            assert f"networkx_over_yingji.{op}" in ratios
            assert f"yingji_over_scipy.{op}" in ratios
    assert [row["nodes"] for row in result["scaling"]] == [1_024, 3_969]
    # the targets are judged by the bench itself (booleans; their values depend on the machine)
    targets = result["checks"]["targets"]
    assert set(targets) == {"networkx_at_least_10x", "scipy_within_1_5x", "scaling_about_linear"}
    assert all(isinstance(v, bool) for v in targets.values())
    cpu = result["cpu_ratios"]
    assert targets["scipy_within_1_5x"] == all(cpu[f"yingji_over_scipy.{op}"] <= 1.5 for op in (
        "single_source", "bounded_300s", "coverage", "nearest_k"))
    assert result["machine"]["cpus"] >= 1
    # isochrones: this engine only, no reference, no ratio
    for op in bench.ISOCHRONE_SETS:
        assert result["medians_s"][f"yingji.{op}"] > 0
        assert f"scipy.{op}" not in result["medians_s"] and not any(op in key for key in result["ratios"])
        info = result["isochrones"][op]
        assert info["thresholds_s"] == list(bench.ISOCHRONE_SETS[op])
        assert info["area_km2"] == sorted(info["area_km2"]) and min(info["vertices"]) > 0
    assert result["checks"]["isochrones_nested"] is True
    assert set(result["rounds"]) == {"single_source", "bounded_300s", "coverage", "nearest_k", *bench.ISOCHRONE_SETS}
    assert set(result["rounds"].values()) == {1}  # no time budget: exactly `repeats` rounds
    assert 0 <= result["data"]["isochrone_origin"]["node"] < result["data"]["nodes"]
    table = bench.format_table(result)
    assert "single_source" in table and "distances_agree=True" in table
    assert "isochrones, yingji only" in table and "5/10/15 min" in table and "isochrones_nested=True" in table


def test_bench_without_networkx_says_so() -> None:
    result = bench.run(sizes=(), repeats=1, data=small, networkx=False, round_budget_s=0.0)
    assert result["checks"]["networkx"] == "skipped on request"
    assert result["checks"]["distances_agree"] is True
    assert "networkx_over_yingji.single_source" not in result["ratios"]
    assert "n/a" in bench.format_table(result)


def test_busiest_node_is_in_the_densest_disc() -> None:
    graph = grid_for_nodes(3_000, seed=1)
    cells = grid_population(graph, cell_size_m=300.0)
    x, y = graph.projection.to_xy(cells.lon, cells.lat)
    corner = (x > np.quantile(x, 0.8)) & (y < np.quantile(y, 0.2))
    crowded = PopulationGrid(
        lon=cells.lon,
        lat=cells.lat,
        population=np.where(corner, 1_000.0, 1.0),
        division=cells.division,
        cell_size_m=cells.cell_size_m,
    )
    node = bench.busiest_node(graph, crowded, radius_m=500.0)
    nx_, ny_ = graph.node_x[node], graph.node_y[node]
    assert nx_ > np.quantile(x, 0.75) and ny_ < np.quantile(y, 0.25)


def test_fast_operations_get_more_rounds() -> None:
    calls = {"fast": 0, "slow": 0}

    def fast() -> None:
        calls["fast"] += 1

    def slow() -> None:
        calls["slow"] += 1
        time.sleep(0.02)

    times, _ = bench._interleaved({"fast": fast}, 3, budget_s=0.05)
    assert len(times.wall["fast"]) == bench.MAX_ROUNDS and calls["fast"] == bench.MAX_ROUNDS + 1  # + warm-up
    times, _ = bench._interleaved({"fast": fast, "slow": slow}, 3, budget_s=0.05)
    assert len(times.wall["fast"]) == len(times.cpu["slow"]) == 3  # paced by the slowest: 0.05 s / 0.02 s < 3
    # sleeping is waiting: wall clock counts it, CPU time does not
    assert min(times.wall["slow"]) >= 0.02 > max(times.cpu["slow"])


def test_ratios_are_medians_of_per_round_ratios() -> None:
    # a load spike in one round slows both contestants alike and leaves the ratio alone
    yingji = [1.0, 1.1, 9.0, 1.0, 1.2]
    scipy = [1.0, 1.0, 9.0, 1.0, 1.0]
    assert bench._paired_ratio(yingji, scipy) == pytest.approx(1.0)
    assert bench._paired_ratio([2.0, 4.0, 6.0], [1.0, 1.0, 1.0]) == 4.0


def test_each_contestant_follows_each_other_equally_often() -> None:
    log: list[str] = []
    fns = {name: (lambda name=name: log.append(name)) for name in ("a", "b", "c")}
    bench._interleaved(fns, 6, budget_s=0.0)
    rounds = [log[3 + 3 * r : 6 + 3 * r] for r in range(6)]  # after the warm-up calls
    pairs = [(x, y) for order in rounds for x, y in zip(order, order[1:], strict=False)]
    assert {pair: pairs.count(pair) for pair in set(pairs)} == {
        pair: 2 for pair in [("a", "b"), ("b", "c"), ("c", "a"), ("b", "a"), ("c", "b"), ("a", "c")]
    }
