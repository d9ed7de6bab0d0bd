"""The supervision pages (督办考核) in real headless Chromium against a live server on a migrated SQLite
file: the small synthetic world of conftest.seed (a hospital with 80 infectious-disease beds, an
isolation site of 120 rooms in 临清市, no road network), the Liaocheng action plan, three department
units with a user each, and a few synthetic progress reports (演示数据为合成数据).

Browser tests: the dashboard's indicators with their traffic lights (network-based ones "not
available"), charts, the per-division comparison and the report links; drilling from a section to a
task to its progress reports; the as-of day changing what is shown; reporting progress, the API's
4xx messages beside the fields, confirming and returning as the lead unit; English; the print view.
The rest checks the texts: every message used by the templates and scripts is in the catalogue, and
the translated status reasons and API messages follow what the services really say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from webui_helpers import VIEWPORT  # type: ignore[import-not-found]

from yingji.auth import service as auth_service
from yingji.auth.models import User
from yingji.registry.models import Unit
from yingji.supervision import service
from yingji.supervision.common import SYSTEM
from yingji.supervision.enums import TaskStatus
from yingji.supervision.models import ActionPlan, ActionTask, ProgressReport
from yingji.supervision.schemas import ProgressCreate
from yingji.web import i18n_supervision
from yingji.web.i18n import MESSAGES
from yingji.web.pages_supervision import fmt_num, per_division_verdict, sparkline, status_reason

LiveServer = Any  # tests/web/conftest.py: url, settings, sessionmaker, admin
WEB = Path(__file__).resolve().parents[2] / "src" / "yingji" / "web"
PASSWORD = "Sv-dept-pass-1"
UNITS = {"emergency": "市应急局", "finance": "市财政局", "health": "市卫生健康委"}

browser_test = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@dataclass
class SvWorld:
    server: LiveServer
    tasks: dict[int, int]  # task number → id
    reports: dict[str, int]

    @property
    def url(self) -> str:
        return str(self.server.url)


def _load(session: Any, data_dir: Path) -> tuple[dict[int, int], dict[str, int]]:
    units = {key: Unit(name=name, kind="department", division_code="371500") for key, name in UNITS.items()}
    session.add_all(units.values())
    session.flush()
    session.add_all(
        [
            User(
                username=f"sv-{key}",
                display_name=f"{unit.name}联络员",
                role="department",
                division_code="371500",
                unit_id=unit.id,
                password_hash=auth_service.hash_password(PASSWORD),
            )
            for key, unit in units.items()
        ]
    )
    service.load_plan(session=session, path=service.PACKAGED_PLAN, actor=SYSTEM)
    plan = session.scalar(select(ActionPlan))
    assert plan is not None
    tasks = dict(session.execute(select(ActionTask.number, ActionTask.id).where(ActionTask.plan_id == plan.id)).all())

    def report(task: int, unit: str, day: date, percent: int, text: str, done: list[int] | None = None) -> int:
        r = service.create_report(
            session=session,
            user=SYSTEM,
            task_id=tasks[task],
            today=date(2023, 1, 1),
            data=ProgressCreate(
                percent=percent,
                narrative=f"【演示数据】{text}",
                reported_on=day,
                milestones_done=done or [],
                unit_id=units[unit].id,
            ),
        )
        return int(r.id)

    first = report(2, "emergency", date(2021, 6, 30), 60, "市应急指挥中心主体改造完成")
    service.add_evidence(
        session=session,
        user=SYSTEM,
        report_id=first,
        data_dir=data_dir,
        filename="指挥中心改造验收记录.txt",
        content_type="text/plain",
        content="合成演示数据：验收记录".encode(),
        max_bytes=1_000_000,
    )
    service.review_report(session=session, user=SYSTEM, report_id=first, confirm=True, note=None)
    final = report(2, "emergency", date(2021, 12, 28), 100, "市、县应急指挥中心均已达标运行", [1])
    service.review_report(session=session, user=SYSTEM, report_id=final, confirm=True, note="合成演示数据")
    health = report(22, "health", date(2022, 6, 15), 40, "传染病床位扩容推进中")
    from yingji.supervision.indicators import report_value
    from yingji.supervision.schemas import IndicatorValueIn

    report_value(
        session=session,
        user=SYSTEM,
        plan=plan,
        key="command_centres_standard",
        today=date(2023, 1, 1),
        data=IndicatorValueIn(value=100, on_date=date(2021, 12, 28), source="市应急局验收记录（合成演示数据）"),
    )
    return tasks, {"first": first, "final": final, "health": health}


@pytest.fixture(scope="module")
def sv(live_server: LiveServer) -> SvWorld:
    """The live server's world plus the plan, three department units and users, and reports."""
    with live_server.sessionmaker() as session, session.begin():
        tasks, reports = _load(session, live_server.settings.data_dir)
    return SvWorld(server=live_server, tasks=tasks, reports=reports)


