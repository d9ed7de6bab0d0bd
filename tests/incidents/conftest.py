"""Fixtures of the incidents suite.

Most tests run on the shared per-backend database inside a rolled-back savepoint (tests/conftest.py).
The concurrency and live-event tests need real, committed transactions on several connections, so
``live`` builds a fresh database per backend (a new SQLite file; a new PostgreSQL database on the
test server), migrates it, seeds the base world and serves the app with uvicorn on 127.0.0.1.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dbtools import own_database
from yingji.api.app import create_app
from yingji.auth import service as auth_service
from yingji.auth.models import User
from yingji.config import Settings
from yingji.db import migrate
from yingji.db.base import utcnow
from yingji.db.session import make_engine
from yingji.registry.models import Division, Expert, Team, Unit, Vehicle

LINQING = (115.705, 36.838)
DONGCHANGFU = (115.985, 36.457)


# ---- helpers on the shared (savepoint) database --------------------------------------------------


@pytest.fixture
def incident_body() -> Callable[..., dict[str, Any]]:
    def make(**kw: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "title": "化工厂氯气泄漏", "category": "accident", "type": "hazmat_leak", "division_code": "371581",
            "lon": LINQING[0] + 0.01, "lat": LINQING[1] + 0.01,
            "occurred_at": (utcnow() - timedelta(minutes=20)).isoformat(),
            "reporter_name": "张三", "reporter_phone": "13800000000",
        }
        body.update(kw)
        return body

    return make


@pytest.fixture
def new_incident(clients: Any, incident_body: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """Create an incident through the API (as ``as_`` , default the commander) and return its JSON."""

    def make(as_: str = "commander", **kw: Any) -> dict[str, Any]:
        r = clients[as_].post("/api/v1/incidents", json=incident_body(**kw))
        assert r.status_code == 201, r.text
        return dict(r.json())

    return make


@pytest.fixture
def move(clients: Any) -> Callable[..., dict[str, Any]]:
    """Drive an incident through the given states (each must be allowed)."""

    def go(incident_id: int, *states: str, as_: str = "commander", **extra: Any) -> dict[str, Any]:
        body: dict[str, Any] = {}
        for s in states:
            body = {"to": s, "reason": "测试", **extra}
            r = clients[as_].post(f"/api/v1/incidents/{incident_id}/transitions", json=body)
            assert r.status_code == 200, r.text
            body = r.json()
        return body

    return go


@pytest.fixture
def registry_rows(session: Session, world: Any) -> Callable[..., Any]:
    """Insert a team, vehicle or expert straight into the registry tables (flushed, not committed)."""

    def make(kind: str, **kw: Any) -> Any:
        n = uuid.uuid4().hex[:6]
        if kind == "team":
            values = {"name": f"测试队伍{n}", "kind": "professional", "specialty": "hazmat", "level": "city",
                      "headcount": 20, "capabilities": ["hazmat", "fire"], "equipment": [], "status": "available",
                      "division_code": "371581", "unit_id": world.units["emergency"],
                      "lon": LINQING[0], "lat": LINQING[1]}
            values.update(kw)
            row: Any = Team(**values)
        elif kind == "vehicle":
            values = {"name": f"测试车辆{n}", "category": "vehicle", "type": "hazmat_unit", "status": "available",
                      "division_code": "371581", "unit_id": world.units["emergency"],
                      "lon": LINQING[0], "lat": LINQING[1]}
            values.update(kw)
            row = Vehicle(**values)
        else:
            values = {"name": f"测试专家{n}", "specialties": ["hazmat"], "availability": "available",
                      "division_code": "371500", "unit_id": world.units["emergency"],
                      "lon": DONGCHANGFU[0], "lat": DONGCHANGFU[1]}
            values.update(kw)
            row = Expert(**values)
        session.add(row)
        session.flush()
        return row

    return make


# ---- a fresh database per backend, committed transactions, a real server ----------------------------


LIVE_USERS = {
    "commander": ("commander", "371500", None),
    "duty": ("duty_officer", "371500", None),
    "health": ("department", "371500", "health"),
    "linqing": ("county", "371581", "linqing_bureau"),
    "dongchangfu": ("county", "371502", "dcf_bureau"),
}


def _seed(url: str) -> dict[str, dict[str, int]]:
    engine = make_engine(url)
    out: dict[str, dict[str, int]] = {"units": {}, "users": {}}
    try:
        with Session(engine) as s, s.begin():
            s.add(Division(code="371500", name="聊城市", level="city"))
            s.flush()
            s.add_all([Division(code="371581", name="临清市", level="county", parent_code="371500"),
                       Division(code="371502", name="东昌府区", level="county", parent_code="371500")])
            s.flush()
            units = {"health": Unit(name="市卫生健康委", kind="department", division_code="371500"),
                     "emergency": Unit(name="市应急局", kind="department", division_code="371500"),
                     "linqing_bureau": Unit(name="临清市应急管理局", kind="department", division_code="371581"),
                     "dcf_bureau": Unit(name="东昌府区应急管理局", kind="department", division_code="371502")}
            s.add_all(units.values())
            s.flush()
            out["units"] = {k: u.id for k, u in units.items()}
            for username, (role, division, unit) in LIVE_USERS.items():
                user = User(username=username, role=role, division_code=division, password_hash="x",
                            unit_id=out["units"][unit] if unit else None)
                s.add(user)
                s.flush()
                out["users"][username] = user.id
    finally:
        engine.dispose()
    return out


class LiveServer:
    """uvicorn serving ``app`` on 127.0.0.1 (an ephemeral port) in a background thread."""

    def __init__(self, app: Any) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1,
                                timeout_keep_alive=1)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


@dataclass
class Live:
    url: str
    settings: Settings
    server: LiveServer
    engine: Engine
    ids: dict[str, dict[str, int]]
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    tmp = tmp_path_factory.mktemp("live")
    with own_database(str(request.param), tmp, "live", prefix="yingji_inc") as url:
        migrate.upgrade(url)
        ids = _seed(url)
        settings = Settings(env="test", data_dir=tmp, database_url=url, secret_key="live-secret-" + "x" * 32)
        app = create_app(settings)
        engine = make_engine(url)
        with LiveServer(app) as server:
            live = Live(url=url, settings=settings, server=server, engine=engine, ids=ids)
            with Session(engine) as s:
                for username, uid in ids["users"].items():
                    user = s.get(User, uid)
                    assert user is not None
                    live.tokens[username] = auth_service.create_token(settings=settings, user=user)[0]
            yield live
        engine.dispose()
        app.state.sessionmaker.kw["bind"].dispose()


@pytest.fixture
def road_network(settings: Settings) -> Path:
    """A 21 × 21 street grid (200 m apart) around 临清市 in the data dir the app reads."""
    from yingji.engines.network.synthetic import grid_network

    graph = grid_network(nx=21, ny=21, spacing_m=200.0, lon0=LINQING[0], lat0=LINQING[1])
    folder = Path(settings.data_dir) / "network"
    folder.mkdir(parents=True, exist_ok=True)
    graph.save_npz(folder / "graph.npz", metadata={"source": "incidents test grid", "version": "inc1"})
    return folder


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database (not migrated) per backend."""
    with own_database(str(request.param), tmp_path, "live", prefix="yingji_inc") as url:
        yield url
