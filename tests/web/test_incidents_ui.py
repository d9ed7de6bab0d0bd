"""Command and dispatch pages (指挥调度): the incident board (/incidents) and the incident workspace
(/incidents/<id>).

* In real headless Chromium, against a live server whose data directory holds the test street grid
  (conftest.write_test_network) and whose world adds a duty officer, a duty shift, an available
  hazmat team next to the incident point and a hazmat plan with actions for a unit: a duty officer
  reports an incident on the map, accepts the suggested level, verifies it, activates the plan,
  dispatches the nearest team and follows it — while the board, open in a second page, shows the
  incident, the tasks and the dispatch without a reload (server-sent events). The English pages,
  and the errors shown for forbidden transitions.
* Over HTTP (TestClient): the login requirement, 404 pages, the navigation entry, what a viewer
  sees, and that every text the templates and scripts use is in the catalogue.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session
from webui_helpers import login  # type: ignore[import-not-found]

from yingji.auth import service as auth_service
from yingji.auth.models import User
from yingji.db.base import utcnow
from yingji.deps import SESSION_COOKIE
from yingji.incidents import service as incident_service
from yingji.incidents.models import DutyShift, Plan, PlanAction, PlanLevel
from yingji.incidents.schemas import IncidentCreate
from yingji.registry.models import Team, Unit
from yingji.web.i18n import MESSAGES
from yingji.web.pages_incidents import js_messages

LiveServer = Any  # tests/web/conftest.py: url, settings, sessionmaker, admin
WEB = Path(__file__).resolve().parents[2] / "src" / "yingji" / "web"
DUTY = ("webduty", "Web-duty-pass-1")
INCIDENT = (115.995, 36.463)  # in the street grid near its centre, inside 东昌府区 (371502)
HAZMAT_TEAM = "聊城危化品应急救援队"
PLAN = "聊城市危险化学品事故专项应急预案"


# --- the world ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def incident_server(network_server: LiveServer) -> LiveServer:
    """The network world plus a duty officer, a shift in force, a hazmat team 300 m from the
    incident point and a hazmat plan whose levels put actions on the city bureau (synthetic)."""
    with network_server.sessionmaker() as s, s.begin():
        bureau = s.query(Unit).filter_by(name="市应急管理局").one()
        s.add(
            User(
                username=DUTY[0],
                display_name="值班员小王",
                role="duty_officer",
                division_code="371500",
                password_hash=auth_service.hash_password(DUTY[1]),
            )
        )
        s.add(
            Team(
                name=HAZMAT_TEAM,
                kind="professional",
                specialty="hazmat",
                level="city",
                headcount=30,
                division_code="371502",
                unit_id=bureau.id,
                lon=INCIDENT[0] + 0.003,
                lat=INCIDENT[1] - 0.002,
                capabilities=["hazmat", "fire"],
            )
        )
        now = utcnow()
        s.add(
            DutyShift(
                division_code="371500",
                starts_at=now - timedelta(hours=2),
                ends_at=now + timedelta(hours=10),
                officer_name="王值班",
                leader_name="李带班",
                phone="0635-8888000",
                created_by="seed",
            )
        )
        s.add(
            Plan(
                name=PLAN,
                kind="special",
                status="active",
                division_code="371500",
                unit_id=bureau.id,
                incident_types=["hazmat_leak", "hazmat_transport"],
                levels=[
                    PlanLevel(
                        response_level=3,
                        incident_levels=["III"],
                        criteria="造成 3 人以上死亡的危化品事故",
                        actions=[
                            PlanAction(position=0, unit_id=bureau.id, action="派出危化品救援队赶赴现场",
                                       deadline_minutes=30),
                            PlanAction(position=1, unit_id=bureau.id, action="划定警戒区，疏散下风向群众",
                                       deadline_minutes=20),
                        ],
                    ),
                    PlanLevel(
                        response_level=4,
                        incident_levels=["IV"],
                        criteria="一般危化品事故",
                        actions=[PlanAction(position=0, unit_id=bureau.id, action="核实现场情况",
                                            deadline_minutes=30)],
                    ),
                ],
            )
        )
    return dataclasses.replace(network_server, admin=DUTY)


def csrf(page: Page) -> str:
    return page.get_attribute('meta[name="csrf-token"]', "content") or ""


def api(page: Page, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """Call the JSON API with the page's session cookie (and its CSRF token)."""
    headers = {"X-CSRF-Token": csrf(page)}
    url = page.url.split("/incidents")[0].split("/login")[0] + path
    response = page.request.fetch(url, method=method, headers=headers, data=body)
    assert response.ok, f"{method} {path}: {response.status} {response.text()}"
    return response.json()