def sign_in(page: Page, world: SvWorld, who: str, next_path: str) -> None:
    """Sign in as ``admin`` or a department user (``emergency``, ``finance``, ``health``)."""
    username, password = world.server.admin if who == "admin" else (f"sv-{who}", PASSWORD)
    page.goto(f"{world.url}/login?next={quote(next_path, safe='/?=&')}")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(re.compile(re.escape(world.url + next_path.split("?")[0]) + r"(\?.*)?(#.*)?$"))


def set_day(page: Page, day: str) -> None:
    """Choose the day under review in the date picker: the page reloads for it."""
    page.fill("#sv-asof-date", day)
    page.wait_for_url(re.compile(rf"as_of={day}"))
    expect(page.locator("[data-testid=sv-asof-note]")).to_contain_text(day)


def indicator(page: Page, key: str) -> Any:
    return page.locator(f'.sv-ind[data-indicator="{key}"]')


# --- browser ------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_dashboard_lights_charts_and_drill_down_to_reports(page: Page, sv: SvWorld) -> None:
    sign_in(page, sv, "admin", "/supervision")
    expect(page.locator("[data-nav=supervision]")).to_have_text("督办考核")
    expect(page.locator("[data-nav=supervision]")).to_have_attribute("aria-current", "page")
    expect(page.locator("h1")).to_have_text("督办考核")
    expect(page.locator("[data-testid=sv-plan]")).to_contain_text("三年行动计划")
    expect(page.locator("[data-testid=sv-total]")).to_have_text("41")
    expect(page.locator("[data-testid=sv-count-done] .sv-kpi-num")).to_have_text("1")  # task 2, confirmed 100 %
    expect(page.locator("[data-testid=sv-health]")).to_have_attribute("data-health", "red")

    # indicators with traffic lights: 80 infectious-disease beds against 600, past the due date → red
    expect(page.locator(".sv-ind")).to_have_count(19)
    beds = indicator(page, "infectious_disease_beds")
    expect(beds).to_have_attribute("data-light", "red")
    expect(beds.locator("[data-testid=ind-value]")).to_have_text("80 张")
    expect(beds.locator("[data-testid=ind-target]")).to_have_text("目标 ≥ 600 张")
    expect(beds.locator(".sv-ind-meta")).to_contain_text("未达标（已到期）")
    expect(beds.locator("svg.sv-spark")).to_have_attribute("data-points", re.compile(r"^[1-9]\d*$"))
    expect(indicator(page, "command_centres_standard")).to_have_attribute("data-light", "green")
    # no road network in this world: the network-based ones say so, grey, without a number
    for key in ("fire_rescue_5min", "medical_rescue_2h"):
        card = indicator(page, key)
        expect(card).to_have_attribute("data-light", "grey")
        expect(card).to_have_attribute("data-available", "false")
        expect(card.locator("[data-testid=ind-value]")).to_have_text("—")
        expect(card.locator("[data-testid=ind-state]")).to_contain_text("未加载路网")
    drills = indicator(page, "drills_on_schedule")  # its source module does not exist yet
    expect(drills).to_have_attribute("data-light", "grey")
    expect(drills.locator("[data-testid=ind-state]")).to_contain_text("source module not available")
    expect(page.locator('[data-testid=sv-light-counts] [data-light="grey"] strong')).not_to_have_text("0")

    # charts (ECharts, vendored, SVG renderer), the per-division comparison, the report links
    for chart in ("sections", "units"):
        expect(page.locator(f'[data-chart="{chart}"][data-ready="true"] svg').first).to_be_visible()
    rooms_chart = '[data-chart="division"][data-key="isolation_rooms_per_county"][data-ready="true"] svg'
    expect(page.locator(rooms_chart)).to_be_visible()
    linqing = page.locator('[data-testid=sv-division-table] tr[data-division="371581"]')
    rooms = linqing.locator('td[data-key="isolation_rooms_per_county"]')
    expect(rooms).to_contain_text("120 间")
    expect(rooms).to_have_attribute("data-met", "false")  # 120 < 400 rooms per county
    expect(linqing.locator('td[data-key="infectious_disease_beds"]')).to_have_attribute("data-met", "none")
    overdue = page.locator("[data-testid=sv-overdue]")
    expect(overdue.locator("tr[data-task]")).to_have_count(40)
    expect(overdue.locator('tr[data-task="2"]')).to_have_count(0)
    docx = page.locator("[data-testid=sv-report-docx]")
    page.fill("#sv-report-month", "2022-06")
    expect(docx).to_have_attribute("href", "/api/v1/supervision/monthly-report?month=2022-06&format=docx")
    answer = page.request.get(sv.url + (docx.get_attribute("href") or ""))
    assert answer.status == 200 and answer.body()[:2] == b"PK"  # a .docx (zip), with the session cookie
    xlsx = page.request.get(sv.url + (page.locator("[data-testid=sv-report-xlsx]").get_attribute("href") or ""))
    assert xlsx.status == 200 and "spreadsheetml" in xlsx.headers["content-type"]

    # drill down: section 一 → its tasks → task 2 → its progress reports and evidence
    page.locator('[data-testid=sv-sections] tr[data-section="一"] a').click()
    page.wait_for_url(re.compile(r"/supervision/tasks\?section=%E4%B8%80$"))
    expect(page.locator("[data-testid=sv-tasks-title]")).to_have_text("一、完善应急管理领导指挥体系")
    rows = page.locator("[data-testid=sv-task-table] tbody tr")
    expect(rows).to_have_count(4)
    expect(page.locator('tr[data-task="2"]')).to_have_attribute("data-status", "done")
    page.locator('tr[data-task="2"] [data-testid=task-link]').click()
    page.wait_for_url(f"{sv.url}/supervision/tasks/{sv.tasks[2]}")
    expect(page.locator("[data-testid=sv-task-title]")).to_have_text("任务 2：加快应急指挥平台建设")
    expect(page.locator("[data-testid=task-status]")).to_have_text("已完成")
    expect(page.locator("[data-testid=task-reason]")).to_have_text("2021-12-28 确认完成")
    expect(page.locator("[data-testid=sv-task-text]")).to_contain_text("牵头单位：市应急局")
    expect(page.locator('[data-testid=sv-task-units] li[data-role="lead"]')).to_contain_text("市应急局")
    expect(page.locator('[data-milestone="1"] [data-testid=milestone-state]')).to_have_text("2021-12-28 已完成")
    reports = page.locator("[data-testid=report]")
    expect(reports).to_have_count(2)
    expect(reports.first.locator("[data-testid=report-narrative]")).to_contain_text("均已达标运行")
    expect(reports.first.locator("[data-testid=report-status]")).to_have_text("已确认")
    evidence = reports.nth(1).locator("[data-testid=report-evidence] a")
    expect(evidence).to_have_text(re.compile("指挥中心改造验收记录.txt"))
    got = page.request.get(sv.url + (evidence.get_attribute("href") or ""))
    assert got.status == 200 and "验收记录".encode() in got.body()
    expect(page.locator("[data-testid=review-form]")).to_have_count(0)  # nothing left to confirm
    page.click("[data-testid=sv-back-section]")
    page.wait_for_url(re.compile(r"/supervision/tasks\?section="))


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_the_as_of_day_changes_what_is_shown(page: Page, sv: SvWorld) -> None:
    task = f"/supervision/tasks/{sv.tasks[2]}"
    sign_in(page, sv, "admin", task)
    set_day(page, "2021-12-01")  # before the confirmed 100 % report of 2021-12-28
    expect(page.locator("[data-testid=task-status]")).to_have_text("正常推进")
    expect(page.locator("[data-testid=task-reason]")).to_have_text("报告进度 60%，时序进度 36%")
    expect(page.locator('[data-milestone="1"]')).to_have_attribute("data-state", "pending")
    expect(page.locator("[data-testid=report]")).to_have_count(1)
    set_day(page, "2022-01-05")  # after it
    expect(page.locator("[data-testid=task-status]")).to_have_text("已完成")
    expect(page.locator('[data-milestone="1"]')).to_have_attribute("data-state", "achieved")
    expect(page.locator("[data-testid=report]")).to_have_count(2)

    # the day is kept while moving around, and the dashboard shows that day too
    page.locator(".crumbs a").first.click()
    page.wait_for_url(re.compile(r"/supervision\?as_of=2022-01-05$"))
    expect(page.locator("[data-testid=sv-count-done] .sv-kpi-num")).to_have_text("1")
    expect(indicator(page, "command_centres_standard")).to_have_attribute("data-light", "green")
    expect(page.locator("#sv-report-month")).to_have_value("2022-01")
    set_day(page, "2021-12-01")
    expect(page.locator("[data-testid=sv-count-done] .sv-kpi-num")).to_have_text("0")
    # the reported value of 2021-12-28 did not exist yet; due 2021-12-31, so no verdict either
    expect(indicator(page, "command_centres_standard")).to_have_attribute("data-light", "grey")
    # registry indicators keep no history: before the first snapshot there is no value to show
    expect(indicator(page, "infectious_disease_beds").locator("[data-testid=ind-value]")).to_have_text("—")
    expect(page.locator("[data-testid=sv-no-overdue]")).to_have_text("没有逾期任务")  # no milestone was due yet
    page.click("[data-testid=sv-asof-today]")
    expect(page.locator("[data-testid=sv-asof-note]")).to_contain_text("今天")


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_units_report_progress_and_the_lead_unit_confirms(page: Page, browser: Browser, sv: SvWorld) -> None:
    task = f"/supervision/tasks/{sv.tasks[22]}"
    sign_in(page, sv, "finance", task)  # 市财政局: a responsible unit of task 22, not its lead
    form = page.locator("[data-testid=sv-report-form]")
    expect(form).to_be_visible()
    expect(page.locator("[data-testid=review-form]")).to_have_count(0)
    page.fill("#sv-percent", "150")
    page.fill("#sv-date", "2099-01-01")
    page.click("[data-testid=sv-report-submit]")
    # the API's 422, beside each field, translated, with the API's own words
    expect(form.locator('[data-error-for="percent"]')).to_contain_text("应小于或等于 100")
    expect(form.locator('[data-error-for="narrative"]')).to_contain_text("必填")
    page.fill("#sv-percent", "50")
    page.fill("#sv-narrative", "落实隔离场所改造资金（合成演示数据）")
    page.click("[data-testid=sv-report-submit]")
    expect(form.locator('[data-error-for="reported_on"]')).to_contain_text("日期不能晚于今天")
    expect(form.locator('[data-error-for="reported_on"] .sv-api-msg')).to_contain_text("2099-01-01 is in the future")
    expect(form.locator('[data-error-for="percent"]')).to_be_hidden()
    page.fill("#sv-date", "2022-08-15")
    page.set_input_files(
        "#sv-file", files=[{"name": "资金文件.txt", "mimeType": "text/plain", "buffer": "合成演示数据".encode()}]
    )
    page.click("[data-testid=sv-report-submit]")
    page.wait_for_url(re.compile(r"done=reported"))
    expect(page.locator("[data-testid=sv-done]")).to_contain_text("进展已提交")
    mine = page.locator("[data-testid=report]").filter(has_text="落实隔离场所改造资金")
    expect(mine.locator("[data-testid=report-status]")).to_have_text("待确认")
    expect(mine.locator("[data-testid=report-evidence]")).to_contain_text("资金文件.txt")
    expect(mine).to_contain_text("市财政局")
    report_id = mine.get_attribute("data-report-id")
    # a task the unit does not own: no form, and why
    page.goto(f"{sv.url}/supervision/tasks/{sv.tasks[5]}")
    expect(page.locator("[data-testid=sv-report-form]")).to_have_count(0)
    expect(page.locator("[data-testid=sv-report-note]")).to_contain_text("不是该任务的牵头或负责单位")
    # a reported indicator of a task the unit owns: the API refuses 150 % beside the value
    page.goto(f"{sv.url}/supervision/indicators/command_centres_standard")
    page.fill("#sv-value", "150")
    page.fill("#sv-source", "测试")
    page.click("[data-testid=sv-value-submit]")
    expect(page.locator('#sv-value-form [data-error-for="value"]')).to_contain_text("百分比应在 0–100 之间")

    # the lead unit (市卫生健康委) returns one report without a note (refused), then with one, confirms the other
    lead = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    lead.set_default_timeout(10_000)
    other = lead.new_page()
    errors: list[str] = []
    other.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        sign_in(other, sv, "health", task)
        theirs = other.locator(f'[data-report-id="{sv.reports["health"]}"][data-testid=report]')
        finance = other.locator(f'[data-report-id="{report_id}"][data-testid=report]')
        theirs.locator("[data-testid=return]").click()
        expect(theirs.locator('[data-error-for="note"]')).to_contain_text("退回时请填写原因")
        theirs.locator('input[name="note"]').fill("请补充床位清单（合成演示数据）")
        theirs.locator("[data-testid=return]").click()
        other.wait_for_url(re.compile(r"done=returned"))
        expect(theirs.locator("[data-testid=report-status]")).to_have_text("已退回")
        expect(theirs).to_contain_text("请补充床位清单")
        finance.locator("[data-testid=confirm]").click()
        other.wait_for_url(re.compile(r"done=confirmed"))
        expect(finance.locator("[data-testid=report-status]")).to_have_text("已确认")
        expect(other.locator("[data-testid=task-percent]")).to_have_text("50%")
        expect(other.locator("[data-testid=review-form]")).to_have_count(0)
    finally:
        lead.close()
    assert not errors, errors

    # the finance page still offers nothing to confirm; a second submission of the same form is its own report
    page.goto(f"{sv.url}{task}")
    expect(page.locator(f'[data-report-id="{report_id}"] [data-testid=report-status]')).to_have_text("已确认")


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_a_refusal_by_the_api_is_shown_beside_the_form(page: Page, sv: SvWorld) -> None:
    """The page offers confirming a report that meanwhile was confirmed elsewhere: the API's 409."""
    with sv.server.sessionmaker() as session, session.begin():
        rid = service.create_report(
            session=session,
            user=SYSTEM,
            task_id=sv.tasks[22],
            today=date(2023, 1, 1),
            data=ProgressCreate(
                percent=70,
                narrative="【演示数据】床位扩容完成七成",
                reported_on=date(2022, 9, 30),
                unit_id=session.scalar(select(Unit.id).where(Unit.name == UNITS["health"])),
            ),
        ).id
    sign_in(page, sv, "health", f"/supervision/tasks/{sv.tasks[22]}")
    item = page.locator(f'[data-report-id="{rid}"][data-testid=report]')
    expect(item.locator("[data-testid=confirm]")).to_be_visible()
    with sv.server.sessionmaker() as session, session.begin():
        service.review_report(session=session, user=SYSTEM, report_id=rid, confirm=True, note=None)
    item.locator("[data-testid=confirm]").click()
    message = item.locator('[data-error-for="__all__"]')
    expect(message).to_contain_text("该报告已处理，不能再更改")
    expect(message.locator(".sv-api-msg")).to_have_attribute("data-api-status", "409")
    expect(message).to_contain_text("it can no longer change")
    with sv.server.sessionmaker() as session:
        stored = session.get(ProgressReport, rid)
        assert stored is not None and stored.status == "confirmed"


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_english_and_the_print_view(page: Page, sv: SvWorld) -> None:
    sign_in(page, sv, "admin", "/supervision")
    page.click("[data-lang-switch=en]")
    page.wait_for_url(re.compile(r"/supervision$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Supervision")
    expect(page.locator("[data-nav=supervision]")).to_have_text("Supervision")
    beds = indicator(page, "infectious_disease_beds")
    expect(beds.locator(".sv-ind-name")).to_have_text("Infectious-disease beds")
    expect(beds.locator("[data-testid=ind-value]")).to_have_text("80 beds")
    expect(beds.locator("[data-testid=ind-target]")).to_have_text("Target ≥ 600 beds")
    expect(beds.locator(".sv-ind-meta")).to_contain_text("Missed")
    expect(indicator(page, "fire_rescue_5min").locator("[data-testid=ind-state]")).to_contain_text(
        "No road network is loaded"
    )
    expect(page.locator("[data-testid=sv-count-overdue]")).to_contain_text("Overdue")
    expect(page.locator("#sv-overall-h")).to_have_text("Overall status")
    page.goto(f"{sv.url}/supervision/tasks/{sv.tasks[2]}?as_of=2021-12-01")
    expect(page.locator("[data-testid=task-status]")).to_have_text("On track")
    expect(page.locator("[data-testid=task-reason]")).to_have_text("Reported 60%, expected 36%")
    expect(page.locator("[data-testid=sv-report-section] h2")).to_have_text("Report progress")

    # the print view: A4, without the header and the controls when printed
    page.goto(f"{sv.url}/supervision/print?as_of=2022-01-05")
    expect(page.locator("[data-testid=sv-print-asof]")).to_contain_text("As of 2022-01-05")
    centres = page.locator('[data-testid=sv-print-indicators] tr[data-indicator="command_centres_standard"]')
    expect(centres).to_have_attribute("data-light", "green")
    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.locator("[data-testid=sv-print-button]")).to_be_hidden()
    width = page.locator("[data-testid=sv-sheet]").evaluate("el => el.getBoundingClientRect().width")
    assert width <= VIEWPORT["width"]
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    assert pdf[:4] == b"%PDF"
    page.emulate_media(media="screen")
    page.click("[data-lang-switch=zh-CN]")
    expect(page.locator("[data-testid=sv-print-asof]")).to_contain_text("截至 2022-01-05")


