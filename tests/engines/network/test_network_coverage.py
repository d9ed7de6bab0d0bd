"""Coverage on a hand-built grid, its cached cell maps, population grid loaders (CSV, GeoTIFF)."""

from __future__ import annotations

import gc
import math
import sys
import weakref
from pathlib import Path

import numpy as np
import pytest
from shapely.geometry import box

from yingji.engines.network import (
    NetworkError,
    PopulationGrid,
    RoadGraph,
    cell_drive_times,
    coverage,
    snap_cells,
    snap_many,
    travel_times,
)
from yingji.engines.network.synthetic import grid_network

cov_mod = sys.modules["yingji.engines.network.coverage"]  # the package exports a function of that name


@pytest.fixture(scope="module")
def line():
    # 5 nodes in a row, 1 km apart, 36 km/h: 100 s per edge
    return grid_network(nx=5, ny=1, spacing_m=1000.0, arterial_kmh=36.0, local_kmh=36.0)


@pytest.fixture(scope="module")
def cells(line) -> PopulationGrid:
    # one 1 km cell on each node plus one 5 km north of node 4 (off network)
    lon = np.append(line.node_lon, line.node_lon[4])
    lat = np.append(line.node_lat, line.node_lat[4] + 0.045)
    return PopulationGrid(
        lon=lon,
        lat=lat,
        population=np.array([10, 20, 30, 40, 0, 100]),
        division=np.array(["A", "A", "A", "B", "B", "B"]),
        cell_size_m=1000.0,
    )


def test_coverage_hand_checked(line, cells) -> None:
    res = coverage(line, sources=[0], turnout_s=60, drive_budget_s=240, cells=cells)
    assert res.covered_population == 60 and res.total_population == 200
    assert res.share == pytest.approx(0.3)
    assert res.covered_area_km2 == 3.0 and res.total_area_km2 == 6.0
    a, b = res.by_division["A"], res.by_division["B"]
    assert (a.covered_population, a.total_population, a.share, a.covered_area_km2) == (60, 60, 1.0, 3.0)
    assert (b.covered_population, b.total_population, b.share, b.covered_area_km2) == (0, 140, 0.0, 0.0)
    assert res.uncovered_cells.tolist() == [3, 5]  # cell 4 is empty; cell 5 is off network
    assert res.cell_drive_s.tolist() == [0, 100, 200, math.inf, math.inf, math.inf]
    assert res.total_budget_s == 300.0
    assert res.cell_response_s[:3].tolist() == [60.0, 160.0, 260.0]


def test_budget_is_inclusive_and_turnout_only_reported(line, cells) -> None:
    res = coverage(line, sources=[0], turnout_s=0, drive_budget_s=300, cells=cells)
    assert res.covered_population == 100
    assert (
        coverage(line, sources=[0], turnout_s=999, drive_budget_s=300, cells=cells).covered_population == 100
    )


def test_two_sources_and_off_network_snap_distance(line, cells) -> None:
    res = coverage(line, sources=[0, 4], turnout_s=60, drive_budget_s=100, cells=cells)
    assert res.covered_population == 10 + 20 + 40
    # allow a 6 km snap: the northern cell now snaps to node 4
    wide = coverage(line, sources=[4], turnout_s=60, drive_budget_s=0, cells=cells, max_snap_m=6000)
    assert wide.covered_population == 100
    assert snap_cells(line, cells) is snap_cells(line, cells)  # cached per graph and distance


def test_coverage_errors(line, cells) -> None:
    with pytest.raises(NetworkError, match="sources"):
        coverage(line, sources=[], turnout_s=60, drive_budget_s=240, cells=cells)
    with pytest.raises(NetworkError, match="drive_budget_s"):
        coverage(line, sources=[0], turnout_s=60, drive_budget_s=-1, cells=cells)
    with pytest.raises(NetworkError, match="turnout_s"):
        coverage(line, sources=[0], turnout_s=math.nan, drive_budget_s=240, cells=cells)


