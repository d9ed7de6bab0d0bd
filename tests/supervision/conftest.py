"""Supervision fixtures: a hand-checkable road network in a tmp data directory (the approach of
tests/routing/conftest.py), the Liaocheng plan loaded into each test's database, and clients for
department users of any unit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from svhelpers import LAT0, LON0, NX, SPACING_M, lonlat  # type: ignore[import-not-found]

from yingji.auth import service as auth_service
from yingji.auth.models import User
from yingji.config import Settings
from yingji.engines.network.graph import RoadGraph
from yingji.engines.network.synthetic import grid_network
from yingji.registry.models import Unit
from yingji.supervision.common import SYSTEM
from yingji.supervision.models import ActionPlan, ActionTask
from yingji.supervision.service import PACKAGED_PLAN, load_plan


@pytest.fixture(scope="session")
def grid_graph() -> RoadGraph:
    """41 × 41 streets 200 m apart; every 5th row and column an arterial at 60 km/h, others 30 km/h."""
    return grid_network(nx=NX, ny=NX, spacing_m=SPACING_M, lon0=LON0, lat0=LAT0)


@pytest.fixture(scope="session")
def network_dir(tmp_path_factory: pytest.TempPathFactory, grid_graph: RoadGraph) -> Path:
    """Two populated 1 km² cells, both built-up (≥ 1000 persons/km²): 1000 persons at node (0, 0) in
    临清市 and 2000 persons at the far corner (40, 40) in 东昌府区, 8 km + 8 km away."""
    root = tmp_path_factory.mktemp("sv-net")
    (root / "network").mkdir()
    grid_graph.save_npz(root / "network" / "graph.npz", metadata={"source": "supervision test grid",
                                                                 "version": "sv1"})
    a, b = lonlat(grid_graph, 0, 0), lonlat(grid_graph, 40, 40)
    (root / "network" / "population.csv").write_text(
        f"lon,lat,population,division\n{a[0]},{a[1]},1000,371581\n{b[0]},{b[1]},2000,371502\n"
    )
    return root


@pytest.fixture
def settings(network_dir: Path, tmp_path: Path) -> Settings:
    """The suite's settings with a data directory holding the grid network (evidence files land there
    too; each test gets its own copy of the directory's network through a symlink)."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "network").symlink_to(network_dir / "network", target_is_directory=True)
    return Settings(env="test", data_dir=data, secret_key="test-secret-" + "x" * 32,
                    max_upload_bytes=2 * 1024 * 1024, login_max_failures=3)


@pytest.fixture
def plan(session: Session) -> ActionPlan:
    """The packaged Liaocheng plan, loaded into this test's (rolled-back) database."""
    load_plan(session=session, path=PACKAGED_PLAN, actor=SYSTEM)
    session.commit()
    found = session.scalar(select(ActionPlan).where(ActionPlan.code == "liaocheng-2020-2022"))
    assert found is not None
    return found


@pytest.fixture
def task_ids(session: Session, plan: ActionPlan) -> dict[int, int]:
    """Task number → task id."""
    return dict(session.execute(select(ActionTask.number, ActionTask.id).where(ActionTask.plan_id == plan.id)).all())


@pytest.fixture
def dept_client(app: Any, settings: Settings, session: Session) -> Callable[[str], TestClient]:
    """``dept_client("市应急局")``: a client for a department user of that unit (the unit is created
    in the city if it does not exist)."""
    made: dict[str, TestClient] = {}

    def get(unit_name: str) -> TestClient:
        if unit_name in made:
            return made[unit_name]
        unit = session.scalar(select(Unit).where(Unit.name == unit_name))
        if unit is None:
            unit = Unit(name=unit_name, kind="department", division_code="371500")
            session.add(unit)
            session.flush()
        user = User(username=f"dept-{unit.id}", role="department", division_code="371500", unit_id=unit.id,
                    password_hash=auth_service.hash_password("correct-horse-1"))
        session.add(user)
        session.commit()
        token, _ = auth_service.create_token(settings=settings, user=user)
        client = TestClient(app)
        client.headers["Authorization"] = f"Bearer {token}"
        made[unit_name] = client
        return client

    return get