# --- texts (no browser) -------------------------------------------------------------------------------


def test_every_message_of_the_supervision_templates_and_scripts_is_in_the_catalogue() -> None:
    used: set[str] = set()
    for path in (WEB / "templates" / "supervision").glob("*.html"):
        used |= set(re.findall(r"""\bt\('([a-z0-9_.]+)'""", path.read_text(encoding="utf-8")))
    used |= {"sv.health.green", "sv.health.amber", "sv.health.red"}  # t('sv.health.' ~ …)
    used |= {f"sv.done.{d}" for d in ("reported", "confirmed", "returned", "value")}
    missing = {k for k in used if k not in MESSAGES and not k.endswith(".")}
    assert not missing
    script = (WEB / "static" / "js" / "supervision-forms.js").read_text(encoding="utf-8")
    assert set(re.findall(r"""\bT\('([a-z_]+)'""", script)) <= set(i18n_supervision.JS_TEXTS)
    for key, (zh, en) in i18n_supervision.SUPERVISION_MESSAGES.items():
        assert zh and en, key
    for lang in ("zh-CN", "en"):
        texts = i18n_supervision.form_messages(lang)
        assert all(texts["texts"].values()) and len(texts["known"]) == len(i18n_supervision.API_PATTERNS)
        assert texts["types"]["less_than_equal"] in ("应小于或等于 {limit}", "Must be at most {limit}")


