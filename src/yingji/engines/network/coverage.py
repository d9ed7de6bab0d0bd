"""Response coverage of a population grid by a set of stations.

Semantics (the fire-service reading of GB 51080-2015 / 建标152-2017):

* The response budget is ``turnout_s + drive_budget_s`` (e.g. 60 s turnout + 240 s
  driving = the 5-minute standard). Turnout happens at the station, so the *network*
  search is bounded by ``drive_budget_s`` alone; ``turnout_s`` is added to report each
  cell's response time (``cell_response_s``) and the total budget.
* A cell is covered when the drive time from the nearest station to the node its centre
  snaps to is ``<= drive_budget_s``. The off-network stretch between the cell centre and
  that node is not timed.
* Cells are snapped to the network once per (grid, graph, snap distance) and the result is
  cached on the grid. A cell whose centre lies farther than ``max_snap_m`` (default: one
  cell width) from every node is off network and never covered.
* Covered area is the number of covered cells times the cell area, whatever their
  population; shares are population shares.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .errors import NetworkError
from .graph import FloatArray, IntArray, RoadGraph
from .population import PopulationGrid
from .routing import ClosuresArg, Snapped, snap_many, travel_times


def snap_cells(graph: RoadGraph, cells: PopulationGrid, *, max_snap_m: float | None = None) -> Snapped:
    """Snap every cell centre to its nearest node (cached on ``cells`` per graph and distance)."""
    limit = cells.cell_size_m if max_snap_m is None else float(max_snap_m)
    with graph._cache.lock:
        per_graph = cells._snaps.get(graph)
        if per_graph is not None and limit in per_graph:
            return per_graph[limit]
    snapped = snap_many(graph, lon=cells.lon, lat=cells.lat, max_distance_m=limit)
    with graph._cache.lock:
        cells._snaps.setdefault(graph, {})[limit] = snapped
    return snapped


def _check_budget(value: float, name: str) -> float:
    out = float(value)
    if not np.isfinite(out) or out < 0:
        raise NetworkError("must be a finite time >= 0 s", field=name)
    return out


def cell_drive_times(
    graph: RoadGraph,
    *,
    sources: Sequence[int] | npt.ArrayLike,
    cells: PopulationGrid,
    drive_budget_s: float,
    closures: ClosuresArg = None,
    max_snap_m: float | None = None,
) -> FloatArray:
    """Drive time (s) from the nearest source to each cell's node.

    ``inf`` where the cell is beyond the budget or off network.
    """
    budget = _check_budget(drive_budget_s, "drive_budget_s")
    snapped = snap_cells(graph, cells, max_snap_m=max_snap_m)
    seconds = travel_times(
        graph, sources=sources, closures=closures, limit_s=budget, nearest_source=False
    ).seconds
    on = snapped.node >= 0
    out = np.full(len(cells), np.inf)
    out[on] = seconds[snapped.node[on]]
    return out


@dataclass(frozen=True)
class DivisionCoverage:
    """Coverage of one division: persons, share (``None`` when it has no population), km²."""

    division: str
    covered_population: float
    total_population: float
    share: float | None
    covered_area_km2: float
    total_area_km2: float


@dataclass(frozen=True)
class CoverageResult:
    """Result of :func:`coverage` (see the module docstring for the semantics)."""

    by_division: dict[str, DivisionCoverage]
    covered_population: float
    total_population: float
    share: float | None
    covered_area_km2: float
    total_area_km2: float
    uncovered_cells: IntArray
    """Indices (ascending) of the cells with population > 0 that are not covered."""
    cell_drive_s: FloatArray
    """Drive time to each cell (s); ``inf`` when beyond the budget or off network."""
    turnout_s: float
    drive_budget_s: float

    @property
    def total_budget_s(self) -> float:
        """``turnout_s + drive_budget_s``."""
        return self.turnout_s + self.drive_budget_s

    @property
    def cell_response_s(self) -> FloatArray:
        """Turnout plus drive time per cell (s)."""
        return np.asarray(self.cell_drive_s + self.turnout_s, dtype=np.float64)


def coverage(
    graph: RoadGraph,
    *,
    sources: Sequence[int] | npt.ArrayLike,
    turnout_s: float,
    drive_budget_s: float,
    cells: PopulationGrid,
    closures: ClosuresArg = None,
    max_snap_m: float | None = None,
) -> CoverageResult:
    """Population and area reached from ``sources`` (node indices) within the drive budget.

    One bounded multi-source Dijkstra (``limit = drive_budget_s``) over the graph, then
    vectorised sums per division. ``turnout_s`` (s) only enters the reported response
    times: the total budget is ``turnout_s + drive_budget_s``. Raises
    :class:`NetworkError` for an empty source set or negative budgets.
    """
    turnout = _check_budget(turnout_s, "turnout_s")
    budget = _check_budget(drive_budget_s, "drive_budget_s")
    drive = cell_drive_times(
        graph, sources=sources, cells=cells, drive_budget_s=budget, closures=closures, max_snap_m=max_snap_m
    )
    covered = drive <= budget
    pop = cells.population
    codes, inverse = cells.division_index
    n_div = codes.size
    tot_pop, n_cells = cells.division_totals
    covered_pop = np.where(covered, pop, 0.0)
    cov_pop = np.bincount(inverse, weights=covered_pop, minlength=n_div)
    n_cov = np.bincount(inverse[covered], minlength=n_div)
    area = cells.cell_area_km2
    by_division = {
        str(code): DivisionCoverage(
            division=str(code),
            covered_population=float(cov_pop[i]),
            total_population=float(tot_pop[i]),
            share=float(cov_pop[i] / tot_pop[i]) if tot_pop[i] > 0 else None,
            covered_area_km2=float(n_cov[i] * area),
            total_area_km2=float(n_cells[i] * area),
        )
        for i, code in enumerate(codes)
    }
    uncovered = np.flatnonzero(~covered & cells.populated)
    total = float(tot_pop.sum())
    covered_total = float(cov_pop.sum())
    return CoverageResult(
        by_division=by_division,
        covered_population=covered_total,
        total_population=total,
        share=covered_total / total if total > 0 else None,
        covered_area_km2=float(covered.sum() * area),
        total_area_km2=float(len(cells) * area),
        uncovered_cells=uncovered.astype(np.int64),
        cell_drive_s=drive,
        turnout_s=turnout,
        drive_budget_s=budget,
    )
