"""Where to put new stations: maximal covering location (Church & ReVelle, 1974).

Demand is the population of grid cells not already covered by the existing stations
(coverage semantics as in :mod:`.coverage`). A candidate covers a cell when the drive
time from the candidate's node to the cell's node is ``<= drive_budget_s``.

* ``method="greedy"``: add, ``k`` times, the candidate that covers the most still-uncovered
  population (ties → lower candidate position). Greedy achieves at least ``1 - 1/e`` of the
  optimum for this submodular objective.
* ``method="mip"``: the maximal covering location problem solved exactly by
  ``scipy.optimize.milp`` (HiGHS)::

      max  Σ_j w_j y_j
      s.t. y_j <= Σ_{i covers j} x_i   for each demand node j
           Σ_i x_i <= k
           x_i ∈ {0, 1},  0 <= y_j <= 1

  (``y`` may stay continuous: at an optimum with integer ``x`` it is integral.)

Both return the chosen sites ordered greedily by marginal gain within the chosen set, and
leave out sites that add nobody, so fewer than ``k`` sites may come back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse.csgraph import dijkstra

from .coverage import snap_cells
from .errors import NetworkError
from .graph import FloatArray, RoadGraph
from .population import PopulationGrid
from .routing import _MATRIX_BLOCK_CELLS, ClosuresArg, _nodes, travel_times


@dataclass(frozen=True)
class SiteChoice:
    """A chosen site: position in ``candidate_nodes``, its node, persons newly covered."""

    index: int
    node: int
    population_gained: float


@dataclass(frozen=True)
class SitingResult:
    """Result of :func:`site_stations`."""

    method: str
    chosen: list[SiteChoice]
    baseline_covered_population: float
    covered_population: float
    total_population: float
    optimal: bool | None
    """``True`` when the MIP proved optimality, ``False`` if it stopped early; ``None`` for greedy."""

    @property
    def population_gained(self) -> float:
        """Persons newly covered by all chosen sites together."""
        return self.covered_population - self.baseline_covered_population


def _coverage_matrix(
    graph: RoadGraph,
    csr: sparse.csr_matrix,
    cand: npt.NDArray[np.int64],
    targets: npt.NDArray[np.int64],
    budget: float,
) -> sparse.csr_matrix:
    """Boolean (candidates × targets) matrix: candidate reaches target within ``budget`` s."""
    block = max(1, _MATRIX_BLOCK_CELLS // graph.n_nodes)
    parts = []
    for start in range(0, cand.size, block):
        idx = cand[start : start + block]
        dist = np.asarray(dijkstra(csr, directed=True, indices=idx, limit=budget)).reshape(idx.size, -1)
        parts.append(sparse.csr_matrix(dist[:, targets] <= budget))
    return sparse.vstack(parts, format="csr") if parts else sparse.csr_matrix((0, targets.size), dtype=bool)


def _greedy(
    cover: sparse.csr_matrix, weight: FloatArray, k: int, allowed: npt.NDArray[np.bool_] | None = None
) -> list[tuple[int, float]]:
    remaining = weight.copy()
    a = cover.astype(np.float64).tocsr()
    picks: list[tuple[int, float]] = []
    usable = np.ones(cover.shape[0], dtype=bool) if allowed is None else allowed.copy()
    for _ in range(k):
        gains = np.asarray(a @ remaining).ravel()
        gains[~usable] = -1.0
        if gains.size == 0:
            break
        best = int(np.argmax(gains))
        if gains[best] <= 0:
            break
        picks.append((best, float(gains[best])))
        usable[best] = False
        remaining[a.indices[a.indptr[best] : a.indptr[best + 1]]] = 0.0
    return picks


def _mip(
    cover: sparse.csr_matrix, weight: FloatArray, k: int, time_limit_s: float
) -> tuple[npt.NDArray[np.bool_], bool]:
    n_c, n_d = cover.shape
    c = np.concatenate([np.zeros(n_c), -weight])
    a_cov = sparse.hstack([-cover.T.astype(np.float64), sparse.identity(n_d, format="csr")], format="csr")
    a_k = sparse.csr_matrix(np.concatenate([np.ones(n_c), np.zeros(n_d)])[None, :])
    constraints = [
        LinearConstraint(a_cov, -np.inf, 0.0),
        LinearConstraint(a_k, -np.inf, float(k)),
    ]
    integrality = np.concatenate([np.ones(n_c), np.zeros(n_d)])
    res = milp(
        c,
        constraints=constraints,
        integrality=integrality,
        bounds=Bounds(0.0, 1.0),
        options={"time_limit": float(time_limit_s), "disp": False},
    )
    if res.x is None:
        raise NetworkError(f"the MIP solver found no solution: {res.message}", field="method")
    return np.asarray(res.x[:n_c] > 0.5), bool(res.status == 0)


def site_stations(
    graph: RoadGraph,
    *,
    existing_sources: Sequence[int] | npt.ArrayLike,
    candidate_nodes: Sequence[int] | npt.ArrayLike,
    cells: PopulationGrid,
    turnout_s: float,
    drive_budget_s: float,
    k: int,
    method: Literal["greedy", "mip"] = "greedy",
    closures: ClosuresArg = None,
    max_snap_m: float | None = None,
    time_limit_s: float = 60.0,
) -> SitingResult:
    """Choose up to ``k`` of ``candidate_nodes`` maximising newly covered population.

    ``existing_sources`` (may be empty) are the stations already in service; only the
    population they leave uncovered counts. ``turnout_s`` is validated and kept for the
    record; the drive budget bounds the search (see :mod:`.coverage`). ``time_limit_s``
    caps the MIP solver; a stopped MIP returns its best solution with ``optimal=False``.
    """
    if method not in ("greedy", "mip"):
        raise NetworkError("must be 'greedy' or 'mip'", field="method")
    if k < 1:
        raise NetworkError("must be >= 1", field="k")
    for name, value in (("turnout_s", turnout_s), ("drive_budget_s", drive_budget_s)):
        if not np.isfinite(value) or value < 0:
            raise NetworkError("must be a finite time >= 0 s", field=name)
    budget = float(drive_budget_s)
    cand = _nodes(graph, candidate_nodes, "candidate_nodes")
    existing = _nodes(graph, existing_sources, "existing_sources", allow_empty=True)
    snapped = snap_cells(graph, cells, max_snap_m=max_snap_m)
    pop = cells.population
    demand = (snapped.node >= 0) & (pop > 0)
    baseline = 0.0
    if existing.size:
        seconds = travel_times(
            graph, sources=existing, closures=closures, limit_s=budget, nearest_source=False
        ).seconds
        covered = np.zeros(len(cells), dtype=bool)
        covered[demand] = seconds[snapped.node[demand]] <= budget
        baseline = float(pop[covered].sum())
        demand &= ~covered
    nodes, inverse = np.unique(snapped.node[demand], return_inverse=True)
    weight = np.asarray(
        np.bincount(inverse.ravel(), weights=pop[demand], minlength=nodes.size), dtype=np.float64
    )
    csr = graph.arcs(closures, reverse=False).csr
    cover = _coverage_matrix(graph, csr, cand, nodes, budget)

    optimal: bool | None = None
    if method == "greedy":
        picks = _greedy(cover, weight, k)
    else:
        useful_c = np.asarray(cover.sum(axis=1)).ravel() > 0
        useful_d = np.asarray(cover.sum(axis=0)).ravel() > 0
        chosen_mask = np.zeros(cand.size, dtype=bool)
        if useful_c.any() and useful_d.any():
            sub = cover[useful_c][:, useful_d].tocsr()
            x, optimal = _mip(sub, weight[useful_d], min(k, int(useful_c.sum())), time_limit_s)
            chosen_mask[np.flatnonzero(useful_c)[x]] = True
        else:
            optimal = True
        picks = (
            _greedy(cover, weight, int(chosen_mask.sum()), allowed=chosen_mask) if chosen_mask.any() else []
        )

    chosen = [SiteChoice(index=i, node=int(cand[i]), population_gained=gain) for i, gain in picks]
    gained = float(sum(c.population_gained for c in chosen))
    return SitingResult(
        method=method,
        chosen=chosen,
        baseline_covered_population=baseline,
        covered_population=baseline + gained,
        total_population=float(pop.sum()),
        optimal=optimal,
    )