def new_incident(page: Page, title: str, **extra: Any) -> int:
    body = {
        "title": title, "category": "accident", "type": "hazmat_leak", "division_code": "371502",
        "lon": INCIDENT[0] - 0.004, "lat": INCIDENT[1] + 0.003,
        "occurred_at": (utcnow() - timedelta(minutes=5)).isoformat(), **extra,
    }
    return int(api(page, "POST", "/api/v1/incidents", body)["id"])


def click_on(page: Page, handle: str, map_id: str, lon: float, lat: float) -> None:
    """A real mouse click on a Leaflet map (``window.<handle>``) at (lon, lat)."""
    page.locator(f"#{map_id}").scroll_into_view_if_needed()
    x, y = page.evaluate(
        f"([lon, lat]) => {{ const p = {handle}.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }}",
        [lon, lat],
    )
    box = page.locator(f"#{map_id}").bounding_box()
    assert box is not None and 0 < x < box["width"] and 0 < y < box["height"], "point not in view"
    page.mouse.click(box["x"] + x, box["y"] + y)


def board_page(page: Page, url: str) -> Page:
    """A second page of the same session on the board; fails the test on JavaScript errors."""
    other = page.context.new_page()
    errors: list[str] = []
    other.on("pageerror", lambda exc: errors.append(str(exc)))
    other.goto(f"{url}/incidents")
    expect(other.locator("[data-testid=live]")).to_have_attribute("data-live", "on")
    other.evaluate("() => { window.__sameDocument = true; }")
    other.errors = errors  # type: ignore[attr-defined]
    page.bring_to_front()  # a background page gets no animation frames: clicks there would wait
    return other