def test_the_status_reasons_are_translated_from_what_the_service_says() -> None:
    samples = {
        "2021-12-28 确认完成": "Confirmed done on 2021-12-28",
        "节点1（2021-12-31前）未完成：市、县应急指挥中心达标运行": (
            "Milestone 1 (due 2021-12-31) not achieved: 市、县应急指挥中心达标运行"
        ),
        "已超过完成时限 2022-12-31，未确认完成": "Past its deadline 2022-12-31 and not confirmed done",
        "尚无进展报告": "No progress report yet",
        "时序进度已达 45%，尚无进展报告": "45% of the time has passed and there is no progress report yet",
        "报告进度 10% 落后于时序进度 45%": "Reported 10% trails the expected 45%",
        "报告进度 60%，时序进度 36%": "Reported 60%, expected 36%",
    }
    for zh, en in samples.items():
        assert status_reason(zh, "zh-CN") == zh
        assert status_reason(zh, "en") == en
    assert status_reason("something new", "en") == "something new"
    # the service's own wording (checked on its source, so that a change there shows up here)
    source = (WEB.parent / "supervision" / "service.py").read_text(encoding="utf-8")
    fragments = ("确认完成", "）未完成：", "已超过完成时限 ", "，未确认完成", "尚无进展报告")
    fragments += ("% 落后于时序进度 ", "时序进度已达 ")
    for fragment in fragments:
        assert fragment in source
    assert {s.value for s in TaskStatus} == {"not_started", "on_track", "at_risk", "overdue", "done"}


