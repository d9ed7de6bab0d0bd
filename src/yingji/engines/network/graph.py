"""The road graph: a directed graph held as numpy arrays and one scipy CSR matrix.

Model
-----
* Nodes carry lon/lat (degrees, WGS 84 / CGCS2000) and an external ``node_id``.
* Edges are directed arcs ``src → dst`` with a length (m), a speed (km/h) and a road-class
  code (see :mod:`.speeds`). A two-way road is two arcs. The cost of an arc is its travel
  time ``travel_time_s = length_m / (speed_kmh / 3.6)`` in seconds.
* The CSR adjacency matrix (``csr``) holds, for every ordered node pair joined by at least
  one arc, the *minimum* travel time over the parallel arcs (scipy would otherwise add
  duplicates together). ``arc_edge[k]`` is the edge index behind CSR entry ``k``.
  Self-loops are left out of the matrix (they never shorten a path).
* Zero-length arcs keep a cost of exactly ``0.0`` stored as an *explicit* CSR entry:
  ``scipy.sparse.csgraph`` treats stored zeros of a sparse matrix as edges, and the
  matrix is assembled directly from ``(data, indices, indptr)`` so nothing drops them
  (the tests guard this).
* Closed edges are *removed* from a separate masked CSR, which is equivalent to an
  infinite cost and can never be mistaken for a zero cost. Masked matrices are cached
  per frozen set of closed edges (LRU) on the graph.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from .errors import NetworkError
from .geo import LocalProjection
from .speeds import ROAD_CLASSES

if TYPE_CHECKING:
    from scipy.spatial import cKDTree
    from shapely import STRtree

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

NPZ_FORMAT_VERSION = 1
_ARC_CACHE_SIZE = 16


@dataclass(frozen=True)
class Arcs:
    """A CSR view of the graph under one closure set and direction.

    ``csr[u, v]`` is the minimum travel time (s) over open arcs ``u → v`` (``v → u`` when
    ``reversed``); ``edge[k]`` is the edge index of CSR entry ``k``.
    """

    csr: csr_matrix
    edge: IntArray
    reversed: bool

    @property
    def keys(self) -> IntArray:
        """Sorted ``row * n + col`` of every CSR entry, to look arcs up by node pair."""
        n = self.csr.shape[0]
        rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(self.csr.indptr))
        return rows * n + self.csr.indices.astype(np.int64)


class _Cache:
    """Mutable, lock-protected derived data hung on an immutable graph."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.kdtree: cKDTree | None = None
        self.arcs: OrderedDict[tuple[frozenset[int], bool], Arcs] = OrderedDict()
        self.arc_keys: dict[tuple[frozenset[int], bool], IntArray] = {}
        self.edge_tree: STRtree | None = None
        self.order: dict[bool, IntArray] = {}


def sort_arcs(src: IntArray, dst: IntArray, cost: FloatArray, *, reverse: bool = False) -> IntArray:
    """Edge indices without self-loops, sorted by (row, column, cost, edge index)."""
    rows, cols = (dst, src) if reverse else (src, dst)
    idx = np.flatnonzero(rows != cols)
    return idx[np.lexsort((idx, cost[idx], cols[idx], rows[idx]))]


def build_arcs(
    n_nodes: int,
    src: IntArray,
    dst: IntArray,
    cost: FloatArray,
    open_mask: npt.NDArray[np.bool_] | None = None,
    *,
    reverse: bool = False,
    order: IntArray | None = None,
) -> Arcs:
    """Assemble a CSR matrix keeping the minimum cost of parallel arcs.

    Rows are ``src`` (``dst`` when ``reverse``). Ties between equal-cost parallel arcs go
    to the lower edge index, so results are deterministic. ``order`` is the result of
    :func:`sort_arcs` for the same arrays, when already known (closures then cost O(m)).
    """
    rows, cols = (dst, src) if reverse else (src, dst)
    if order is None:
        order = sort_arcs(src, dst, cost, reverse=reverse)
    idx = order if open_mask is None else order[open_mask[order]]
    r = rows[idx]
    c = cols[idx]
    first = np.ones(idx.size, dtype=bool)
    if idx.size > 1:
        first[1:] = (r[1:] != r[:-1]) | (c[1:] != c[:-1])
    idx = idx[first]
    r = r[first]
    c = c[first]
    itype = np.int32 if max(n_nodes, idx.size) < np.iinfo(np.int32).max else np.int64
    indptr = np.zeros(n_nodes + 1, dtype=itype)
    np.cumsum(np.bincount(r, minlength=n_nodes), out=indptr[1:])
    data = np.ascontiguousarray(cost[idx], dtype=np.float64)
    csr = csr_matrix((data, c.astype(itype), indptr), shape=(n_nodes, n_nodes))
    csr.has_sorted_indices = True
    for arr in (csr.data, csr.indices, csr.indptr):
        arr.flags.writeable = False
    edge = idx.astype(np.int64)
    edge.flags.writeable = False
    return Arcs(csr=csr, edge=edge, reversed=reverse)