# --- browser --------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_report_grade_plan_dispatch_and_the_board_follows_live(page: Page, incident_server: LiveServer) -> None:
    srv = incident_server
    login(page, srv, "/incidents")
    expect(page.locator("[data-nav=incidents]")).to_have_class(re.compile("active"))
    expect(page.locator("[data-testid=duty-now]")).to_contain_text("王值班")
    expect(page.locator("[data-testid=duty-now]")).to_contain_text("李带班")
    board = board_page(page, srv.url)

    # 接报: title, type, the point on the map, casualties → the suggested level and why
    page.fill("#rp-title", "开发区化工厂氯气泄漏")
    page.select_option("#rp-category", "accident")
    page.select_option("#rp-type", "hazmat_leak")
    expect(page.locator("#rp-grade-level [data-level]")).to_have_attribute("data-level", "IV")
    page.evaluate("([lon, lat]) => window.yingjiIncidents.map.setView([lat, lon], 14, {animate: false})",
                  list(INCIDENT))
    click_on(page, "window.yingjiIncidents.map", "report-map", *INCIDENT)
    point = page.locator("[data-testid=report-point]")
    expect(point).to_contain_text(re.compile(r"经度 115\.99\d+，纬度 36\.46\d+"))
    assert float(point.get_attribute("data-lon") or 0) == pytest.approx(INCIDENT[0], abs=3e-4)
    expect(page.locator("#rp-division")).to_have_value("371502")  # guessed from the boundaries
    page.fill("#rp-dead", "3")
    page.fill("#rp-injured", "12")
    expect(page.locator("#rp-grade-level [data-level]")).to_have_attribute("data-level", "III")
    expect(page.locator("#rp-grade-why")).to_contain_text("死亡 3人 ≥ 3人")
    expect(page.locator("#rp-grade-src")).to_contain_text("生产安全事故报告和调查处理条例")
    page.fill("#rp-address", "化工路 18 号")
    page.click("[data-testid=report-submit]")
    page.wait_for_url(re.compile(r"/incidents/\d+\?reported=1$"))
    incident_id = int(re.findall(r"/incidents/(\d+)", page.url)[0])

    # the board, open elsewhere, shows it without a reload: level III (yellow), its report deadline
    card = board.locator(f'[data-incident-id="{incident_id}"]')
    expect(card).to_have_class(re.compile(r"\blvl-III\b"))
    expect(card).to_contain_text("开发区化工厂氯气泄漏")
    expect(card).to_contain_text("死亡 3")
    expect(card.locator('[data-report-kind="initial"][data-state="due"]')).to_have_count(1)

    # the workspace: suggested level with its reasoning → accept
    level = page.locator("[data-testid=ws-level]")
    expect(level).to_have_attribute("data-level", "III")
    expect(level).to_have_attribute("data-confirmed", "false")
    expect(page.locator("#lv-why")).to_contain_text("死亡 3人")
    expect(page.locator(".yj-inc-here")).to_have_count(1)
    page.click("[data-testid=level-accept]")
    expect(level).to_have_attribute("data-confirmed", "true")
    expect(page.locator("#lv-msg")).to_contain_text("已确认事件等级：III 较大")
    expect(page.locator("[data-testid=timeline] [data-kind=level]").first).to_contain_text("确认事件等级 III")

    # lifecycle: only the allowed moves are offered; verify it
    buttons = page.locator("#tr-buttons [data-transition]")
    expect(buttons).to_have_count(3)
    page.click('[data-transition="verified"]')
    expect(page.locator("[data-testid=ws-status]")).to_have_attribute("data-status", "verified")

    # the matching plan at the suggested response level (三级): activate → its tasks
    plan = page.locator(f"[data-testid=plan-list] [data-plan-id]:has-text('{PLAN}')")
    expect(plan).to_have_attribute("data-suggested-level", "3")
    expect(plan.locator("select")).to_have_value("3")
    expect(plan).to_contain_text("划定警戒区")
    plan.locator("[data-activate]").click()
    expect(page.locator("#plan-msg")).to_contain_text("下达 2 项任务")
    expect(page.locator("[data-testid=activation-list] [data-activation-id]")).to_have_count(1)
    expect(page.locator("[data-testid=task-list] [data-task-id]")).to_have_count(2)
    expect(page.locator("[data-testid=ws-status]")).to_have_attribute("data-status", "responding")
    expect(board.locator("[data-testid=board-tasks] [data-task-id]")).to_have_count(2)
    expect(card).to_have_attribute("data-status", "responding")

    # recommended teams ranked by ETA; the nearest (and matching) hazmat team first → dispatch it
    first = page.locator("[data-testid=rec-list] [data-rec-id]").first
    expect(first).to_contain_text(HAZMAT_TEAM)
    expect(first).to_contain_text("匹配")
    expect(page.locator("[data-testid=rec-note]")).to_have_attribute("data-method", "road")
    etas = [float(v) for v in page.locator("[data-testid=rec-list] [data-eta-s]").evaluate_all(
        "els => els.map(e => e.getAttribute('data-eta-s')).filter(Boolean)")]
    assert etas and etas[0] > 0
    expect(page.locator(".yj-rec-marker").first).to_be_visible()
    first.locator("[data-dispatch]").click()
    expect(page.locator("[data-testid=rec-msg]")).to_contain_text(f"已调派 {HAZMAT_TEAM}")
    dispatched = page.locator("[data-testid=dispatch-list] [data-dispatch-id]")
    expect(dispatched).to_have_count(1)
    expect(dispatched).to_have_attribute("data-status", "requested")
    expect(page.locator("path.yj-dispatch-route")).to_have_count(1)  # its route to the incident
    expect(dispatched.locator(".inc-route-info")).to_contain_text(re.compile(r"路线 \d+(\.\d)? 分钟"))
    expect(page.locator("[data-testid=rec-list]")).not_to_contain_text(HAZMAT_TEAM)  # committed now

    # … and the board shows the dispatch, still without a reload
    row = board.locator("[data-testid=board-dispatches] [data-dispatch-id]")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(HAZMAT_TEAM)
    expect(card.locator("[data-dispatches]")).to_have_attribute("data-dispatches", "1")

    # follow the team: en route → on scene (the board follows)
    dispatched.locator('[data-dispatch-action="en_route"]').click()
    expect(dispatched).to_have_attribute("data-status", "en_route")
    dispatched.locator('[data-dispatch-action="on_scene"]').click()
    expect(dispatched).to_have_attribute("data-status", "on_scene")
    expect(row).to_have_attribute("data-status", "on_scene")

    # report upward: the initial report, then the deadline is met
    page.click('button[data-report-kind="initial"]')
    expect(page.locator("#rep-content")).to_have_value(re.compile("首报.*开发区化工厂氯气泄漏"))
    page.click("#rep-submit")
    expect(page.locator("[data-testid=rep-msg]")).to_contain_text("已报送首报")
    expect(page.locator('[data-testid=schedule-list] [data-report-kind="initial"]').first).to_have_attribute(
        "data-state", "done")
    expect(card.locator('[data-report-kind="initial"]').first).to_have_attribute("data-state", "done")
    expect(page.locator("[data-testid=timeline] [data-kind]").first).to_have_attribute("data-kind", "report")

    # a note on the timeline (newest first)
    page.fill("#note-text", "现场风向东南，扩大警戒范围")
    page.click("#note-submit")
    expect(page.locator("[data-testid=timeline] [data-kind]").first).to_contain_text("扩大警戒范围")
    expect(page.locator("[data-testid=sitrep-docx]")).to_have_attribute(
        "href", f"/api/v1/incidents/{incident_id}/sitrep.docx")

    assert board.evaluate("() => window.__sameDocument === true")  # never reloaded
    assert not board.errors, board.errors  # type: ignore[attr-defined]


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_forbidden_transitions_show_their_error(page: Page, incident_server: LiveServer) -> None:
    srv = incident_server
    login(page, srv, "/incidents")
    incident_id = new_incident(page, "危化品运输车侧翻")
    # a page whose live updates are cut off: its buttons go stale
    page.route("**/api/v1/events*", lambda route: route.abort())
    page.goto(f"{srv.url}/incidents/{incident_id}")
    expect(page.locator("#tr-buttons [data-transition]")).to_have_count(3)
    api(page, "POST", f"/api/v1/incidents/{incident_id}/transitions", {"to": "verified"})  # another desk
    page.click('[data-transition="verified"]')
    msg = page.locator("[data-testid=tr-msg]")
    expect(msg).to_have_text("事件当前为“已核实”，不能变为“已核实”。允许的下一状态：响应处置中、已结束、已合并")
    expect(msg).to_have_attribute("data-state", "error")
    expect(page.locator("[data-testid=ws-status]")).to_have_attribute("data-status", "verified")
    expect(page.locator('[data-transition="closed"]')).to_be_visible()  # the buttons follow

    # closing while a team is still dispatched is refused, naming it
    team = next(t for t in api(page, "GET", f"/api/v1/incidents/{incident_id}/recommendations")["items"])
    api(page, "POST", f"/api/v1/incidents/{incident_id}/dispatches",
        {"resource_type": "team", "resource_id": team["id"]})
    page.click('[data-transition="closed"]')
    page.click("#tr-confirm")
    expect(msg).to_have_text(f"请先释放仍在调派中的资源：{team['name']}")
    # a false alarm needs a reason
    page.unroute("**/api/v1/events*")
    page.reload()
    expect(page.locator("#tr-buttons [data-transition]")).to_have_count(3)
    page.click('[data-transition="merged"]')
    expect(page.locator("#tr-merge")).to_be_visible()
    page.click("#tr-confirm")
    expect(msg).to_have_text("请填写理由")


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_board_and_workspace_in_english(page: Page, incident_server: LiveServer) -> None:
    srv = incident_server
    login(page, srv, "/incidents")
    incident_id = new_incident(page, "Chlorine leak", dead=0, injured=2)
    page.goto(f"{srv.url}/lang?set=en&next=/incidents")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("[data-nav=incidents]")).to_have_text("Command")
    expect(page.locator("h1")).to_contain_text("Duty board")
    expect(page.locator("[data-testid=live]")).to_have_text("● Live")
    expect(page.locator("#report-title")).to_have_text("Report an incident")
    expect(page.locator("#rp-type option:checked")).to_have_text("Industrial and commercial work-safety accident")
    expect(page.locator("#rp-grade-level [data-level]")).to_have_text("IV Ordinary")
    expect(page.locator("#rp-grade-why")).to_contain_text("level IV by default")
    card = page.locator(f'[data-incident-id="{incident_id}"]')
    expect(card).to_contain_text("Injured 2")
    expect(card.locator(".inc-chip")).to_have_text("Reported")
    expect(card.locator('[data-report-kind="initial"]')).to_contain_text("Initial report (Written) by")
    page.fill("#rp-dead", "-1")
    page.click("[data-testid=report-submit]")
    expect(page.locator('[data-error-for="title"]')).to_have_text("Required")
    expect(page.locator('[data-error-for="lon"]')).to_have_text("Click the map where it happened")
    expect(page.locator('span[data-error-for="dead"]')).to_have_text("Must be a number of at least 0")

    card.locator(".inc-card-title").click()
    page.wait_for_url(f"{srv.url}/incidents/{incident_id}")
    expect(page.locator("[data-testid=level-accept]")).to_have_text("Accept level IV")
    expect(page.locator('[data-transition="verified"]')).to_have_text("Verify")
    expect(page.locator("[data-testid=ws-status]")).to_have_text("Reported")
    expect(page.locator("#rec-title")).to_have_text("Recommended resources (by ETA)")
    expect(page.locator("[data-testid=rec-note]")).to_contain_text("ETAs by road")
    expect(page.locator("[data-testid=plan-list]")).to_contain_text("Level 4 response")
    page.click('[data-report-kind="follow_up"]')
    page.click("#rep-submit")
    expect(page.locator("[data-testid=rep-msg]")).to_have_text("Send the initial report first")


