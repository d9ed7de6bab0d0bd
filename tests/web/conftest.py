"""Fixtures of the web UI tests: a live uvicorn server on a migrated SQLite file with a small
synthetic world (divisions, units, facilities, a team, an admin), and headless Chromium.

The HTTP-level page tests (test_pages.py) use the shared fixtures of tests/conftest.py instead.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy.orm import Session

from yingji.api.app import create_app
from yingji.auth import service as auth_service
from yingji.auth.models import User
from yingji.config import Settings
from yingji.db import migrate
from yingji.db.session import make_engine, make_sessionmaker
from yingji.registry.models import Division, Facility, Team, Unit

ADMIN = ("webadmin", "Web-admin-pass-1")
COUNTY = ("weblinqing", "Web-linqing-pass-1")


def _square(lon: float, lat: float, d: float) -> dict[str, Any]:
    ring = [
        [lon - d, lat - d],
        [lon + d, lat - d],
        [lon + d, lat + d],
        [lon - d, lat + d],
        [lon - d, lat - d],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def seed(session: Session) -> dict[str, int]:
    """A few synthetic records around Liaocheng (演示数据为合成数据)."""
    session.add(
        Division(
            code="371500",
            name="聊城市",
            name_en="Liaocheng",
            level="city",
            lon=115.985,
            lat=36.457,
            boundary=_square(115.90, 36.45, 0.45),
        )
    )
    session.flush()
    session.add_all(
        [
            Division(
                code="371502",
                name="东昌府区",
                name_en="Dongchangfu",
                level="county",
                parent_code="371500",
                lon=115.985,
                lat=36.457,
                boundary=_square(115.99, 36.45, 0.15),
            ),
            Division(
                code="371581",
                name="临清市",
                name_en="Linqing",
                level="county",
                parent_code="371500",
                lon=115.705,
                lat=36.838,
                boundary=_square(115.70, 36.80, 0.15),
            ),
        ]
    )
    session.flush()
    bureau = Unit(name="市应急管理局", kind="department", division_code="371500", lon=115.98, lat=36.46)
    linqing = Unit(name="临清市应急管理局", kind="department", division_code="371581")
    session.add_all([bureau, linqing])
    session.flush()
    facilities = [
        Facility(
            name="东昌府消防站",
            kind="fire_station",
            division_code="371502",
            lon=115.97,
            lat=36.45,
            capacity={"station_class": "standard_1"},
        ),
        Facility(
            name="开发区特勤消防站",
            kind="fire_station",
            division_code="371502",
            lon=116.02,
            lat=36.43,
            capacity={"station_class": "special"},
        ),
        Facility(
            name="临清消防站",
            kind="fire_station",
            division_code="371581",
            lon=115.71,
            lat=36.84,
            capacity={"station_class": "standard_2"},
        ),
        Facility(
            name="市人民医院",
            kind="hospital",
            division_code="371502",
            lon=115.99,
            lat=36.46,
            capacity={
                "beds": 1200,
                "infectious_beds": 80,
                "icu_beds": 40,
                "fever_clinic": True,
                "grade": "grade_3a",
            },
        ),
        Facility(
            name="人民广场避难场所",
            kind="shelter",
            division_code="371502",
            lon=115.98,
            lat=36.455,
            capacity={"persons": 5000, "area_m2": 20000},
        ),
        Facility(
            name="市级应急物资储备库",
            kind="warehouse",
            division_code="371502",
            lon=116.01,
            lat=36.47,
            capacity={"level": "city", "area_m2": 3000},
        ),
        Facility(
            name="临清隔离点",
            kind="isolation_site",
            division_code="371581",
            lon=115.69,
            lat=36.83,
            capacity={"rooms": 120},
        ),
    ]
    session.add_all(facilities)
    session.add(
        Team(
            name="市消防救援支队特勤大队",
            kind="fire_rescue",
            specialty="fire",
            level="city",
            headcount=60,
            division_code="371502",
            lon=115.975,
            lat=36.452,
            capabilities=["fire", "hazmat"],
        )
    )
    admin = User(
        username=ADMIN[0],
        display_name="演示管理员",
        role="admin",
        password_hash=auth_service.hash_password(ADMIN[1]),
    )
    county = User(
        username=COUNTY[0],
        role="county",
        division_code="371581",
        unit_id=linqing.id,
        password_hash=auth_service.hash_password(COUNTY[1]),
    )
    session.add_all([admin, county])
    session.flush()
    return {"admin": admin.id, "bureau": bureau.id}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    settings: Settings
    sessionmaker: Any
    admin: tuple[str, str] = ADMIN


@contextmanager
def serve(tmp: Path, load: Callable[[Session], object]) -> Iterator[LiveServer]:
    """Migrate a SQLite file in ``tmp``, load data, run uvicorn in a thread on 127.0.0.1."""
    settings = Settings(
        env="test", data_dir=tmp, secret_key="web-test-secret-" + "s" * 32, cookie_secure=True
    )
    url = settings.sqlalchemy_url
    migrate.upgrade(url)
    engine = make_engine(url)
    sm = make_sessionmaker(engine)
    with sm() as session, session.begin():
        load(session)
    app = create_app(settings, sm)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=_free_port(), log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield LiveServer(url=f"http://127.0.0.1:{port}", settings=settings, sessionmaker=sm)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A live server with the small synthetic world of :func:`seed`."""
    with serve(tmp_path_factory.mktemp("web"), seed) as server:
        yield server


def _demo(session: Session) -> None:
    """The synthetic demo city and the test admin (for screenshots); the small world without the demo."""
    try:
        from yingji.demo.load import load_demo
    except ImportError:
        seed(session)
        return
    load_demo(session=session, data_dir=Path(session.get_bind().url.database or ".").parent)
    session.add(
        User(
            username=ADMIN[0],
            display_name="演示管理员",
            role="admin",
            password_hash=auth_service.hash_password(ADMIN[1]),
        )
    )
    session.flush()


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serve(tmp_path_factory.mktemp("demo"), _demo) as server:
        yield server
