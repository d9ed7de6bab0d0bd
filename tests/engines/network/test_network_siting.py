"""Station siting: greedy vs MIP vs brute force on small cases."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from yingji.engines.network import NetworkError, PopulationGrid, RoadGraph, matrix, site_stations
from yingji.engines.network.synthetic import grid_network


def case(seed: int, n: int = 6) -> tuple[RoadGraph, PopulationGrid, np.ndarray]:
    g = grid_network(nx=n, ny=n, spacing_m=500.0, seed=seed, jitter=0.1, oneway_share=0.2, drop_share=0.1)
    rng = np.random.default_rng(seed)
    cells = PopulationGrid(
        lon=g.node_lon,
        lat=g.node_lat,
        population=rng.integers(0, 100, g.n_nodes),
        division=np.full(g.n_nodes, "A"),
        cell_size_m=500.0,
    )
    cand = rng.choice(g.n_nodes, size=9, replace=False)
    return g, cells, cand


def brute_force(
    g: RoadGraph, cells: PopulationGrid, cand: np.ndarray, k: int, budget: float, existing: list[int]
) -> float:
    nodes = np.arange(g.n_nodes)  # one cell per node, cell i on node i
    reach = matrix(g, origins=np.concatenate([cand, existing]).astype(int), destinations=nodes) <= budget
    base = reach[len(cand) :].any(axis=0) if existing else np.zeros(g.n_nodes, dtype=bool)
    best = 0.0
    for combo in itertools.combinations(range(len(cand)), k):
        covered = base | reach[list(combo)].any(axis=0)
        best = max(best, float(cells.population[covered].sum()))
    return best


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_mip_equals_brute_force_and_beats_greedy(seed: int) -> None:
    g, cells, cand = case(seed)
    existing = [int(cand[0])] if seed % 2 else []
    args = dict(
        existing_sources=existing, candidate_nodes=cand, cells=cells, turnout_s=60.0, drive_budget_s=90.0, k=3
    )
    mip = site_stations(g, method="mip", **args)
    greedy = site_stations(g, method="greedy", **args)
    best = brute_force(g, cells, cand, 3, 90.0, existing)
    assert mip.optimal is True and greedy.optimal is None
    assert mip.covered_population == pytest.approx(best)
    assert greedy.covered_population <= mip.covered_population + 1e-9
    assert greedy.covered_population >= (1 - 1 / np.e) * mip.covered_population - 1e-9
    for res in (mip, greedy):
        gains = [c.population_gained for c in res.chosen]
        assert gains == sorted(gains, reverse=True) and all(x > 0 for x in gains)
        assert sum(gains) == pytest.approx(res.population_gained)
        assert all(int(cand[c.index]) == c.node for c in res.chosen)
        assert len(res.chosen) <= 3


def test_greedy_counts_only_newly_covered_people() -> None:
    g = grid_network(nx=5, ny=1, spacing_m=1000.0, arterial_kmh=36.0, local_kmh=36.0)
    cells = PopulationGrid(
        lon=g.node_lon,
        lat=g.node_lat,
        population=[10, 20, 30, 40, 50],
        division=["A"] * 5,
        cell_size_m=1000.0,
    )
    res = site_stations(
        g, existing_sources=[4], candidate_nodes=[0, 3, 2], cells=cells, turnout_s=60, drive_budget_s=100, k=2
    )
    assert res.baseline_covered_population == 90  # nodes 3 and 4
    # node 2 reaches nodes 1-3 (50 new people), then node 0 adds node 0 only (10)
    assert [(c.index, c.population_gained) for c in res.chosen] == [(2, 50.0), (0, 10.0)]
    assert res.covered_population == 150
    # nothing left to gain: no site is returned
    full = site_stations(
        g,
        existing_sources=[0, 2, 4],
        candidate_nodes=[1, 3],
        cells=cells,
        turnout_s=60,
        drive_budget_s=100,
        k=2,
        method="mip",
    )
    assert full.chosen == [] and full.population_gained == 0


def test_siting_errors() -> None:
    g, cells, cand = case(0)
    with pytest.raises(NetworkError, match="method"):
        site_stations(
            g,
            existing_sources=[],
            candidate_nodes=cand,
            cells=cells,
            turnout_s=60,
            drive_budget_s=90,
            k=1,
            method="anneal",
        )  # type: ignore[arg-type]
    with pytest.raises(NetworkError, match="k"):
        site_stations(
            g, existing_sources=[], candidate_nodes=cand, cells=cells, turnout_s=60, drive_budget_s=90, k=0
        )
    with pytest.raises(NetworkError, match="candidate_nodes"):
        site_stations(
            g, existing_sources=[], candidate_nodes=[], cells=cells, turnout_s=60, drive_budget_s=90, k=1
        )
