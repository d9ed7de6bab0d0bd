"""The supervision dashboard and the monthly supervision report (.docx and .xlsx)."""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from yingji.auth import permissions as perm
from yingji.db.base import utcnow
from yingji.supervision import indicators as ind_service
from yingji.supervision import service
from yingji.supervision.common import DEFAULT_TZ, local_date
from yingji.supervision.enums import Comparator, IndicatorKind, Light, ReportStatus, TaskStatus
from yingji.supervision.models import ActionPlan, ActionTask

STATUS_ORDER = [s.value for s in TaskStatus]
LIGHT_ORDER = [lt.value for lt in Light]


def _counts(values: list[str], order: list[str]) -> dict[str, int]:
    c = Counter(values)
    return {k: c.get(k, 0) for k in order}


def dashboard(
    *,
    session: Session,
    user: perm.Principal,
    plan: ActionPlan,
    as_of: date,
    today: date,
    data_dir: Path | None,
    tz: str = DEFAULT_TZ,
    states: list[tuple[ActionTask, service.TaskState]] | None = None,
    evaluated: Sequence[ind_service.Evaluated] | None = None,
) -> dict[str, Any]:
    """Overall status, tasks by section and by unit, the overdue list, indicators by light and a
    per-division comparison — all as of ``as_of``. A caller that has the task states or the
    evaluated indicators of the same day passes them in, so nothing is computed (or snapshotted)
    twice."""
    perm.require(user, "action_tasks", "read")
    if states is None:
        states = service.plan_states(session=session, plan=plan, as_of=as_of)
    statuses = [s.status.value for _, s in states]
    percents = [s.percent or 0 for _, s in states]
    by_status = _counts(statuses, STATUS_ORDER)
    health = (
        Light.red if by_status["overdue"] else Light.amber if by_status["at_risk"] else Light.green
    ).value

    sections: dict[int, dict[str, Any]] = {}
    for task, st in states:
        sec = sections.setdefault(
            task.section_no,
            {
                "section": task.section,
                "section_no": task.section_no,
                "title": task.section_title,
                "tasks": 0,
                "statuses": [],
                "percents": [],
            },
        )
        sec["tasks"] += 1
        sec["statuses"].append(st.status.value)
        sec["percents"].append(st.percent or 0)
    by_section = [
        {
            "section": s["section"],
            "section_no": s["section_no"],
            "title": s["title"],
            "tasks": s["tasks"],
            "by_status": _counts(s["statuses"], STATUS_ORDER),
            "mean_percent": round(sum(s["percents"]) / len(s["percents"]), 1),
        }
        for _, s in sorted(sections.items())
    ]

    units: dict[str, dict[str, Any]] = {}
    for task, st in states:
        seen: set[tuple[str, str]] = set()
        for u in task.units:
            if (u.name, u.role) in seen:
                continue
            seen.add((u.name, u.role))
            row = units.setdefault(
                u.name,
                {"name": u.name, "unit_id": u.unit_id, "lead": 0, "responsible": 0, "statuses": {}},
            )
            row[u.role] += 1
            row["statuses"][task.number] = st.status.value
    by_unit = sorted(
        (
            {
                "name": r["name"],
                "unit_id": r["unit_id"],
                "lead": r["lead"],
                "responsible": r["responsible"],
                "tasks": len(r["statuses"]),
                "by_status": _counts(list(r["statuses"].values()), STATUS_ORDER),
            }
            for r in units.values()
        ),
        key=lambda r: (-r["by_status"]["overdue"], -r["tasks"], r["name"]),
    )
    overdue = [
        {
            "task_id": task.id,
            "number": task.number,
            "title": task.title,
            "lead_units": task.lead_units,
            "percent": st.percent,
            "reason": st.reason,
            "deadline": st.deadline,
            "milestones": [{"seq": m.seq, "due_on": m.due_on, "text": m.text} for m in st.overdue],
        }
        for task, st in states
        if st.status == TaskStatus.overdue
    ]

    if evaluated is None:
        evaluated = ind_service.evaluate_all(
            session=session, plan=plan, as_of=as_of, today=today, data_dir=data_dir, tz=tz
        )
    indicators = [
        ind_service.indicator_out(ev, session=session, user=user, as_of=as_of, trend=False) for ev in evaluated
    ]
    divisions: dict[str, dict[str, Any]] = defaultdict(dict)
    columns = []
    for i in indicators:
        rows = [r for r in i["detail"].get("by_division", []) if isinstance(r, dict) and "division_code" in r]
        if not rows:
            continue
        columns.append(
            {
                "key": i["key"],
                "name": i["name"],
                "unit": i["unit"],
                "target": i["target"],
                "comparator": i["comparator"],
            }
        )
        for r in rows:
            d = divisions[r["division_code"]]
            d.setdefault("division_code", r["division_code"])
            d.setdefault("division", r.get("division", r["division_code"]))
            d.setdefault("values", {})[i["key"]] = r.get("value")
    return {
        "plan": {
            "code": plan.code,
            "title": plan.title,
            "period_start": plan.period_start,
            "period_end": plan.period_end,
        },
        "as_of": as_of,
        "overall": {
            "tasks": len(states),
            "by_status": by_status,
            "mean_percent": round(sum(percents) / len(percents), 1) if percents else None,
            "health": health,
        },
        "by_section": by_section,
        "by_unit": by_unit,
        "overdue": overdue,
        "indicators": {
            "by_light": _counts([i["light"] for i in indicators], LIGHT_ORDER),
            "by_kind": _counts([i["kind"] for i in indicators], [k.value for k in IndicatorKind]),
            "items": [
                {
                    k: i[k]
                    for k in (
                        "key",
                        "name",
                        "kind",
                        "value",
                        "value_on",
                        "target",
                        "comparator",
                        "unit",
                        "light",
                        "met",
                        "reason",
                        "due_on",
                    )
                }
                for i in indicators
            ],
        },
        "divisions": {
            "columns": columns,
            "rows": [divisions[c] for c in sorted(divisions) if perm.in_scope(user, c)],
        },
        "unmatched_units": service.unmatched_units(session=session, plan=plan),
    }


