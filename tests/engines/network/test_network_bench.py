"""The routing benchmark runs, agrees with its references and has the agreed shape."""

from __future__ import annotations

import json

import pytest

from yingji.engines.network import bench
from yingji.engines.network.synthetic import grid_for_nodes, grid_population


def small(target):
    graph = grid_for_nodes(target or 3_000, seed=1)
    return graph, grid_population(graph, cell_size_m=300.0)


def test_bench_shape_and_agreement(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("networkx")
    result = bench.run(json_out=True, sizes=(1_000, 4_000), repeats=1, data=small)
    printed = json.loads(capsys.readouterr().out)
    assert printed["bench"] == "routing"
    assert result["checks"]["distances_agree"] is True
    assert all(result["checks"]["details"].values())
    assert set(result["data"]) >= {"nodes", "edges"}
    for op in ("single_source", "bounded_300s", "coverage", "nearest_k"):
        for engine in ("yingji", "networkx", "scipy"):
            assert result["medians_s"][f"{engine}.{op}"] > 0
        assert f"networkx_over_yingji.{op}" in result["ratios"]
        assert f"yingji_over_scipy.{op}" in result["ratios"]
    assert [row["nodes"] for row in result["scaling"]] == [1_024, 3_969]
    assert result["machine"]["cpus"] >= 1
    table = bench.format_table(result)
    assert "single_source" in table and "distances_agree=True" in table


def test_bench_without_networkx_says_so() -> None:
    result = bench.run(sizes=(), repeats=1, data=small, networkx=False)
    assert result["checks"]["networkx"] == "skipped on request"
    assert result["checks"]["distances_agree"] is True
    assert "networkx_over_yingji.single_source" not in result["ratios"]
    assert "n/a" in bench.format_table(result)
