"""Isochrones: network-buffer polygons in lon/lat, nested, cut by closures."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from yingji.engines.network import NetworkError, isochrones, isochrones_detailed
from yingji.engines.network.synthetic import grid_network


@pytest.fixture(scope="module")
def line():
    # 11 nodes in a row, 1 km apart, 36 km/h: 100 s per km; origin in the middle (node 5)
    return grid_network(nx=11, ny=1, spacing_m=1000.0, arterial_kmh=36.0, local_kmh=36.0)


def extent_m(g, geom) -> float:
    xy = g.projection.geometry_to_xy(geom)
    minx, _, maxx, _ = xy.bounds
    return maxx - minx


def test_line_isochrone_extent_is_exact(line) -> None:
    isos = isochrones_detailed(line, origins=5, thresholds_s=[150, 300], buffer_m=50.0)
    assert [i.threshold_s for i in isos] == [150.0, 300.0]
    # 150 s at 10 m/s reaches 1.5 km each way, buffered by 50 m each side
    assert extent_m(line, isos[0].polygon) == pytest.approx(2 * 1500 + 2 * 50, abs=1.0)
    assert extent_m(line, isos[1].polygon) == pytest.approx(2 * 3000 + 2 * 50, abs=1.0)
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
