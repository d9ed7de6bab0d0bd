"""RoadGraph model: exact costs, validation, parallel and zero-length arcs, building, SCC, npz."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from yingji.engines.network import (
    DEFAULT_SPEED_KMH,
    ROAD_CLASSES,
    SPEED_TABLE,
    EdgeTable,
    NetworkError,
    NoRoute,
    RoadGraph,
    build_graph,
    haversine_m,
    largest_scc,
    road_class_code,
    route,
    travel_times,
)

LON = np.array([116.00, 116.01, 116.02, 116.03])
LAT = np.array([36.40, 36.40, 36.40, 36.40])


def arcs_graph(src, dst, length, speed, *, lon=LON, lat=LAT) -> RoadGraph:
    m = len(src)
    return RoadGraph(
        node_lon=lon,
        node_lat=lat,
        edge_src=np.array(src),
        edge_dst=np.array(dst),
        edge_length_m=np.array(length, dtype=float),
        edge_speed_kmh=np.array(speed, dtype=float),
        edge_class=np.full(m, road_class_code("primary")),
    )


def hand_graph() -> RoadGraph:
    # A→B 1000 m @ 36 km/h = 100 s; B→C 500 m @ 18 km/h = 100 s and, parallel, 500 m @ 90 km/h = 20 s;
    # A→C 3000 m @ 60 km/h = 180 s; C→D 0 m = 0 s.
    return arcs_graph(
        [0, 1, 1, 0, 2],
        [1, 2, 2, 2, 3],
        [1000, 500, 500, 3000, 0],
        [36, 18, 90, 60, 50],
    )


def test_travel_time_is_length_over_speed() -> None:
    g = hand_graph()
    assert g.travel_time_s.tolist() == [100.0, 100.0, 20.0, 180.0, 0.0]


def test_hand_checked_times_and_route() -> None:
    g = hand_graph()
    assert travel_times(g, sources=0).seconds.tolist() == [0.0, 100.0, 120.0, 120.0]
    r = route(g, origin=0, destination=3)
    assert r.nodes == [0, 1, 2, 3]
    assert r.edges == [0, 2, 4]  # the faster parallel arc B→C (edge 2) is taken
    assert r.time_s == 120.0
    assert r.length_m == 1500.0
    assert r.coordinates[0] == (116.0, 36.4)


def test_parallel_arcs_keep_the_minimum_not_the_sum() -> None:
    g = hand_graph()
    assert g.csr[1, 2] == 20.0  # scipy would have summed 100 + 20
    assert g.csr.nnz == 4
    assert g.arc_edge.tolist() == [0, 3, 2, 4]


def test_zero_length_arc_is_an_edge_not_a_missing_one() -> None:
    g = arcs_graph([0, 1, 2], [1, 2, 3], [0, 0, 100], [30, 30, 36])
    assert g.csr.nnz == 3
    assert travel_times(g, sources=0).seconds.tolist() == [0.0, 0.0, 0.0, 10.0]
    assert travel_times(g, sources=3, direction="to_origin").seconds.tolist() == [10.0, 10.0, 10.0, 0.0]
    # a closure elsewhere rebuilds the matrix; the zero arcs must survive it
    assert travel_times(g, sources=0, closures=[2]).seconds.tolist() == [0.0, 0.0, 0.0, math.inf]


def test_self_loops_are_ignored() -> None:
    g = arcs_graph([0, 0], [0, 1], [100, 100], [36, 36])
    assert g.csr.nnz == 1
    assert travel_times(g, sources=0).seconds[1] == 10.0


@pytest.mark.parametrize("speed", [0.0, -5.0, math.nan, math.inf])
def test_bad_speed_names_the_field(speed: float) -> None:
    with pytest.raises(NetworkError) as err:
        arcs_graph([0], [1], [100], [speed])
    assert err.value.field == "edge_speed_kmh"
    assert "edge_speed_kmh" in str(err.value)


@pytest.mark.parametrize("length", [-1.0, math.nan, math.inf])
def test_bad_length_names_the_field(length: float) -> None:
    with pytest.raises(NetworkError) as err:
        arcs_graph([0], [1], [length], [30])
    assert err.value.field == "edge_length_m"


def test_other_validation_errors() -> None:
    with pytest.raises(NetworkError, match="edge_dst"):
        arcs_graph([0], [9], [1], [30])
    with pytest.raises(NetworkError, match="node_lat"):
        arcs_graph([0], [1], [1], [30], lat=LAT[:2])
    with pytest.raises(NetworkError, match="node_lat"):
        arcs_graph([0], [1], [1], [30], lat=np.array([36.4, 36.4, 91.0, 36.4]))
    with pytest.raises(NetworkError, match="edge_length_m"):
        RoadGraph(
            node_lon=LON,
            node_lat=LAT,
            edge_src=[0, 1],
            edge_dst=[1, 2],
            edge_length_m=[1.0],
            edge_speed_kmh=[30.0, 30.0],
            edge_class=[0, 0],
        )
    with pytest.raises(NetworkError, match="no nodes"):
        arcs_graph([], [], [], [], lon=np.array([]), lat=np.array([]))
    assert isinstance(NetworkError("x"), ValueError)


def test_graph_arrays_are_read_only() -> None:
    g = hand_graph()
    with pytest.raises(ValueError):
        g.edge_speed_kmh[0] = 1.0
    with pytest.raises(AttributeError):
        g.node_lon = LON  # type: ignore[misc]


def test_build_graph_two_way_becomes_two_arcs_and_oneway_is_respected() -> None:
    nodes = np.column_stack([LON[:3], LAT[:3]])
    g = build_graph(
        nodes_lonlat=nodes,
        edges=[(0, 1, 1000.0, 36.0, False, "primary"), (1, 2, 1000.0, 36.0, True, "primary")],
    )
    assert g.n_edges == 3
    assert (g.edge_src.tolist(), g.edge_dst.tolist()) == ([0, 1, 1], [1, 2, 0])
    assert route(g, origin=0, destination=2).time_s == 200.0
    with pytest.raises(NoRoute):
        route(g, origin=2, destination=0)
    assert travel_times(g, sources=2).seconds.tolist() == [math.inf, math.inf, 0.0]


def test_build_graph_defaults_length_and_speed() -> None:
    nodes = np.column_stack([LON[:2], LAT[:2]])
    g = build_graph(nodes_lonlat=nodes, edges=[(0, 1, None, None, False, "residential")])
    expected = float(haversine_m(LON[0], LAT[0], LON[1], LAT[1]))
    assert g.edge_length_m[0] == pytest.approx(expected)
    assert expected == pytest.approx(895.0, abs=0.5)  # 0.01° of longitude at 36.4° N
    assert g.edge_speed_kmh[0] == DEFAULT_SPEED_KMH["residential"]
    assert g.edge_class_name(0) == "residential"


def test_build_graph_rejects_bad_input() -> None:
    nodes = np.column_stack([LON[:2], LAT[:2]])
    with pytest.raises(NetworkError, match="road_class"):
        build_graph(nodes_lonlat=nodes, edges=[(0, 1, None, None, False, "runway")])
    with pytest.raises(NetworkError, match="edges"):
        build_graph(nodes_lonlat=nodes, edges=[(0, 5, None, None, False, "primary")])
    with pytest.raises(NetworkError, match="edge_speed_kmh"):
        build_graph(nodes_lonlat=nodes, edges=[(0, 1, 10.0, 0.0, False, "primary")])
    with pytest.raises(NetworkError, match="nodes_lonlat"):
        build_graph(nodes_lonlat=LON, edges=[])


def test_edge_table_columns() -> None:
    table = EdgeTable.from_columns(u=[0], v=[1], road_class=["motorway"], oneway=[True])
    assert table.road_class.tolist() == [road_class_code("motorway")]
    assert np.isnan(table.length_m[0]) and np.isnan(table.speed_kmh[0])
    assert len(table) == 1


def test_largest_scc_drops_one_way_dead_ends() -> None:
    nodes = np.column_stack([LON, LAT])
    g = build_graph(
        nodes_lonlat=nodes,
        edges=[
            (0, 1, 100.0, 30.0, False, "primary"),
            (1, 2, 100.0, 30.0, False, "primary"),
            (2, 3, 100.0, 30.0, True, "primary"),
        ],
    )
    sub, dropped = largest_scc(g)
    assert dropped == 1
    assert sub.n_nodes == 3
    assert sub.node_id.tolist() == [0, 1, 2]
    assert sub.n_edges == 4
    same, none = largest_scc(sub)
    assert same is sub and none == 0


def test_npz_round_trip(tmp_path: Path) -> None:
    g = hand_graph()
    path = tmp_path / "g.npz"
    g.save_npz(path, metadata={"source": "test"})
    h, meta = RoadGraph.load_npz(path)
    assert meta["source"] == "test"
    for name in (
        "node_lon",
        "node_lat",
        "node_id",
        "edge_src",
        "edge_dst",
        "edge_length_m",
        "edge_speed_kmh",
        "edge_class",
    ):
        assert np.array_equal(getattr(g, name), getattr(h, name))
    assert (h.ref_lon, h.ref_lat) == (g.ref_lon, g.ref_lat)
    assert travel_times(h, sources=0).seconds.tolist() == [0.0, 100.0, 120.0, 120.0]


def test_speed_table_is_data_with_a_source() -> None:
    assert "OSRM" in SPEED_TABLE["source"]["name"]
    assert ROAD_CLASSES[:3] == ("motorway", "motorway_link", "trunk")  # codes are stable
    assert all(v > 0 for v in DEFAULT_SPEED_KMH.values())
    assert DEFAULT_SPEED_KMH["motorway"] > DEFAULT_SPEED_KMH["primary"] > DEFAULT_SPEED_KMH["residential"]
    assert road_class_code("Road") == road_class_code("unclassified")  # alias, case-insensitive