def test_the_api_messages_the_forms_translate_are_those_of_the_services() -> None:
    sources = "".join(
        (WEB.parent / sub).read_text(encoding="utf-8")
        for sub in ("supervision/service.py", "supervision/indicators.py", "auth/permissions.py", "deps.py")
    )
    examples = {
        "future": "2099-01-01 is in the future",
        "before_plan": "2019-01-01 is before the plan period (2020-01-01)",
        "no_milestone": "task 2 has no milestone 5 (its milestones: [1])",
        "name_unit": "name the reporting unit",
        "not_owner": "task 5: your unit is neither a lead nor a responsible unit of this task",
        "lead_only": "only a lead unit of task 22 may confirm or return its reports",
        "closed": "progress report 3 is confirmed; it can no longer change",
        "say_why": "say why the report is returned",
        "own_unit": "unit_id: a department user reports only for its own unit 4",
        "no_unit": "unit_id: your account belongs to no unit",
        "csrf": "missing or wrong X-CSRF-Token header for a cookie-authenticated request",
        "empty_file": "the file is empty",
        "too_large": "file: exceeds the upload limit of 10 bytes",
        "not_task_unit": "indicator x: your unit owns none of its tasks [2]",
        "percent_range": "must be a percentage between 0 and 100 (got 150)",
        "negative": "must not be negative",
        "not_reported": "indicator x is computed, not reported; its value is not entered by hand",
        "role": "role 'viewer' may not create progress_reports",
    }
    patterns = dict((name, pattern) for pattern, name in i18n_supervision.API_PATTERNS)
    assert set(patterns) == set(examples)
    for name, message in examples.items():
        assert re.search(patterns[name], message, re.I), name
    for words in ("is in the future", "is before the plan period", "has no milestone", "name the reporting unit",
                  "neither a lead nor a responsible unit", "only a lead unit of task", "it can no longer change",
                  "say why the report is returned", "reports only for its own unit", "your account belongs to no unit",
                  "the file is empty", "upload limit", "your unit owns none of its tasks",
                  "must be a percentage between 0 and 100", "must not be negative", "its value is not entered by hand",
                  "may not {action} {resource}"):
        assert words in sources, words


