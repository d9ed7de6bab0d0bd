"""Isochrones: the area reachable within given travel times, as lon/lat polygons.

Method (network buffer, traced on a lattice):

1. One bounded multi-source Dijkstra to the largest threshold.
2. For each threshold ``T`` every open arc whose start node is reached at ``t <= T``
   contributes the part of its segment drivable in the time left,
   ``min(1, (T - t) / arc_time)``, as a straight *piece*; a reached node without a piece
   (e.g. an origin whose arcs are all closed) is a piece of length zero.
3. Distance field on a square lattice of step ``res`` (metres, in the graph's local
   projection): ``res = buffer_m / 2.5``, larger only when the largest threshold's window
   would exceed :data:`MAX_LATTICE_POINTS` (then the buffer is at least ``res``). The
   pieces are sampled every ``res``; each lattice point next to a sample takes that
   sample's piece; a Euclidean distance transform
   (``scipy.ndimage.distance_transform_edt`` with feature indices) hands every lattice
   point its nearest such point, and the field is the exact distance from the lattice
   point to that point's piece — an upper bound on the distance to the pieces, exact
   wherever the nearest piece owns the nearest lattice point.
4. Outline: the ``buffer_m`` level set of the field, traced by marching squares (linear
   interpolation along lattice edges, saddles resolved by the cell-centre mean), the
   segments chained into rings with ``scipy.sparse.csgraph`` (one
   ``connected_components`` and one ``depth_first_order``), holes given to the smallest
   shell around them. Areas are measured here, in metres.
5. Douglas-Peucker simplification with tolerance ``buffer_m / 10`` (as before), a union
   with the next smaller threshold's polygon, and unprojection to lon/lat.

The polygon follows the roads like a ``buffer_m`` buffer of the reached pieces (not a
convex or concave hull): land more than ``buffer_m`` from a reachable road stays outside
and holes appear where no road is reached. Against the exact buffer the outline is off by
a few metres on average; every difference is a sliver thinner than ``res / 2`` (30 m at
the default 150 m buffer): the lattice does not resolve gaps narrower than a step, so a
narrow gap between two buffers may close (and a hole lose its channel to the outside).

Nesting: all thresholds share one lattice (anchored at the projection origin), each
field is clamped to at most the next smaller threshold's, and marching squares is
monotone in the field, so the traced outlines are nested exactly; after simplification,
the union with the next smaller polygon restores containment (up to the floating-point
rounding of the overlay, far below a millimetre).

Cost on the demo network from the city centre (~110k nodes): 5/10/15 min together
≈ 55 ms of CPU, 30 min ≈ 0.4 s; memory peaks at about 52 bytes per lattice point
(≤ 1M points).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from scipy import ndimage
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, depth_first_order
from shapely.geometry.base import BaseGeometry

from .errors import NetworkError
from .graph import FloatArray, IntArray, RoadGraph
from .routing import ClosuresArg, Direction, travel_times

STEPS_PER_BUFFER = 2.5
"""Lattice steps per ``buffer_m``: the lattice step is ``buffer_m / STEPS_PER_BUFFER``."""

MAX_LATTICE_POINTS = 1_000_000
"""Largest lattice (points) for the largest threshold; the step grows beyond it."""

SIMPLIFY_PER_BUFFER = 0.1
"""Douglas-Peucker tolerance of the outlines, as a share of ``buffer_m``."""

_T_EPS = 1e-6  # keeps contour vertices strictly inside lattice edges: rings stay simple


@dataclass(frozen=True)
class Isochrone:
    """One threshold's reachable area: lon/lat geometry, km², and reached node count."""

    threshold_s: float
    polygon: BaseGeometry
    area_km2: float
    reached_nodes: int


def isochrones(
    graph: RoadGraph,
    *,
    origins: int | Sequence[int] | npt.ArrayLike,
    thresholds_s: Sequence[float] | npt.ArrayLike = (300.0, 600.0, 900.0),
    closures: ClosuresArg = None,
    buffer_m: float = 150.0,
    direction: Direction = "from_origin",
) -> dict[float, BaseGeometry]:
    """Reachable areas from ``origins`` (node indices): ``{threshold_s: lon/lat polygon}``.

    Keys are the distinct thresholds (seconds) in increasing order; each polygon contains
    the smaller ones. ``direction="to_origin"`` gives the area from which the origins can
    be reached. See the module docstring for the method; :func:`isochrones_detailed` also
    returns areas and reached node counts.
    """
    return {
        iso.threshold_s: iso.polygon
        for iso in isochrones_detailed(
            graph,
            origins=origins,
            thresholds_s=thresholds_s,
            closures=closures,
            buffer_m=buffer_m,
            direction=direction,
        )
    }