def test_cell_map_is_cached_per_graph_and_snap_distance(line, cells) -> None:
    first = cov_mod._cell_map(line, cells, None)
    assert cov_mod._cell_map(line, cells, None) is first
    assert cov_mod._cell_map(line, cells, 1000.0) is first  # default = one cell width
    assert not first.gather.flags.writeable and not first.off.flags.writeable
    assert first.off.tolist() == [5] and first.codes == ("A", "B")
    wide = cov_mod._cell_map(line, cells, 6000.0)
    assert wide is not first and wide.off.size == 0
    # same geometry, half the speed: its own map, its own times
    slow = grid_network(nx=5, ny=1, spacing_m=1000.0, arterial_kmh=18.0, local_kmh=18.0)
    res_slow = coverage(slow, sources=[0], turnout_s=60, drive_budget_s=240, cells=cells)
    assert cov_mod._cell_map(slow, cells, None) is not first
    assert res_slow.cell_drive_s.tolist() == [0, 200, math.inf, math.inf, math.inf, math.inf]
    res = coverage(line, sources=[0], turnout_s=60, drive_budget_s=240, cells=cells)
    assert res.cell_drive_s.tolist() == [0, 100, 200, math.inf, math.inf, math.inf]
    # results are fresh arrays, never the cached ones
    assert res.cell_drive_s.flags.writeable and res.uncovered_cells.flags.writeable


def test_cell_maps_go_away_with_their_graph_and_grid(cells) -> None:
    graph = grid_network(nx=5, ny=1, spacing_m=1000.0)
    coverage(graph, sources=[0], turnout_s=60, drive_budget_s=240, cells=cells)
    per_graph = cov_mod._CELL_MAPS[cells]
    assert graph in per_graph
    before = len(per_graph)
    graph_ref = weakref.ref(graph)
    del graph
    gc.collect()
    assert graph_ref() is None  # the cache holds no strong reference to the graph
    assert len(per_graph) == before - 1
    grid = PopulationGrid(
        lon=cells.lon, lat=cells.lat, population=cells.population, division=cells.division, cell_size_m=1000.0
    )
    keep = grid_network(nx=5, ny=1, spacing_m=1000.0)
    coverage(keep, sources=[0], turnout_s=60, drive_budget_s=240, cells=grid)
    assert grid in cov_mod._CELL_MAPS
    grids_before = len(cov_mod._CELL_MAPS)
    assert cov_mod._last_hit is not None and cov_mod._last_hit[0]() is grid  # the fast path
    grid_ref = weakref.ref(grid)
    del grid
    gc.collect()
    assert grid_ref() is None and len(cov_mod._CELL_MAPS) == grids_before - 1
    assert cov_mod._last_hit is None  # its map is not kept alive by the fast path either


def test_last_hit_fast_path_follows_grid_graph_and_distance(line, cells) -> None:
    other = PopulationGrid(
        lon=cells.lon, lat=cells.lat, population=cells.population * 2, division=cells.division, cell_size_m=1000.0
    )
    for _ in range(2):  # alternate: every call must get its own grid's, graph's and distance's map
        assert coverage(line, sources=[0], turnout_s=0, drive_budget_s=300, cells=cells).covered_population == 100
        assert coverage(line, sources=[0], turnout_s=0, drive_budget_s=300, cells=other).covered_population == 200
        wide = coverage(line, sources=[4], turnout_s=0, drive_budget_s=0, cells=cells, max_snap_m=6000)
        assert wide.covered_population == 100
        assert cov_mod._last_hit is not None and cov_mod._last_hit[2] == 6000.0


def test_grid_not_stored_by_division(line, cells) -> None:
    perm = np.array([5, 0, 3, 1, 4, 2])
    shuffled = PopulationGrid(
        lon=cells.lon[perm],
        lat=cells.lat[perm],
        population=cells.population[perm],
        division=cells.division[perm],
        cell_size_m=1000.0,
    )
    assert cov_mod._cell_map(line, shuffled, None).rank is not None
    assert cov_mod._cell_map(line, cells, None).rank is None
    a = coverage(line, sources=[0], turnout_s=60, drive_budget_s=240, cells=cells)
    b = coverage(line, sources=[0], turnout_s=60, drive_budget_s=240, cells=shuffled)
    assert b.by_division == a.by_division
    assert b.cell_drive_s.tolist() == a.cell_drive_s[perm].tolist()
    assert b.uncovered_cells.tolist() == sorted(b.uncovered_cells.tolist())
    assert sorted(perm[b.uncovered_cells].tolist()) == a.uncovered_cells.tolist()
    drive = cell_drive_times(line, sources=[0], cells=shuffled, drive_budget_s=240)
    assert drive.tolist() == b.cell_drive_s.tolist()


