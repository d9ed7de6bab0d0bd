"""Progress reports through HTTP: who may report and confirm, evidence files, derived task status."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from svhelpers import API, ok, unit_id  # type: ignore[import-not-found]

from yingji.audit.models import AuditEntry
from yingji.config import Settings
from yingji.supervision.common import local_today
from yingji.supervision.service import evidence_path

Dept = Callable[[str], TestClient]


def _report(c: TestClient, task_id: int, **body: Any) -> Any:
    return c.post(f"{API}/tasks/{task_id}/progress", json={"percent": 50, "narrative": "推进中", **body})


def test_a_unit_reports_on_a_task_it_owns_and_nothing_else(
    clients: Any, task_ids: dict[int, int], session: Session
) -> None:
    health = clients["health"]  # department user of 市卫生健康委
    r = ok(_report(health, task_ids[22], percent=40, reported_on="2022-03-31"), 201)
    assert r["unit_id"] == unit_id(session, "市卫生健康委") and r["status"] == "submitted"
    assert r["task_number"] == 22 and r["unit_name"] == "市卫生健康委" and r["reported_by"] == "health"
    # responsible (not lead) unit of task 4: may report too
    ok(_report(health, task_ids[4]), 201)
    # task 2 is 市应急局's (lead) with 市财政局 and 市大数据局: not health's
    r = _report(health, task_ids[2])
    assert r.status_code == 403 and "task 2" in r.text
    # a department reports only for its own unit
    r = _report(health, task_ids[22], unit_id=unit_id(session, "市应急局"))
    assert r.status_code == 403 and "unit_id" in r.text
    for user in ("viewer", "linqing", "duty", "commander"):
        assert _report(clients[user], task_ids[22]).status_code == 403, user
    # the administrator names the unit, which must own the task
    r = _report(clients["admin"], task_ids[22])
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "unit_id"
    r = _report(clients["admin"], task_ids[2], unit_id=unit_id(session, "市卫生健康委"))
    assert r.status_code == 422 and "unit_id" in r.text
    ok(_report(clients["admin"], task_ids[2], unit_id=unit_id(session, "市应急局")), 201)
    rows = session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "progress_reports")).all()
    assert len(rows) == 3 and {a.actor_name for a in rows} == {"health", "admin"}


def test_bad_reports_get_a_clear_4xx(clients: Any, task_ids: dict[int, int]) -> None:
    health = clients["health"]
    r = _report(health, task_ids[22], percent=101)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "percent"
    r = _report(health, task_ids[22], percent=-1)
    assert r.status_code == 422 and "percent" in r.text
    r = _report(health, task_ids[22], narrative="")
    assert r.status_code == 422 and "narrative" in r.text
    r = _report(health, task_ids[22], milestones_done=[7])
    assert r.status_code == 422 and "milestones_done" in r.text and "task 22 has no milestone 7" in r.text
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    r = _report(health, task_ids[22], reported_on=tomorrow)
    assert r.status_code == 422 and "reported_on" in r.text
    r = _report(health, task_ids[22], reported_on="2019-06-30")
    assert r.status_code == 422 and "before the plan period" in r.text
    r = _report(health, task_ids[22], colour="blue")
    assert r.status_code == 422 and "colour" in r.text
    assert _report(health, 987654).status_code == 404


def test_the_lead_unit_confirms_others_may_not(
    clients: Any, task_ids: dict[int, int], dept_client: Dept, session: Session
) -> None:
    health = clients["health"]
    emergency = dept_client("市应急局")  # lead of task 4; 市卫生健康委 is responsible
    rid = ok(_report(health, task_ids[4], percent=30), 201)["id"]
    r = health.post(f"{API}/progress/{rid}/confirm")
    assert r.status_code == 403 and "lead unit of task 4" in r.text
    for user in ("viewer", "linqing", "commander", "duty"):
        assert clients[user].post(f"{API}/progress/{rid}/confirm").status_code == 403
    # the reporter changes its report while it is open; the lead may not
    ok(health.patch(f"{API}/progress/{rid}", json={"percent": 35}))
    assert emergency.patch(f"{API}/progress/{rid}", json={"percent": 99}).status_code == 403
    assert health.patch(f"{API}/progress/{rid}", json={"percent": 120}).status_code == 422
    r = emergency.post(f"{API}/progress/{rid}/return", json={})
    assert r.status_code == 422 and "note" in r.text
    done = ok(emergency.post(f"{API}/progress/{rid}/confirm", json={"note": "属实"}))
    assert done["status"] == "confirmed" and done["reviewed_by"].startswith("dept-") and done["percent"] == 35
    assert emergency.post(f"{API}/progress/{rid}/confirm").status_code == 409
    assert health.patch(f"{API}/progress/{rid}", json={"percent": 40}).status_code == 409
    # a lead unit returns a report with a note
    rid2 = ok(_report(health, task_ids[4], percent=45), 201)["id"]
    back = ok(emergency.post(f"{API}/progress/{rid2}/return", json={"note": "请补充佐证材料"}))
    assert back["status"] == "returned" and back["review_note"] == "请补充佐证材料"
    # the lead unit confirms its own report on a task it leads
    rid3 = ok(_report(health, task_ids[22], percent=20), 201)["id"]
    assert ok(health.post(f"{API}/progress/{rid3}/confirm"))["status"] == "confirmed"
    listed = ok(clients["viewer"].get(f"{API}/progress", params={"task_id": task_ids[4]}))
    assert listed["total"] == 2 and {x["status"] for x in listed["items"]} == {"confirmed", "returned"}
    assert ok(clients["viewer"].get(f"{API}/progress", params={"status": "confirmed"}))["total"] == 2
    entries = session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "progress_reports"))
    actions = {a.action for a in entries}
    assert {"create", "update", "confirm", "return"} <= actions


def test_evidence_is_stored_by_sha256_and_served_back(
    clients: Any, task_ids: dict[int, int], settings: Settings, dept_client: Dept
) -> None:
    health = clients["health"]
    rid = ok(_report(health, task_ids[21], percent=60), 201)["id"]
    content = "实验室验收报告\n".encode() * 100
    r = health.post(f"{API}/progress/{rid}/evidence",
                    files={"file": ("验收报告.txt", content, "text/plain")})
    ev = ok(r, 201)
    digest = hashlib.sha256(content).hexdigest()
    assert ev["sha256"] == digest and ev["size"] == len(content) and ev["filename"] == "验收报告.txt"
    assert evidence_path(settings.data_dir, digest).read_bytes() == content
    got = clients["viewer"].get(f"{API}/progress/{rid}/evidence/{ev['id']}")
    assert got.status_code == 200 and got.content == content
    assert got.headers["content-type"] == "application/octet-stream"
    assert "attachment" in got.headers["content-disposition"] and got.headers["x-content-sha256"] == digest
    report = ok(health.get(f"{API}/progress/{rid}"))
    assert [e["sha256"] for e in report["evidence"]] == [digest]
    # a path in the name is dropped; an empty file is refused; others may not attach
    upload = {"file": ("../../etc/passwd", b"x", "text/plain")}
    ev2 = ok(health.post(f"{API}/progress/{rid}/evidence", files=upload), 201)
    assert ev2["filename"] == "passwd"
    r = health.post(f"{API}/progress/{rid}/evidence", files={"file": ("empty.txt", b"", "text/plain")})
    assert r.status_code == 422 and "file" in r.text
    other = dept_client("市应急局")
    r = other.post(f"{API}/progress/{rid}/evidence", files={"file": ("x.txt", b"x", "text/plain")})
    assert r.status_code == 403
    big = b"0" * (settings.max_upload_bytes + 1)
    assert health.post(f"{API}/progress/{rid}/evidence", files={"file": ("big.bin", big)}).status_code == 413
    assert clients["viewer"].get(f"{API}/progress/{rid}/evidence/999999").status_code == 404
    ok(health.post(f"{API}/progress/{rid}/confirm"))  # health leads task 21
    r = health.post(f"{API}/progress/{rid}/evidence", files={"file": ("late.txt", b"late", "text/plain")})
    assert r.status_code == 409


def test_status_follows_milestones_reports_and_the_day(
    clients: Any, task_ids: dict[int, int], dept_client: Dept
) -> None:
    """Task 2 (lead 市应急局): one milestone, due 2021-12-31; schedule from 2021-04-19 to 2022-12-31."""
    c = dept_client("市应急局")
    t = task_ids[2]

    def status(day: str) -> dict[str, Any]:
        out: dict[str, Any] = ok(clients["viewer"].get(f"{API}/tasks/{t}", params={"as_of": day}))
        return out

    assert status("2021-05-01")["status"] == "not_started"
    assert status("2021-10-01")["status"] == "at_risk"  # 27 % of the time gone, no report
    r1 = ok(_report(c, t, percent=40, reported_on="2021-09-30"), 201)
    ok(c.post(f"{API}/progress/{r1['id']}/confirm"))
    s = status("2021-10-01")
    assert s["status"] == "on_track" and s["percent"] == 40 and s["last_report_on"] == "2021-09-30"
    assert status("2021-09-29")["status"] == "at_risk"  # the report speaks from 30 September
    assert status("2022-01-10")["status"] == "overdue"  # milestone 1 passed, not achieved
    r2 = ok(_report(c, t, percent=70, reported_on="2021-12-30", milestones_done=[1]), 201)
    # not yet confirmed: the milestone is not achieved
    assert status("2022-01-10")["status"] == "overdue"
    ok(c.post(f"{API}/progress/{r2['id']}/confirm"))
    s = status("2022-01-10")
    assert s["status"] == "on_track" and s["milestones"][0]["achieved_on"] == "2021-12-30"
    assert status("2022-11-30")["status"] == "at_risk"  # 70 % reported, 94 % of the time gone
    assert status("2023-01-02")["status"] == "overdue"  # past the end of the plan
    r3 = ok(_report(c, t, percent=100, reported_on="2022-12-20"), 201)
    ok(c.post(f"{API}/progress/{r3['id']}/confirm"))
    assert status("2023-01-02")["status"] == "done"
    # as of a day before the last report, the plan is shown as it stood
    before = status("2022-06-30")
    assert before["status"] == "on_track" and before["percent"] == 70 and len(before["reports"]) == 2
    listing = ok(clients["viewer"].get(f"{API}/tasks", params={"as_of": "2023-01-02", "status": "done"}))
    assert [x["number"] for x in listing["items"]] == [2]
