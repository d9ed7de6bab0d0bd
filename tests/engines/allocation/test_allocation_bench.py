"""The allocation benchmark runs, in the DESIGN.md §7 shape, and its optimum equals the reference's."""

from __future__ import annotations

import json

import pytest

from yingji.engines.allocation import bench


@pytest.mark.parametrize("reference", ["auto", "scipy"])
def test_small_benchmark_agrees_with_its_reference(reference: str) -> None:
    result = bench.run(warehouses=6, points=60, items=3, repeats=1, reference=reference)
    json.dumps(result)  # one JSON object
    assert result["bench"] == "allocation"
    assert {"data", "medians_s", "ratios", "checks", "machine"} <= set(result)
    assert result["checks"]["objective_equal"] is True, result
    assert result["checks"]["delivered_equal"] is True
    assert result["checks"]["greedy_delivers_no_more"] is True
    assert result["ratios"]["greedy_over_optimal"] >= 1.0 - 1e-12
    assert result["ratios"]["yingji_over_reference"] > 0
    assert "reference" in result["checks"]
    if reference == "scipy":
        assert "highs-ipm" in result["checks"]["reference"]
    assert "greedy_over_optimal" in bench.format_table(result)


def test_default_instance_has_the_issue_size() -> None:
    inst = bench.instance()
    assert inst["supply"].shape == (50, 10) and inst["demand"].shape == (2000, 10)
    assert inst["times"].shape == (50, 2000)
