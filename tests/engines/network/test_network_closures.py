"""Closures: edges in a polygon, infinite cost, the cached masked matrix, the 24 h share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
import shapely
from shapely.geometry import box

from yingji.engines.network import (
    NetworkError,
    NoRoute,
    closure_clearance_share,
    closures_of,
    edges_in_polygon,
    route,
    travel_times,
)
from yingji.engines.network.synthetic import grid_network


@pytest.fixture(scope="module")
def grid():
    # 4 × 3 grid, 1 km spacing, 36 km/h everywhere: 100 s per edge; node = i + 4 j
    return grid_network(nx=4, ny=3, spacing_m=1000.0, arterial_kmh=36.0, local_kmh=36.0)


def between(g, a: int, b: int):
    """A small box around the midpoint of nodes a and b."""
    lon = (g.node_lon[a] + g.node_lon[b]) / 2
    lat = (g.node_lat[a] + g.node_lat[b]) / 2
    return box(lon - 0.001, lat - 0.001, lon + 0.001, lat + 0.001)


def test_edges_in_polygon_finds_both_arcs(grid) -> None:
    edges = edges_in_polygon(grid, polygon=between(grid, 1, 2))
    pairs = {(int(grid.edge_src[e]), int(grid.edge_dst[e])) for e in edges}
    assert pairs == {(1, 2), (2, 1)}
    assert edges_in_polygon(grid, polygon=shapely.Polygon()).size == 0
    with pytest.raises(NetworkError, match="polygon"):
        edges_in_polygon(grid, polygon="POLYGON EMPTY")  # type: ignore[arg-type]


def test_closed_edges_cost_infinity(grid) -> None:
    before = route(grid, origin=0, destination=3)
    assert before.time_s == 300.0
    closed = closures_of(edges_in_polygon(grid, polygon=between(grid, 1, 2)))
    detour = route(grid, origin=0, destination=3, closures=closed)
    assert detour.time_s == 500.0
    assert not set(detour.edges) & closed
    # cut the whole column between x=1 and x=2: the east side becomes unreachable
    wall = box(grid.node_lon[1] + 0.001, 30, grid.node_lon[2] - 0.001, 40)
    cut = closures_of(edges_in_polygon(grid, polygon=wall))
    assert len(cut) == 6
    with pytest.raises(NoRoute):
        route(grid, origin=0, destination=3, closures=cut)
    times = travel_times(grid, sources=0, closures=cut).seconds
    assert np.isinf(times[[2, 3, 6, 7, 10, 11]]).all()


def test_masked_matrix_is_cached_per_closure_set(grid) -> None:
    a = grid.arcs({1, 2})
    assert grid.arcs(frozenset({2, 1})) is a
    assert grid.arcs([1, 2]) is a
    assert grid.arcs(None) is grid.arcs([])
    assert grid.arcs(None).csr is grid.csr
    with pytest.raises(NetworkError, match="closures"):
        grid.arcs([10_000])


def test_parallel_open_arc_still_carries_traffic() -> None:
    from yingji.engines.network import RoadGraph

    g = RoadGraph(
        node_lon=[116.0, 116.01],
        node_lat=[36.4, 36.4],
        edge_src=[0, 0],
        edge_dst=[1, 1],
        edge_length_m=[100.0, 200.0],
        edge_speed_kmh=[36.0, 36.0],
        edge_class=[0, 0],
    )
    assert travel_times(g, sources=0).seconds[1] == 10.0
    assert travel_times(g, sources=0, closures=[0]).seconds[1] == 20.0
    assert route(g, origin=0, destination=1, closures=[0]).edges == [1]
    assert np.isinf(travel_times(g, sources=0, closures=[0, 1]).seconds[1])


T0 = datetime(2026, 7, 1, tzinfo=UTC)
H = timedelta(hours=1)


def test_clearance_share() -> None:
    closures = [
        (T0, T0 + 5 * H),  # cleared in time
        (T0 + H, T0 + 24 * H + H),  # exactly 24 h: in time
        (T0 + 2 * H, T0 + 30 * H),  # late
        (T0 + 3 * H, None),  # still open
        (T0 - 48 * H, T0),  # opened before the period: ignored
        (T0 + 31 * 24 * H, T0 + 31 * 24 * H + H),  # after the period: ignored
    ]
    end = T0 + 30 * 24 * H
    assert closure_clearance_share(closures, period_start=T0, period_end=end) == pytest.approx(2 / 4)
    # as of 10 h after T0+3h, the open one's window is not over: pending, not counted
    assert closure_clearance_share(
        closures, period_start=T0, period_end=end, as_of=T0 + 13 * H
    ) == pytest.approx(2 / 3)
    assert (
        closure_clearance_share(closures, period_start=T0, period_end=end, within=timedelta(hours=6)) == 0.25
    )
    assert closure_clearance_share([], period_start=T0, period_end=end) is None


def test_clearance_share_errors() -> None:
    end = T0 + 24 * H
    with pytest.raises(NetworkError, match="closures"):
        closure_clearance_share([(T0 + H, T0)], period_start=T0, period_end=end)
    with pytest.raises(NetworkError, match="naive"):
        closure_clearance_share([(datetime(2026, 7, 1, 1), None)], period_start=T0, period_end=end)
    with pytest.raises(NetworkError, match="period_end"):
        closure_clearance_share([], period_start=end, period_end=T0)