def isochrones_detailed(
    graph: RoadGraph,
    *,
    origins: int | Sequence[int] | npt.ArrayLike,
    thresholds_s: Sequence[float] | npt.ArrayLike = (300.0, 600.0, 900.0),
    closures: ClosuresArg = None,
    buffer_m: float = 150.0,
    direction: Direction = "from_origin",
) -> list[Isochrone]:
    """Like :func:`isochrones`, with each polygon's area (km²) and reached node count."""
    thr = np.atleast_1d(np.asarray(thresholds_s, dtype=np.float64))
    if thr.size == 0 or thr.ndim != 1:
        raise NetworkError("must hold at least one threshold", field="thresholds_s")
    if not np.all(np.isfinite(thr)) or np.any(thr < 0):
        raise NetworkError("thresholds must be finite times >= 0 s", field="thresholds_s")
    buffer = float(buffer_m)
    if not np.isfinite(buffer) or buffer <= 0:
        raise NetworkError("must be > 0 m", field="buffer_m")
    thr = np.unique(thr)
    reverse = direction == "to_origin"
    times = travel_times(
        graph, sources=origins, closures=closures, limit_s=float(thr[-1]), direction=direction
    ).seconds
    edges = graph.arcs(closures).edge
    start = graph.edge_dst[edges] if reverse else graph.edge_src[edges]
    end = graph.edge_src[edges] if reverse else graph.edge_dst[edges]
    t_start = times[start]
    near = t_start <= thr[-1]
    start, end, t_start, arc_time = start[near], end[near], t_start[near], graph.travel_time_s[edges[near]]
    x, y = graph.node_x, graph.node_y
    reached_all = np.flatnonzero(times <= thr[-1])

    # one lattice for all thresholds, sized on the largest (whose pieces hold all others)
    ext_x = np.concatenate([x[start], x[end], x[reached_all]])
    ext_y = np.concatenate([y[start], y[end], y[reached_all]])
    span = (float(ext_x.max() - ext_x.min()) + 3 * buffer) * (float(ext_y.max() - ext_y.min()) + 3 * buffer)
    res = max(buffer / STEPS_PER_BUFFER, math.sqrt(span / MAX_LATTICE_POINTS))
    level = max(buffer, res)  # a coarsened lattice still puts every piece inside

    out: list[Isochrone] = []
    prev: _Field | None = None
    nest: BaseGeometry | None = None
    for limit in thr:
        sel = t_start <= limit
        s, e, ts, te = start[sel], end[sel], t_start[sel], arc_time[sel]
        frac = np.ones(s.size)
        pos = te > 0
        frac[pos] = np.clip((limit - ts[pos]) / te[pos], 0.0, 1.0)
        reached = np.flatnonzero(times <= limit)
        drawn = np.zeros(graph.n_nodes, dtype=bool)
        drawn[s] = True
        drawn[e[frac >= 1.0]] = True
        alone = reached[~drawn[reached]]  # e.g. an origin without open arcs
        x0 = np.concatenate([x[s], x[alone]])
        y0 = np.concatenate([y[s], y[alone]])
        x1 = np.concatenate([x[s] + frac * (x[e] - x[s]), x[alone]])
        y1 = np.concatenate([y[s] + frac * (y[e] - y[s]), y[alone]])
        field = _distance_field(x0, y0, x1, y1, res=res, level=level)
        if prev is not None:
            field.clamp_to(prev)
        prev = field
        geom, area_m2 = _level_set_polygon(field, level)
        geom = shapely.simplify(geom, buffer * SIMPLIFY_PER_BUFFER, preserve_topology=False)
        if nest is not None:  # simplification moved outlines by up to its tolerance
            geom = shapely.union(geom, nest)
        nest = geom
        out.append(
            Isochrone(
                threshold_s=float(limit),
                polygon=graph.projection.geometry_to_lonlat(geom),
                area_km2=area_m2 / 1e6,
                reached_nodes=int(reached.size),
            )
        )
    return out


