"""Reporting upward: deadlines by level from the configurable data, due / done / overdue; the
situation report (专报) as .docx (opened with python-docx) and Markdown, holding the figures."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from docx import Document

from yingji.db.base import utcnow


def _report(clients: Any, incident_id: int, kind: str, channel: str = "written", **kw: Any) -> Any:
    body = {"kind": kind, "channel": channel, "recipient": "市委市政府总值班室", "content": "情况报告", **kw}
    return clients["duty"].post(f"/api/v1/incidents/{incident_id}/reports", json=body)


def test_deadlines_follow_the_level(clients: Any, new_incident: Callable[..., dict[str, Any]]) -> None:
    reported = utcnow() - timedelta(minutes=45)
    inc = new_incident(dead=12, occurred_at=(reported - timedelta(minutes=5)).isoformat(),
                       reported_at=reported.isoformat())  # 重大 (II)
    s = clients["duty"].get(f"/api/v1/incidents/{inc['id']}/reports/schedule").json()
    assert s["level"] == "II" and s["rule"]["status"] == "S"
    items = {(i["kind"], i["channel"]): i for i in s["items"]}
    phone, written = items[("initial", "phone")], items[("initial", "written")]
    assert abs((datetime.fromisoformat(phone["due_at"]) - (reported + timedelta(minutes=30))).total_seconds()) < 1
    assert abs((datetime.fromisoformat(written["due_at"]) - (reported + timedelta(minutes=60))).total_seconds()) < 1
    assert phone["overdue"] is True and written["overdue"] is False
    assert [o["channel"] for o in s["overdue"]] == ["phone"]
    assert s["accident_note"] and "Art. 9" in s["accident_note"]
    # a late phone report: done, flagged late
    assert _report(clients, inc["id"], "initial", "phone").status_code == 201
    s = clients["duty"].get(f"/api/v1/incidents/{inc['id']}/reports/schedule").json()
    phone = next(i for i in s["items"] if i["channel"] == "phone")
    assert phone["overdue"] is False and phone["late"] is True and phone["report_id"]
    assert any(i["kind"] == "follow_up" for i in s["items"])


def test_unverified_limits_say_so(clients: Any, new_incident: Callable[..., dict[str, Any]]) -> None:
    inc = new_incident()  # 一般 (IV)
    s = clients["duty"].get(f"/api/v1/incidents/{inc['id']}/reports/schedule").json()
    assert s["rule"]["status"] == "U" and s["rule"]["initial_written_minutes"] == 360
    assert [i["channel"] for i in s["items"]] == ["written"]


def test_report_sequence_rules(
    clients: Any, new_incident: Callable[..., dict[str, Any]], move: Callable[..., dict[str, Any]]
) -> None:
    inc = new_incident()
    assert _report(clients, inc["id"], "follow_up").status_code == 409  # initial first
    assert _report(clients, inc["id"], "initial").status_code == 201
    assert _report(clients, inc["id"], "initial").status_code == 409
    r1, r2 = _report(clients, inc["id"], "follow_up"), _report(clients, inc["id"], "follow_up")
    assert (r1.json()["sequence"], r2.json()["sequence"]) == (1, 2)
    assert _report(clients, inc["id"], "final").status_code == 409  # still open
    move(inc["id"], "verified", "closed")
    final = _report(clients, inc["id"], "final")
    assert final.status_code == 201 and final.json()["figures"]["status"] == "closed"
    s = clients["duty"].get(f"/api/v1/incidents/{inc['id']}/reports/schedule").json()
    assert next(i for i in s["items"] if i["kind"] == "final")["report_id"] == final.json()["id"]
    assert [e["kind"] for e in clients["duty"].get(f"/api/v1/incidents/{inc['id']}/timeline").json()].count(
        "report") == 4
    assert clients["viewer"].post(f"/api/v1/incidents/{inc['id']}/reports", json={
        "kind": "follow_up", "channel": "phone", "recipient": "x", "content": "y"}).status_code == 403


def test_sitrep_docx_and_markdown_hold_the_figures(
    clients: Any, world: Any, registry_rows: Callable[..., Any], new_incident: Callable[..., dict[str, Any]]
) -> None:
    inc = new_incident(title="临清化工园区氯气泄漏", dead=4, injured=17, seriously_injured=6, missing=1, trapped=2,
                       direct_loss_wan=1234.5, affected_people=3200, address="临清市化工园区纬三路")
    c = clients["commander"]
    c.post(f"/api/v1/incidents/{inc['id']}/tasks", json={"title": "组织医疗救治", "assignee_type": "unit",
                                                         "unit_id": world.units["health"], "deadline_minutes": 45})
    team = registry_rows("team", name="聊城市危险化学品应急救援队（测试）")
    c.post(f"/api/v1/incidents/{inc['id']}/dispatches", json={"resource_type": "team", "resource_id": team.id})
    _report(clients, inc["id"], "initial")
    r = c.get(f"/api/v1/incidents/{inc['id']}/sitrep.docx")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument")
    doc = Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [cell.text for t in doc.tables for row in t.rows for cell in row.cells]
    assert "关于临清化工园区氯气泄漏的专报" in text
    assert "较大（III级）" in text and "危险化学品泄漏" in text and "临清市" in text
    for label, value in (("死亡", "4 人"), ("受伤", "17 人"), ("重伤", "6 人"), ("失踪", "1 人"), ("被困", "2 人"),
                         ("直接经济损失", "1234.5 万元"), ("受影响人口", "3200 人")):
        i = cells.index(label)
        assert cells[i + 1] == value, label
    assert "组织医疗救治" in cells and "市卫生健康委" in cells and "聊城市危险化学品应急救援队（测试）" in cells
    assert doc.core_properties.title == "关于临清化工园区氯气泄漏的专报"
    md = c.get(f"/api/v1/incidents/{inc['id']}/sitrep.md")
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
    assert "| 死亡 | 4 人 |" in md.text and "| 直接经济损失 | 1234.5 万元 |" in md.text
    assert "## 七、大事记" in md.text and "首报" in md.text
    assert clients["dongchangfu"].get(f"/api/v1/incidents/{inc['id']}/sitrep.docx").status_code == 404
