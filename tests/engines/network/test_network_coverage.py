"""Coverage on a hand-built grid, population grid loaders (CSV, GeoTIFF)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from shapely.geometry import box

from yingji.engines.network import (
    NetworkError,
    PopulationGrid,
    coverage,
    snap_cells,
)
from yingji.engines.network.synthetic import grid_network


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
