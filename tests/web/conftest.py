"""Fixtures of the web UI tests: a live uvicorn server on a migrated SQLite file with a small
synthetic world (divisions, units, facilities, a team, an admin), the same world on a small road
network, the demo city, and headless Chromium.

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
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy.orm import Session
from webui_helpers import CHROMIUM, VIEWPORT  # type: ignore[import-not-found]

from yingji.api.app import create_app
from yingji.auth import service as auth_service
from yingji.auth.models import User
from yingji.config import Settings
from yingji.db import migrate
from yingji.db.session import make_engine, make_sessionmaker
from yingji.engines.network.geo import LocalProjection
from yingji.engines.network.synthetic import grid_network
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
    """The synthetic demo city, its road network and the test admin (for screenshots); the small
    world without the demo."""
    try:
        from yingji.demo.load import load_demo
    except ImportError:
        seed(session)
        return
    load_demo(session=session, data_dir=Path(session.get_bind().url.database or ".").parent, network=True)
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


# --- the small world on a road network (tests/web/test_network_ui.py) -------------------------

NET_CENTRE = (115.985, 36.457)  # 东昌府区 (lon, lat): the centre of the test street grid
NET_SIZE = 41  # 41 × 41 streets, 200 m apart: 8 km square; every 5th street an arterial (60 km/h)


def write_test_network(data_dir: Path) -> None:
    """``network/graph.npz``: the street grid; ``population.csv``: 1 km cells, west half in
    东昌府区 (371502), east half in 茌平区 (371503), dense (built-up) towards the centre."""
    folder = data_dir / "network"
    folder.mkdir(parents=True, exist_ok=True)
    graph = grid_network(nx=NET_SIZE, ny=NET_SIZE, spacing_m=200.0, lon0=NET_CENTRE[0], lat0=NET_CENTRE[1])
    graph.save_npz(folder / "graph.npz", metadata={"source": "web test grid", "version": "web-1"})
    proj = LocalProjection(*NET_CENTRE)
    lines = ["lon,lat,population,division"]
    for i in range(8):
        for j in range(8):
            x, y = (i - 3.5) * 1000.0, (j - 3.5) * 1000.0
            lon, lat = proj.to_lonlat(x, y)
            ring = max(abs(i - 3.5), abs(j - 3.5))  # 0.5 at the centre … 3.5 at the edge
            population = {0.5: 6000, 1.5: 3000, 2.5: 1500}.get(ring, 400)
            division = "371502" if x < 0 else "371503"
            lines.append(f"{float(lon):.6f},{float(lat):.6f},{population},{division}")
    (folder / "population.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def seed_network_world(session: Session) -> None:
    """The small world plus 茌平区 and teams around the grid (演示数据为合成数据): four available
    fire and rescue teams (one far away in 临清, off the grid), one deployed, one hazmat team."""
    seed(session)
    session.add(
        Division(
            code="371503",
            name="茌平区",
            name_en="Chiping",
            level="county",
            parent_code="371500",
            lon=116.25,
            lat=36.58,
        )
    )
    session.flush()

    def team(name: str, kind: str, specialty: str, lon: float, lat: float, caps: list[str], **kw: Any) -> Team:
        return Team(
            name=name,
            kind=kind,
            specialty=specialty,
            level="county",
            headcount=20,
            division_code=kw.pop("division_code", "371502"),
            lon=lon,
            lat=lat,
            capabilities=caps,
            **kw,
        )

    session.add_all(
        [
            team("东昌府消防救援站", "fire_rescue", "fire", 116.000, 36.470, ["fire"]),
            team("开发区消防救援站", "fire_rescue", "fire", 116.020, 36.430, ["fire", "water_rescue"]),
            team("出动中消防分队", "fire_rescue", "fire", 115.998, 36.461, ["fire"], status="deployed"),
            team("东昌府区危化品救援队", "professional", "hazmat", 115.960, 36.440, ["hazmat"]),
            team("临清消防救援大队", "fire_rescue", "fire", 115.71, 36.84, ["fire"], division_code="371581"),
        ]
    )
    session.flush()


@pytest.fixture(scope="module")
def network_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A live server with the small world on the test street grid."""
    tmp = tmp_path_factory.mktemp("webnet")
    write_test_network(tmp)
    with serve(tmp, seed_network_world) as server:
        yield server


# --- headless Chromium ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM} (set YINGJI_TEST_CHROMIUM); scripts/test.sh installs it"
        )
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh zh-CN context at 1600 × 900; fails the test on any JavaScript error."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    context.set_default_timeout(10_000)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert not errors, f"JavaScript errors: {errors}"
