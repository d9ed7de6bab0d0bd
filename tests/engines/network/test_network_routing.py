"""Snapping, one-to-many, many-to-many, routes, nearest-k, and properties on random graphs."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yingji.engines.network import (
    NetworkError,
    NoRoute,
    PointOffNetwork,
    RoadGraph,
    matrix,
    nearest_k,
    road_class_code,
    route,
    snap,
    snap_many,
    travel_times,
)
from yingji.engines.network.synthetic import grid_network


@pytest.fixture(scope="module")
def line() -> RoadGraph:
    # 5 nodes in a row, 1 km apart, 36 km/h both ways: 100 s per edge
    return grid_network(nx=5, ny=1, spacing_m=1000.0, arterial_kmh=36.0, local_kmh=36.0)


@pytest.fixture(scope="module")
def city() -> RoadGraph:
    return grid_network(nx=30, ny=30, spacing_m=150.0, seed=3, jitter=0.2, oneway_share=0.2, drop_share=0.05)


def test_snap_exact_and_off_network(line: RoadGraph) -> None:
    node, dist = snap(line, lon=float(line.node_lon[3]), lat=float(line.node_lat[3]))
    assert (node, dist) == (3, 0.0)
    with pytest.raises(PointOffNetwork) as err:
        snap(line, lon=float(line.node_lon[3]), lat=float(line.node_lat[3]) + 0.01, max_distance_m=500)
    assert err.value.distance_m == pytest.approx(1111.95, rel=1e-3)
    assert isinstance(err.value, NetworkError)


def test_snap_many(line: RoadGraph) -> None:
    lon = np.array([line.node_lon[0], line.node_lon[4], 100.0])
    lat = np.array([line.node_lat[0], line.node_lat[4], 30.0])
    res = snap_many(line, lon=lon, lat=lat, max_distance_m=100)
    assert res.node.tolist() == [0, 4, -1]
    assert res.on_network.tolist() == [True, True, False]
    with pytest.raises(PointOffNetwork):
        snap_many(line, lon=lon, lat=lat, max_distance_m=100, strict=True)
    with pytest.raises(NetworkError, match="lon/lat"):
        snap_many(line, lon=[1.0, 2.0], lat=[1.0])


def test_travel_times_multi_source_nearest_index(line: RoadGraph) -> None:
    tt = travel_times(line, sources=[4, 0])
    assert tt.seconds.tolist() == [0.0, 100.0, 200.0, 100.0, 0.0]
    # node 2 is a tie (200 s from both); the result is one of the two
    assert tt.source_index.tolist()[:2] == [1, 1] and tt.source_index.tolist()[3:] == [0, 0]
    single = travel_times(line, sources=[2], limit_s=100)
    assert single.seconds.tolist() == [math.inf, 100.0, 0.0, 100.0, math.inf]
    assert single.source_index.tolist() == [-1, 0, 0, 0, -1]
    assert travel_times(line, sources=[0, 4], nearest_source=False).seconds.tolist() == tt.seconds.tolist()


def test_limit_is_inclusive(line: RoadGraph) -> None:
    assert travel_times(line, sources=0, limit_s=200.0).seconds.tolist() == [0, 100, 200, math.inf, math.inf]


def test_source_errors(line: RoadGraph) -> None:
    with pytest.raises(NetworkError) as err:
        travel_times(line, sources=[])
    assert err.value.field == "sources"
    with pytest.raises(NetworkError, match="sources"):
        travel_times(line, sources=[7])
    with pytest.raises(NetworkError, match="sources"):
        travel_times(line, sources=[0.5])
    with pytest.raises(NetworkError, match="limit_s"):
        travel_times(line, sources=[0], limit_s=-1)


def test_matrix_both_orientations(city: RoadGraph) -> None:
    rng = np.random.default_rng(1)
    orig = rng.choice(city.n_nodes, 7, replace=False)
    dest = rng.choice(city.n_nodes, 3, replace=False)
    expected = np.array([travel_times(city, sources=o).seconds[dest] for o in orig])
    assert np.allclose(matrix(city, origins=orig, destinations=dest), expected)  # reversed search
    assert np.allclose(
        matrix(city, origins=dest, destinations=orig),
        np.array([travel_times(city, sources=d).seconds[orig] for d in dest]),
    )
    with pytest.raises(NetworkError, match="destinations"):
        matrix(city, origins=orig, destinations=[])


def test_route_matches_travel_times(city: RoadGraph) -> None:
    times = travel_times(city, sources=0).seconds
    target = int(np.argmax(np.where(np.isfinite(times), times, -1)))
    r = route(city, origin=0, destination=target)
    assert r.time_s == pytest.approx(times[target])
    assert r.nodes[0] == 0 and r.nodes[-1] == target
    assert len(r.edges) == len(r.nodes) - 1 == len(r.coordinates) - 1
    assert sum(city.travel_time_s[e] for e in r.edges) == pytest.approx(r.time_s)
    assert r.length_m == pytest.approx(float(city.edge_length_m[r.edges].sum()))
    for e, (a, b) in zip(r.edges, itertools.pairwise(r.nodes), strict=True):
        assert (city.edge_src[e], city.edge_dst[e]) == (a, b)
    same = route(city, origin=5, destination=5)
    assert same.nodes == [5] and same.time_s == 0.0


def test_nearest_k(line: RoadGraph) -> None:
    ranked = nearest_k(line, origin=1, candidates=[4, 0, 3, 2], k=3)
    assert [(r.candidate, r.eta_s) for r in ranked] == [(1, 100.0), (3, 100.0), (2, 200.0)]
    assert nearest_k(line, origin=0, candidates=[4, 1], k=5, limit_s=150) == [(1, 100.0)]
    with pytest.raises(NetworkError, match="k"):
        nearest_k(line, origin=0, candidates=[1], k=0)


def test_nearest_k_direction_on_one_way_street() -> None:
    g = RoadGraph(
        node_lon=[116.0, 116.01, 116.02],
        node_lat=[36.4, 36.4, 36.4],
        edge_src=[0, 1],
        edge_dst=[1, 2],
        edge_length_m=[100.0, 100.0],
        edge_speed_kmh=[36.0, 36.0],
        edge_class=[road_class_code("residential")] * 2,
    )
    # stations at 0 and 2 driving *to* an incident at node 1: only station 0 can get there
    assert nearest_k(g, origin=1, candidates=[0, 2], k=2, direction="to_origin") == [(0, 10.0)]
    assert nearest_k(g, origin=1, candidates=[0, 2], k=2) == [(1, 10.0)]
    with pytest.raises(NoRoute):
        route(g, origin=2, destination=0)


# ------------------------------------------------------------- properties
@st.composite
def small_graphs(draw: st.DrawFn) -> tuple[RoadGraph, list[tuple[int, int, float]]]:
    n = draw(st.integers(2, 7))
    m = draw(st.integers(1, 18))
    edges = []
    for _ in range(m):
        u = draw(st.integers(0, n - 1))
        v = draw(st.integers(0, n - 1))
        length = float(draw(st.integers(0, 2000)))
        speed = float(draw(st.sampled_from([5, 18, 30, 36, 60, 72, 120])))
        edges.append((u, v, length, speed))
    g = RoadGraph(
        node_lon=116.0 + np.arange(n) * 0.001,
        node_lat=np.full(n, 36.4),
        edge_src=[e[0] for e in edges],
        edge_dst=[e[1] for e in edges],
        edge_length_m=[e[2] for e in edges],
        edge_speed_kmh=[e[3] for e in edges],
        edge_class=np.zeros(m, dtype=np.int16),
    )
    return g, [(u, v, length * 3.6 / speed) for u, v, length, speed in edges]


def floyd_warshall(
    n: int, arcs: list[tuple[int, int, float]], closed: frozenset[int] | set[int] = frozenset()
) -> np.ndarray:
    d = np.full((n, n), math.inf)
    np.fill_diagonal(d, 0.0)
    for i, (u, v, t) in enumerate(arcs):
        if i not in closed:
            d[u, v] = min(d[u, v], t)
    for k in range(n):
        d = np.minimum(d, d[:, [k]] + d[[k], :])
    return d


@settings(max_examples=60, deadline=None)
@given(small_graphs())
def test_matches_a_reference_all_pairs(case: tuple[RoadGraph, list[tuple[int, int, float]]]) -> None:
    g, arcs = case
    nodes = np.arange(g.n_nodes)
    assert np.allclose(
        matrix(g, origins=nodes, destinations=nodes), floyd_warshall(g.n_nodes, arcs), rtol=1e-12, atol=1e-9
    )


@settings(max_examples=60, deadline=None)
@given(small_graphs(), st.data())
def test_closures_never_shorten(
    case: tuple[RoadGraph, list[tuple[int, int, float]]], data: st.DataObject
) -> None:
    g, arcs = case
    closed = data.draw(st.sets(st.integers(0, g.n_edges - 1)))
    nodes = np.arange(g.n_nodes)
    open_d = matrix(g, origins=nodes, destinations=nodes)
    closed_d = matrix(g, origins=nodes, destinations=nodes, closures=closed)
    assert np.all(closed_d >= open_d - 1e-9)
    assert np.allclose(closed_d, floyd_warshall(g.n_nodes, arcs, closed), rtol=1e-12, atol=1e-9)
    for e in closed:  # a closed edge is never on a route
        u, v = int(g.edge_src[e]), int(g.edge_dst[e])
        try:
            r = route(g, origin=u, destination=v, closures=closed)
        except NoRoute:
            continue
        assert e not in r.edges


@settings(max_examples=60, deadline=None)
@given(small_graphs())
def test_triangle_inequality(case: tuple[RoadGraph, list[tuple[int, int, float]]]) -> None:
    g, _ = case
    nodes = np.arange(g.n_nodes)
    d = matrix(g, origins=nodes, destinations=nodes)
    via = d[:, :, None] + d[None, :, :]  # d[a, b] + d[b, c]
    assert np.all(d[:, None, :] <= via + 1e-9)