# --------------------------------------------------------------- distance field
@dataclass
class _Field:
    """Distances (m) on the lattice points ``(i0 + i, j0 + j) * res``, shape ``(H, W)``."""

    values: npt.NDArray[np.float32]
    i0: int
    j0: int
    res: float

    def clamp_to(self, smaller: _Field) -> None:
        """``values = min(values, smaller)`` where they overlap (keeps isochrones nested)."""
        sh, sw = smaller.values.shape
        h, w = self.values.shape
        i_lo, j_lo = max(self.i0, smaller.i0), max(self.j0, smaller.j0)
        i_hi, j_hi = min(self.i0 + w, smaller.i0 + sw), min(self.j0 + h, smaller.j0 + sh)
        if i_lo >= i_hi or j_lo >= j_hi:
            return
        mine = self.values[j_lo - self.j0 : j_hi - self.j0, i_lo - self.i0 : i_hi - self.i0]
        theirs = smaller.values[j_lo - smaller.j0 : j_hi - smaller.j0, i_lo - smaller.i0 : i_hi - smaller.i0]
        np.minimum(mine, theirs, out=mine)


def _sample(
    x0: FloatArray, y0: FloatArray, x1: FloatArray, y1: FloatArray, step: float
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.int32]]:
    """Points every ``<= step`` along each piece, both end points included, and their piece."""
    length = np.hypot(x1 - x0, y1 - y0)
    count = np.ceil(length / step).astype(np.intp) + 1
    piece = np.repeat(np.arange(count.size, dtype=np.int32), count)
    first = np.cumsum(count) - count
    k = np.arange(piece.size) - first[piece]
    t = k / np.maximum(count - 1, 1)[piece]
    return x0[piece] + t * (x1 - x0)[piece], y0[piece] + t * (y1 - y0)[piece], piece


def _distance_field(
    x0: FloatArray, y0: FloatArray, x1: FloatArray, y1: FloatArray, *, res: float, level: float
) -> _Field:
    """Distance from each lattice point to the pieces, on a window around them.

    Each lattice point next to a sample takes that sample's piece (one of them when
    several pieces pass by); the distance transform hands every lattice point its nearest
    such point, and the value is the exact distance to that point's piece (an upper bound
    on the distance to all pieces). The per-point arithmetic runs in float32 on
    coordinates relative to the window (errors of a few millimetres). The window reaches
    ``level + 2 res`` beyond the pieces, so that its border lies outside the level set
    and every contour closes inside it.
    """
    px, py, piece = _sample(x0, y0, x1, y1, res)
    margin = level + 2.0 * res
    i0 = math.floor((float(px.min()) - margin) / res)
    j0 = math.floor((float(py.min()) - margin) / res)
    w = math.ceil((float(px.max()) + margin) / res) - i0 + 1
    h = math.ceil((float(py.max()) + margin) / res) - j0 + 1
    flat = (np.rint(py / res).astype(np.intp) - j0) * w + (np.rint(px / res).astype(np.intp) - i0)
    owner = np.full(h * w, -1, dtype=np.int32)
    owner[flat] = piece
    nearest = ndimage.distance_transform_edt(
        (owner < 0).reshape(h, w), return_distances=False, return_indices=True
    )
    at = nearest[0]
    at *= np.int32(w)  # flat index of the nearest owned lattice point, in place
    at += nearest[1]
    p = owner[at]
    del nearest, at, owner  # lower the memory peak
    f32 = np.float32
    ax = (x0 - i0 * res).astype(f32)
    ay = (y0 - j0 * res).astype(f32)
    dx = (x1 - x0).astype(f32)
    dy = (y1 - y0).astype(f32)
    norm2 = dx * dx + dy * dy
    inv = np.divide(f32(1.0), norm2, out=np.zeros_like(norm2), where=norm2 > 0)
    lx = (np.arange(w, dtype=f32) * f32(res))[None, :] - ax[p]
    ly = (np.arange(h, dtype=f32) * f32(res))[:, None] - ay[p]
    pdx, pdy = dx[p], dy[p]
    t = lx * pdx
    t += ly * pdy
    t *= inv[p]
    del p
    np.clip(t, f32(0.0), f32(1.0), out=t)
    pdx *= t
    pdy *= t
    lx -= pdx
    ly -= pdy
    return _Field(values=np.hypot(lx, ly, out=lx), i0=i0, j0=j0, res=res)


