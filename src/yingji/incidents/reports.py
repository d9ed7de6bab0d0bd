"""The situation report (专报) rendered as Markdown and as .docx (python-docx), from ``reporting.Sitrep``.

Times are shown in the installation's zone (Asia/Shanghai by default); figures are the incident's.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any

from yingji.incidents.reporting import Sitrep

CASUALTIES = (("dead", "死亡"), ("missing", "失踪"), ("trapped", "被困"), ("seriously_injured", "重伤"),
              ("injured", "受伤"))


def _zone(name: str) -> tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except Exception:  # no tz database: China Standard Time has no DST
        return timezone(timedelta(hours=8), "CST")


def _t(value: Any, tz: tzinfo) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _num(v: Any) -> str:
    if v is None:
        return "不详"
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def title_of(s: Sitrep) -> str:
    return f"关于{s.incident['title']}的专报"


def summary_text(s: Sitrep, tz: tzinfo) -> str:
    i = s.incident
    place = i.get("address") or s.division
    return (f"{_t(i['occurred_at'], tz)}，{s.division}{('（' + place + '）') if place != s.division else ''}"
            f"发生{s.type}（{s.category}）。事件等级：{s.level_text}。当前状态：{i['status_label']}。")


def casualty_rows(s: Sitrep) -> list[tuple[str, str]]:
    i = s.incident
    rows = [(label, f"{_num(i[key])} 人") for key, label in CASUALTIES]
    rows.append(("直接经济损失", "不详" if i["direct_loss_wan"] is None else f"{_num(i['direct_loss_wan'])} 万元"))
    rows.append(("受影响人口", "不详" if i["affected_people"] is None else f"{_num(i['affected_people'])} 人"))
    return rows


def markdown(s: Sitrep, tz_name: str = "Asia/Shanghai") -> str:
    tz = _zone(tz_name)
    i = s.incident
    out = [f"# {title_of(s)}", "",
           f"事件编号 {i['id']} · 生成于 {_t(s.generated_at, tz)}（{tz_name}）· 生成人 {s.generated_by}", "",
           "## 一、基本情况", "", summary_text(s, tz), ""]
    if i.get("description"):
        out += [i["description"], ""]
    out += [f"接报时间：{_t(i['reported_at'], tz)}；报告人：{i.get('reporter_name') or '—'}；"
            f"位置：{i['lon']:.5f}, {i['lat']:.5f}", ""]
    if s.reasoning:
        out += [f"定级依据：{s.reasoning}", ""]
    out += ["## 二、人员伤亡和损失", "", "| 项目 | 数量 |", "| --- | --- |"]
    out += [f"| {a} | {b} |" for a, b in casualty_rows(s)]
    out += ["", "## 三、应急响应和处置措施", ""]
    if s.response:
        out += [f"- {_t(r['activated_at'], tz)} 启动《{r['plan']}》{r['response_level']}级响应（{r['by']}）"
                for r in s.response]
    else:
        out.append("- 尚未启动预案响应。")
    out.append("")
    if s.tasks:
        out += ["| 任务 | 责任单位 | 状态 | 时限 | 进度 |", "| --- | --- | --- | --- | --- |"]
        out += [f"| {t['title']} | {t['unit']} | {t['status']}{'（超时）' if t['overdue'] else ''} | "
                f"{_t(t['deadline'], tz)} | {t['progress']}% |" for t in s.tasks]
        out.append("")
    out += ["## 四、调派力量", ""]
    if s.resources:
        out += ["| 类别 | 名称 | 所属单位 | 状态 | 预计到达（分钟） |", "| --- | --- | --- | --- | --- |"]
        out += [f"| {r['type']} | {r['name']} | {r['unit']} | {r['status']} | {_num(r['eta_min'])} |"
                for r in s.resources]
    else:
        out.append("尚未调派力量。")
    out.append("")
    if s.consultations:
        out += ["## 五、会商研判", ""]
        out += [f"- {_t(c['held_at'], tz)} {c['title']}（{c['participants']}）：{c['conclusions'] or '—'}"
                for c in s.consultations]
        out.append("")
    out += ["## 六、信息报送", ""]
    out += [f"- {_t(r['submitted_at'], tz)} {r['kind']}（{r['channel']}）报送{r['recipient']}" for r in s.reports] \
        or ["- 尚无报送记录。"]
    out += ["", "## 七、大事记", ""]
    out += [f"- {_t(e['at'], tz)} {e['summary']}（{e['actor']}）" for e in s.timeline]
    out.append("")
    return "\n".join(out)


def docx(s: Sitrep, tz_name: str = "Asia/Shanghai") -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    tz = _zone(tz_name)
    i = s.incident
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(12)
    rpr = style.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), "SimSun")
    doc.core_properties.title = title_of(s)
    doc.core_properties.subject = f"incident {i['id']}"
    heading = doc.add_heading(title_of(s), level=0)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    stamp = f"事件编号 {i['id']} · 生成于 {_t(s.generated_at, tz)}（{tz_name}）· 生成人 {s.generated_by}"
    meta = doc.add_paragraph(stamp)
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def table(headers: list[str], rows: list[list[str]]) -> None:
        t = doc.add_table(rows=1, cols=len(headers))
        t.style = "Table Grid"
        for cell, text in zip(t.rows[0].cells, headers, strict=True):
            cell.text = text
        for row in rows:
            cells = t.add_row().cells
            for cell, text in zip(cells, row, strict=True):
                cell.text = text

    doc.add_heading("一、基本情况", level=1)
    doc.add_paragraph(summary_text(s, tz))
    if i.get("description"):
        doc.add_paragraph(i["description"])
    doc.add_paragraph(f"接报时间：{_t(i['reported_at'], tz)}；报告人：{i.get('reporter_name') or '—'}；"
                      f"位置：{i['lon']:.5f}, {i['lat']:.5f}")
    if s.reasoning:
        doc.add_paragraph(f"定级依据：{s.reasoning}")
    doc.add_heading("二、人员伤亡和损失", level=1)
    table(["项目", "数量"], [list(r) for r in casualty_rows(s)])
    doc.add_heading("三、应急响应和处置措施", level=1)
    if s.response:
        for r in s.response:
            line = f"{_t(r['activated_at'], tz)} 启动《{r['plan']}》{r['response_level']}级响应（{r['by']}）"
            doc.add_paragraph(line, style="List Bullet")
    else:
        doc.add_paragraph("尚未启动预案响应。")
    if s.tasks:
        table(["任务", "责任单位", "状态", "时限", "进度"],
              [[t["title"], t["unit"], t["status"] + ("（超时）" if t["overdue"] else ""), _t(t["deadline"], tz),
                f"{t['progress']}%"] for t in s.tasks])
    doc.add_heading("四、调派力量", level=1)
    if s.resources:
        table(["类别", "名称", "所属单位", "状态", "预计到达（分钟）"],
              [[r["type"], r["name"], r["unit"], r["status"], _num(r["eta_min"])] for r in s.resources])
    else:
        doc.add_paragraph("尚未调派力量。")
    if s.consultations:
        doc.add_heading("五、会商研判", level=1)
        for c in s.consultations:
            doc.add_paragraph(f"{_t(c['held_at'], tz)} {c['title']}（{c['participants']}）：{c['conclusions'] or '—'}",
                              style="List Bullet")
    doc.add_heading("六、信息报送", level=1)
    if s.reports:
        for r in s.reports:
            doc.add_paragraph(f"{_t(r['submitted_at'], tz)} {r['kind']}（{r['channel']}）报送{r['recipient']}",
                              style="List Bullet")
    else:
        doc.add_paragraph("尚无报送记录。")
    doc.add_heading("七、大事记", level=1)
    table(["时间", "事项", "记录人"], [[_t(e["at"], tz), e["summary"], e["actor"]] for e in s.timeline])
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
