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

Cost: one bounded multi-source Dijkstra on a *contracted* graph plus a few O(cells) numpy
passes. About three quarters of a road graph's nodes just split a two-way road into
segments (exactly two neighbours, a pair of opposite arcs to each); coverage only needs
times at the cells' nodes, so the search runs on the junctions ("core nodes") with each
chain of pass-through nodes replaced by one arc per direction, and the time of a node on
a chain is ``min(t(p) + cost p→node, t(q) + cost q→node)`` from its chain's ends ``p``
and ``q`` — or straight along the chain from a source on it. Sources on chains enter
through a super-source with an arc to each end of their chain. Times equal a plain
Dijkstra's up to rounding (chain costs are summed in another order). The contraction is
built once per (graph, closure set) (~40 ms for the 110k-node demo; LRU of 4 per graph).

Everything that depends on neither the sources nor the budget — the cell → node gather
index in division order, the off-network cells, the division slices and totals, the
cells' chain ends and offsets — is computed once per (grid, graph, snap distance) in a
:class:`_CellMap` (and per contraction in a :class:`_CellChains`) and cached, weakly
keyed by grid, graph and contraction so that it goes away with them. Grids and graphs
are immutable, so a cached map never goes stale.
"""

from __future__ import annotations

import math
import threading
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from .errors import NetworkError
from .graph import Arcs, FloatArray, IntArray, RoadGraph, build_arcs
from .population import PopulationGrid
from .routing import ClosuresArg, Snapped, _nodes, snap_many


def snap_cells(graph: RoadGraph, cells: PopulationGrid, *, max_snap_m: float | None = None) -> Snapped:
    """Snap every cell centre to its nearest node (cached on ``cells`` per graph and distance)."""
    limit = _snap_limit(cells, max_snap_m)
    with graph._cache.lock:
        per_graph = cells._snaps.get(graph)
        if per_graph is not None and limit in per_graph:
            return per_graph[limit]
    snapped = snap_many(graph, lon=cells.lon, lat=cells.lat, max_distance_m=limit)
    with graph._cache.lock:
        cells._snaps.setdefault(graph, {})[limit] = snapped
    return snapped


def _snap_limit(cells: PopulationGrid, max_snap_m: float | None) -> float:
    return cells.cell_size_m if max_snap_m is None else float(max_snap_m)


_A = TypeVar("_A", bound=npt.NDArray[Any])


def _readonly(arr: _A) -> _A:
    arr.flags.writeable = False
    return arr


@dataclass(frozen=True, eq=False)
class _CellMap:
    """Source-independent data of one (grid, graph, snap distance), computed once.

    Cells are handled in *division order* (stable sort by division code; for a grid
    already stored by division, the identity), so per-division sums are
    ``np.add.reduceat`` over contiguous slices starting at ``starts``.
    """

    gather: npt.NDArray[np.signedinteger[Any]]
    """Node of each cell in division order (``0`` for off-network cells, see ``off``);
    int32 unless the graph has more than 2**31 nodes."""
    off: IntArray
    """Positions (division order) of the off-network cells, overwritten with ``inf``."""
    rank: IntArray | None
    """Division-order position of each cell (``None`` when the order is the identity)."""
    starts: IntArray
    """Division-order offset of each division's first cell (all divisions are non-empty)."""
    population: FloatArray
    """Population of each cell in division order."""
    populated: npt.NDArray[np.bool_]
    """Cells with population > 0, in grid order."""
    codes: tuple[str, ...]
    total_population: tuple[float, ...]
    total_cells: tuple[int, ...]
    chains: weakref.WeakKeyDictionary[_Contraction, _CellChains] = field(
        default_factory=weakref.WeakKeyDictionary
    )
    """The cells' view of each contraction of the graph (see :func:`_cell_chains`)."""


_CellMaps = weakref.WeakKeyDictionary[RoadGraph, dict[float, _CellMap]]
_CELL_MAPS: weakref.WeakKeyDictionary[PopulationGrid, _CellMaps] = weakref.WeakKeyDictionary()
_CELL_MAPS_LOCK = threading.Lock()
_LastHit = tuple["weakref.ref[PopulationGrid]", "weakref.ref[RoadGraph]", float, _CellMap]
_last_hit: _LastHit | None = None
"""The most recently used map, checked first (no lock, no weak-dictionary lookups)."""


