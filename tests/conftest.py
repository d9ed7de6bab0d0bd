"""Shared fixtures: a real database per backend (SQLite file; PostgreSQL when
``YINGJI_TEST_POSTGRES_URL`` is set), migrated once, each test inside a rolled-back savepoint;
a base world of divisions, units and one user per role; HTTP clients per user."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from dbtools import own_database
from yingji.api.app import create_app
from yingji.auth import service as auth_service
from yingji.auth.models import User
from yingji.config import Settings
from yingji.db import migrate
from yingji.db.session import make_engine
from yingji.registry.models import Division, Unit

BACKENDS = ["sqlite", "postgresql"]
pytest_plugins = ["loopback"]  # real SMTP and HTTP servers on loopback (smtp_server, http_server)


@pytest.fixture(scope="session", params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with own_database(request.param, tmp_path_factory.mktemp("db"), "test") as url:
        yield url


@dataclass
class World:
    """The base data every test can rely on (committed once per backend)."""

    city: str = "371500"
    linqing: str = "371581"
    dongchangfu: str = "371502"
    users: dict[str, int] | None = None
    units: dict[str, int] | None = None


USERS = {
    # username: (role, division, unit key)
    "admin": ("admin", None, None),
    "commander": ("commander", "371500", None),
    "duty": ("duty_officer", "371500", None),
    "health": ("department", "371500", "health"),
    "linqing": ("county", "371581", "linqing_bureau"),
    "dongchangfu": ("county", "371502", "dcf_bureau"),
    "viewer": ("viewer", "371500", None),
}


@pytest.fixture(scope="session")
def engine(db_url: str) -> Iterator[Engine]:
    migrate.upgrade(db_url)
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def world(engine: Engine) -> World:
    w = World(users={}, units={})
    with Session(engine) as s, s.begin():
        s.add(Division(code="371500", name="聊城市", level="city", population=5_950_000, lon=115.985, lat=36.457))
        s.flush()
        s.add_all([
            Division(code="371581", name="临清市", level="county", parent_code="371500", population=730_000,
                     lon=115.705, lat=36.838),
            Division(code="371502", name="东昌府区", level="county", parent_code="371500", population=1_200_000,
                     lon=115.985, lat=36.457),
        ])
        s.flush()
        units = {
            "health": Unit(name="市卫生健康委", kind="department", division_code="371500"),
            "emergency": Unit(name="市应急局", kind="department", division_code="371500"),
            "linqing_bureau": Unit(name="临清市应急管理局", kind="department", division_code="371581"),
            "dcf_bureau": Unit(name="东昌府区应急管理局", kind="department", division_code="371502"),
        }
        s.add_all(units.values())
        s.flush()
        w.units = {k: u.id for k, u in units.items()}
        pw = auth_service.hash_password("correct-horse-1")
        for username, (role, division, unit) in USERS.items():
            user = User(username=username, role=role, division_code=division,
                        unit_id=w.units[unit] if unit else None, password_hash=pw)
            s.add(user)
            s.flush()
            w.users[username] = user.id
    return w


@pytest.fixture
def connection(engine: Engine, world: World) -> Iterator[Connection]:
    conn = engine.connect()
    trans = conn.begin()
    try:
        yield conn
    finally:
        trans.rollback()
        conn.close()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    return sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as s:
        yield s


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(env="test", data_dir=tmp_path, secret_key="test-secret-" + "x" * 32,
                    max_upload_bytes=2 * 1024 * 1024, login_max_failures=3)


@pytest.fixture
def app(settings: Settings, session_factory: sessionmaker[Session]) -> Any:
    return create_app(settings, session_factory)


@pytest.fixture
def anon(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


class Clients:
    """``clients["linqing"]`` is a TestClient authenticated as that base user."""

    def __init__(self, app: Any, settings: Settings, session: Session, world: World) -> None:
        self.app, self.settings, self.session, self.world = app, settings, session, world
        self._cache: dict[str, TestClient] = {}

    def __getitem__(self, username: str) -> TestClient:
        if username not in self._cache:
            assert self.world.users is not None
            user = self.session.get(User, self.world.users[username])
            assert user is not None
            token, _ = auth_service.create_token(settings=self.settings, user=user)
            client = TestClient(self.app)
            client.headers["Authorization"] = f"Bearer {token}"
            self._cache[username] = client
        return self._cache[username]


@pytest.fixture
def clients(app: Any, settings: Settings, session: Session, world: World) -> Clients:
    return Clients(app, settings, session, world)