def test_coverage_matches_brute_force_on_a_shuffled_grid() -> None:
    g = grid_network(nx=20, ny=20, spacing_m=300.0, seed=2, jitter=0.2, oneway_share=0.2, drop_share=0.1)
    rng = np.random.default_rng(7)
    n = 900
    lon = rng.uniform(g.node_lon.min() - 0.01, g.node_lon.max() + 0.01, n)
    lat = rng.uniform(g.node_lat.min() - 0.01, g.node_lat.max() + 0.01, n)
    pop = np.where(rng.random(n) < 0.2, 0.0, rng.integers(1, 500, n).astype(float))
    div = rng.choice(["371502", "371503", "371521", "371522", "X"], n)
    grid = PopulationGrid(lon=lon, lat=lat, population=pop, division=div, cell_size_m=250.0)
    sources = rng.choice(g.n_nodes, 6, replace=False)
    closed = rng.choice(g.n_edges, 40, replace=False)
    res = coverage(g, sources=sources, turnout_s=60, drive_budget_s=180, cells=grid, closures=closed)
    node = snap_many(g, lon=lon, lat=lat, max_distance_m=250.0).node
    seconds = travel_times(g, sources=sources, closures=closed, limit_s=180).seconds
    drive = np.where(node >= 0, seconds[np.maximum(node, 0)], np.inf)
    covered = drive <= 180
    # same times up to rounding (the contracted search adds chain costs in another order)
    assert np.array_equal(np.isfinite(res.cell_drive_s), np.isfinite(drive))
    assert np.allclose(res.cell_drive_s[covered], drive[covered], rtol=1e-12, atol=0)
    assert res.uncovered_cells.tolist() == np.flatnonzero(~covered & (pop > 0)).tolist()
    for code in np.unique(div).tolist():
        mine = div == code
        dc = res.by_division[code]
        assert dc.covered_population == pytest.approx(pop[mine & covered].sum())
        assert dc.total_population == pytest.approx(pop[mine].sum())
        assert dc.covered_area_km2 == pytest.approx((mine & covered).sum() * 0.0625)
        assert dc.total_area_km2 == pytest.approx(mine.sum() * 0.0625)
    assert res.covered_population == pytest.approx(pop[covered].sum())
    assert res.covered_area_km2 == pytest.approx(covered.sum() * 0.0625)


# ------------------------------------------------------------- contraction
def lonlat_graph(points_m: list[tuple[float, float]], arcs: list[tuple[int, int, float]]) -> RoadGraph:
    xy = np.array(points_m, dtype=float)
    a = np.array(arcs, dtype=float)
    return RoadGraph(
        node_lon=116.0 + xy[:, 0] / 89_000,
        node_lat=36.4 + xy[:, 1] / 111_000,
        edge_src=a[:, 0].astype(int),
        edge_dst=a[:, 1].astype(int),
        edge_length_m=a[:, 2],
        edge_speed_kmh=np.full(len(a), 36.0),  # 10 m/s
        edge_class=np.zeros(len(a), dtype=np.int16),
    )


def both_ways(u: int, v: int, there: float, back: float | None = None) -> list[tuple[int, int, float]]:
    return [(u, v, there), (v, u, there if back is None else back)]


@pytest.fixture(scope="module")
def odd_graph() -> RoadGraph:
    """A ring without junctions (0-5), a loop hanging off node 6 (7-9), a street 6-10-…-14
    with parallel arcs, a zero-length arc and a self-loop on it, and a one-way tail 14-16."""
    arcs: list[tuple[int, int, float]] = []
    for i in range(6):
        arcs += both_ways(i, (i + 1) % 6, 100 + 10 * i, 120 + 5 * i)
    arcs += both_ways(6, 7, 100) + both_ways(7, 8, 150, 90) + both_ways(8, 9, 80) + both_ways(9, 6, 60)
    arcs += both_ways(6, 10, 200) + [(10, 11, 300), (10, 11, 250), (11, 10, 400)]
    arcs += both_ways(11, 12, 0.0) + [(12, 12, 50)] + both_ways(12, 13, 100) + both_ways(13, 14, 100)
    arcs += [(14, 15, 100), (15, 16, 100)]
    ring = [(300 * math.cos(t), 300 * math.sin(t)) for t in np.linspace(0, 2 * math.pi, 7)[:-1]]
    street = [(1000, 0), (1100, 100), (1200, 0), (1100, -100)] + [(1000 - 100 * k, -100) for k in range(7)]
    return lonlat_graph(ring + street, arcs)


