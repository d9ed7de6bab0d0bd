"""A hand-checkable network for the routing API: a 41 × 41 street grid, 200 m apart, centred in
临清市; every 5th row and column an arterial at 60 km/h, the rest local streets at 30 km/h."""

from __future__ import annotations

from pathlib import Path

import pytest
from gridnet import LAT0, LON0, NX, lonlat  # type: ignore[import-not-found]

from yingji.config import Settings
from yingji.engines.network.graph import RoadGraph
from yingji.engines.network.synthetic import grid_network


@pytest.fixture(scope="session")
def grid_graph() -> RoadGraph:
    return grid_network(nx=NX, ny=NX, spacing_m=200.0, lon0=LON0, lat0=LAT0)


@pytest.fixture(scope="session")
def network_dir(tmp_path_factory: pytest.TempPathFactory, grid_graph: RoadGraph) -> Path:
    root = tmp_path_factory.mktemp("net")
    (root / "network").mkdir()
    grid_graph.save_npz(root / "network" / "graph.npz", metadata={"source": "test grid", "version": "t1"})
    # two populated cells: 1000 persons at the grid's first node (临清市), 500 at the far corner (东昌府区)
    a = lonlat(grid_graph, 0, 0)
    b = lonlat(grid_graph, 40, 40)
    (root / "network" / "population.csv").write_text(
        f"lon,lat,population,division\n{a[0]},{a[1]},1000,371581\n{b[0]},{b[1]},500,371502\n"
    )
    return root


@pytest.fixture
def settings(network_dir: Path) -> Settings:
    return Settings(
        env="test",
        data_dir=network_dir,
        secret_key="test-secret-" + "x" * 32,
        max_upload_bytes=2 * 1024 * 1024,
        login_max_failures=3,
    )