def _readonly(arr: npt.NDArray[Any]) -> npt.NDArray[Any]:
    out = np.ascontiguousarray(arr)
    if out is arr:
        out = arr.copy()
    out.flags.writeable = False
    return out


def _as_1d(value: npt.ArrayLike, dtype: npt.DTypeLike, name: str) -> npt.NDArray[Any]:
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:  # pragma: no cover - numpy message is enough
        raise NetworkError(f"not an array: {exc}", field=name) from exc
    if arr.ndim != 1:
        raise NetworkError(f"must be one-dimensional, got shape {arr.shape}", field=name)
    if np.dtype(dtype).kind in "iu":
        if arr.size and arr.dtype.kind not in "iu":
            if arr.dtype.kind == "f" and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
                pass
            else:
                raise NetworkError("must hold integers", field=name)
    elif arr.size and arr.dtype.kind not in "iuf":
        raise NetworkError("must hold numbers", field=name)
    return _readonly(arr.astype(dtype, copy=False))


@dataclass(frozen=True, eq=False, repr=False)
class RoadGraph:
    """An immutable directed road graph (see the module docstring for the model).

    Units: lon/lat in degrees, lengths in metres, speeds in km/h, times in seconds.
    Construct with :func:`~yingji.engines.network.builder.build_graph` from roads, or
    directly from arc arrays (each row one directed arc). Invalid values raise
    :class:`NetworkError` naming the field.
    """

    node_lon: FloatArray
    node_lat: FloatArray
    edge_src: IntArray
    edge_dst: IntArray
    edge_length_m: FloatArray
    edge_speed_kmh: FloatArray
    edge_class: npt.NDArray[np.int16]
    node_id: IntArray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    ref_lon: float = float("nan")
    ref_lat: float = float("nan")
    travel_time_s: FloatArray = field(init=False)
    csr: csr_matrix = field(init=False)
    arc_edge: IntArray = field(init=False)
    node_x: FloatArray = field(init=False)
    node_y: FloatArray = field(init=False)
    projection: LocalProjection = field(init=False)
    _cache: _Cache = field(init=False)

    def __post_init__(self) -> None:
        put = object.__setattr__
        lon = _as_1d(self.node_lon, np.float64, "node_lon")
        lat = _as_1d(self.node_lat, np.float64, "node_lat")
        n = lon.size
        if n == 0:
            raise NetworkError("the graph has no nodes", field="node_lon")
        if lat.size != n:
            raise NetworkError(f"has {lat.size} values for {n} nodes", field="node_lat")
        if not np.all(np.isfinite(lon)) or np.any(np.abs(lon) > 180):
            raise NetworkError("longitudes must be finite degrees in [-180, 180]", field="node_lon")
        if not np.all(np.isfinite(lat)) or np.any(np.abs(lat) > 90):
            raise NetworkError("latitudes must be finite degrees in [-90, 90]", field="node_lat")
        node_id = _as_1d(self.node_id, np.int64, "node_id")
        if node_id.size == 0:
            node_id = _readonly(np.arange(n, dtype=np.int64))
        elif node_id.size != n:
            raise NetworkError(f"has {node_id.size} values for {n} nodes", field="node_id")

        src = _as_1d(self.edge_src, np.int64, "edge_src")
        m = src.size
        dst = _as_1d(self.edge_dst, np.int64, "edge_dst")
        length = _as_1d(self.edge_length_m, np.float64, "edge_length_m")
        speed = _as_1d(self.edge_speed_kmh, np.float64, "edge_speed_kmh")
        klass = _as_1d(self.edge_class, np.int16, "edge_class")
        for name, arr in (
            ("edge_dst", dst),
            ("edge_length_m", length),
            ("edge_speed_kmh", speed),
            ("edge_class", klass),
        ):
            if arr.size != m:
                raise NetworkError(f"has {arr.size} values for {m} edges", field=name)
        if m:
            for name, arr in (("edge_src", src), ("edge_dst", dst)):
                if arr.min() < 0 or arr.max() >= n:
                    raise NetworkError(f"node indices must lie in [0, {n})", field=name)
            bad = ~np.isfinite(length) | (length < 0)
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise NetworkError(
                    f"lengths must be finite and >= 0 m (edge {i} has {length[i]!r})",
                    field="edge_length_m",
                )
            bad = ~np.isfinite(speed) | (speed <= 0)
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise NetworkError(
                    f"speeds must be finite and > 0 km/h (edge {i} has {speed[i]!r})",
                    field="edge_speed_kmh",
                )
            if klass.min() < 0 or klass.max() >= len(ROAD_CLASSES):
                raise NetworkError(
                    f"road class codes must lie in [0, {len(ROAD_CLASSES)})", field="edge_class"
                )

        ref_lon = self.ref_lon if np.isfinite(self.ref_lon) else float((lon.min() + lon.max()) / 2)
        ref_lat = self.ref_lat if np.isfinite(self.ref_lat) else float((lat.min() + lat.max()) / 2)
        projection = LocalProjection(float(ref_lon), float(ref_lat))
        x, y = projection.to_xy(lon, lat)
        time_s = _readonly(length * 3.6 / speed)
        order = sort_arcs(src, dst, time_s)
        arcs = build_arcs(n, src, dst, time_s, order=order)

        for name, value in (
            ("node_lon", lon),
            ("node_lat", lat),
            ("node_id", node_id),
            ("edge_src", src),
            ("edge_dst", dst),
            ("edge_length_m", length),
            ("edge_speed_kmh", speed),
            ("edge_class", klass),
            ("ref_lon", float(ref_lon)),
            ("ref_lat", float(ref_lat)),
            ("projection", projection),
            ("node_x", _readonly(x)),
            ("node_y", _readonly(y)),
            ("travel_time_s", time_s),
            ("csr", arcs.csr),
            ("arc_edge", arcs.edge),
            ("_cache", _Cache()),
        ):
            put(self, name, value)
        self._cache.arcs[(frozenset(), False)] = arcs
        self._cache.order[False] = order

    # ------------------------------------------------------------------ basics
    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.node_lon.size)

    @property
    def n_edges(self) -> int:
        """Number of directed edges (arcs), parallel arcs included."""
        return int(self.edge_src.size)

    def __repr__(self) -> str:
        return f"RoadGraph(nodes={self.n_nodes}, edges={self.n_edges}, arcs={self.csr.nnz})"

    def edge_class_name(self, edge: int) -> str:
        """The road-class name of one edge."""
        return ROAD_CLASSES[int(self.edge_class[edge])]

    # ---------------------------------------------------------------- closures
    def closure_key(self, closures: Iterable[int] | npt.ArrayLike | None) -> frozenset[int]:
        """Normalise a collection of closed edge indices to a validated frozenset."""
        if closures is None:
            return frozenset()
        if isinstance(closures, frozenset) and all(isinstance(e, int) for e in closures):
            key: frozenset[int] = closures
        else:
            arr = np.asarray(closures if isinstance(closures, np.ndarray) else list(closures))  # type: ignore[arg-type]
            if arr.size == 0:
                return frozenset()
            if arr.dtype.kind not in "iu":
                raise NetworkError("closures must be edge indices (integers)", field="closures")
            key = frozenset(int(v) for v in arr.ravel().tolist())
        if key and (min(key) < 0 or max(key) >= self.n_edges):
            raise NetworkError(f"closed edge indices must lie in [0, {self.n_edges})", field="closures")
        return key

    def arcs(self, closures: Iterable[int] | npt.ArrayLike | None = None, *, reverse: bool = False) -> Arcs:
        """The CSR of open arcs for a closure set (cached, LRU of 16 per graph).

        A closed edge is dropped from the matrix, i.e. its cost is infinite; a parallel
        open arc between the same nodes, if any, still carries traffic.
        """
        key = (self.closure_key(closures), reverse)
        cache = self._cache
        with cache.lock:
            hit = cache.arcs.get(key)
            if hit is not None:
                cache.arcs.move_to_end(key)
                return hit
        open_mask: npt.NDArray[np.bool_] | None = None
        if key[0]:
            open_mask = np.ones(self.n_edges, dtype=bool)
            open_mask[np.fromiter(key[0], dtype=np.int64, count=len(key[0]))] = False
        with cache.lock:
            order = cache.order.get(reverse)
        if order is None:
            order = sort_arcs(self.edge_src, self.edge_dst, self.travel_time_s, reverse=reverse)
            with cache.lock:
                cache.order[reverse] = order
        arcs = build_arcs(
            self.n_nodes,
            self.edge_src,
            self.edge_dst,
            self.travel_time_s,
            open_mask,
            reverse=reverse,
            order=order,
        )
        with cache.lock:
            cache.arcs[key] = arcs
            cache.arcs.move_to_end(key)
            while len(cache.arcs) > _ARC_CACHE_SIZE:
                oldest = next(iter(cache.arcs))
                if oldest == (frozenset(), False):
                    cache.arcs.move_to_end(oldest)
                    oldest = next(iter(cache.arcs))
                cache.arcs.pop(oldest)
                cache.arc_keys.pop(oldest, None)
        return arcs

    def arc_keys(
        self, closures: Iterable[int] | npt.ArrayLike | None = None, *, reverse: bool = False
    ) -> IntArray:
        """``row * n + col`` of the CSR entries of :meth:`arcs` (cached)."""
        key = (self.closure_key(closures), reverse)
        with self._cache.lock:
            hit = self._cache.arc_keys.get(key)
        if hit is not None:
            return hit
        keys = self.arcs(key[0], reverse=reverse).keys
        with self._cache.lock:
            self._cache.arc_keys[key] = keys
        return keys

    # ----------------------------------------------------------- derived graphs
    def subgraph(self, node_mask: npt.ArrayLike) -> RoadGraph:
        """The graph induced by the nodes where ``node_mask`` is true (re-indexed).

        ``node_id`` keeps the original identifiers; edges keep their relative order.
        """
        mask = np.asarray(node_mask, dtype=bool)
        if mask.shape != (self.n_nodes,):
            raise NetworkError(f"must have shape ({self.n_nodes},)", field="node_mask")
        new_index = np.full(self.n_nodes, -1, dtype=np.int64)
        new_index[mask] = np.arange(int(mask.sum()), dtype=np.int64)
        keep = mask[self.edge_src] & mask[self.edge_dst]
        return RoadGraph(
            node_lon=self.node_lon[mask],
            node_lat=self.node_lat[mask],
            edge_src=new_index[self.edge_src[keep]],
            edge_dst=new_index[self.edge_dst[keep]],
            edge_length_m=self.edge_length_m[keep],
            edge_speed_kmh=self.edge_speed_kmh[keep],
            edge_class=self.edge_class[keep],
            node_id=self.node_id[mask],
            ref_lon=self.ref_lon,
            ref_lat=self.ref_lat,
        )

    # -------------------------------------------------------------- persistence
    def save_npz(self, path: str | Path, *, metadata: Mapping[str, str] | None = None) -> None:
        """Write the graph's source arrays (not derived ones) to an uncompressed ``.npz``."""
        meta = dict(metadata or {})
        meta["format_version"] = str(NPZ_FORMAT_VERSION)
        keys = np.array(list(meta.keys()), dtype=str)
        values = np.array(list(meta.values()), dtype=str)
        with open(path, "wb") as fh:
            np.savez(
                fh,
                node_lon=self.node_lon,
                node_lat=self.node_lat,
                node_id=self.node_id,
                edge_src=self.edge_src,
                edge_dst=self.edge_dst,
                edge_length_m=self.edge_length_m,
                edge_speed_kmh=self.edge_speed_kmh,
                edge_class=self.edge_class,
                ref=np.array([self.ref_lon, self.ref_lat], dtype=np.float64),
                meta_keys=keys,
                meta_values=values,
            )

    @classmethod
    def load_npz(cls, path: str | Path) -> tuple[RoadGraph, dict[str, str]]:
        """Read a graph written by :meth:`save_npz`; returns ``(graph, metadata)``."""
        with np.load(path, allow_pickle=False) as data:
            meta = {str(k): str(v) for k, v in zip(data["meta_keys"], data["meta_values"], strict=True)}
            if meta.get("format_version") != str(NPZ_FORMAT_VERSION):
                raise NetworkError(
                    f"unsupported graph file format {meta.get('format_version')!r}", field="path"
                )
            ref = data["ref"]
            graph = cls(
                node_lon=data["node_lon"],
                node_lat=data["node_lat"],
                edge_src=data["edge_src"],
                edge_dst=data["edge_dst"],
                edge_length_m=data["edge_length_m"],
                edge_speed_kmh=data["edge_speed_kmh"],
                edge_class=data["edge_class"],
                node_id=data["node_id"],
                ref_lon=float(ref[0]),
                ref_lat=float(ref[1]),
            )
        return graph, meta


def largest_scc(graph: RoadGraph) -> tuple[RoadGraph, int]:
    """The largest strongly connected component, and how many nodes were dropped.

    Routing inside a strongly connected graph never fails for lack of a way back (dead-end
    one-way stubs and islands are removed). Uses
    ``scipy.sparse.csgraph.connected_components(connection="strong")``.
    """
    n_comp, labels = connected_components(graph.csr, directed=True, connection="strong")
    if n_comp <= 1:
        return graph, 0
    counts = np.bincount(labels, minlength=n_comp)
    mask = labels == int(np.argmax(counts))
    return graph.subgraph(mask), int(graph.n_nodes - mask.sum())