# --- HTTP ---------------------------------------------------------------------------------------------


def _client(app: Any, settings: Any, session: Session, user_id: int) -> TestClient:
    user = session.get(User, user_id)
    assert user is not None
    token, _ = auth_service.create_token(settings=settings, user=user)
    client = TestClient(app, base_url="https://testserver", follow_redirects=False)
    client.cookies.set(SESSION_COOKIE, token)
    return client


@pytest.fixture
def linqing_incident(session: Session, world: Any) -> Iterator[int]:
    admin = session.get(User, world.users["admin"])
    inc = incident_service.create_incident(
        session=session, actor=admin, data=IncidentCreate(
            title="临清某厂火灾", category="accident", type="fire", division_code="371581", lon=115.7, lat=36.84,
            occurred_at=utcnow() - timedelta(minutes=10)))
    session.flush()
    yield inc.id


def test_pages_need_a_login_and_unknown_incidents_are_404(
    app: Any, settings: Any, session: Session, world: Any, linqing_incident: int
) -> None:
    anon = TestClient(app, base_url="https://testserver", follow_redirects=False)
    r = anon.get("/incidents", headers={"Accept": "text/html"})
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/incidents"
    duty = _client(app, settings, session, world.users["duty"])
    html = duty.get("/incidents").text
    assert 'data-nav="incidents"' in html and 'class="active"' in html and "指挥调度" in html
    assert 'id="report-form"' in html and '<meta name="csrf-token"' in html
    assert "/static/css/incidents.css" in html and "/static/js/incidents_board.js" in html
    page = duty.get(f"/incidents/{linqing_incident}")
    assert page.status_code == 200 and "临清某厂火灾" in page.text
    for bad in ("999999", "abc", "0", "99999999999"):
        r = duty.get(f"/incidents/{bad}")
        assert r.status_code == 404 and "<html" in r.text, bad
    # another county's incident is not found for a county user
    county = _client(app, settings, session, world.users["dongchangfu"])
    assert county.get(f"/incidents/{linqing_incident}").status_code == 404
    assert county.get("/incidents").status_code == 200