def test_formatting_helpers() -> None:
    shown = [fmt_num(v) for v in (None, 80.0, 1234.0, 0.0105, 92.35, 0.011)]
    assert shown == ["—", "80", "1,234", "0.011", "92.3", "0.011"]
    assert per_division_verdict("isolation_rooms_per_county", "间", "ge")
    assert per_division_verdict("fire_rescue_5min", "%", "ge")
    assert per_division_verdict("deaths_per_100m_gdp", "人/亿元", "le")
    assert not per_division_verdict("infectious_disease_beds", "张", "ge")
    line = sparkline([1.0, 3.0, 2.0])
    assert line is not None and line["count"] == 3 and line["points"].startswith("0")
    assert sparkline([]) is None
    flat = sparkline([5.0])
    assert flat is not None and flat["count"] == 1


def test_echarts_is_vendored_with_its_licence_and_no_page_uses_a_cdn() -> None:
    vendor = WEB / "static" / "vendor" / "echarts"
    assert (vendor / "echarts.min.js").stat().st_size > 500_000
    assert "Apache License" in (vendor / "LICENSE").read_text(encoding="utf-8")
    assert (vendor / "NOTICE").exists()
    for path in (WEB / "templates" / "supervision").glob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text and "cdn" not in text.lower(), path.name
    css = (WEB / "static" / "css" / "supervision.css").read_text(encoding="utf-8")
    assert "@page" in css and "A4" in css and "@media print" in css