def _cell_map(graph: RoadGraph, cells: PopulationGrid, max_snap_m: float | None) -> _CellMap:
    """The :class:`_CellMap` of ``(cells, graph, snap distance)``, built on first use.

    Cached in a module-level ``WeakKeyDictionary`` keyed by grid, then by graph, then by
    snap distance: dropping the grid or the graph drops its maps, and a map never holds a
    reference back to either. The last map used is also kept beside weak references to
    its grid and graph and checked first, which skips the lock and the dictionary
    lookups when the same grid and graph come back (the usual case).
    """
    global _last_hit
    limit = _snap_limit(cells, max_snap_m)
    last = _last_hit  # one atomic read: a tuple never changes under us
    if last is not None and last[0]() is cells and last[1]() is graph and last[2] == limit:
        return last[3]
    with _CELL_MAPS_LOCK:
        per_graph = _CELL_MAPS.get(cells)
        hit = per_graph.get(graph, {}).get(limit) if per_graph is not None else None
    if hit is None:
        hit = _build_cell_map(graph, cells, limit)
        with _CELL_MAPS_LOCK:
            per_graph = _CELL_MAPS.setdefault(cells, weakref.WeakKeyDictionary())
            hit = per_graph.setdefault(graph, {}).setdefault(limit, hit)
    _last_hit = (weakref.ref(cells, _forget_last), weakref.ref(graph, _forget_last), limit, hit)
    return hit


def _forget_last(dead: weakref.ref[Any]) -> None:
    """Weak-reference callback: drop the last-used map when its grid or graph goes away."""
    global _last_hit
    last = _last_hit
    if last is not None and (last[0] is dead or last[1] is dead):
        _last_hit = None


def _build_cell_map(graph: RoadGraph, cells: PopulationGrid, limit: float) -> _CellMap:
    node = snap_cells(graph, cells, max_snap_m=limit).node
    codes, inverse = cells.division_index
    pop_totals, cell_totals = cells.division_totals
    order = np.argsort(inverse, kind="stable")
    identity = bool(np.array_equal(order, np.arange(order.size)))
    rank: IntArray | None = None
    if not identity:
        rank = np.empty_like(order)
        rank[order] = np.arange(order.size, dtype=order.dtype)
        rank = _readonly(rank)
    node_sorted = node[order]
    index = np.int32 if graph.n_nodes <= np.iinfo(np.int32).max else np.intp  # less to read
    return _CellMap(
        gather=_readonly(np.where(node_sorted < 0, 0, node_sorted).astype(index)),
        off=_readonly(np.flatnonzero(node_sorted < 0).astype(np.intp)),
        rank=rank,
        starts=_readonly(np.searchsorted(inverse[order], np.arange(codes.size)).astype(np.intp)),
        population=cells.population if identity else _readonly(cells.population[order]),
        populated=cells.populated,
        codes=tuple(str(c) for c in codes.tolist()),
        total_population=tuple(float(v) for v in pop_totals.tolist()),
        total_cells=tuple(int(v) for v in cell_totals.tolist()),
    )


def _check_budget(value: float, name: str) -> float:
    out = float(value)
    if not math.isfinite(out) or out < 0:
        raise NetworkError("must be a finite time >= 0 s", field=name)
    return out


# ------------------------------------------------------------- contraction
# Three quarters of a road graph's nodes typically just split a two-way road into short
# segments. Coverage needs times at the cells' nodes only, so it searches the graph with
# those pass-through nodes contracted away and recovers the times of the cells' nodes
# on the contracted chains in closed form.

_CONTRACTIONS_PER_GRAPH = 4
_CONTRACTIONS: weakref.WeakKeyDictionary[RoadGraph, OrderedDict[frozenset[int], _Contraction]] = (
    weakref.WeakKeyDictionary()
)
_CONTRACTIONS_LOCK = threading.Lock()