def test_a_viewer_reads_without_the_report_form(app: Any, settings: Any, session: Session, world: Any,
                                                linqing_incident: int) -> None:
    viewer = _client(app, settings, session, world.users["viewer"])
    html = viewer.get("/incidents").text
    assert 'id="report-form"' not in html and "no-report" in html
    ws = viewer.get(f"/incidents/{linqing_incident}").text
    assert 'id="lv-accept"' not in ws and 'id="note-form"' not in ws
    config = re.search(r'<script type="application/json" id="inc-config">(.*?)</script>', ws, re.S)
    assert config and '"update": false' in config.group(1) and '"dispatch": false' in config.group(1)


def test_every_incident_text_is_in_the_catalogue() -> None:
    used: set[str] = set()
    for path in (WEB / "templates" / "incidents").glob("*.html"):
        used |= set(re.findall(r"""\bt\('([a-z0-9_.]+)'""", path.read_text(encoding="utf-8")))
    assert used and not {k for k in used if k not in MESSAGES and not k.endswith((".", "_"))}
    scripts = list((WEB / "static" / "js").glob("incidents*.js"))
    assert len(scripts) == 3
    js = js_messages("en")
    for path in scripts:
        keys = set(re.findall(r"""\bT\('([a-z0-9_.]+)'""", path.read_text(encoding="utf-8")))
        assert not {k for k in keys if k not in js and not k.endswith(".") and not k.endswith("_")}, path.name
    for key, (zh, en) in MESSAGES.items():
        if key.startswith("inc."):
            assert zh and en, key
