"""End-to-end tests of the web UI in real headless Chromium against a live uvicorn server.

Run with ``YINGJI_SCREENSHOTS=1`` to also write docs/img/map.png and docs/img/form.png
(from a server loaded with the synthetic demo city).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from webui_helpers import (  # type: ignore[import-not-found]
    SCREENSHOTS,
    login,
    markers,
    shot,
    wait_loaded,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LiveServer = Any  # tests/web/conftest.py: url, settings, sessionmaker, admin


# (5) ------------------------------------------------------------------------------------------
def test_unauthenticated_visit_redirects_to_login(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/login$"))
    page.goto(live_server.url + "/registry/facilities/1/edit")
    expect(page).to_have_url(re.compile(r"/login\?next=/registry/facilities/1/edit$"))
    expect(page.locator("h1")).to_have_text("登录")
    expect(page.locator("[data-testid=demo-banner]")).to_contain_text("合成数据")


# (1) ------------------------------------------------------------------------------------------
def test_login_through_the_form(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/registry/facilities")
    expect(page).to_have_url(re.compile(r"/login\?next=/registry/facilities$"))
    page.fill("#username", live_server.admin[0])
    page.fill("#password", "wrong-password")
    page.click("[data-testid=login-submit]")
    expect(page.locator("[data-testid=login-error]")).to_have_text("用户名或密码错误")
    page.fill("#password", live_server.admin[1])
    page.click("[data-testid=login-submit]")
    expect(page).to_have_url(live_server.url + "/registry/facilities")
    expect(page.locator("[data-testid=user-name]")).to_have_text("演示管理员")
    expect(page.locator("[data-testid=user-role]")).to_have_text("系统管理员")
    expect(page.locator("[data-testid=demo-note]")).to_have_text("演示数据为合成数据")
    expect(page.locator("table.records")).to_contain_text("东昌府消防站")
    cookie = next(c for c in page.context.cookies() if c["name"] == "yingji_session")
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Lax"
    page.click("[data-testid=logout]")
    expect(page).to_have_url(re.compile(r"/login\?logged_out=1$"))


# (2) ------------------------------------------------------------------------------------------
def test_toggle_layers_shows_and_hides_markers(page: Page, live_server: LiveServer) -> None:
    login(page, live_server)
    fire = page.locator('input[data-layer="facilities:fire_station"]')
    expect(fire).to_be_checked()  # on by default
    assert wait_loaded(page, "facilities:fire_station") == 3
    assert markers(page, "facilities:fire_station") == 3
    fire.uncheck()
    expect(page.locator("path.yj-m-facilities-fire_station")).to_have_count(0)
    fire.check()
    expect(page.locator("path.yj-m-facilities-fire_station")).to_have_count(3)

    isolation = page.locator('input[data-layer="facilities:isolation_site"]')
    expect(isolation).not_to_be_checked()
    assert markers(page, "facilities:isolation_site") == 0
    isolation.check()
    assert wait_loaded(page, "facilities:isolation_site") == 1
    expect(page.locator("path.yj-m-facilities-isolation_site")).to_have_count(1)
    page.locator("path.yj-m-facilities-isolation_site").first.dispatch_event("click")
    popup = page.locator(".leaflet-popup .yj-popup")
    expect(popup).to_contain_text("临清隔离点")
    expect(popup).to_contain_text("隔离房间数 120")
    expect(popup).to_contain_text("临清市 (371581)")
    expect(popup.locator("a.yj-popup-link")).to_have_attribute(
        "href", re.compile(r"^/registry/facilities/\d+$")
    )
    isolation.uncheck()
    expect(page.locator("path.yj-m-facilities-isolation_site")).to_have_count(0)

    teams = page.locator('input[data-layer="teams:fire_rescue"]')
    teams.check()
    assert wait_loaded(page, "teams:fire_rescue") == 1
    expect(page.locator("path.yj-m-teams-fire_rescue")).to_have_count(1)


def test_division_boundaries_are_drawn_when_the_api_gives_them(page: Page, live_server: LiveServer) -> None:
    ring = [[115.5, 36.6], [115.9, 36.6], [115.9, 37.0], [115.5, 37.0], [115.5, 36.6]]
    boundaries = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": "371581",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {"code": "371581", "name": "临清市", "level": "county"},
            },
            {
                "type": "Feature",
                "id": "371502",
                "geometry": {"type": "MultiPolygon", "coordinates": [[ring]]},
                "properties": {"code": "371502", "name": "东昌府区", "level": "county"},
            },
        ],
    }
    page.route(
        re.compile(r".*/api/v1/divisions\?format=geojson&geometry=boundary$"),
        lambda route: route.fulfill(json=boundaries),
    )
    login(page, live_server)
    assert wait_loaded(page, "divisions") == 2
    expect(page.locator("path.yj-boundary")).to_have_count(2)
    expect(page.locator(".leaflet-tooltip.yj-division-label", has_text="临清市")).to_be_visible()
    page.uncheck('input[data-layer="divisions"]')
    expect(page.locator("path.yj-boundary")).to_have_count(0)


# (3) ------------------------------------------------------------------------------------------
def test_create_facility_with_a_field_error_then_find_it_on_the_map(
    page: Page, live_server: LiveServer
) -> None:
    login(page, live_server, "/registry/facilities/new")
    page.fill("#f-name", "聊城合成测试医院")
    hospital_beds = page.locator("#f-capacity-hospital-beds")
    expect(hospital_beds).to_be_hidden()
    page.select_option("#f-kind", "hospital")
    expect(hospital_beds).to_be_visible()  # the capacity inputs follow the kind
    expect(page.locator("#f-capacity-shelter-persons")).to_be_hidden()
    page.select_option("#f-division_code", "371502")
    page.fill("#f-lon", "116.03")
    page.fill("#f-lat", "95")
    hospital_beds.fill("500")
    page.select_option("#f-capacity-hospital-grade", "grade_3a")
    page.check("#f-capacity-hospital-fever_clinic")
    page.click("[data-testid=save]")

    lat_field = page.locator('.field[data-field="lat"]')
    expect(lat_field.locator('[data-error-for="lat"]')).to_have_text("应小于或等于 90")
    expect(page.locator("#f-lat")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-name")).to_have_value("聊城合成测试医院")
    expect(hospital_beds).to_have_value("500")
    page.fill("#f-lat", "36.47")
    page.click("[data-testid=save]")
    expect(page).to_have_url(re.compile(r"/registry/facilities/\d+\?done=created$"))
    expect(page.locator("[data-testid=record-title]")).to_have_text("聊城合成测试医院")
    expect(page.locator('[data-field="capacity"] dd')).to_contain_text("床位数 500")

    # find it on the map: its layer now has one more hospital, and the search pans to it
    page.goto(live_server.url + "/")
    assert wait_loaded(page, "facilities:hospital") == 2
    page.fill("#map-q", "合成测试医院")
    page.click("#map-search button[type=submit]")
    hit = page.locator('#search-results [data-result^="facilities:"]')
    expect(hit).to_have_count(1)
    expect(hit).to_contain_text("聊城合成测试医院")
    popup = page.locator(".leaflet-popup .yj-popup")
    expect(popup).to_contain_text("聊城合成测试医院")
    expect(popup).to_contain_text("床位数 500")
    expect(page.locator("path.yj-highlight")).to_have_count(1)
    page.wait_for_function(  # the map has panned to it (allowing for the popup's auto-pan)
        "() => { const c = window.yingjiMap.getCenter();"
        " return Math.abs(c.lng - 116.03) < 0.01 && Math.abs(c.lat - 36.47) < 0.01; }"
    )
    popup.locator("a.yj-popup-link").click()
    expect(page.locator("[data-testid=record-title]")).to_have_text("聊城合成测试医院")


# (4) ------------------------------------------------------------------------------------------
def test_switch_language_from_chinese_to_english(page: Page, live_server: LiveServer) -> None:
    login(page, live_server)
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator('label[for="layer-facilities-fire_station"]')).to_contain_text("消防站")
    expect(page.locator("nav.mainnav")).to_contain_text("一张图")
    page.click("[data-lang-switch]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(live_server.url + "/")
    expect(page.locator('label[for="layer-facilities-fire_station"]')).to_contain_text("Fire station")
    expect(page.locator("nav.mainnav")).to_contain_text("One map")
    expect(page.locator("nav.mainnav")).to_contain_text("Registries")
    expect(page.locator("[data-testid=demo-note]")).to_have_text("Demo data are synthetic")
    expect(page.locator("[data-testid=logout]")).to_have_text("Log out")
    page.goto(live_server.url + "/registry/facilities")
    expect(page.locator("h1")).to_have_text("Facilities")
    expect(page.locator("table.records thead")).to_contain_text("Kind")
    expect(page.locator("table.records tbody")).to_contain_text("Fire station")
    page.click("[data-lang-switch]")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("table.records tbody")).to_contain_text("消防站")


# screenshots for the README and docs/web.md --------------------------------------------------
@pytest.mark.skipif(not SCREENSHOTS, reason="set YINGJI_SCREENSHOTS=1 to write docs/img/*.png")
def test_screenshots_of_the_demo_city(browser: Browser, demo_server: LiveServer) -> None:
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = context.new_page()
    login(page, demo_server)
    for layer in (
        "facilities:isolation_site",
        "facilities:medical_centre",
        "teams:fire_rescue",
        "teams:professional",
    ):
        page.check(f'input[data-layer="{layer}"]')
    for layer in ("facilities:fire_station", "facilities:hospital", "teams:professional"):
        wait_loaded(page, layer)
    page.locator("path.yj-m-facilities-hospital").first.dispatch_event("click")
    expect(page.locator(".leaflet-popup .yj-popup")).to_be_visible()
    page.wait_for_timeout(300)
    shot(page, "map.png")
    page.set_viewport_size({"width": 1600, "height": 900})
    page.goto(demo_server.url + "/registry/facilities/new?kind=hospital")
    page.fill("#f-name", "示例医院（合成）")
    page.select_option("#f-division_code", "371502")
    page.fill("#f-lon", "115.99")
    page.fill("#f-lat", "95")
    page.fill("#f-capacity-hospital-beds", "-3")
    page.click("[data-testid=save]")
    expect(page.locator('[data-error-for="lat"]')).to_be_visible()
    shot(page, "form.png")
    context.close()
