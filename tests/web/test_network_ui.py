"""The network-analysis panel (路网分析) of the one map in real headless Chromium, against a live
server whose data directory holds a small street grid (conftest.write_test_network): isochrones,
nearest teams and their routes, coverage by division, drawing and clearing road closures, siting,
and the notes shown when the API refuses a point or has no network.

Run with ``YINGJI_SCREENSHOTS=1`` to also write docs/img/network.png from the demo city.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from webui_helpers import (  # type: ignore[import-not-found]
    SCREENSHOTS,
    click_map,
    click_map_until,
    login,
    set_view,
    shot,
    wait_loaded,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LiveServer = Any  # tests/web/conftest.py: url, settings, sessionmaker, admin
INCIDENT = (115.995, 36.463)  # a point in the street grid near its centre, clear of the markers


def open_map(page: Page, server: LiveServer, zoom: int = 13) -> None:
    login(page, server)
    expect(page.locator("[data-testid=net-panel]")).to_be_visible()
    set_view(page, INCIDENT[0], INCIDENT[1], zoom)


def tab(page: Page, name: str) -> None:
    page.click(f'#net-panel [data-tool="{name}"]')
    expect(page.locator(f'[data-tool-panel="{name}"]')).to_be_visible()


def etas(page: Page) -> list[float]:
    return [float(v) for v in page.locator("#near-list [data-eta-s]").evaluate_all(
        "els => els.map(e => e.getAttribute('data-eta-s'))"
    )]


def route_time(page: Page) -> float:
    info = page.locator("#route-info[data-time-s]")
    expect(info).to_be_visible()
    return float(info.get_attribute("data-time-s") or "nan")


# ---------------------------------------------------------------------------------------------
def test_isochrones_on_click_with_legend_and_errors(page: Page, network_server: LiveServer) -> None:
    open_map(page, network_server)
    expect(page.locator('#net-panel [data-tool="iso"]')).to_have_attribute("aria-selected", "true")
    expect(page.locator("#iso-minutes")).to_have_value("5,10,15")
    expect(page.locator("[data-testid=net-unavailable]")).to_be_hidden()
    click_map(page, *INCIDENT)
    expect(page.locator("path.yj-iso")).to_have_count(3)
    for seconds in (300, 600, 900):
        expect(page.locator(f"path.yj-iso-{seconds}")).to_have_count(1)
    msg = page.locator("#iso-msg")
    expect(msg).to_contain_text("已绘制 3 个等时圈")
    expect(msg.locator(".net-closures-note")).to_have_text("已考虑 0 处阻断")
    legend = page.locator("[data-testid=net-map-legend]")
    expect(legend).to_contain_text("等时圈")
    for text in ("5 分钟", "10 分钟", "15 分钟"):
        expect(legend).to_contain_text(text)
        expect(page.locator("#iso-legend")).to_contain_text(text)
    # the 5-minute area lies inside the 15-minute one
    inner, outer = page.evaluate(
        """() => { const b = {}; window.yingjiNetwork.layers.iso.eachLayer(l => {
             if (l.getBounds && l.eachLayer) l.eachLayer(p => { b[p.options.className] = p.getBounds(); }); });
           const i = b['yj-iso yj-iso-300'], o = b['yj-iso yj-iso-900'];
           return [[i.getWest(), i.getEast()], [o.getWest(), o.getEast()]]; }"""
    )
    assert outer[0] <= inner[0] and inner[1] <= outer[1]

    page.fill("#iso-minutes", "3, 6")  # configurable thresholds
    click_map(page, *INCIDENT)
    expect(page.locator("path.yj-iso")).to_have_count(2)
    expect(legend).to_contain_text("6 分钟")
    page.fill("#iso-minutes", "abc")
    click_map(page, *INCIDENT)
    expect(msg).to_have_text(re.compile("请输入 1–8 个"))
    expect(msg).to_have_attribute("data-state", "error")

    # far from any road: the API's 422 is shown in the panel, in Chinese
    page.fill("#iso-minutes", "5,10,15")
    set_view(page, INCIDENT[0] + 0.25, INCIDENT[1], 12)
    click_map(page, INCIDENT[0] + 0.25, INCIDENT[1])
    expect(msg).to_have_text(re.compile(r"该点距最近道路 [\d,]+ 米（上限 3,000 米）"))
    expect(page.locator("path.yj-iso")).to_have_count(0)
    page.click("#iso-clear")
    expect(msg).to_be_hidden()


def test_nearest_teams_by_eta_and_their_route(page: Page, network_server: LiveServer) -> None:
    open_map(page, network_server)
    tab(page, "nearest")
    expect(page.locator("#near-resource")).to_have_value("teams")
    page.select_option("#near-kind", "fire_rescue")
    click_map(page, *INCIDENT)
    items = page.locator("#near-list [data-near]")
    expect(items).to_have_count(3)  # available fire and rescue teams on the grid
    names = items.locator(".net-item-name").all_inner_texts()
    assert "出动中消防分队" not in names  # deployed, though nearest
    assert "临清消防救援大队" not in names  # far from the grid
    assert set(names) == {"市消防救援支队特勤大队", "东昌府消防救援站", "开发区消防救援站"}
    times = etas(page)
    assert times == sorted(times) and times[0] > 0
    expect(items.first.locator(".net-eta")).to_have_text(re.compile(r"^约 \d+(\.\d)? 分钟$"))
    expect(page.locator("#near-msg")).to_contain_text("最近的 3 个")
    expect(page.locator("#near-msg")).to_contain_text("1 个资源距道路过远")
    expect(page.locator("#near-msg .net-closures-note")).to_have_text("已考虑 0 处阻断")
    expect(page.locator(".yj-near-marker")).to_have_count(3)  # highlighted on the map
    expect(page.locator(".yj-incident")).to_have_count(1)

    # every available team, not only the deployed one's kind; then by capability
    page.uncheck("#near-available")
    click_map(page, *INCIDENT)
    expect(items).to_have_count(4)
    expect(items.first.locator(".net-item-name")).to_have_text("出动中消防分队")
    page.check("#near-available")
    page.select_option("#near-kind", "")
    page.select_option("#near-capability", "hazmat")
    click_map(page, *INCIDENT)
    expect(items).to_have_count(2)
    assert set(items.locator(".net-item-name").all_inner_texts()) == {"市消防救援支队特勤大队", "东昌府区危化品救援队"}

    # click an item: its route to the incident, with time, distance and the closures considered
    items.nth(1).click()
    expect(items.nth(1)).to_have_class(re.compile("selected"))
    expect(page.locator("path.yj-route")).to_have_count(1)
    info = page.locator("#route-info")
    expect(info).to_contain_text(re.compile(r"用时 \d+(\.\d)? 分钟 · 距离 \d+\.\d+ 公里"))
    expect(info.locator(".net-closures-note")).to_have_text("已考虑 0 处阻断")
    eta = etas(page)[1]
    assert route_time(page) == pytest.approx(eta, rel=0.25)
    page.click("#near-clear")
    expect(page.locator("path.yj-route")).to_have_count(0)
    expect(page.locator(".yj-near-marker")).to_have_count(0)


def test_coverage_table_by_division_and_uncovered_cells(page: Page, network_server: LiveServer) -> None:
    open_map(page, network_server, zoom=12)
    tab(page, "coverage")
    expect(page.locator("#cov-kind")).to_have_value("fire")
    page.click("#cov-run")
    table = page.locator("[data-testid=cov-table]")
    expect(table).to_be_visible()
    expect(table.locator("thead")).to_contain_text("建成区覆盖率")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(table.locator('tr[data-division="371502"] th')).to_have_text("东昌府区")
    expect(table.locator('tr[data-division="371503"] th')).to_have_text("茌平区")
    shares = [float(v) for v in table.locator("tbody td.net-share[data-share]").evaluate_all(
        "els => els.map(e => e.getAttribute('data-share'))"
    )]
    assert len(shares) == 4 and all(0 <= s <= 1 for s in shares)
    assert any(s < 1 for s in shares)  # two stations do not cover the whole 8 km square in 5 minutes
    expect(table.locator("tfoot")).to_contain_text("合计")
    expect(table.locator("tbody td.net-share").first).to_have_text(re.compile(r"\d+\.\d%$"))
    msg = page.locator("#cov-msg")
    expect(msg).to_contain_text("2 处设施参与计算")
    expect(msg.locator(".net-closures-note")).to_have_text("已考虑 0 处阻断")
    cells = page.locator("#cov-cells")
    expect(cells).to_contain_text("米见方")
    built_up = int(cells.get_attribute("data-cells") or "-1")
    assert built_up > 0
    expect(page.locator("[data-testid=net-map-legend]")).to_contain_text("未覆盖网格人口")
    page.uncheck("#cov-built-up")  # every uncovered cell, the sparse edge too
    assert int(cells.get_attribute("data-cells") or "-1") > built_up
    assert page.evaluate("window.yingjiNetwork.layers.cov.getLayers().length") == int(
        cells.get_attribute("data-cells") or "-1"
    )

    page.select_option("#cov-kind", "medical")  # the hospital reaches the whole grid within 2 hours
    page.click("#cov-run")
    expect(table).to_have_attribute("data-kind", "medical")
    expect(table.locator("thead")).not_to_contain_text("建成区")
    expect(table.locator("tbody td.net-share").first).to_have_text("100.0%")
    expect(cells).to_have_attribute("data-cells", "0")

    page.select_option("#cov-kind", "shelter")  # one shelter for 5 000 persons
    page.click("#cov-run")
    expect(table).to_have_attribute("data-kind", "shelter")
    expect(table.locator("thead")).to_contain_text("安置率")
    expect(table.locator("tfoot td.num")).to_have_text("5,000")
    page.click("#cov-clear")
    expect(table).to_be_hidden()


def _route_midpoint(page: Page) -> tuple[float, float]:
    coords = page.evaluate("window.yingjiNetwork.last.route.feature.geometry.coordinates")
    lon, lat = coords[len(coords) // 2]
    return float(lon), float(lat)


def test_drawn_closure_changes_the_route_then_clearing_restores_it(
    page: Page, network_server: LiveServer
) -> None:
    open_map(page, network_server, zoom=15)
    tab(page, "nearest")
    page.select_option("#near-kind", "fire_rescue")
    click_map(page, *INCIDENT)
    items = page.locator("#near-list [data-near]")
    expect(items).to_have_count(3)
    items.first.click()
    before = route_time(page)
    expect(page.locator("#route-info .net-closures-note")).to_have_text("已考虑 0 处阻断")
    lon, lat = _route_midpoint(page)

    # draw a rectangle across the route's middle and save it as a closure
    tab(page, "closures")
    expect(page.locator("#closure-list")).to_contain_text("当前没有生效的阻断")
    page.click("#draw-rect")
    expect(page.locator("#draw-rect")).to_have_attribute("aria-pressed", "true")
    d = 0.0006  # about 60 m around a street crossing: every road through it is closed
    set_view(page, lon, lat, 16)
    click_map(page, lon - d, lat - d)
    click_map(page, lon + d, lat + d)
    form = page.locator("#closure-form")
    expect(form).to_be_visible()
    expect(page.locator("path.yj-draft")).to_have_count(1)
    page.click("#closure-save")
    expect(page.locator("#closure-msg")).to_have_text("请填写阻断原因")
    page.fill("#closure-reason", "道路积水（测试）")
    expect(page.locator("#closure-division")).to_have_value("371502")  # guessed from the boundaries
    page.click("#closure-save")
    expect(page.locator("#closure-msg")).to_contain_text("已保存阻断“道路积水（测试）”")
    expect(form).to_be_hidden()
    expect(page.locator("path.yj-closure")).to_have_count(1)
    expect(page.locator("#closure-list li[data-closure-id]")).to_have_count(1)
    expect(page.locator("#closure-count")).to_have_text("(1)")

    # the route is asked again: it now goes round the closure and says so
    tab(page, "nearest")
    info = page.locator("#route-info")
    expect(info.locator(".net-closures-note")).to_have_text("已考虑 1 处阻断")
    after = route_time(page)
    assert after > before
    expect(page.locator("#near-msg .net-closures-note")).to_have_text("已考虑 1 处阻断")

    # clear it from its popup on the map (解除): the route is as fast as before
    tab(page, "closures")
    set_view(page, lon, lat, 16)
    click_map_until(page, lon, lat, ".leaflet-popup .yj-closure-popup")
    popup = page.locator(".leaflet-popup .yj-closure-popup")
    expect(popup).to_contain_text("道路积水（测试）")
    popup.locator('[data-closure-action="clear"]').click()
    expect(page.locator("#closure-msg")).to_have_text("已解除阻断“道路积水（测试）”")
    expect(page.locator("path.yj-closure")).to_have_count(0)
    expect(page.locator("#closure-list")).to_contain_text("当前没有生效的阻断")
    tab(page, "nearest")
    expect(info.locator(".net-closures-note")).to_have_text("已考虑 0 处阻断")
    assert route_time(page) == pytest.approx(before)


def test_draw_a_polygon_closure_then_delete_it(page: Page, network_server: LiveServer) -> None:
    lon, lat = 115.975, 36.452
    open_map(page, network_server, zoom=16)
    set_view(page, lon, lat, 16)
    tab(page, "closures")
    page.click("#draw-poly")
    d = 0.0007
    click_map(page, lon - d, lat - d)
    click_map(page, lon + d, lat - d)
    expect(page.locator("#draw-finish")).to_be_disabled()
    click_map(page, lon + d, lat + d)
    click_map(page, lon - d, lat + d)
    expect(page.locator("#draw-finish")).to_be_enabled()
    click_map(page, lon - d, lat - d)  # the first corner again closes the polygon
    expect(page.locator("#closure-form")).to_be_visible()
    page.fill("#closure-reason", "施工（测试）")
    page.select_option("#closure-division", "371502")
    page.click("#closure-save")
    expect(page.locator("path.yj-closure")).to_have_count(1)
    item = page.locator("#closure-list li[data-closure-id]")
    expect(item).to_contain_text("施工（测试）")
    expect(item).to_contain_text("东昌府区")
    page.once("dialog", lambda dialog: dialog.accept())
    item.locator('[data-closure-action="delete"]').click()
    expect(page.locator("#closure-msg")).to_have_text("已删除阻断“施工（测试）”")
    expect(page.locator("path.yj-closure")).to_have_count(0)

    # an area without roads is refused, and Esc cancels a drawing
    page.click("#draw-rect")
    set_view(page, lon + 0.25, lat, 14)
    click_map(page, lon + 0.25, lat)
    click_map(page, lon + 0.252, lat + 0.002)
    page.fill("#closure-reason", "无路区域")
    page.select_option("#closure-division", "371502")
    page.click("#closure-save")
    expect(page.locator("#closure-msg")).to_have_text("所画范围内没有道路，未保存")
    page.click("#closure-discard")
    page.click("#draw-poly")
    click_map(page, lon + 0.25, lat)
    page.keyboard.press("Escape")
    expect(page.locator("#draw-poly")).to_have_attribute("aria-pressed", "false")
    expect(page.locator("path.yj-draw-vertex")).to_have_count(0)


def test_siting_suggests_sites_with_population_gained(page: Page, network_server: LiveServer) -> None:
    open_map(page, network_server, zoom=12)
    tab(page, "siting")
    page.fill("#site-k", "2")
    page.click("#site-run")
    sites = page.locator("#site-list li[data-site]")
    expect(sites).to_have_count(2)
    expect(sites.first).to_contain_text("建议站址 1")
    expect(sites.first).to_contain_text(re.compile(r"新增覆盖 [\d,]+ 人"))
    expect(page.locator(".yj-site-marker")).to_have_count(2)
    expect(page.locator("#site-msg")).to_contain_text("建议 2 处新站址")
    expect(page.locator("#site-msg .net-closures-note")).to_have_text("已考虑 0 处阻断")


def test_english_panel(page: Page, network_server: LiveServer) -> None:
    open_map(page, network_server)
    page.click("[data-lang-switch]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#net-title")).to_have_text("Network analysis")
    expect(page.locator('#net-panel [data-tool="nearest"]')).to_have_text("Nearest")
    set_view(page, INCIDENT[0], INCIDENT[1], 13)
    click_map(page, *INCIDENT)
    expect(page.locator("#iso-msg .net-closures-note")).to_have_text("Closures taken into account: 0")
    expect(page.locator("[data-testid=net-map-legend]")).to_contain_text("15 min")


def test_without_a_network_the_panel_says_so(page: Page, live_server: LiveServer) -> None:
    login(page, live_server)  # its data directory has no network/graph.npz
    note = page.locator("[data-testid=net-unavailable]")
    expect(note).to_be_visible()
    expect(note).to_contain_text("未加载路网")
    set_view(page, 115.985, 36.457, 12)
    click_map(page, 115.985, 36.457)
    expect(page.locator("#iso-msg")).to_have_text(re.compile("^未加载路网"))
    tab(page, "coverage")
    page.click("#cov-run")
    expect(page.locator("#cov-msg")).to_have_text(re.compile("^未加载路网"))


# screenshot for docs/web.md -------------------------------------------------------------------
@pytest.mark.skipif(not SCREENSHOTS, reason="set YINGJI_SCREENSHOTS=1 to write docs/img/network.png")
def test_screenshot_of_network_analysis(browser: Browser, demo_server: LiveServer) -> None:
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    context.set_default_timeout(60_000)
    page = context.new_page()
    login(page, demo_server)
    wait_loaded(page, "facilities:fire_station")
    page.click('#net-panel [data-tool="coverage"]')
    page.click("#cov-run")
    expect(page.locator("[data-testid=cov-table]")).to_be_visible()
    page.click('#net-panel [data-tool="iso"]')
    set_view(page, 115.985, 36.456, 11)
    click_map(page, 115.985, 36.456)
    expect(page.locator("path.yj-iso")).to_have_count(3)
    page.click('#net-panel [data-tool="coverage"]')
    page.wait_for_timeout(400)
    shot(page, "network.png")
    context.close()
