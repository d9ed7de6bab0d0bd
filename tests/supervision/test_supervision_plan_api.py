"""Loading a plan (API and CLI), listing and reading tasks, on a real database through HTTP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from svhelpers import API, ok, unit_id  # type: ignore[import-not-found]

from yingji.audit.models import AuditEntry
from yingji.supervision.models import ActionPlan
from yingji.supervision.service import PACKAGED_PLAN

DOC: dict[str, Any] = json.loads(PACKAGED_PLAN.read_text(encoding="utf-8"))


def _audit_rows(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def test_load_is_idempotent_and_reports_unmatched_units(clients: Any, session: Session) -> None:
    admin = clients["admin"]
    first = ok(admin.post(f"{API}/plans", json=DOC))
    assert first["created"] and first["tasks_created"] == 41 and first["indicators_created"] == len(DOC["indicators"])
    assert first["projects_created"] == 7
    # the base world holds only 市卫生健康委 and 市应急局 of the seed's units: the rest are reported, not dropped
    assert "市委编办" in first["unmatched_units"] and "市应急局" not in first["unmatched_units"]
    assert "各基础电信运营企业" in first["unmatched_units"]
    assert "各基础电信运营企业 → 中国移动聊城分公司" in first["alias_targets_missing"]
    assert "山东通用航空协会" in first["unmatched_units"]
    audits = _audit_rows(session)
    again = ok(admin.post(f"{API}/plans", json=DOC))
    assert not again["created"]
    assert (again["tasks_created"], again["tasks_updated"], again["indicators_updated"], again["projects_updated"]) \
        == (0, 0, 0, 0)
    assert _audit_rows(session) == audits  # nothing changed, nothing written
    plan = ok(admin.get(f"{API}/plan"))
    assert plan["tasks"] == 41 and plan["code"] == "liaocheng-2020-2022" and len(plan["sections"]) == 10
    assert plan["unmatched_units"] == first["unmatched_units"]
    assert len(plan["targets"]) == 8 and "0.011" in plan["overall_text"]
    assert session.scalar(select(func.count()).select_from(ActionPlan)) == 1


def test_units_added_later_match_on_reload(clients: Any, session: Session) -> None:
    admin = clients["admin"]
    ok(admin.post(f"{API}/plans", json=DOC))
    ok(admin.post("/api/v1/units", json={"name": "市委编办", "kind": "department", "division_code": "371500"}), 201)
    again = ok(admin.post(f"{API}/plans", json=DOC))
    assert "市委编办" not in again["unmatched_units"] and again["tasks_updated"] >= 2  # tasks 1 and 17
    uid = unit_id(session, "市委编办")
    mine = ok(admin.get(f"{API}/tasks", params={"unit_id": uid}))
    assert [t["number"] for t in mine["items"]] == [1, 17]
    lead = ok(admin.get(f"{API}/tasks", params={"unit_id": uid, "role": "lead"}))
    assert lead["total"] == 2


def test_a_changed_file_updates_in_place(clients: Any) -> None:
    admin = clients["admin"]
    ok(admin.post(f"{API}/plans", json=DOC))
    doc = json.loads(json.dumps(DOC))
    doc["tasks"][1]["milestones"][0]["text"] = "市、县应急指挥中心达标运行（修订）"
    r = ok(admin.post(f"{API}/plans", json=doc))
    assert r["tasks_updated"] == 1 and r["tasks_created"] == 0
    task2 = ok(admin.get(f"{API}/tasks", params={"q": "加快应急指挥平台建设"}))["items"][0]
    detail = ok(admin.get(f"{API}/tasks/{task2['id']}"))
    assert detail["milestones"][0]["text"].endswith("（修订）")


def test_only_an_administrator_loads_a_plan_and_bad_documents_name_the_field(clients: Any) -> None:
    for user in ("commander", "duty", "health", "linqing", "viewer"):
        assert clients[user].post(f"{API}/plans", json=DOC).status_code == 403
    admin = clients["admin"]
    bad = json.loads(json.dumps(DOC))
    bad["tasks"][3]["number"] = "four"
    r = admin.post(f"{API}/plans", json=bad)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-3:] == ["tasks", 3, "number"]
    bad = json.loads(json.dumps(DOC))
    bad["indicators"][0]["method"] = "astrology"
    r = admin.post(f"{API}/plans", json=bad)
    assert r.status_code == 422 and "indicators" in r.text and "method" in r.text
    bad = json.loads(json.dumps(DOC))
    bad["tasks"][0]["section"] = "十一"
    r = admin.post(f"{API}/plans", json=bad)
    assert r.status_code == 422 and "unknown section" in r.text
    assert admin.get(f"{API}/plan").status_code == 404  # nothing was loaded


def test_task_list_filters_and_detail(clients: Any, plan: Any, session: Session) -> None:
    c = clients["viewer"]
    page = ok(c.get(f"{API}/tasks", params={"size": 100}))
    assert page["total"] == 41 and [t["number"] for t in page["items"]] == list(range(1, 42))
    assert ok(c.get(f"{API}/tasks", params={"section": "六"}))["total"] == 4
    assert [t["number"] for t in ok(c.get(f"{API}/tasks", params={"section": "6"}))["items"]] == [21, 22, 23, 24]
    health = unit_id(session, "市卫生健康委")
    mine = [t["number"] for t in ok(c.get(f"{API}/tasks", params={"unit_id": health, "size": 100}))["items"]]
    assert mine == [1, 4, 6, 7, 8, 12, 16, 17, 18, 19, 21, 22, 23, 24, 36, 37]
    led = [t["number"] for t in ok(c.get(f"{API}/tasks", params={"unit_id": health, "role": "lead"}))["items"]]
    assert led == [6, 18, 19, 21, 22, 23, 24, 36]
    # before any report, early in the plan: not started; much later: at risk / overdue
    early = ok(c.get(f"{API}/tasks", params={"as_of": "2021-05-01", "status": "not_started"}))
    assert early["total"] == 41
    late = ok(c.get(f"{API}/tasks", params={"as_of": "2023-01-15", "status": "overdue"}))
    assert late["total"] == 41
    t2 = ok(c.get(f"{API}/tasks", params={"q": "加快应急指挥平台建设", "as_of": "2021-06-01"}))["items"][0]
    assert t2["number"] == 2 and t2["next_milestone"]["due_on"] == "2021-12-31"
    detail = ok(c.get(f"{API}/tasks/{t2['id']}", params={"as_of": "2022-01-05"}))
    assert detail["status"] == "overdue" and detail["milestones"][0]["overdue"] is True
    assert detail["lead_units"] == ["市应急局"] and detail["units"][0] == {
        "role": "lead", "name": "市应急局", "unit_id": unit_id(session, "市应急局")}
    assert "command_centres_standard" in detail["indicators"]
    assert c.get(f"{API}/tasks/999999").status_code == 404
    assert c.get(f"{API}/tasks", params={"section": "甲"}).status_code == 422
    assert c.get(f"{API}/tasks", params={"status": "sleeping"}).status_code == 422
    projects = ok(c.get(f"{API}/projects"))
    assert len(projects) == 7 and projects[0]["owner_unit_ids"] == [unit_id(session, "市应急局")]
    assert projects[6]["unmatched_owners"] == ["聊城正信集团"]


def test_cli_plan_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``yingji plan load FILE`` on a fresh SQLite database: loads, reloads idempotently, reports names."""
    from typer.testing import CliRunner

    from yingji.config import get_settings
    from yingji.supervision.cli import app

    monkeypatch.setenv("YINGJI_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("YINGJI_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        r = runner.invoke(app, ["load", str(PACKAGED_PLAN)])
        assert r.exit_code == 0, r.output
        assert "plan liaocheng-2020-2022 loaded: tasks +41" in r.output and "市委编办" in r.output
        r = runner.invoke(app, ["load", str(PACKAGED_PLAN)])
        assert r.exit_code == 0 and "reloaded: tasks +0 ~0" in r.output
        bad = tmp_path / "bad.json"
        bad.write_text("{not json", encoding="utf-8")
        r = runner.invoke(app, ["load", str(bad)])
        assert r.exit_code != 0 and "not UTF-8 JSON" in str(r.exception)
        r = runner.invoke(app, ["snapshot"])
        assert r.exit_code == 0, r.output
        r = runner.invoke(app, ["remind", "--dry-run"])
        assert r.exit_code == 0 and "0 notification(s) queued" in r.output
    finally:
        get_settings.cache_clear()
