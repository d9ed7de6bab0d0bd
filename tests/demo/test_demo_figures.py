"""The demo city's headline figures, as the docs and the closing notes quote them, by API and on the
pages: 5-minute fire reach (issue #3), 2-hour medical reach, the 12-hour relief figure and the gap
report (issue #6). The demo is deterministic, so the figures are exact; a change to the demo data or
the engines that moves them must update the docs too."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from yingji.api.app import create_app
from yingji.config import Settings
from yingji.db import migrate
from yingji.db.session import make_engine, make_sessionmaker
from yingji.demo.load import load_demo

pytestmark = pytest.mark.xdist_group("demo")
ADMIN = ("admin", "Yingji-admin-2026")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, TestClient]]:
    """The demo city with its road network on a fresh SQLite file: an API client with the admin's
    token and a signed-in browser-like client (cookies over https://testserver)."""
    root = tmp_path_factory.mktemp("demo-figures")
    url = f"sqlite:///{root / 'yingji.db'}"
    migrate.upgrade(url)
    factory = make_sessionmaker(make_engine(url))
    with factory.begin() as session:
        load_demo(session=session, data_dir=root, network=True)
    settings = Settings(env="test", data_dir=root, database_url=url, secret_key="demo-figures-" + "x" * 32)
    app = create_app(settings, factory)
    api = TestClient(app)
    token = api.post("/api/v1/auth/token", data={"username": ADMIN[0], "password": ADMIN[1]}).json()
    api.headers["Authorization"] = f"Bearer {token['access_token']}"
    web = TestClient(app, base_url="https://testserver")
    page = web.get("/login")
    csrf = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', page.text)
    assert csrf
    r = web.post("/login", data={"username": ADMIN[0], "password": ADMIN[1], "csrf_token": csrf.group(1),
                                 "next": "/"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    yield api, web


def test_fire_and_medical_reach(demo: tuple[TestClient, TestClient]) -> None:
    api, _ = demo
    fire = api.get("/api/v1/routing/coverage/fire").json()
    assert fire["sources"] == 29 and fire["total_population"] == 5_952_000
    assert fire["share"] == pytest.approx(0.2382, abs=5e-5)  # 23.8 % of the population in 5 minutes
    assert fire["built_up_share"] == pytest.approx(0.3205, abs=5e-5)  # 32.1 % of the built-up cells' people
    by_county = {d["division_code"]: d["share"] for d in fire["by_division"]}
    assert min(by_county.values()) == pytest.approx(0.121, abs=5e-4)  # 阳谷县
    assert max(by_county.values()) == pytest.approx(0.379, abs=5e-4)  # 东昌府区
    medical = api.get("/api/v1/routing/coverage/medical").json()
    assert medical["share"] == 1.0 and medical["drive_budget_s"] == 7200


def test_relief_figure_and_gap_report_by_api_and_on_the_page(demo: tuple[TestClient, TestClient]) -> None:
    api, web = demo
    relief = api.get("/api/v1/supplies/reports/relief-check").json()
    assert (relief["city"]["max_people"], relief["city"]["binding_item"]) == (60_900, "folding_bed")
    assert [d["max_people"] for d in relief["divisions"]] == [60_900] * 8
    gap = api.get("/api/v1/supplies/reports/gap").json()
    assert len(gap["divisions"]) == 9
    shares = [i["share_met"] for d in gap["divisions"] for i in d["items"]]
    assert min(shares) < 0.7 and max(shares) == 1.0  # gaps and met items, as the demo intends
    page = web.get("/supplies")
    assert page.status_code == 200
    figures = re.findall(r'data-testid="relief-max"[^>]*>([\d,]+)<', page.text)
    assert figures and {f.replace(",", "") for f in figures} == {"60900"}