def test_contraction_keeps_junctions_and_drops_pass_through_nodes(odd_graph) -> None:
    con = cov_mod._contraction(odd_graph, None)
    core = np.flatnonzero(con.core >= 0).tolist()
    # the ring has no junction: kept whole; 6 is a junction; 7-13 pass through; 14-16 one-way
    assert core == [0, 1, 2, 3, 4, 5, 6, 14, 15, 16]
    assert con.n_core == 10 and con.csr.shape == (10, 10)
    assert cov_mod._contraction(odd_graph, None) is con  # cached
    line = grid_network(nx=5, ny=1, spacing_m=1000.0, arterial_kmh=36.0, local_kmh=36.0)
    line_con = cov_mod._contraction(line, None)
    assert np.flatnonzero(line_con.core >= 0).tolist() == [0, 4]
    assert line_con.csr.toarray().tolist() == [[0, 400], [400, 0]]
    assert line_con.c1[1:4].tolist() == [100, 200, 300] and line_con.r1[1:4].tolist() == [300, 200, 100]


def test_contracted_times_equal_plain_dijkstra_on_odd_shapes(odd_graph) -> None:
    g = odd_graph
    grid = PopulationGrid(
        lon=g.node_lon, lat=g.node_lat, population=np.ones(g.n_nodes), division=["a"] * g.n_nodes, cell_size_m=1.0
    )
    rng = np.random.default_rng(0)
    for _ in range(300):
        sources = rng.choice(g.n_nodes, int(rng.integers(1, 4)))
        budget = float(rng.uniform(0, 120))
        closed = rng.choice(g.n_edges, int(rng.integers(0, 4)), replace=False)
        got = cell_drive_times(g, sources=sources, cells=grid, drive_budget_s=budget, closures=closed, max_snap_m=1.0)
        want = travel_times(g, sources=sources, closures=closed, limit_s=budget).seconds
        assert np.array_equal(np.isfinite(got), np.isfinite(want))
        assert np.allclose(got[np.isfinite(want)], want[np.isfinite(want)], rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("seed", range(8))
def test_contracted_times_equal_plain_dijkstra_on_random_streets(seed: int) -> None:
    rng = np.random.default_rng(seed)
    g = grid_network(
        nx=int(rng.integers(2, 20)),
        ny=int(rng.integers(1, 20)),
        spacing_m=300.0,
        seed=seed,
        jitter=float(rng.uniform(0, 0.3)),
        oneway_share=float(rng.uniform(0, 0.5)),
        drop_share=float(rng.uniform(0, 0.3)),
    )
    n = 300
    lon = rng.uniform(g.node_lon.min() - 0.005, g.node_lon.max() + 0.005, n)
    lat = rng.uniform(g.node_lat.min() - 0.005, g.node_lat.max() + 0.005, n)
    grid = PopulationGrid(
        lon=lon, lat=lat, population=np.ones(n), division=rng.choice(["a", "b"], n), cell_size_m=200.0
    )
    node = snap_many(g, lon=lon, lat=lat, max_distance_m=200.0).node
    for _ in range(4):
        sources = rng.choice(g.n_nodes, int(rng.integers(1, 8)))
        closed = rng.choice(g.n_edges, int(rng.integers(0, g.n_edges // 5 + 1)), replace=False)
        budget = float(rng.uniform(0, 400))
        got = cell_drive_times(g, sources=sources, cells=grid, drive_budget_s=budget, closures=closed)
        seconds = travel_times(g, sources=sources, closures=closed, limit_s=budget).seconds
        want = np.where(node >= 0, seconds[np.maximum(node, 0)], np.inf)
        assert np.array_equal(np.isfinite(got), np.isfinite(want))
        assert np.allclose(got[np.isfinite(want)], want[np.isfinite(want)], rtol=1e-12, atol=1e-9)


def test_contractions_are_cached_per_closure_set_and_bounded(line) -> None:
    free = cov_mod._contraction(line, None)
    assert cov_mod._contraction(line, []) is free and cov_mod._contraction(line, frozenset()) is free
    cut = cov_mod._contraction(line, [2])
    assert cut is not free and cov_mod._contraction(line, np.array([2])) is cut
    assert (cut.core >= 0).sum() > (free.core >= 0).sum()  # a closed arc turns its nodes into junctions
    for e in range(line.n_edges):
        cov_mod._contraction(line, [e])
    assert len(cov_mod._CONTRACTIONS[line]) == cov_mod._CONTRACTIONS_PER_GRAPH
    graph = grid_network(nx=4, ny=1, spacing_m=1000.0)
    cov_mod._contraction(graph, None)
    ref = weakref.ref(graph)
    del graph
    gc.collect()
    assert ref() is None


def test_empty_grid(line) -> None:
    empty = PopulationGrid(lon=[], lat=[], population=[], division=np.array([], dtype=str), cell_size_m=1000)
    res = coverage(line, sources=[0], turnout_s=60, drive_budget_s=240, cells=empty)
    assert res.by_division == {} and res.share is None and res.cell_drive_s.size == 0
    assert res.uncovered_cells.size == 0 and res.total_area_km2 == 0.0


def test_population_grid_validation() -> None:
    with pytest.raises(NetworkError, match="population"):
        PopulationGrid(lon=[1.0], lat=[1.0], population=[-1], division=["A"], cell_size_m=1000)
    with pytest.raises(NetworkError, match="cell_size_m"):
        PopulationGrid(lon=[1.0], lat=[1.0], population=[1], division=["A"], cell_size_m=0)
    with pytest.raises(NetworkError, match="division"):
        PopulationGrid(lon=[1.0], lat=[1.0], population=[1], division=["A", "B"], cell_size_m=1)


def test_csv_round_trip(tmp_path: Path, cells) -> None:
    path = tmp_path / "pop.csv"
    cells.to_csv(path)
    back = PopulationGrid.from_csv(path, cell_size_m=1000.0)
    assert np.allclose(back.lon, cells.lon, atol=1e-6) and np.allclose(back.lat, cells.lat, atol=1e-6)
    assert back.population.tolist() == cells.population.tolist()
    assert back.division.tolist() == cells.division.tolist()
    assert back.population_by_division() == {"A": 60.0, "B": 140.0}
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y,population\n1,2,3\n")
    with pytest.raises(NetworkError, match="lon"):
        PopulationGrid.from_csv(bad)


def test_geotiff(tmp_path: Path) -> None:
    tifffile = pytest.importorskip("tifffile")
    data = np.array([[1.0, 2.0, -9999.0], [0.0, 5.0, 6.0]], dtype=np.float32)
    lon0, lat0, step = 115.9, 36.5, 0.01
    keys = [1, 1, 0, 3, 1024, 0, 1, 2, 1025, 0, 1, 1, 2048, 0, 1, 4326]
    path = tmp_path / "pop.tif"
    tifffile.imwrite(
        path,
        data,
        extratags=[
            (33550, "d", 3, (step, step, 0.0), False),
            (33922, "d", 6, (0.0, 0.0, 0.0, lon0, lat0, 0.0), False),
            (34735, "H", len(keys), keys, False),
            (42113, "s", 0, "-9999", False),
        ],
    )
    grid = PopulationGrid.from_geotiff(path, default_division="X")
    assert sorted(grid.population.tolist()) == [1.0, 2.0, 5.0, 6.0]
    i = int(np.argmax(grid.population))
    assert (grid.lon[i], grid.lat[i]) == pytest.approx((lon0 + 2.5 * step, lat0 - 1.5 * step))
    assert grid.cell_size_m == pytest.approx(
        math.sqrt(1111.95 * 1111.95 * math.cos(math.radians(36.49))), rel=1e-3
    )
    assert set(grid.division.tolist()) == {"X"}
    west = box(lon0, lat0 - 1, lon0 + 0.012, lat0)
    split = PopulationGrid.from_geotiff(path, divisions={"W": west})
    assert split.population_by_division() == {"W": 1.0}  # only the first column's centre is inside
    projected = [1, 1, 0, 1, 1024, 0, 1, 1]
    tifffile.imwrite(
        tmp_path / "utm.tif",
        data,
        extratags=[
            (33550, "d", 3, (100.0, 100.0, 0.0), False),
            (33922, "d", 6, (0, 0, 0, 500000.0, 4000000.0, 0), False),
            (34735, "H", len(projected), projected, False),
        ],
    )
    with pytest.raises(NetworkError, match="geographic"):
        PopulationGrid.from_geotiff(tmp_path / "utm.tif")