@dataclass(frozen=True, eq=False)
class _Contraction:
    """The open arcs of one closure set with their two-way pass-through nodes contracted.

    A *chain node* has exactly two neighbours and a pair of opposite arcs to each; every
    other node is a *core node* (numbered ``0 … n_core - 1``). The chain nodes between
    two core nodes ``p`` and ``q`` (possibly ``p == q``) form a chain, walked by ``W1``
    from ``p`` to ``q`` and by ``W2`` from ``q`` to ``p``; the core graph ``csr`` has one
    arc per walk, costing its sum (the minimum over parallel ones). Per node ``v``:
    ``s1`` / ``s2`` are the core starts of ``W1`` / ``W2`` and ``c1`` / ``c2`` the costs
    from there to ``v``, so that ``t(v) = min(t(s1) + c1, t(s2) + c2)`` when no source
    lies on ``v``'s chain; ``r1`` / ``r2`` are the costs from ``v`` on to the walks' ends
    (``s2`` and ``s1``), ``chain`` and ``step`` identify the chain and ``v``'s position
    along ``W1``. A core node ``v`` has ``s1 = s2 = core[v]``, ``c1 = c2 = 0`` and
    ``chain = -1``.
    """

    csr: csr_matrix
    n_core: int
    core: IntArray
    s1: npt.NDArray[np.int32]
    s2: npt.NDArray[np.int32]
    c1: FloatArray
    c2: FloatArray
    r1: FloatArray
    r2: FloatArray
    chain: IntArray
    step: IntArray


def _contraction(graph: RoadGraph, closures: ClosuresArg) -> _Contraction:
    """The cached :class:`_Contraction` of ``graph`` under ``closures`` (LRU of 4 per graph)."""
    key = graph.closure_key(closures)
    with _CONTRACTIONS_LOCK:
        per_graph = _CONTRACTIONS.get(graph)
        hit = per_graph.get(key) if per_graph is not None else None
        if hit is not None and per_graph is not None:
            per_graph.move_to_end(key)
            return hit
    built = _contract(graph.arcs(key))
    with _CONTRACTIONS_LOCK:
        per_graph = _CONTRACTIONS.setdefault(graph, OrderedDict())
        hit = per_graph.setdefault(key, built)
        per_graph.move_to_end(key)
        while len(per_graph) > _CONTRACTIONS_PER_GRAPH:
            per_graph.popitem(last=False)
    return hit


def _contract(arcs: Arcs) -> _Contraction:
    """Contract the pass-through nodes of one CSR (no parallel arcs, no self-loops)."""
    csr = arcs.csr
    n = int(csr.shape[0])
    indptr = csr.indptr.astype(np.intp)
    cols = csr.indices.astype(np.intp)
    cost = np.asarray(csr.data, dtype=np.float64)
    out_deg = np.diff(indptr)
    rows = np.repeat(np.arange(n, dtype=np.intp), out_deg)
    # two out-arcs (to distinct nodes: the CSR is simple) and two in-arcs from the same two
    # nodes: a pair {x, y} of integers is fixed by x + y and x² + y²
    r, c = rows.astype(np.float64), cols.astype(np.float64)
    chain = (out_deg == 2) & (np.bincount(cols, minlength=n) == 2)
    chain &= np.bincount(rows, weights=c, minlength=n) == np.bincount(cols, weights=r, minlength=n)
    chain &= np.bincount(rows, weights=c * c, minlength=n) == np.bincount(cols, weights=r * r, minlength=n)
    while True:
        walks = _walk(chain, indptr, cols, rows, cost)
        lost = chain & (np.bincount(walks.node, minlength=n) == 0)
        if not lost.any():
            break
        chain &= ~lost  # rings of chain nodes without a core node: keep them as core nodes
    core = np.where(chain, -1, np.cumsum(~chain) - 1).astype(np.intp)
    n_core = int(n - chain.sum())
    origin = core[walks.origin]
    graph = build_arcs(n_core, origin, core[walks.end], walks.total).csr
    # per node: the lower-numbered walk through it is W1, the other W2
    s1 = np.where(chain, 0, core).astype(np.int32)
    s2 = s1.copy()
    c1 = np.zeros(n)
    c2 = np.zeros(n)
    r1 = np.zeros(n)
    r2 = np.zeros(n)
    chain_id = np.full(n, -1, dtype=np.intp)
    step = np.zeros(n, dtype=np.intp)
    if walks.node.size:
        order = np.lexsort((walks.walk, walks.node))
        first, second = order[0::2], order[1::2]
        v = walks.node[first]
        w1, w2 = walks.walk[first], walks.walk[second]
        s1[v] = origin[w1]
        s2[v] = origin[w2]
        c1[v] = walks.cost[first]
        c2[v] = walks.cost[second]
        r1[v] = walks.total[w1] - c1[v]
        r2[v] = walks.total[w2] - c2[v]
        chain_id[v] = w1
        step[v] = walks.step[first]
    arrays: list[npt.NDArray[Any]] = [core, s1, s2, c1, c2, r1, r2, chain_id, step]
    for arr in arrays:
        arr.flags.writeable = False
    return _Contraction(
        csr=graph, n_core=n_core, core=core, s1=s1, s2=s2, c1=c1, c2=c2, r1=r1, r2=r2, chain=chain_id, step=step
    )


