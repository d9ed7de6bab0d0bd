"""Snapping and shortest travel times on a :class:`RoadGraph`.

All searches run ``scipy.sparse.csgraph.dijkstra`` (compiled) on the graph's cached CSR
matrix; closures select a cached masked matrix (closed edges removed = infinite cost).
Times are seconds, distances metres, coordinates lon/lat degrees.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal, NamedTuple

import numpy as np
import numpy.typing as npt
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from .errors import NetworkError, NoRoute, PointOffNetwork
from .graph import FloatArray, IntArray, RoadGraph

ClosuresArg = Iterable[int] | npt.ArrayLike | None
Direction = Literal["from_origin", "to_origin"]

DEFAULT_SNAP_M = 500.0
"""Default largest distance (m) between a point and the node it snaps to."""

_MATRIX_BLOCK_CELLS = 4_000_000  # float64 cells per dijkstra call in matrix(): 32 MB


# ----------------------------------------------------------------- snapping
def _kdtree(graph: RoadGraph) -> cKDTree:
    cache = graph._cache
    with cache.lock:
        if cache.kdtree is None:
            cache.kdtree = cKDTree(np.column_stack([graph.node_x, graph.node_y]))
        return cache.kdtree


@dataclass(frozen=True)
class Snapped:
    """Nearest nodes of many points: ``node`` (-1 where off network) and ``distance_m``."""

    node: IntArray
    distance_m: FloatArray

    @property
    def on_network(self) -> npt.NDArray[np.bool_]:
        """True where a node lies within the allowed distance."""
        return np.asarray(self.node >= 0)


def snap_many(
    graph: RoadGraph,
    *,
    lon: npt.ArrayLike,
    lat: npt.ArrayLike,
    max_distance_m: float = DEFAULT_SNAP_M,
    strict: bool = False,
) -> Snapped:
    """Snap points (degrees) to their nearest graph nodes.

    Distances are straight-line metres in the graph's local projection. Points farther
    than ``max_distance_m`` get node ``-1`` (or raise :class:`PointOffNetwork` when
    ``strict``). The KD-tree (``scipy.spatial.cKDTree``) is built once per graph.
    """
    lon_a = np.atleast_1d(np.asarray(lon, dtype=np.float64))
    lat_a = np.atleast_1d(np.asarray(lat, dtype=np.float64))
    if lon_a.shape != lat_a.shape or lon_a.ndim != 1:
        raise NetworkError("lon and lat must be 1-D and of equal length", field="lon/lat")
    if not (np.all(np.isfinite(lon_a)) and np.all(np.isfinite(lat_a))):
        raise NetworkError("coordinates must be finite", field="lon/lat")
    if not np.isfinite(max_distance_m) or max_distance_m < 0:
        raise NetworkError("must be a finite distance >= 0 m", field="max_distance_m")
    x, y = graph.projection.to_xy(lon_a, lat_a)
    dist, node = _kdtree(graph).query(np.column_stack([x, y]), k=1)
    node = np.asarray(node, dtype=np.int64)
    dist = np.asarray(dist, dtype=np.float64)
    far = dist > max_distance_m
    if far.any():
        if strict:
            i = int(np.flatnonzero(far)[0])
            raise PointOffNetwork(
                lon=float(lon_a[i]),
                lat=float(lat_a[i]),
                distance_m=float(dist[i]),
                max_distance_m=max_distance_m,
            )
        node = np.where(far, -1, node)
    return Snapped(node=node, distance_m=dist)


def snap(
    graph: RoadGraph, *, lon: float, lat: float, max_distance_m: float = DEFAULT_SNAP_M
) -> tuple[int, float]:
    """Nearest node to one point: ``(node index, distance in metres)``.

    Raises :class:`PointOffNetwork` when the nearest node is farther than ``max_distance_m``.
    """
    res = snap_many(graph, lon=[lon], lat=[lat], max_distance_m=max_distance_m, strict=True)
    return int(res.node[0]), float(res.distance_m[0])


# ------------------------------------------------------------------- inputs
def _nodes(
    graph: RoadGraph, values: int | Sequence[int] | npt.ArrayLike, name: str, *, allow_empty: bool = False
) -> IntArray:
    arr = np.atleast_1d(np.asarray(values))
    if arr.ndim != 1:
        raise NetworkError("must be a node index or a 1-D sequence of node indices", field=name)
    if arr.size == 0:
        if allow_empty:
            return np.empty(0, dtype=np.int64)
        raise NetworkError("must not be empty", field=name)
    if arr.dtype.kind not in "iu":
        raise NetworkError("must be node indices (integers)", field=name)
    out = arr.astype(np.int64)
    if out.min() < 0 or out.max() >= graph.n_nodes:
        raise NetworkError(f"node indices must lie in [0, {graph.n_nodes})", field=name)
    return out


def _limit(value: float | None, name: str = "limit_s") -> float:
    if value is None:
        return np.inf
    limit = float(value)
    if np.isnan(limit) or limit < 0:
        raise NetworkError("must be a time >= 0 s", field=name)
    return limit


# ------------------------------------------------------------ travel times
@dataclass(frozen=True)
class TravelTimes:
    """Result of :func:`travel_times`.

    ``seconds[v]``: shortest time (s) from the nearest source to node ``v`` (``inf`` when
    unreachable or beyond ``limit_s``). ``source_index[v]`` (computed on first use):
    position in ``sources`` of that nearest source (``-1`` when unreachable).
    """

    seconds: FloatArray
    sources: IntArray
    nearest_node: IntArray | None = None
    """Node of the nearest source per node (negative when unreachable); ``None`` when not
    asked for (``nearest_source=False``) or with a single source."""

    @property
    def reached(self) -> npt.NDArray[np.bool_]:
        """Nodes with a finite time."""
        return np.isfinite(self.seconds)

    @cached_property
    def source_index(self) -> IntArray:
        """Position in ``sources`` of each node's nearest source; ``-1`` when unreachable."""
        if self.sources.size == 1:
            return np.where(np.isfinite(self.seconds), 0, -1).astype(np.int64)
        if self.nearest_node is None:
            raise NetworkError("computed with nearest_source=False", field="source_index")
        n = self.seconds.size
        position = np.full(n, -1, dtype=np.int64)
        position[self.sources[::-1]] = np.arange(self.sources.size - 1, -1, -1, dtype=np.int64)
        nearest = self.nearest_node
        return np.where(nearest >= 0, position[np.maximum(nearest, 0)], -1).astype(np.int64)