# ---- the monthly report ------------------------------------------------------------------------

STATUS_ZH = {s.value: s.label() for s in TaskStatus}
LIGHT_ZH = {lt.value: lt.label() for lt in Light}
KIND_ZH = {k.value: k.label() for k in IndicatorKind}
REPORT_ZH = {r.value: r.label() for r in ReportStatus}


def _fmt(value: Any, digits: int = 4) -> str:
    """Numbers for people: integers as such, others to ``digits`` significant figures."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return str(int(value)) if value == int(value) else f"{value:.{digits}g}"
    return str(value)


def _target(i: dict[str, Any]) -> str:
    if i["comparator"] == Comparator.increase:
        return "较上一周期明显提高"
    sign = "≥" if i["comparator"] == Comparator.ge else "≤"
    return f"{sign}{_fmt(i['target'])}{i['unit']}"


def monthly_data(
    *,
    session: Session,
    user: perm.Principal,
    plan: ActionPlan,
    month: str,
    today: date,
    data_dir: Path | None,
    tz: str = DEFAULT_TZ,
) -> dict[str, Any]:
    perm.require(user, "action_tasks", "export")
    first, as_of = service.month_bounds(month, today)
    states = service.plan_states(session=session, plan=plan, as_of=as_of)
    dash = dashboard(
        session=session, user=user, plan=plan, as_of=as_of, today=today, data_dir=data_dir, tz=tz,
        states=states,
    )
    reports, _ = service.list_reports(
        session=session, user=user, plan=plan, as_of=as_of, since=first, page=1, size=10_000
    )
    return {
        "month": month,
        "first": first,
        "as_of": as_of,
        "dashboard": dash,
        "tasks": [service.task_summary(t, s, as_of) for t, s in states],
        "reports": reports,
        "generated_at": local_date(utcnow(), tz),
    }


def _title(d: dict[str, Any]) -> str:
    y, m = d["month"].split("-")
    return f"{d['dashboard']['plan']['title']} 督办月报（{y}年{int(m)}月）"


def _summary_lines(d: dict[str, Any]) -> list[str]:
    o = d["dashboard"]["overall"]
    bs = o["by_status"]
    lights = d["dashboard"]["indicators"]["by_light"]
    return [
        f"统计截止日期：{d['as_of'].isoformat()}；生成日期：{d['generated_at'].isoformat()}。",
        f"任务共 {o['tasks']} 项：" + "，".join(f"{STATUS_ZH[k]} {v} 项" for k, v in bs.items()) + "。",
        f"平均报告进度 {_fmt(o['mean_percent'], 3)}%。",
        "指标：" + "，".join(f"{LIGHT_ZH[k]} {v} 项" for k, v in lights.items()) + "。",
        f"本月进展报告 {len(d['reports'])} 份。",
    ]


def _tables(d: dict[str, Any]) -> list[tuple[str, list[str], list[list[Any]]]]:
    dash = d["dashboard"]
    sections = [
        [s["section"], s["title"], s["tasks"], *[s["by_status"][k] for k in STATUS_ORDER], s["mean_percent"]]
        for s in dash["by_section"]
    ]
    tasks = [
        [
            t["number"],
            t["section"],
            t["title"],
            "、".join(t["lead_units"]),
            STATUS_ZH[str(t["status"])],
            _fmt(t["percent"]),
            _fmt(t["expected_percent"], 3),
            t["deadline"].isoformat(),
            t["status_reason"],
        ]
        for t in d["tasks"]
    ]
    overdue = [
        [o["number"], o["title"], "、".join(o["lead_units"]), _fmt(o["percent"]), o["reason"]]
        for o in dash["overdue"]
    ]
    reports = [
        [
            r["task_number"],
            r["unit_name"] or r["unit_id"],
            r["reported_on"].isoformat(),
            r["percent"],
            REPORT_ZH.get(str(r["status"]), str(r["status"])),
            r["narrative"][:300],
        ]
        for r in d["reports"]
    ]
    inds = [
        [
            i["name"],
            KIND_ZH[str(i["kind"])],
            _target(i),
            _fmt(i["value"]),
            LIGHT_ZH[str(i["light"])],
            i["reason"] or "",
            i["due_on"].isoformat(),
        ]
        for i in dash["indicators"]["items"]
    ]
    cols = dash["divisions"]["columns"]
    divisions = [
        [r["division"], *[_fmt(r["values"].get(c["key"])) for c in cols]] for r in dash["divisions"]["rows"]
    ]
    units = [
        [u["name"], u["lead"], u["responsible"], *[u["by_status"][k] for k in STATUS_ORDER]]
        for u in dash["by_unit"]
    ]
    st = [STATUS_ZH[k] for k in STATUS_ORDER]
    return [
        ("分类推进情况", ["序号", "类别", "任务数", *st, "平均进度(%)"], sections),
        (
            "任务进展",
            ["任务", "类别", "名称", "牵头单位", "状态", "报告进度(%)", "时序进度(%)", "完成时限", "说明"],
            tasks,
        ),
        ("逾期任务", ["任务", "名称", "牵头单位", "报告进度(%)", "逾期原因"], overdue),
        ("本月进展报告", ["任务", "报告单位", "报告日期", "进度(%)", "状态", "进展情况"], reports),
        ("指标完成情况", ["指标", "来源", "目标", "当前值", "状态", "说明", "时限"], inds),
        ("分区对比", ["县（市、区）", *[f"{c['name']}({c['unit']})" for c in cols]], divisions),
        ("单位任务情况", ["单位", "牵头", "负责", *st], units),
    ]


def monthly_docx(d: dict[str, Any]) -> bytes:
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.size = Pt(10)  # type: ignore[attr-defined]
    doc.add_heading(_title(d), level=1)
    doc.add_heading("一、总体情况", level=2)
    for line in _summary_lines(d):
        doc.add_paragraph(line)
    unmatched = d["dashboard"]["unmatched_units"]
    if unmatched:
        doc.add_paragraph("未在单位名录中找到的责任单位：" + "、".join(unmatched) + "。")
    numerals = "二三四五六七八九十"
    for n, (title, header, rows) in enumerate(_tables(d)):
        doc.add_heading(f"{numerals[n]}、{title}", level=2)
        if not rows:
            doc.add_paragraph("无。")
            continue
        table = doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            cell.text = str(text)
        for row in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                cell.text = "" if value is None else str(value)
    doc.add_paragraph("注：演示环境中的数据为合成数据。指标来源为行动计划原文，状态按统计截止日期计算。")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def monthly_xlsx(d: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "概况"
    ws.append([_title(d)])
    ws["A1"].font = Font(bold=True, size=13)
    for line in _summary_lines(d):
        ws.append([line])
    unmatched = d["dashboard"]["unmatched_units"]
    if unmatched:
        ws.append(["未在单位名录中找到的责任单位：" + "、".join(unmatched)])
    for title, header, rows in _tables(d):
        sheet = wb.create_sheet(title[:31])
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(["" if v is None else v for v in row])
        for col in sheet.columns:
            width = max(len(str(c.value or "")) for c in col)
            sheet.column_dimensions[col[0].column_letter].width = min(60, max(8, width * 1.6))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def monthly_report(
    *,
    session: Session,
    user: perm.Principal,
    plan: ActionPlan,
    month: str,
    fmt: str,
    today: date,
    data_dir: Path | None,
    tz: str = DEFAULT_TZ,
) -> tuple[bytes, str, str]:
    """(content, filename, media type) of the monthly supervision report."""
    from yingji.errors import InvalidField

    if fmt not in ("docx", "xlsx"):
        raise InvalidField("format", "must be docx or xlsx")
    d = monthly_data(
        session=session, user=user, plan=plan, month=month, today=today, data_dir=data_dir, tz=tz
    )
    name = f"supervision-{plan.code}-{month}.{fmt}"
    if fmt == "docx":
        return (
            monthly_docx(d),
            name,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    return monthly_xlsx(d), name, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