@dataclass(frozen=True)
class _Walks:
    """One walk per arc leaving a core node, followed through chain nodes to a core node."""

    origin: IntArray
    end: IntArray
    total: FloatArray
    node: IntArray
    """Chain node of each visit (every chain node is visited twice, once per direction)."""
    walk: IntArray
    cost: FloatArray
    """Cost from the walk's origin to the visited node."""
    step: IntArray


def _walk(
    chain: npt.NDArray[np.bool_], indptr: IntArray, cols: IntArray, rows: IntArray, cost: FloatArray
) -> _Walks:
    start = np.flatnonzero(~chain[rows])
    prev = rows[start].copy()
    here = cols[start].copy()
    total = cost[start].copy()
    nodes: list[IntArray] = []
    walks: list[IntArray] = []
    costs: list[FloatArray] = []
    steps: list[IntArray] = []
    active = np.flatnonzero(chain[here])
    k = 0
    while active.size:
        k += 1
        v = here[active]
        nodes.append(v)
        walks.append(active)
        costs.append(total[active])
        steps.append(np.full(active.size, k, dtype=np.intp))
        first = indptr[v]
        arc = first + (cols[first] == prev[active])  # the out-arc not leading back
        prev[active] = v
        here[active] = cols[arc]
        total[active] += cost[arc]
        active = active[chain[here[active]]]

    def cat(parts: list[npt.NDArray[Any]], dtype: npt.DTypeLike) -> npt.NDArray[Any]:
        return np.concatenate(parts) if parts else np.empty(0, dtype=dtype)

    return _Walks(
        origin=rows[start],
        end=here,
        total=total,
        node=cat(nodes, np.intp),
        walk=cat(walks, np.intp),
        cost=cat(costs, np.float64),
        step=cat(steps, np.intp),
    )


@dataclass(frozen=True, eq=False)
class _CellChains:
    """A cell map's view of one contraction, in division order (see :class:`_Contraction`).

    ``on_chain`` lists the positions of the cells whose node is a chain node, sorted by
    chain, and ``chain_keys`` their chains (for sources on the same chain)."""

    s1: npt.NDArray[np.int32]
    s2: npt.NDArray[np.int32]
    c1: FloatArray
    c2: FloatArray
    on_chain: IntArray
    chain_keys: IntArray


def _cell_chains(cmap: _CellMap, con: _Contraction) -> _CellChains:
    with _CELL_MAPS_LOCK:
        hit = cmap.chains.get(con)
    if hit is not None:
        return hit
    node = cmap.gather
    chain = con.chain[node]
    on_chain = np.flatnonzero(chain >= 0)
    on_chain = on_chain[np.argsort(chain[on_chain], kind="stable")]
    built = _CellChains(
        s1=_readonly(con.s1[node]),
        s2=_readonly(con.s2[node]),
        c1=_readonly(con.c1[node]),
        c2=_readonly(con.c2[node]),
        on_chain=_readonly(on_chain),
        chain_keys=_readonly(chain[on_chain]),
    )
    with _CELL_MAPS_LOCK:
        return cmap.chains.setdefault(con, built)


def _core_times(con: _Contraction, sources: IntArray, budget: float) -> FloatArray:
    """Times (s) from the nearest source to the core nodes, ``inf`` beyond ``budget``.

    Sources on chains enter through a super-source (one extra node) with an arc to each
    end of their chain, costing the way there; a source on a core node gets a 0 s arc.
    """
    on_core = con.core[sources] >= 0
    if on_core.all():
        seconds = dijkstra(con.csr, directed=True, indices=con.core[sources], min_only=True, limit=budget)
        return np.asarray(seconds, dtype=np.float64)
    walk = sources[~on_core]
    target = np.concatenate([con.core[sources[on_core]], con.s2[walk], con.s1[walk]])
    cost = np.concatenate([np.zeros(int(on_core.sum())), con.r1[walk], con.r2[walk]])
    order = np.lexsort((cost, target))
    target, cost = target[order], cost[order]
    keep = np.ones(target.size, dtype=bool)
    keep[1:] = target[1:] != target[:-1]  # cheapest arc per target
    target, cost = target[keep], cost[keep]
    base = con.csr
    n = con.n_core
    indptr = np.empty(n + 2, dtype=base.indptr.dtype)
    indptr[: n + 1] = base.indptr
    indptr[n + 1] = base.nnz + target.size
    graph = csr_matrix(
        (np.concatenate([base.data, cost]), np.concatenate([base.indices, target.astype(base.indices.dtype)]), indptr),
        shape=(n + 1, n + 1),
    )
    return np.asarray(dijkstra(graph, directed=True, indices=n, limit=budget), dtype=np.float64)


