"""Road closures: which edges a closure polygon cuts, and the 24-hour reopening share.

Engine-level representation: ``Closures`` is a frozen set of closed edge indices. Every
routing function takes ``closures=`` and treats a closed edge as impassable (infinite
cost, implemented by leaving it out of a cached masked CSR matrix). A closure therefore
never shortens a travel time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from .errors import NetworkError
from .graph import IntArray, RoadGraph

Closures = frozenset[int]
"""Closed edge indices of one graph."""


def closures_of(edges: Iterable[int]) -> Closures:
    """A :data:`Closures` value from any iterable of edge indices."""
    return frozenset(int(e) for e in edges)


def _edge_tree(graph: RoadGraph) -> shapely.STRtree:
    cache = graph._cache
    with cache.lock:
        if cache.edge_tree is None:
            coords = np.empty((graph.n_edges, 2, 2), dtype=np.float64)
            coords[:, 0, 0] = graph.node_lon[graph.edge_src]
            coords[:, 0, 1] = graph.node_lat[graph.edge_src]
            coords[:, 1, 0] = graph.node_lon[graph.edge_dst]
            coords[:, 1, 1] = graph.node_lat[graph.edge_dst]
            lines = shapely.linestrings(coords)
            cache.edge_tree = shapely.STRtree(lines)
        return cache.edge_tree


def edges_in_polygon(graph: RoadGraph, *, polygon: BaseGeometry) -> IntArray:
    """Indices (sorted) of edges whose straight segment intersects ``polygon`` (lon/lat).

    Both arcs of a two-way road are returned. Any shapely geometry works (a buffered
    point or line closes what it touches). The segments' STRtree is built once per graph.
    """
    if not isinstance(polygon, BaseGeometry):
        raise NetworkError("must be a shapely geometry in lon/lat", field="polygon")
    if polygon.is_empty:
        return np.empty(0, dtype=np.int64)
    if not polygon.is_valid:
        polygon = shapely.make_valid(polygon)
    hits = _edge_tree(graph).query(polygon, predicate="intersects")
    return np.sort(np.asarray(hits, dtype=np.int64))


@dataclass(frozen=True)
class Clearance:
    """Closures opened in a period: ``counted`` (judged: cleared, or their window has run out),
    ``cleared_in_time`` among them, and ``pending`` (still open, window not over; not judged)."""

    counted: int
    cleared_in_time: int
    pending: int

    @property
    def share(self) -> float | None:
        return self.cleared_in_time / self.counted if self.counted else None


def closure_clearance(
    closures: Sequence[tuple[datetime, datetime | None]],
    *,
    period_start: datetime,
    period_end: datetime,
    within: timedelta = timedelta(hours=24),
    as_of: datetime | None = None,
) -> Clearance:
    """Count the closures opened in ``[period_start, period_end)``: each is ``(opened_at, cleared_at
    or None)``; it is cleared in time when ``cleared_at - opened_at <= within``. With ``as_of`` given,
    a closure still open whose window has not yet run out at ``as_of`` is *pending* and left out of
    the judged ones. Datetimes must be all timezone-aware or all naive."""
    if within < timedelta(0):
        raise NetworkError("must not be negative", field="within")
    if period_end < period_start:
        raise NetworkError("period_end is before period_start", field="period_end")
    stamps = [period_start, period_end] + ([as_of] if as_of is not None else [])
    for opened, cleared in closures:
        stamps.append(opened)
        if cleared is not None:
            stamps.append(cleared)
    if len({ts.tzinfo is None or ts.utcoffset() is None for ts in stamps}) > 1:
        raise NetworkError("mixes timezone-aware and naive datetimes", field="closures")
    counted = cleared_in_time = pending = 0
    for i, (opened, cleared) in enumerate(closures):
        if not (period_start <= opened < period_end):
            continue
        if cleared is not None and cleared < opened:
            raise NetworkError(f"closure {i} is cleared before it was opened", field="closures")
        if cleared is not None and cleared - opened <= within:
            cleared_in_time += 1
        elif cleared is None and as_of is not None and as_of - opened < within:
            pending += 1  # still open, window not over yet
            continue
        counted += 1
    return Clearance(counted=counted, cleared_in_time=cleared_in_time, pending=pending)


def closure_clearance_share(
    closures: Sequence[tuple[datetime, datetime | None]],
    *,
    period_start: datetime,
    period_end: datetime,
    within: timedelta = timedelta(hours=24),
    as_of: datetime | None = None,
) -> float | None:
    """Share of closures opened in ``[period_start, period_end)`` cleared within ``within`` (see
    :func:`closure_clearance`); ``None`` when no closure is judged (the share is undefined)."""
    return closure_clearance(closures, period_start=period_start, period_end=period_end, within=within,
                             as_of=as_of).share