# -------------------------------------------------------------- marching squares
def _segment_tables() -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Per case (bits: 1 bottom-left, 2 bottom-right, 4 top-right, 8 top-left inside), the
    cell edges (0 bottom, 1 right, 2 top, 3 left) each contour segment runs from and to,
    oriented with the inside on its left. Saddles (5, 10) have two segments: in ``joined``
    when the cell centre is inside, in ``apart`` otherwise; -1 marks no segment."""
    first = np.full((16, 2), -1, dtype=np.intp)  # (from, to) of the only / first segment
    joined = np.full((16, 4), -1, dtype=np.intp)  # from, to, from, to
    apart = np.full((16, 4), -1, dtype=np.intp)
    for case in range(16):
        inside = [(case >> k) & 1 == 1 for k in range(4)]  # corners bl, br, tr, tl (CCW)
        leave = [k for k in range(4) if inside[k] and not inside[(k + 1) % 4]]
        enter = [k for k in range(4) if not inside[k] and inside[(k + 1) % 4]]
        if len(leave) == 1:
            first[case] = (leave[0], enter[0])
        elif len(leave) == 2:
            a, b = leave
            joined[case] = (a, (a + 1) % 4, b, (b + 1) % 4)
            apart[case] = (a, (a - 1) % 4, b, (b - 1) % 4)
    return first[:, 0], first[:, 1], joined, apart


_FROM, _TO, _JOINED, _APART = _segment_tables()


def _level_set_polygon(field: _Field, level: float) -> tuple[BaseGeometry, float]:
    """The region ``field <= level`` as a (Multi)Polygon in metres, and its area (m²)."""
    f = field.values
    h, w = f.shape
    inside = f <= level
    bl, br, tr, tl = inside[:-1, :-1], inside[:-1, 1:], inside[1:, 1:], inside[1:, :-1]
    case = bl.astype(np.uint8) | (br.astype(np.uint8) << 1) | (tr.astype(np.uint8) << 2)
    case |= tl.astype(np.uint8) << 3
    cells = np.flatnonzero((case != 0) & (case != 15))
    if cells.size == 0:
        return shapely.Polygon(), 0.0
    cj, ci = np.divmod(cells, w - 1)
    code = case.ravel()[cells]
    # the four edges of each cell as crossing ids: horizontal edges (j, i)-(j, i+1) first,
    # then vertical edges (j, i)-(j+1, i)
    n_h = h * (w - 1)
    edge_id = np.stack(
        [cj * (w - 1) + ci, n_h + cj * w + ci + 1, (cj + 1) * (w - 1) + ci, n_h + cj * w + ci]
    )
    saddle = (code == 5) | (code == 10)
    plain = np.flatnonzero(~saddle)
    seg_from = [edge_id[_FROM[code[plain]], plain]]
    seg_to = [edge_id[_TO[code[plain]], plain]]
    sad = np.flatnonzero(saddle)
    if sad.size:
        sj, si = cj[sad], ci[sad]
        centre = (f[sj, si] + f[sj, si + 1] + f[sj + 1, si + 1] + f[sj + 1, si]) / 4.0
        table = np.where((centre <= level)[:, None], _JOINED[code[sad]], _APART[code[sad]])
        for c in (0, 2):
            seg_from.append(edge_id[table[:, c], sad])
            seg_to.append(edge_id[table[:, c + 1], sad])
    src = np.concatenate(seg_from)
    dst = np.concatenate(seg_to)
    # each crossing starts exactly one segment and ends exactly one: a permutation
    order = np.argsort(src)
    crossing = src[order]
    succ = np.searchsorted(crossing, dst[order])
    # crossing coordinates, interpolated linearly along their lattice edge
    horiz = crossing < n_h
    vj, vi = np.divmod(crossing - n_h, w)
    hj, hi = np.divmod(crossing, w - 1)
    aj = np.where(horiz, hj, vj)
    ai = np.where(horiz, hi, vi)
    bj = aj + (~horiz)
    bi = ai + horiz
    fa = f[aj, ai].astype(np.float64)
    fb = f[bj, bi].astype(np.float64)
    t = np.clip((level - fa) / (fb - fa), _T_EPS, 1.0 - _T_EPS)
    cx = (field.i0 + ai + np.where(horiz, t, 0.0)) * field.res
    cy = (field.j0 + aj + np.where(horiz, 0.0, t)) * field.res
    walk, ring = _cycles(succ)
    # signed ring areas (shoelace; > 0 for shells, which run counter-clockwise)
    cross = cx * cy[succ] - cx[succ] * cy
    signed = np.bincount(ring, weights=cross[walk]) / 2.0
    rings = shapely.linearrings(np.column_stack([cx[walk], cy[walk]]), indices=ring)
    geom = _assemble(rings, signed)
    return geom, float(signed.sum())


def _cycles(succ: IntArray) -> tuple[IntArray, IntArray]:
    """Walk the cycles of the permutation ``succ``: ``(order, ring)`` where ``order`` lists
    every element, cycle after cycle, each cycle in ``succ`` order, and ``ring[k]`` is the
    cycle of ``order[k]`` (0, 1, ...).

    The cycles are found by ``connected_components``; each is cut before one element
    (its root), the cut ends are chained to the next cycle's root, and one
    ``depth_first_order`` walks the resulting single path in O(n).
    """
    n = succ.size
    n_rings, label = connected_components(
        csr_matrix((np.ones(n, dtype=np.int8), succ, np.arange(n + 1)), shape=(n, n)),
        directed=True,
        connection="weak",
    )
    _, roots = np.unique(label, return_index=True)
    is_root = np.zeros(n, dtype=bool)
    is_root[roots] = True
    nxt = succ.copy()
    ends = np.flatnonzero(is_root[succ])  # last element of each cycle, in cycle order of label
    nxt[ends] = roots[(label[ends] + 1) % n_rings]
    keep = np.ones(n, dtype=bool)
    keep[ends[label[ends] == n_rings - 1]] = False  # the path ends after the last cycle
    indptr = np.zeros(n + 1, dtype=np.intp)
    np.cumsum(keep, out=indptr[1:])
    path = csr_matrix((np.ones(int(keep.sum()), dtype=np.int8), nxt[keep], indptr), shape=(n, n))
    order = depth_first_order(path, int(roots[0]), directed=True, return_predecessors=False)
    ring = np.cumsum(is_root[order]) - 1
    return np.asarray(order, dtype=np.intp), ring


def _assemble(rings: npt.NDArray[np.object_], signed: FloatArray) -> BaseGeometry:
    """Polygons from non-crossing rings: counter-clockwise shells, clockwise holes; each
    hole goes to the smallest shell around it."""
    shell_idx = np.flatnonzero(signed > 0)
    hole_idx = np.flatnonzero(signed < 0)
    owner = np.zeros(hole_idx.size, dtype=np.intp)
    if hole_idx.size and shell_idx.size > 1:
        shells = shapely.polygons(rings[shell_idx])
        probe = shapely.get_point(rings[hole_idx], 0)
        hole_pos, shell_pos = shapely.STRtree(shells).query(probe, predicate="within")
        pick = np.lexsort((signed[shell_idx][shell_pos], hole_pos))
        hole_pos, shell_pos = hole_pos[pick], shell_pos[pick]
        first = np.ones(hole_pos.size, dtype=bool)
        first[1:] = hole_pos[1:] != hole_pos[:-1]
        owner[hole_pos[first]] = shell_pos[first]
    # shell k, then its holes, grouped by polygon index
    members = np.concatenate([shell_idx, hole_idx])
    polygon_of = np.concatenate([np.arange(shell_idx.size), owner])
    is_hole = np.concatenate([np.zeros(shell_idx.size, bool), np.ones(hole_idx.size, bool)])
    grouping = np.lexsort((is_hole, polygon_of))
    polys = shapely.polygons(rings[members[grouping]], indices=polygon_of[grouping])
    if polys.size == 1:
        return polys[0]  # type: ignore[no-any-return]
    return shapely.multipolygons(polys)  # type: ignore[no-any-return]