def travel_times(
    graph: RoadGraph,
    *,
    sources: int | Sequence[int] | npt.ArrayLike,
    closures: ClosuresArg = None,
    limit_s: float | None = None,
    direction: Direction = "from_origin",
    nearest_source: bool = True,
) -> TravelTimes:
    """One-to-all (or nearest-of-many-to-all) shortest travel times in seconds.

    With several sources every node gets the time from its *nearest* source
    (``dijkstra(min_only=True)``) and, via ``source_index``, the position of that source
    in ``sources`` (skip that bookkeeping with ``nearest_source=False``). ``limit_s``
    bounds the search: nodes farther than it stay ``inf`` and the search stops early.
    ``direction="to_origin"`` gives the time from each node *to* the nearest source
    (search on the reversed graph). Raises :class:`NetworkError` for an empty source set.
    """
    src = _nodes(graph, sources, "sources")
    limit = _limit(limit_s)
    csr = graph.arcs(closures, reverse=direction == "to_origin").csr
    if src.size == 1:
        seconds = dijkstra(csr, directed=True, indices=int(src[0]), limit=limit)
        return TravelTimes(seconds=seconds, sources=src)
    if not nearest_source:
        seconds = dijkstra(csr, directed=True, indices=src, limit=limit, min_only=True)
        return TravelTimes(seconds=seconds, sources=src)
    seconds, _, nearest = dijkstra(
        csr, directed=True, indices=src, limit=limit, min_only=True, return_predecessors=True
    )
    return TravelTimes(seconds=seconds, sources=src, nearest_node=np.asarray(nearest))


