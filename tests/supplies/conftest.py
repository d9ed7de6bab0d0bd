"""Fixtures of the supplies tests: the hand-checkable ladder network (see ``supplykit``), the default
catalogue and norms, three warehouses on the ladder, and helpers to stock them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session
from supplykit import Depots, ladder, lonlat  # type: ignore[import-not-found]

from yingji.auth.models import User
from yingji.config import Settings
from yingji.engines.network.graph import RoadGraph
from yingji.registry.models import Facility
from yingji.supplies import service
from yingji.supplies.models import Item


@pytest.fixture(scope="session")
def ladder_graph() -> RoadGraph:
    return ladder()


@pytest.fixture(scope="session")
def supplies_network_dir(tmp_path_factory: pytest.TempPathFactory, ladder_graph: RoadGraph) -> Path:
    root = tmp_path_factory.mktemp("supplies-net")
    (root / "network").mkdir()
    ladder_graph.save_npz(root / "network" / "graph.npz", metadata={"source": "supplies ladder", "version": "s1"})
    # people: 1,000 at column 5 and 1,000 at column 15 in 临清市; 500 at column 10 in 东昌府区
    rows = ["lon,lat,population,division"]
    for i, pop, div in ((5, 1000, "371581"), (15, 1000, "371581"), (10, 500, "371502")):
        lon, lat = lonlat(ladder_graph, i, 0)
        rows.append(f"{lon},{lat},{pop},{div}")
    (root / "network" / "population.csv").write_text("\n".join(rows) + "\n")
    return root


@pytest.fixture
def settings(supplies_network_dir: Path) -> Settings:
    return Settings(env="test", data_dir=supplies_network_dir, secret_key="test-secret-" + "x" * 32,
                    max_upload_bytes=2 * 1024 * 1024, login_max_failures=3)


@pytest.fixture
def depots(session: Session, world: Any, ladder_graph: RoadGraph) -> Depots:
    admin = session.get(User, world.users["admin"])
    assert admin is not None
    service.load_defaults(session=session, user=admin)

    def wh(name: str, division: str, unit: str, level: str, i: int, j: int) -> int:
        lon, lat = lonlat(ladder_graph, i, j)
        f = Facility(name=name, kind="warehouse", division_code=division, unit_id=world.units[unit], lon=lon,
                     lat=lat, capacity={"level": level, "area_m2": 1000.0})
        session.add(f)
        session.flush()
        return f.id

    d = Depots(
        city=wh("测试市级储备库", "371502", "emergency", "city", 0, 0),
        linqing=wh("测试临清储备库", "371581", "linqing_bureau", "county", 20, 0),
        dcf=wh("测试东昌府储备库", "371502", "dcf_bureau", "county", 10, 1),
    )
    d.items = {it.code: it.id for it in session.query(Item)}
    d.users = {name: u for name in world.users if (u := session.get(User, world.users[name])) is not None}
    return d
