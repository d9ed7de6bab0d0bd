"""``PopulationGrid.in_area``: persons inside a drawn area, each cell counted with the share of its
square the area covers (hand-checked on two 1 km cells)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from shapely.geometry import Polygon, box

from yingji.engines.network import PopulationGrid
from yingji.engines.network.errors import NetworkError
from yingji.engines.network.geo import EARTH_RADIUS_M

LAT = 36.45
HALF_LAT = 500 / (EARTH_RADIUS_M * math.pi / 180)  # half a 1 km cell, degrees of latitude
HALF_LON = HALF_LAT / math.cos(math.radians(LAT))


@pytest.fixture
def grid() -> PopulationGrid:
    # two cells side by side (west 1,000 persons, east 3,000) and an empty one further east
    lons = [116.0, 116.0 + 2 * HALF_LON, 116.0 + 4 * HALF_LON]
    return PopulationGrid(lon=np.array(lons), lat=np.full(3, LAT), population=np.array([1000.0, 3000.0, 0.0]),
                          division=np.array(["371502"] * 3), cell_size_m=1000.0)


def test_whole_cells_count_whole(grid: PopulationGrid) -> None:
    r = grid.in_area(box(115.9, 36.4, 116.1, 36.5))
    assert r.people == pytest.approx(4000.0)
    assert r.cells == 2
    # weighted centre: 1/4 of the way from the east cell to the west one
    assert r.lon == pytest.approx(116.0 + 2 * HALF_LON * 0.75, abs=1e-9)
    assert r.lat == pytest.approx(LAT, abs=1e-9)


def test_part_of_a_cell_counts_its_share(grid: PopulationGrid) -> None:
    # the southern half of the west cell: 500 persons
    west_south = box(116.0 - HALF_LON, LAT - HALF_LAT, 116.0 + HALF_LON, LAT)
    assert grid.in_area(west_south).people == pytest.approx(500.0, rel=1e-9)
    # a triangle over a quarter of the east cell: 3,000 / 8 = 375 persons
    e = 116.0 + 2 * HALF_LON
    tri = Polygon([(e, LAT), (e + HALF_LON, LAT), (e + HALF_LON, LAT + HALF_LAT)])
    r = grid.in_area(tri)
    assert r.people == pytest.approx(375.0, rel=1e-9)
    assert r.cells == 1


def test_area_with_nobody_gives_its_centroid(grid: PopulationGrid) -> None:
    far = box(117.0, 37.0, 117.01, 37.01)
    r = grid.in_area(far)
    assert r.people == 0 and r.cells == 0
    assert (r.lon, r.lat) == pytest.approx((117.005, 37.005))
    # over the empty cell only
    e2 = 116.0 + 4 * HALF_LON
    assert grid.in_area(box(e2 - HALF_LON / 2, LAT - HALF_LAT / 2, e2 + HALF_LON / 2, LAT)).people == 0


def test_empty_area_is_an_error(grid: PopulationGrid) -> None:
    with pytest.raises(NetworkError):
        grid.in_area(Polygon())
    with pytest.raises(NetworkError):
        grid.in_area(Polygon([(116, 36), (116.1, 36), (116.2, 36)]))  # no area