def matrix(
    graph: RoadGraph,
    *,
    origins: Sequence[int] | npt.ArrayLike,
    destinations: Sequence[int] | npt.ArrayLike,
    closures: ClosuresArg = None,
    limit_s: float | None = None,
) -> FloatArray:
    """Many-to-many travel times: ``out[i, j]`` seconds from ``origins[i]`` to ``destinations[j]``.

    Runs one Dijkstra per origin (or per destination on the reversed graph, whichever side
    is smaller), in blocks so memory stays near 32 MB whatever the sizes. ``inf`` marks
    unreachable pairs (and pairs beyond ``limit_s``).
    """
    orig = _nodes(graph, origins, "origins")
    dest = _nodes(graph, destinations, "destinations")
    limit = _limit(limit_s)
    backwards = dest.size < orig.size
    rows, cols = (dest, orig) if backwards else (orig, dest)
    csr = graph.arcs(closures, reverse=backwards).csr
    uniq, inverse = np.unique(rows, return_inverse=True)
    block = max(1, _MATRIX_BLOCK_CELLS // graph.n_nodes)
    out_u = np.empty((uniq.size, cols.size), dtype=np.float64)
    for start in range(0, uniq.size, block):
        part = uniq[start : start + block]
        dist = dijkstra(csr, directed=True, indices=part, limit=limit)
        out_u[start : start + part.size] = np.asarray(dist).reshape(part.size, -1)[:, cols]
    out = out_u[inverse.ravel()]
    return np.ascontiguousarray(out.T) if backwards else out


# ------------------------------------------------------------------- route
@dataclass(frozen=True)
class Route:
    """A shortest route: node and edge indices, lon/lat vertices, time (s) and length (m)."""

    nodes: list[int]
    edges: list[int]
    coordinates: list[tuple[float, float]]
    time_s: float
    length_m: float


def route(
    graph: RoadGraph,
    *,
    origin: int,
    destination: int,
    closures: ClosuresArg = None,
) -> Route:
    """Fastest route from ``origin`` to ``destination`` (node indices).

    Between consecutive nodes the route uses the fastest open parallel edge. Raises
    :class:`NoRoute` when the destination is unreachable (one-way streets, closures).
    Coordinates are the node positions (edges are straight between nodes).
    """
    o = int(_nodes(graph, origin, "origin")[0])
    d = int(_nodes(graph, destination, "destination")[0])
    key = graph.closure_key(closures)
    if o == d:
        return Route(
            nodes=[o],
            edges=[],
            coordinates=[(float(graph.node_lon[o]), float(graph.node_lat[o]))],
            time_s=0.0,
            length_m=0.0,
        )
    arcs = graph.arcs(key)
    dist, pred = dijkstra(arcs.csr, directed=True, indices=o, return_predecessors=True)
    if not np.isfinite(dist[d]):
        raise NoRoute(origin=o, destination=d, reason="closed or one-way roads" if key else "")
    path = [d]
    node = d
    while node != o:
        node = int(pred[node])
        path.append(node)
    nodes = np.array(path[::-1], dtype=np.int64)
    keys = graph.arc_keys(key)
    pos = np.searchsorted(keys, nodes[:-1] * graph.n_nodes + nodes[1:])
    edges = arcs.edge[pos]
    return Route(
        nodes=nodes.tolist(),
        edges=edges.tolist(),
        coordinates=list(zip(graph.node_lon[nodes].tolist(), graph.node_lat[nodes].tolist(), strict=True)),
        time_s=float(dist[d]),
        length_m=float(graph.edge_length_m[edges].sum()),
    )


# --------------------------------------------------------------- nearest k
class Ranked(NamedTuple):
    """One ranked candidate: its position in ``candidates`` and its travel time (s)."""

    candidate: int
    eta_s: float


def nearest_k(
    graph: RoadGraph,
    *,
    origin: int,
    candidates: Sequence[int] | npt.ArrayLike,
    k: int,
    closures: ClosuresArg = None,
    limit_s: float | None = None,
    direction: Direction = "from_origin",
) -> list[Ranked]:
    """The ``k`` candidates with the shortest travel time, fastest first.

    ``direction="from_origin"`` times trips origin → candidate; ``"to_origin"`` times
    candidate → origin (e.g. fire stations driving to an incident) on the reversed graph.
    Unreachable candidates (or beyond ``limit_s``) are left out, so fewer than ``k`` may
    come back. Ties are broken by candidate position.
    """
    if k < 1:
        raise NetworkError("must be >= 1", field="k")
    cand = _nodes(graph, candidates, "candidates")
    times = travel_times(
        graph, sources=origin, closures=closures, limit_s=limit_s, direction=direction
    ).seconds
    eta = times[cand]
    order = np.lexsort((np.arange(cand.size), eta))
    order = order[np.isfinite(eta[order])][:k]
    return [Ranked(int(i), float(eta[i])) for i in order]
