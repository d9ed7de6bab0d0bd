"""The synthetic Liaocheng network, division polygons and population grid."""

from __future__ import annotations

import time

import numpy as np
import pytest
import shapely
from scipy.sparse.csgraph import connected_components

from yingji.demo import roads
from yingji.engines.network import ROAD_CLASSES, coverage, route, snap, travel_times


@pytest.fixture(scope="module")
def demo():
    t0 = time.perf_counter()
    graph = roads.demo_network()
    return graph, time.perf_counter() - t0


def test_demo_network_is_large_fast_connected_and_deterministic(demo) -> None:
    graph, seconds = demo
    assert graph.n_nodes >= 100_000
    assert seconds < 20  # a few seconds on the reference machine (~0.6 s)
    n_comp, _ = connected_components(graph.csr, directed=True, connection="strong")
    assert n_comp == 1
    small = roads.demo_network(scale=0.05)
    again = roads.demo_network(scale=0.05)
    assert np.array_equal(small.node_lon, again.node_lon) and np.array_equal(small.edge_src, again.edge_src)
    assert not np.array_equal(small.node_lon[:50], roads.demo_network(scale=0.05, seed=1).node_lon[:50])


def test_demo_speeds_and_extent(demo) -> None:
    graph, _ = demo
    speed = {
        ROAD_CLASSES[c]: graph.edge_speed_kmh[graph.edge_class == c] for c in np.unique(graph.edge_class)
    }
    assert speed["motorway"].min() >= 100 and speed["motorway"].max() <= 120
    assert speed["trunk"].min() >= 70 and speed["trunk"].max() <= 80
    assert speed["primary"].min() >= 50 and speed["primary"].max() <= 60
    assert speed["residential"].min() >= 30 and speed["residential"].max() <= 40
    assert speed["unclassified"].min() >= 30 and speed["unclassified"].max() <= 40
    assert graph.node_lon.min() >= 115.3 and graph.node_lon.max() <= 116.6
    assert graph.node_lat.min() >= 35.9 and graph.node_lat.max() <= 37.0
    assert (graph.edge_src != graph.edge_dst).all()
    # some one-way streets in the city seat
    pairs = set(zip(graph.edge_src.tolist(), graph.edge_dst.tolist(), strict=True))
    assert any((v, u) not in pairs for u, v in list(pairs)[:20_000])


def test_seat_to_seat_times_are_plausible(demo) -> None:
    graph, _ = demo
    seat = {s.code: snap(graph, lon=s.lon, lat=s.lat, max_distance_m=1000)[0] for s in roads.SEATS}
    r = route(graph, origin=seat["371502"], destination=seat["371503"])  # 东昌府 → 茌平, ~27 km apart
    assert 15 * 60 < r.time_s < 50 * 60
    times = travel_times(graph, sources=seat["371502"]).seconds
    far = max(times[n] for n in seat.values())
    assert far < 90 * 60  # every seat within 1.5 h of the city seat


def test_division_polygons_tile_the_city() -> None:
    polys = roads.demo_division_polygons()
    assert set(polys) == {"371502", "371503", "371521", "371522", "371524", "371525", "371526", "371581"}
    outline = roads.city_outline()
    assert 8_000 < roads.area_km2(outline) < 9_500
    union = shapely.union_all(list(polys.values()))
    assert roads.area_km2(union.symmetric_difference(outline)) < 1.0
    total = sum(roads.area_km2(p) for p in polys.values())
    assert total == pytest.approx(roads.area_km2(outline), abs=1.0)  # no overlaps
    for seat in roads.SEATS:
        poly = polys[seat.code]
        assert poly.is_valid and poly.contains(shapely.Point(seat.lon, seat.lat))
        assert 400 < roads.area_km2(poly) < 2_000


def test_population_grid_sums_exactly() -> None:
    polys = roads.demo_division_polygons()
    pops = {code: 100_003 + i for i, code in enumerate(polys)}
    grid = roads.demo_population_grid(polys, pops)
    assert grid.population_by_division() == {c: float(p) for c, p in pops.items()}
    assert np.all(grid.population == np.round(grid.population))
    assert grid.cell_size_m == 1000.0
    assert 8_000 < len(grid) < 9_500
    seat = roads.SEAT_BY_CODE["371502"]
    near = np.hypot(grid.lon - seat.lon, grid.lat - seat.lat) < 0.03
    assert grid.population[near].mean() > 5 * np.median(grid.population)  # an urban peak
    again = roads.demo_population_grid(polys, pops)
    assert np.array_equal(grid.population, again.population)
    with pytest.raises(ValueError, match="unknown"):
        roads.demo_population_grid(polys, {"999999": 1})


def test_largest_remainder() -> None:
    assert roads.largest_remainder([1, 1, 1], 10).tolist() == [4, 3, 3]
    assert roads.largest_remainder([0.5, 0.25, 0.25], 3).tolist() == [1, 1, 1]  # 1.5, .75, .75
    assert roads.largest_remainder([0.6, 0.4], 3).tolist() == [2, 1]  # 1.8, 1.2
    assert roads.largest_remainder([0, 0], 3).sum() == 3
    rng = np.random.default_rng(0)
    for _ in range(50):
        q = rng.random(rng.integers(1, 40))
        total = int(rng.integers(0, 10**6))
        out = roads.largest_remainder(q, total)
        assert out.sum() == total and (out >= 0).all()
        assert np.all(np.abs(out - q / q.sum() * total) < 1.0)


def test_demo_coverage_runs(demo) -> None:
    graph, _ = demo
    graph_cells = roads.demo_population_grid(roads.demo_division_polygons(), roads.ILLUSTRATIVE_POPULATIONS)
    stations = roads.demo_fire_stations(graph, count=60)
    res = coverage(graph, sources=stations, turnout_s=60, drive_budget_s=240, cells=graph_cells)
    assert 0 < res.covered_population < res.total_population == sum(roads.ILLUSTRATIVE_POPULATIONS.values())
    assert set(res.by_division) == set(roads.ILLUSTRATIVE_POPULATIONS)
