"""The warning console (预警中心, /warnings) in headless Chromium against a live server.

The small synthetic world (conftest.seed) plus two combustible-gas sensors (演示数据为合成数据): one in
东昌府区 with 24 hours of readings every 15 minutes ingested through the monitoring ingest service —
low all day, then rising over the red threshold in the last hour, which raises a red warning by the
kind's default rule (blue 10, yellow 20, orange 25, red 50 %LEL) — and one in 临清 with no readings yet.

On the open page: the red warning is in the list (red) and on the map; its detail shows the sensor's
last 24 hours with the four thresholds drawn; Acknowledge marks it acknowledged on the page and in the
database; a reading ingested server-side for the second sensor raises a new warning that appears on
the same page without a reload (server-sent events); escalating the first warning to an incident shows
the link to the incident workspace and links the two in the database; lifting the second takes it off
the list. Then the page in English.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from webui_helpers import login  # type: ignore[import-not-found]

from yingji.auth.models import User
from yingji.db.base import utcnow
from yingji.incidents import escalation
from yingji.incidents.models import Incident
from yingji.monitoring import ingest
from yingji.monitoring import service as monitoring
from yingji.monitoring.models import Sensor
from yingji.monitoring.schemas import SensorCreate
from yingji.warnings import hooks
from yingji.warnings.models import EarlyWarning

LiveServer = Any  # tests/web/conftest.py: url, settings, sessionmaker, admin

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

GAS_1 = ("WEB-GAS-01", "东昌府区化工园区可燃气体1号", 115.99, 36.46, "371502")
GAS_2 = ("WEB-GAS-02", "临清化工园区可燃气体2号", 115.71, 36.84, "371581")
THRESHOLDS = [10.0, 20.0, 25.0, 50.0]  # gas_concentration defaults: blue, yellow, orange, red (%LEL)
COLOURS = {1: "#e60000", 2: "#ff8c00", 3: "#ffd700", 4: "#1e6fd9"}


@pytest.fixture(scope="module")
def warning_server(live_server: LiveServer) -> Iterator[LiveServer]:
    """Two sensors; the first with a day of readings ending over the red threshold (a red warning)."""
    previous = hooks.incident_escalator()
    escalation.register()  # other tests may have swapped the escalator
    now = utcnow()
    with live_server.sessionmaker() as session, session.begin():
        admin = session.scalars(select(User).where(User.username == live_server.admin[0])).one()
        for code, name, lon, lat, division in (GAS_1, GAS_2):
            monitoring.create_sensor(session=session, user=admin, data=SensorCreate.model_validate({
                "code": code, "name": name, "kind": "gas_concentration", "division_code": division,
                "lon": lon, "lat": lat, "notes": "合成测试数据"}))
        items = []
        for k in range(96):  # 24 h every 15 min, the last one 2 minutes ago
            ts = now - timedelta(minutes=2 + 15 * (95 - k))
            value = 4.0 + (k % 5) * 0.6 if k < 92 else [18.0, 31.0, 46.0, 57.5][k - 92]
            items.append({"sensor": GAS_1[0], "ts": ts.isoformat(), "value": value})
        report = ingest.ingest(session=session, actor=None, items=items)
        assert report.accepted == 96 and not report.rejected
    yield live_server
    hooks.set_incident_escalator(previous)


def _warning(server: LiveServer, sensor_code: str) -> EarlyWarning:
    with server.sessionmaker() as session:
        sensor_id = session.scalars(select(Sensor.id).where(Sensor.code == sensor_code)).one()
        rows = session.scalars(select(EarlyWarning).where(EarlyWarning.sensor_id == sensor_id)
                               .order_by(EarlyWarning.id.desc())).all()
        assert rows, f"no warning for {sensor_code}"
        return rows[0]


def test_console_chart_acknowledge_live_escalate_lift(page: Page, warning_server: LiveServer) -> None:
    srv = warning_server
    red = _warning(srv, GAS_1[0])
    assert (red.level, red.status, red.acknowledged_at) == (1, "active", None)

    login(page, srv, "/warnings")
    expect(page.locator("[data-testid=live]")).to_have_attribute("data-live", "on")
    page.evaluate("() => { window.__sameDocument = true; }")
    row = page.locator(f'#wrn-list [data-warning-id="{red.id}"]')
    expect(row).to_have_class(re.compile(r"\bwrn-lvl-red\b"))
    expect(row).to_have_attribute("data-acknowledged", "false")
    expect(row.locator(".wrn-headline")).to_contain_text(GAS_1[1])
    expect(row.locator(".wrn-division")).to_have_text("东昌府区")
    expect(row.locator(".wrn-state")).to_have_text("待确认")
    expect(page.locator('#wrn-list .wrn-group[data-level="1"]')).to_be_visible()
    expect(page.locator('#wrn-counts [data-level="1"] [data-count]')).to_have_text("1")
    expect(page.locator("#wrn-map path.wrn-marker.wrn-lvl-red")).to_have_count(1)

    # the detail: history and the sensor's last 24 hours with its thresholds in the four colours
    row.click()
    expect(row).to_have_attribute("aria-current", "true")
    expect(page.locator("[data-testid=detail-headline]")).to_contain_text(GAS_1[1])
    expect(page.locator("[data-testid=detail-level]")).to_have_text("一级（红色）预警")
    expect(page.locator("[data-testid=detail-status]")).to_have_text("生效")
    expect(page.locator('[data-testid=history] [data-kind="raised"]')).to_have_count(1)
    chart = page.locator("[data-testid=sensor-chart]")
    expect(page.locator("[data-testid=sensor-chart][data-ready=true] canvas")).to_be_visible()
    expect(chart).to_have_attribute("data-points", "96")
    lines = json.loads(chart.get_attribute("data-thresholds") or "[]")
    assert sorted((t["level"], t["value"]) for t in lines) == [(1, 50.0), (2, 25.0), (3, 20.0), (4, 10.0)]
    marks = page.evaluate(
        "() => window.yjWarningChart.getOption().series[0].markLine.data"
        ".filter(d => d.yAxis !== undefined).map(d => [d.yAxis, d.lineStyle.color])"
    )
    assert sorted(marks) == sorted([[v, COLOURS[4 - i]] for i, v in enumerate(THRESHOLDS)])
    assert page.evaluate("() => window.yjWarningChart.getOption().series[0].data.length") == 96
    # the marker is focused: the map is centred near the sensor
    centre = page.evaluate("() => { const c = window.yingjiMap.getCenter(); return [c.lng, c.lat]; }")
    assert abs(centre[0] - GAS_1[2]) < 0.01 and abs(centre[1] - GAS_1[3]) < 0.01

    # acknowledge
    page.click("[data-testid=act-acknowledge]")
    expect(page.locator("[data-testid=detail-ack]")).to_have_attribute("data-state", "acknowledged")
    expect(page.locator("[data-testid=detail-msg]")).to_have_text("已确认该预警。")
    expect(row).to_have_attribute("data-acknowledged", "true")
    expect(row.locator(".wrn-state")).to_have_text("已确认")
    expect(page.locator("[data-testid=act-acknowledge]")).to_be_disabled()
    expect(page.locator('[data-testid=history] [data-kind="acknowledged"]')).to_have_count(1)
    acked = _warning(srv, GAS_1[0])
    assert acked.acknowledged_at is not None and acked.acknowledged_by == srv.admin[0]

    # a new warning raised server-side (a reading of the second sensor over orange) appears live
    with srv.sessionmaker() as session, session.begin():
        report = ingest.ingest(session=session, actor=None, items=[
            {"sensor": GAS_2[0], "ts": (utcnow() - timedelta(seconds=30)).isoformat(), "value": 31.0}])
        assert report.accepted == 1 and report.warnings
    orange = _warning(srv, GAS_2[0])
    assert orange.level == 2
    new_row = page.locator(f'#wrn-list [data-warning-id="{orange.id}"]')
    expect(new_row).to_be_visible()
    expect(new_row).to_have_class(re.compile(r"\bwrn-lvl-orange\b"))
    expect(new_row).to_have_class(re.compile(r"\bwrn-new\b"))
    expect(page.locator("#wrn-map path.wrn-marker.wrn-lvl-orange")).to_have_count(1)
    expect(page.locator("[data-testid=warning-total]")).to_have_text("2")
    ids = [int(x) for x in page.locator("#wrn-list [data-warning-id]").evaluate_all(
        "els => els.map(e => e.getAttribute('data-warning-id'))")]
    assert ids == [red.id, orange.id]  # red above orange
    assert page.evaluate("() => window.__sameDocument === true"), "the page was reloaded"
    # only the unacknowledged ones: the red warning (acknowledged) leaves the list and the map
    page.check("[data-testid=unack-only]")
    expect(row).to_have_count(0)
    expect(new_row).to_be_visible()
    expect(page.locator("#wrn-map path.wrn-marker")).to_have_count(1)
    page.uncheck("[data-testid=unack-only]")
    expect(page.locator("#wrn-map path.wrn-marker")).to_have_count(2)

    # escalate the red warning to an incident: the link appears, the database links both ways
    page.click("[data-testid=act-incident]")
    link = page.locator("[data-testid=detail-msg] [data-testid=incident-link]")
    expect(link).to_be_visible()
    href = link.get_attribute("href") or ""
    m = re.fullmatch(r"/incidents/(\d+)", href)
    assert m, href
    incident_id = int(m.group(1))
    expect(page.locator("[data-testid=detail-incident] a")).to_have_attribute("href", href)
    expect(page.locator("[data-testid=act-incident]")).to_be_hidden()
    assert _warning(srv, GAS_1[0]).details["incident_id"] == incident_id
    with srv.sessionmaker() as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None and incident.division_code == "371502"

    # lower the level of the orange warning, then lift it with a reason: it leaves the list. The
    # button is pressed while the orange warning's detail is still loading (held back here): it must
    # act on the orange warning, not on the red one selected before
    held: list[Any] = []

    def hold(route: Any) -> None:
        if route.request.method == "GET":
            held.append(route)
        else:
            route.continue_()

    page.route(f"**/api/v1/warnings/{orange.id}", hold)
    new_row.click()
    expect(page.locator("[data-testid=detail-headline]")).to_contain_text(GAS_2[1])
    assert held, "the detail request was not held"
    page.click("[data-testid=act-down]")
    expect(page.locator("[data-testid=detail-msg]")).to_contain_text("三级")
    for route in held:
        route.continue_()
    page.unroute(f"**/api/v1/warnings/{orange.id}")
    expect(page.locator("[data-testid=detail-level]")).to_have_text("三级（黄色）预警")
    assert _warning(srv, GAS_1[0]).level == 1 and _warning(srv, GAS_2[0]).level == 3
    expect(new_row).to_have_class(re.compile(r"\bwrn-lvl-yellow\b"))
    page.click("[data-testid=act-lift]")
    page.click("[data-testid=lift-submit]")
    expect(page.locator("[data-testid=detail-msg]")).to_have_text("请填写解除原因。")
    page.fill("#lift-reason", "现场检查为误报（合成）")
    page.click("[data-testid=lift-submit]")
    expect(page.locator("[data-testid=detail-status]")).to_have_text("已解除")
    expect(new_row).to_have_count(0)
    expect(page.locator("#wrn-map path.wrn-marker")).to_have_count(1)
    lifted = _warning(srv, GAS_2[0])
    assert (lifted.status, lifted.level, lifted.lift_reason) == ("lifted", 3, "现场检查为误报（合成）")
    assert page.evaluate("() => window.__sameDocument === true"), "the page was reloaded"


def test_console_in_english(page: Page, warning_server: LiveServer) -> None:
    srv = warning_server
    red = _warning(srv, GAS_1[0])
    login(page, srv, "/warnings")
    page.goto(f"{srv.url}/lang?set=en&next=/warnings/{red.id}")
    expect(page.locator("[data-nav=warnings]")).to_have_text("Warnings")
    expect(page.locator("h1")).to_contain_text("Warnings")
    expect(page.locator("[data-testid=live]")).to_have_text("● Live")
    expect(page.locator("#wrn-list-title")).to_contain_text("Active warnings")
    expect(page.locator("[data-testid=detail-level]")).to_have_text("Level 1 (red)")
    expect(page.locator("[data-testid=detail-status]")).to_have_text("Active")
    expect(page.locator("[data-testid=act-acknowledge]")).to_have_text("Acknowledge")
    expect(page.locator("[data-testid=sensor-chart][data-ready=true] canvas")).to_be_visible()
    expect(page.locator(f'#wrn-list [data-warning-id="{red.id}"] .wrn-badge')).to_have_text("Red")
    page.goto(f"{srv.url}/lang?set=zh-CN&next=/warnings")
    expect(page.locator("h1")).to_contain_text("预警中心")
