"""Isochrones: network-buffer polygons in lon/lat, nested, cut by closures, close to the exact buffer."""

from __future__ import annotations

import sys

import numpy as np
import pytest
import shapely

from yingji.engines.network import NetworkError, isochrones, isochrones_detailed, travel_times
from yingji.engines.network.synthetic import grid_network

iso_mod = sys.modules["yingji.engines.network.isochrones"]  # the package exports a function of that name


@pytest.fixture(scope="module")
def line():
    # 11 nodes in a row, 1 km apart, 36 km/h: 100 s per km; origin in the middle (node 5)
    return grid_network(nx=11, ny=1, spacing_m=1000.0, arterial_kmh=36.0, local_kmh=36.0)


def extent_m(g, geom) -> float:
    xy = g.projection.geometry_to_xy(geom)
    minx, _, maxx, _ = xy.bounds
    return maxx - minx


def test_line_isochrone_extent_and_area(line) -> None:
    isos = isochrones_detailed(line, origins=5, thresholds_s=[150, 300], buffer_m=50.0)
    assert [i.threshold_s for i in isos] == [150.0, 300.0]
    # 150 s at 10 m/s reaches 1.5 km each way, buffered by 50 m each side; the round ends
    # are traced on a 20 m lattice and simplified with a 5 m tolerance (buffer_m / 10)
    assert extent_m(line, isos[0].polygon) == pytest.approx(2 * 1500 + 2 * 50, abs=2 * 5.0)
    assert extent_m(line, isos[1].polygon) == pytest.approx(2 * 3000 + 2 * 50, abs=2 * 5.0)
    assert isos[0].reached_nodes == 3 and isos[1].reached_nodes == 7
    # area of a 3 km × 100 m band with round ends (quad_segs=2 octagon-ish caps)
    assert isos[0].area_km2 == pytest.approx(3.0 * 0.1 + np.pi * 0.05**2, rel=0.02)


def test_polygons_are_lon_lat_and_nested(line) -> None:
    polys = isochrones(line, origins=[5], thresholds_s=[600, 120, 300])
    assert list(polys) == [120.0, 300.0, 600.0]
    for poly in polys.values():
        minx, miny, maxx, maxy = poly.bounds
        assert 115 < minx < maxx < 117 and 36 < miny < maxy < 37
    assert polys[300.0].buffer(1e-6).contains(polys[120.0])
    assert polys[600.0].buffer(1e-6).contains(polys[300.0])


def test_closure_shrinks_the_isochrone(line) -> None:
    east = [e for e in range(line.n_edges) if {int(line.edge_src[e]), int(line.edge_dst[e])} == {5, 6}]
    full = isochrones_detailed(line, origins=5, thresholds_s=[300])[0]
    cut = isochrones_detailed(line, origins=5, thresholds_s=[300], closures=east)[0]
    assert cut.area_km2 < full.area_km2 * 0.6
    assert cut.reached_nodes == 4


def test_isolated_origin_gives_a_disc() -> None:
    g = grid_network(nx=2, ny=1, spacing_m=1000.0)
    iso = isochrones_detailed(g, origins=0, thresholds_s=[10], buffer_m=100.0, closures=[0, 1])[0]
    assert iso.reached_nodes == 1
    assert iso.area_km2 == pytest.approx(np.pi * 0.1**2, rel=0.1)
    assert isinstance(iso.polygon, shapely.Polygon)


def test_threshold_validation(line) -> None:
    with pytest.raises(NetworkError, match="thresholds_s"):
        isochrones(line, origins=5, thresholds_s=[])
    with pytest.raises(NetworkError, match="thresholds_s"):
        isochrones(line, origins=5, thresholds_s=[-1])
    with pytest.raises(NetworkError, match="buffer_m"):
        isochrones(line, origins=5, thresholds_s=[60], buffer_m=0)


# ---------------------------------------------------------------- raster method
def exact_buffer(g, origin: int, limit: float, buffer_m: float, closures=None):
    """The network buffer computed exactly (vector union, fine round caps), in metres."""
    times = travel_times(g, sources=origin, closures=closures, limit_s=limit).seconds
    edges = g.arcs(closures).edge
    s, e = g.edge_src[edges], g.edge_dst[edges]
    sel = times[s] <= limit
    s, e, t0 = s[sel], e[sel], times[s[sel]]
    te = g.travel_time_s[edges[sel]]
    frac = np.where(te > 0, np.clip((limit - t0) / np.where(te > 0, te, 1.0), 0.0, 1.0), 1.0)
    x, y = g.node_x, g.node_y
    coords = np.stack(
        [np.column_stack([x[s], y[s]]), np.column_stack([x[s] + frac * (x[e] - x[s]), y[s] + frac * (y[e] - y[s])])],
        axis=1,
    )
    parts = np.concatenate([shapely.linestrings(coords), [shapely.Point(x[origin], y[origin])]])
    return shapely.union_all(shapely.buffer(parts, buffer_m, quad_segs=16))


