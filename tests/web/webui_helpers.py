"""Helpers of the browser tests (test_browser.py, test_network_ui.py): sign in, wait for a layer,
click the map at a longitude and latitude."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

VIEWPORT = {"width": 1600, "height": 900}
CHROMIUM = os.environ.get("YINGJI_TEST_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = os.environ.get("YINGJI_SCREENSHOTS") == "1"
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
LiveServer = Any  # tests/web/conftest.py: url, settings, sessionmaker, admin

# The page fixture gives actions 10 s; assertions get as long (the test machine may be busy).
expect.set_options(timeout=10_000)


def login(page: Page, server: LiveServer, next_path: str = "/") -> None:
    page.goto(f"{server.url}/login?next={next_path}")
    page.fill("#username", server.admin[0])
    page.fill("#password", server.admin[1])
    page.click("[data-testid=login-submit]")
    page.wait_for_url(re.compile(re.escape(server.url + next_path) + r"(\?.*)?$"))


def markers(page: Page, layer: str) -> int:
    return page.locator("path.yj-m-" + layer.replace(":", "-")).count()


def wait_loaded(page: Page, layer: str) -> int:
    count = page.locator(f'[data-count-for="{layer}"][data-loaded="true"]')
    expect(count).to_be_visible()
    return int(count.inner_text())


def set_view(page: Page, lon: float, lat: float, zoom: int) -> None:
    """Centre the map (after the divisions have loaded, so that their fitBounds cannot move it)."""
    wait_loaded(page, "divisions")
    page.evaluate("([lon, lat, z]) => { window.yingjiMap.setView([lat, lon], z, {animate: false}); }", [lon, lat, zoom])


def click_map(page: Page, lon: float, lat: float) -> None:
    """A real mouse click on the map at (lon, lat), which must be in view."""
    x, y = page.evaluate(
        "([lon, lat]) => { const p = window.yingjiMap.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
        [lon, lat],
    )
    box = page.locator("#map").bounding_box()
    assert box is not None
    assert 0 < x < box["width"] and 0 < y < box["height"], f"({lon}, {lat}) is not in view"
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_timeout(60)  # Leaflet tells a click from a double click by time


def shot(page: Page, name: str) -> None:
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_IMG / name))


def click_map_until(page: Page, lon: float, lat: float, selector: str, attempts: int = 3) -> None:
    """Click the map at (lon, lat) until ``selector`` appears (a loaded machine may swallow a click)."""
    for attempt in range(attempts):
        click_map(page, lon, lat)
        try:
            page.wait_for_selector(selector, timeout=4000)
            return
        except Exception:
            if attempt == attempts - 1:
                raise
            page.wait_for_timeout(400)
