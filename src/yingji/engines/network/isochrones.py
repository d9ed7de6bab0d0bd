"""Isochrones: the area reachable within given travel times, as lon/lat polygons.

Method (network buffer): one bounded multi-source Dijkstra to the largest threshold; for
each threshold ``T`` every open arc whose start node is reached at ``t <= T`` contributes
the part of its segment drivable in the time left, ``min(1, (T - t) / arc_time)``, as a
straight segment; the segments are buffered by ``buffer_m`` metres in the graph's local
projection (``quad_segs=2``), unioned with ``shapely.union_all`` and unprojected to
lon/lat. The polygon therefore follows the roads (it is not a convex or concave hull):
land more than ``buffer_m`` from a reachable road stays outside, and holes appear where
no road is reached. The outline is then simplified with a tolerance of ``buffer_m / 10``
(topology preserved). Areas are computed in metres before simplifying and unprojecting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from .errors import NetworkError
from .graph import RoadGraph
from .routing import ClosuresArg, Direction, travel_times


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

    Keys are the distinct thresholds (seconds) in increasing order; the polygons are
    nested (up to the ``buffer_m / 10`` simplification tolerance).
    ``direction="to_origin"`` gives the area from which the origins can be reached.
    See the module docstring for the method; :func:`isochrones_detailed` also returns
    areas and reached node counts.
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
    if not np.isfinite(buffer_m) or buffer_m <= 0:
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
    edges, start, end, t_start = edges[near], start[near], end[near], t_start[near]
    arc_time = graph.travel_time_s[edges]
    x, y = graph.node_x, graph.node_y
    out: list[Isochrone] = []
    for limit in thr:
        sel = t_start <= limit
        s, e, ts, te = start[sel], end[sel], t_start[sel], arc_time[sel]
        frac = np.ones(s.size)
        pos = te > 0
        frac[pos] = np.clip((limit - ts[pos]) / te[pos], 0.0, 1.0)
        coords = np.empty((s.size, 2, 2))
        coords[:, 0, 0] = x[s]
        coords[:, 0, 1] = y[s]
        coords[:, 1, 0] = x[s] + frac * (x[e] - x[s])
        coords[:, 1, 1] = y[s] + frac * (y[e] - y[s])
        reached = np.flatnonzero(times <= limit)
        drawn = np.zeros(graph.n_nodes, dtype=bool)
        drawn[s] = True
        drawn[e[frac >= 1.0]] = True
        alone = reached[~drawn[reached]]  # e.g. an origin without open arcs
        points = shapely.points(x[alone], y[alone])
        parts = np.concatenate([shapely.linestrings(coords), points]) if s.size else points
        geom = shapely.union_all(shapely.buffer(parts, buffer_m, quad_segs=2))
        area = float(geom.area / 1e6)
        geom = shapely.simplify(geom, buffer_m / 10.0, preserve_topology=True)
        out.append(
            Isochrone(
                threshold_s=float(limit),
                polygon=graph.projection.geometry_to_lonlat(geom),
                area_km2=area,
                reached_nodes=int(reached.size),
            )
        )
    return out