def _drive_sorted(
    graph: RoadGraph,
    cmap: _CellMap,
    sources: Sequence[int] | npt.ArrayLike,
    budget: float,
    closures: ClosuresArg,
) -> FloatArray:
    """Drive time of each cell in division order: one bounded Dijkstra on the contracted
    graph, then ``min(t(s1) + c1, t(s2) + c2)`` per cell, and the direct way along the
    chain from any source on the cell's own chain."""
    src = _nodes(graph, sources, "sources")
    con = _contraction(graph, closures)
    cc = _cell_chains(cmap, con)
    times = _core_times(con, src, budget)
    out: FloatArray = times.take(cc.s1)
    out += cc.c1
    np.minimum(out, times.take(cc.s2) + cc.c2, out=out)
    walk = src[con.chain[src] >= 0]
    if walk.size and cc.on_chain.size:
        key = con.chain[walk]
        lo = np.searchsorted(cc.chain_keys, key, side="left")
        count = np.searchsorted(cc.chain_keys, key, side="right") - lo
        if count.any():
            pair = np.repeat(np.arange(walk.size), count)
            offset = np.arange(pair.size) - np.repeat(np.cumsum(count) - count, count)
            pos = cc.on_chain[lo[pair] + offset]
            s = walk[pair]
            ahead = con.step[cmap.gather[pos]] >= con.step[s]
            direct = np.where(ahead, cc.c1[pos] - con.c1[s], cc.c2[pos] - con.c2[s])
            np.minimum.at(out, pos, direct)
    out[out > budget] = np.inf
    if cmap.off.size:
        out[cmap.off] = np.inf
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
    cmap = _cell_map(graph, cells, max_snap_m)
    drive = _drive_sorted(graph, cmap, sources, budget, closures)
    return drive if cmap.rank is None else drive.take(cmap.rank)


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

    One bounded multi-source Dijkstra (``limit = drive_budget_s``) over the contracted
    graph (see the module docstring), then a few gathers per cell and ``np.add.reduceat``
    over the division slices. ``turnout_s``
    (s) only enters the reported response times: the total budget is
    ``turnout_s + drive_budget_s``.
    Raises :class:`NetworkError` for an empty source set or negative budgets.
    """
    turnout = _check_budget(turnout_s, "turnout_s")
    budget = _check_budget(drive_budget_s, "drive_budget_s")
    cmap = _cell_map(graph, cells, max_snap_m)
    drive = _drive_sorted(graph, cmap, sources, budget, closures)
    covered = drive <= budget
    if cmap.starts.size:
        cov_pop: list[float] = np.add.reduceat(cmap.population * covered, cmap.starts).tolist()
        n_cov: list[int] = np.add.reduceat(covered, cmap.starts, dtype=np.intp).tolist()
    else:  # a grid without cells
        cov_pop, n_cov = [], []
    if cmap.rank is not None:  # back to grid order
        drive = drive.take(cmap.rank)
        covered = covered.take(cmap.rank)
    area = cells.cell_area_km2
    by_division = {
        code: DivisionCoverage(
            division=code,
            covered_population=cp,
            total_population=tp,
            share=cp / tp if tp > 0 else None,
            covered_area_km2=nc * area,
            total_area_km2=tc * area,
        )
        for code, cp, tp, nc, tc in zip(
            cmap.codes, cov_pop, cmap.total_population, n_cov, cmap.total_cells, strict=True
        )
    }
    total = float(sum(cmap.total_population))
    covered_total = float(sum(cov_pop))
    return CoverageResult(
        by_division=by_division,
        covered_population=covered_total,
        total_population=total,
        share=covered_total / total if total > 0 else None,
        covered_area_km2=float(sum(n_cov) * area),
        total_area_km2=float(len(cells) * area),
        uncovered_cells=np.flatnonzero(cmap.populated > covered),  # populated and not covered
        cell_drive_s=drive,
        turnout_s=turnout,
        drive_budget_s=budget,
    )