@pytest.fixture(scope="module")
def town():
    # 15 × 15 jittered streets 500 m apart, some one-way or missing: holes between roads
    return grid_network(nx=15, ny=15, spacing_m=500.0, seed=4, jitter=0.15, oneway_share=0.2, drop_share=0.1)


def test_outline_close_to_exact_network_buffer(town) -> None:
    origin = 7 + 15 * 7
    buffer_m = 150.0
    res = buffer_m / iso_mod.STEPS_PER_BUFFER
    isos = isochrones_detailed(town, origins=origin, thresholds_s=[200, 400, 700], buffer_m=buffer_m)
    for iso in isos:
        exact = exact_buffer(town, origin, iso.threshold_s, buffer_m)
        got = town.projection.geometry_to_xy(iso.polygon)
        assert got.is_valid
        assert iso.area_km2 == pytest.approx(exact.area / 1e6, rel=0.015)
        wrong = shapely.get_parts(shapely.symmetric_difference(got, exact))
        # mean offset of the outline (area between the outlines per metre of outline)
        assert shapely.area(wrong).sum() / exact.length < buffer_m / 20
        # every error is a sliver thinner than half a lattice step (narrow gaps between
        # buffers may close: a hole can lose its channel to the outside)
        assert max(shapely.maximum_inscribed_circle(p, 0.5).length for p in wrong if p.area > 0) < res / 2


def test_nesting_is_exact_up_to_rounding(town) -> None:
    closed = np.arange(0, town.n_edges, 7)
    for direction in ("from_origin", "to_origin"):
        isos = isochrones_detailed(
            town, origins=[3, 200], thresholds_s=[60, 180, 300, 420, 900], closures=closed, direction=direction
        )
        areas = [iso.area_km2 for iso in isos]
        assert areas == sorted(areas)
        for small, large in zip(isos, isos[1:], strict=False):
            assert large.polygon.is_valid and small.polygon.is_valid
            assert shapely.difference(small.polygon, large.polygon).area < 1e-15  # deg²
            assert large.polygon.buffer(1e-9).contains(small.polygon)  # ~0.1 mm


def test_direction_on_one_way_streets() -> None:
    g = grid_network(nx=11, ny=1, spacing_m=1000.0, arterial_kmh=36.0, local_kmh=36.0)
    eastbound = [e for e in range(g.n_edges) if g.edge_dst[e] == g.edge_src[e] + 1]
    west_closed = [e for e in range(g.n_edges) if e not in eastbound]  # leaves a one-way street
    out = isochrones_detailed(g, origins=5, thresholds_s=[300], closures=west_closed)[0]
    back = isochrones_detailed(g, origins=5, thresholds_s=[300], closures=west_closed, direction="to_origin")[0]
    assert out.reached_nodes == back.reached_nodes == 4
    ox, _ = g.projection.to_xy(g.node_lon[5], g.node_lat[5])
    minx, _, maxx, _ = g.projection.geometry_to_xy(out.polygon).bounds
    assert minx == pytest.approx(ox - 150, abs=20) and maxx == pytest.approx(ox + 3150, abs=20)
    minx, _, maxx, _ = g.projection.geometry_to_xy(back.polygon).bounds
    assert minx == pytest.approx(ox - 3150, abs=20) and maxx == pytest.approx(ox + 150, abs=20)


def test_distant_origins_give_a_multipolygon() -> None:
    g = grid_network(nx=21, ny=1, spacing_m=1000.0, arterial_kmh=36.0, local_kmh=36.0)
    iso = isochrones_detailed(g, origins=[0, 20], thresholds_s=[200])[0]
    assert isinstance(iso.polygon, shapely.MultiPolygon) and len(iso.polygon.geoms) == 2
    assert iso.reached_nodes == 6


def test_lattice_is_coarsened_beyond_the_cap(town, monkeypatch: pytest.MonkeyPatch) -> None:
    fine = isochrones_detailed(town, origins=112, thresholds_s=[600])[0]
    monkeypatch.setattr(iso_mod, "MAX_LATTICE_POINTS", 2_000)
    coarse = isochrones_detailed(town, origins=112, thresholds_s=[60, 600])
    assert all(iso.polygon.is_valid for iso in coarse)
    assert coarse[1].area_km2 == pytest.approx(fine.area_km2, rel=0.25)
    origin = shapely.Point(town.node_lon[112], town.node_lat[112])
    assert coarse[0].polygon.contains(origin)
