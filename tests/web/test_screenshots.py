"""Screenshots of the demo city's areas for the README and docs/web.md (docs/img/*.png): the
command board and an incident workspace, the supervision dashboard, the supplies overview and an
allocation plan, the warning console. Skipped unless ``YINGJI_SCREENSHOTS=1``; each still checks
that what it shows is on the page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from webui_helpers import SCREENSHOTS, click_map, login, shot  # type: ignore[import-not-found]

LiveServer = Any

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.skipif(not SCREENSHOTS, reason="set YINGJI_SCREENSHOTS=1 to write docs/img/*.png"),
]


def _page(browser: Browser, server: LiveServer, path: str) -> Page:
    context = browser.new_context(viewport={"width": 1600, "height": 900}, locale="zh-CN")
    page = context.new_page()
    login(page, server, path)
    return page


def test_screenshot_command_board(browser: Browser, demo_server: LiveServer) -> None:
    page = _page(browser, demo_server, "/incidents")
    expect(page.locator("h1")).to_be_visible()
    page.wait_for_timeout(1500)
    shot(page, "incidents.png")
    page.context.close()


def test_screenshot_supervision_dashboard(browser: Browser, demo_server: LiveServer) -> None:
    page = _page(browser, demo_server, "/supervision")
    expect(page.locator("h1")).to_be_visible()
    page.wait_for_timeout(1500)
    shot(page, "supervision.png")
    page.context.close()


def test_screenshot_supplies(browser: Browser, demo_server: LiveServer) -> None:
    page = _page(browser, demo_server, "/supplies")
    expect(page.locator("#gap-chart[data-ready=true] canvas")).to_be_visible(timeout=30_000)
    page.wait_for_timeout(800)
    shot(page, "supplies.png")
    page.goto(demo_server.url + "/supplies/allocate")
    page.wait_for_function("() => !!window.yingjiMap")
    centre = (115.985, 36.457)
    page.evaluate("([lon, lat]) => window.yingjiMap.setView([lat, lon], 12, {animate: false})", list(centre))
    page.check("[data-testid=mode-area]")
    d = 0.012
    for lon, lat in ((centre[0] - d, centre[1] - d), (centre[0] + d, centre[1] - d),
                     (centre[0] + d, centre[1] + d), (centre[0] - d, centre[1] + d)):
        click_map(page, lon, lat)
    page.click("[data-testid=finish-area]")
    page.click("[data-testid=compute]")
    expect(page.locator("[data-testid=shipments] tbody tr").first).to_be_visible(timeout=60_000)
    page.evaluate("() => window.yingjiMap.setView([36.45, 115.95], 10, {animate: false})")
    page.wait_for_timeout(800)
    shot(page, "allocation.png")
    page.context.close()


def test_screenshot_warning_console(browser: Browser, demo_server: LiveServer) -> None:
    """The demo's simulated readings (yingji demo simulate's series from now on, sent at once — the
    rise takes three minutes, within the five minutes ingest accepts ahead) up to the first red
    warning: the console with its sensor chart. (Readings older than a sensor's latest raise
    nothing, so the series cannot start in the past: the demo's sensors read just now.)"""
    from datetime import UTC, datetime, timedelta

    from yingji.monitoring import simulate

    sink = simulate.DirectSink(demo_server.sessionmaker)
    scenarios, background = simulate.scenarios_for(sink, simulate.DEFAULT_SENSORS)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
    red = False
    for _, items in simulate.plan_steps(scenarios, background, start=start, minutes=8, step_s=15):
        report = sink.send(items)
        red = red or any(w["level"] == 1 for w in report.get("warnings", []))
        if red:
            break
    assert red
    page = _page(browser, demo_server, "/warnings")
    first = page.locator('#wrn-list .wrn-group[data-level="1"] [data-warning-id]').first
    expect(first).to_be_visible()
    first.click()
    expect(page.locator("[data-testid=sensor-chart][data-ready=true] canvas")).to_be_visible(timeout=20_000)
    page.wait_for_timeout(1200)
    shot(page, "warnings.png")
    page.context.close()
