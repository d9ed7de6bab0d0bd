"""The dashboard, the monthly report (.docx/.xlsx), reminders, and the demo loader."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from docx import Document
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from svhelpers import API, ok  # type: ignore[import-not-found]

from yingji.registry.models import Division
from yingji.supervision.common import SYSTEM, local_today
from yingji.supervision.demo import load_demo
from yingji.supervision.models import ActionPlan, GdpFigure, LossStatistic, ProgressReport

Dept = Callable[[str], TestClient]


@pytest.fixture
def history(clients: Any, task_ids: dict[int, int], dept_client: Dept) -> None:
    """Task 2 done in December 2021 (confirmed); task 22 reported at 40 % in June 2022; statistics."""
    emergency = dept_client("市应急局")
    body = {"percent": 100, "narrative": "指挥中心达标运行", "reported_on": "2021-12-20", "milestones_done": [1]}
    rid = ok(emergency.post(f"{API}/tasks/{task_ids[2]}/progress", json=body), 201)["id"]
    ok(emergency.post(f"{API}/progress/{rid}/confirm"))
    ok(clients["health"].post(f"{API}/tasks/{task_ids[22]}/progress", json={
        "percent": 40, "narrative": "传染病床位扩容推进中", "reported_on": "2022-06-15"}), 201)
    c = clients["commander"]
    ok(c.post(f"{API}/statistics/gdp", json={"division_code": "371581", "year": 2021, "gdp_100m_yuan": 300}), 201)
    ok(c.post(f"{API}/statistics/losses", json={"kind": "work_safety", "division_code": "371581",
                                                 "period_start": "2021-01-01", "period_end": "2021-12-31",
                                                 "deaths": 3}), 201)


@pytest.mark.usefixtures("history")
def test_dashboard_summarises_the_plan_as_of_a_day(clients: Any) -> None:
    d = ok(clients["commander"].get(f"{API}/dashboard", params={"as_of": "2022-06-30"}))
    assert d["as_of"] == "2022-06-30" and d["plan"]["code"] == "liaocheng-2020-2022"
    overall = d["overall"]
    assert overall["tasks"] == 41 and sum(overall["by_status"].values()) == 41
    assert overall["by_status"]["done"] == 1 and overall["health"] == "red"  # tasks 5, 10, 20, 35: 2021 milestones
    assert [s["section"] for s in d["by_section"]] == list("一二三四五六七八九十")
    assert sum(s["tasks"] for s in d["by_section"]) == 41
    six = d["by_section"][5]
    assert six["title"] == "提高应急医疗卫生保障能力" and six["tasks"] == 4 and six["mean_percent"] == 10.0
    overdue = {o["number"] for o in d["overdue"]}
    assert overdue == {5, 10, 20, 35} and all(o["milestones"] for o in d["overdue"])
    units = {u["name"]: u for u in d["by_unit"]}
    assert units["市应急局"]["lead"] == 29 and units["市应急局"]["responsible"] == 2
    assert units["市应急局"]["by_status"]["done"] == 1
    assert units["市委编办"]["unit_id"] is None  # named by the plan, not in the registry: still counted
    lights = d["indicators"]["by_light"]
    assert sum(lights.values()) == 19 and d["indicators"]["by_kind"]["unavailable"] == 1
    rows = {r["division_code"]: r for r in d["divisions"]["rows"]}
    assert rows["371581"]["values"]["deaths_per_100m_gdp"] == pytest.approx(0.01)
    # registry values keep no history: for a past day without snapshots only the statistics compare
    assert [c["key"] for c in d["divisions"]["columns"]] == ["deaths_per_100m_gdp"]
    today = ok(clients["commander"].get(f"{API}/dashboard"))
    columns = {c["key"] for c in today["divisions"]["columns"]}
    assert {"isolation_rooms_per_county", "infectious_disease_beds"} <= columns
    assert "市委编办" in d["unmatched_units"]
    # a county user's per-division comparison holds its own county only
    mine = ok(clients["linqing"].get(f"{API}/dashboard", params={"as_of": "2022-06-30"}))
    assert [r["division_code"] for r in mine["divisions"]["rows"]] == ["371581"]
    assert "东昌府" not in str(mine["divisions"]) and "东昌府" not in str(mine["indicators"])


@pytest.mark.usefixtures("history")
def test_monthly_report_docx_and_xlsx(clients: Any) -> None:
    c = clients["duty"]
    r = c.get(f"{API}/monthly-report", params={"month": "2022-06", "format": "docx"})
    assert r.status_code == 200 and r.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert "supervision-liaocheng-2020-2022-2022-06.docx" in r.headers["content-disposition"]
    doc = Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "督办月报（2022年6月）" in text and "统计截止日期：2022-06-30" in text
    assert "任务共 41 项" in text and "本月进展报告 1 份" in text
    cells = {cell.text for t in doc.tables for row in t.rows for cell in row.cells}
    assert "传染病床位扩容推进中" in cells and "亿元GDP生产安全事故死亡率" in cells and "临清市" in cells
    r = c.get(f"{API}/monthly-report", params={"month": "2022-06", "format": "xlsx"})
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["概况", "分类推进情况", "任务进展", "逾期任务", "本月进展报告", "指标完成情况",
                             "分区对比", "单位任务情况"]
    tasks = list(wb["任务进展"].iter_rows(values_only=True))
    assert tasks[0][0] == "任务" and len(tasks) == 42 and tasks[2][4] == "已完成"  # task 2
    assert [row[0] for row in wb["逾期任务"].iter_rows(min_row=2, values_only=True)] == [5, 10, 20, 35]
    reports = list(wb["本月进展报告"].iter_rows(min_row=2, values_only=True))
    assert len(reports) == 1 and reports[0][0] == 22 and reports[0][3] == 40
    indicators = {row[0]: row for row in wb["指标完成情况"].iter_rows(min_row=2, values_only=True)}
    assert indicators["亿元GDP生产安全事故死亡率"][2] == "≤0.011人/亿元"
    assert indicators["亿元GDP生产安全事故死亡率"][3] == "0.01" and indicators["亿元GDP生产安全事故死亡率"][4] == "达标"


def test_monthly_report_bad_input_and_permissions(clients: Any, plan: ActionPlan) -> None:
    c = clients["commander"]
    nxt = local_today().replace(day=1) + timedelta(days=32)
    r = c.get(f"{API}/monthly-report", params={"month": nxt.strftime("%Y-%m")})
    assert r.status_code == 422 and "month" in r.text
    assert c.get(f"{API}/monthly-report", params={"month": "2022-13"}).status_code == 422
    assert c.get(f"{API}/monthly-report", params={"month": "June"}).status_code == 422
    assert c.get(f"{API}/monthly-report", params={"month": "2022-06", "format": "pdf"}).status_code == 422
    assert clients["viewer"].get(f"{API}/monthly-report", params={"month": "2022-06"}).status_code == 403
    assert clients["viewer"].get(f"{API}/dashboard").status_code == 200


@pytest.mark.usefixtures("history")
def test_reminders_preview(clients: Any, session: Session) -> None:
    r = ok(clients["commander"].get(f"{API}/reminders", params={"as_of": "2021-12-10", "days": 30}))
    assert "preview only" in r["delivery"] and "yingji plan remind" in r["delivery"]
    due = [x for x in r["items"] if x["kind"] == "milestone_due"]
    # task 2 was already reported done on 2021-12-20, but as of 10 December it is still due
    assert {x["task_number"] for x in due} == {2, 5, 10, 20, 35}
    assert {x["unit_name"] for x in due if x["task_number"] == 2} == {"市应急局", "市财政局", "市大数据局"}
    mine = ok(clients["health"].get(f"{API}/reminders", params={"as_of": "2023-01-10"}))["items"]
    assert mine and {x["unit_name"] for x in mine} == {"市卫生健康委"}


def test_demo_loads_once(session: Session) -> None:
    for code, gdp in (("371581", 310.0), ("371502", 556.0)):  # the demo grows GDP from the registry's figure
        division = session.get(Division, code)
        assert division is not None
        division.gdp_100m_yuan = gdp
    session.flush()
    first = load_demo(session=session, actor=SYSTEM)
    assert first["plan"] == "liaocheng-2020-2022"
    assert first["gdp_figures"] == 8 and first["loss_statistics"] == 16  # 2 counties × 4 years (× 2 kinds)
    assert first["progress_reports"] >= 5 and first["indicator_values"] == 8
    n = session.scalar(select(func.count()).select_from(ProgressReport))
    second = load_demo(session=session, actor=SYSTEM)
    assert (second["progress_reports"], second["gdp_figures"], second["loss_statistics"],
            second["indicator_values"]) == (0, 0, 0, 0)
    assert session.scalar(select(func.count()).select_from(ProgressReport)) == n
    assert all(r.narrative.startswith("【演示数据】") for r in session.scalars(select(ProgressReport)))
    assert {g.source for g in session.scalars(select(GdpFigure))} == {"合成演示数据"}
    assert {s.source for s in session.scalars(select(LossStatistic))} == {"合成演示数据"}


def test_the_dashboard_page_evaluates_the_indicators_once(
    session: Session, world: Any, settings: Any, plan: ActionPlan, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page's summary and its indicator cards share one evaluation (each computed indicator runs
    network coverage or the relief check and records a snapshot): counted through the real
    function, which still does the work."""
    from yingji.auth.models import User
    from yingji.supervision import indicators
    from yingji.web.pages_supervision import Day, dashboard_data

    real = indicators.evaluate_all
    calls: list[int] = []

    def counting(**kwargs: Any) -> Any:
        calls.append(1)
        return real(**kwargs)

    monkeypatch.setattr(indicators, "evaluate_all", counting)
    user = session.get(User, world.users["commander"])
    assert user is not None
    today = local_today()
    data = dashboard_data(session=session, user=user, plan=plan, day=Day(as_of=today, today=today, explicit=False),
                          settings=settings, lang="zh-CN")
    assert data["indicators"] and sum(c["count"] for c in data["light_counts"]) == len(data["indicators"])
    assert len(calls) == 1
