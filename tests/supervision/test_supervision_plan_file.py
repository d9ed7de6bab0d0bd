"""The packaged plan file is a faithful transcription of the seed (the published action plan).

The seed is parsed here independently of the package's own parsing, from the copy in
tests/supervision/data/seed.txt (CI runs on a clean clone without ../shared).
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from svhelpers import SEED  # type: ignore[import-not-found]

from yingji.supervision.indicators import METHODS
from yingji.supervision.planfile import parse_milestones, parse_plan
from yingji.supervision.service import PACKAGED_PLAN

SHARED_SEED = Path("/work/shared/seed")


def _lines(text: str) -> list[str]:
    return [ln.strip().strip("\u3000").strip() for ln in text.splitlines() if ln.strip().strip("\u3000").strip()]


def _seed_tasks() -> tuple[list[tuple[str, str]], list[dict[str, Any]]]:
    """(sections, tasks) read straight from the seed text."""
    lines = _lines(SEED.read_text(encoding="utf-8"))
    body = lines[lines.index("二、主要任务") + 1:]
    body = body[: next(i for i, ln in enumerate(body) if ln.startswith("各级各有关部门要高度重视"))]
    sections: list[tuple[str, str]] = []
    tasks: list[dict[str, Any]] = []
    for ln in body:
        if m := re.match(r"^（([一二三四五六七八九十]+)）(.+)$", ln):
            sections.append((m.group(1), m.group(2)))
        elif m := re.match(r"^(\d+)\.\s*([^。]+)。(.*)$", ln):
            tasks.append({"number": int(m.group(1)), "section": sections[-1][0], "title": m.group(2),
                          "paragraphs": [m.group(3)]})
        else:
            tasks[-1]["paragraphs"].append(ln)
    for t in tasks:
        lead: list[str] = []
        resp: list[str] = []
        for text in t["paragraphs"]:
            for g in re.finditer(r"（牵头单位：([^；）]*)(?:；负责单位：([^）]*))?）", text):
                lead += [u for u in g.group(1).split("、") if u not in lead]
                resp += [u for u in (g.group(2) or "").split("、") if u and u not in resp]
        t["lead"], t["resp"] = lead, resp
    return sections, tasks


@pytest.fixture(scope="module")
def plan_json() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(PACKAGED_PLAN.read_text(encoding="utf-8"))
    return data


def test_the_seed_copy_is_the_seed() -> None:
    originals = sorted(SHARED_SEED.glob("*.txt")) if SHARED_SEED.is_dir() else []
    if not originals:
        pytest.skip("the shared seed is not present (clean clone): the copy stands in for it")
    assert SEED.read_bytes() == originals[0].read_bytes()


def test_41_tasks_in_order_with_sections_titles_text_and_units_as_written(plan_json: dict[str, Any]) -> None:
    sections, seed_tasks = _seed_tasks()
    assert len(seed_tasks) == 41 and [t["number"] for t in seed_tasks] == list(range(1, 42))
    assert [(s["number"], s["title"]) for s in plan_json["sections"]] == sections
    assert len(sections) == 10
    tasks = plan_json["tasks"]
    assert [t["number"] for t in tasks] == list(range(1, 42))
    for mine, seed in zip(tasks, seed_tasks, strict=True):
        n = seed["number"]
        assert mine["section"] == seed["section"], n
        assert mine["title"] == seed["title"], n
        assert mine["text"] == "\n".join(seed["paragraphs"]), n
        assert mine["lead_units"] == seed["lead"], n
        assert mine["responsible_units"] == seed["resp"], n
    # spot checks against the seed as a reader sees it
    by_no = {t["number"]: t for t in tasks}
    assert by_no[1]["lead_units"] == ["市委编办"]
    assert by_no[30]["lead_units"] == ["市应急局", "市工业和信息化局", "各基础电信运营企业"]
    assert by_no[22]["lead_units"] == ["市卫生健康委"]
    assert by_no[22]["responsible_units"] == ["市发展改革委", "市财政局"]


def test_tasks_with_several_paragraphs_keep_each_paragraphs_units(plan_json: dict[str, Any]) -> None:
    by_no = {t["number"]: t for t in plan_json["tasks"]}
    for n in (8, 9):
        parts = by_no[n]["parts"]
        assert "\n".join(p["text"] for p in parts) == by_no[n]["text"]
        assert parts[0]["lead_units"] == []  # the opening paragraph names no unit
    assert by_no[8]["parts"][3] == {
        "text": "深入开展堤防加固、河道治理、控制性工程建设，完善防洪抗旱工程体系。（牵头单位：市水利局）",
        "lead_units": ["市水利局"], "responsible_units": [],
    }
    assert by_no[9]["parts"][4]["lead_units"] == [
        "市消防救援支队", "市住房城乡建设局", "市应急局", "市化工产业安全生产转型升级专项行动领导小组办公室"]
    assert [t["number"] for t in plan_json["tasks"] if t.get("parts")] == [8, 9]


def test_milestones_are_those_parsed_from_the_text(plan_json: dict[str, Any]) -> None:
    seed = SEED.read_text(encoding="utf-8")
    total = 0
    for t in plan_json["tasks"]:
        parsed = [{"due": m.due.isoformat(), "text": m.text, "source": m.source} for m in parse_milestones(t["text"])]
        assert t["milestones"] == parsed, t["number"]
        for m in t["milestones"]:
            assert m["source"] in seed
        total += len(t["milestones"])
    # every dated deadline in the tasks: 年年底前 ×16, 2022年年底（task 19）×1
    tasks_text = seed[seed.index("二、主要任务"):seed.index("各级各有关部门要高度重视")]
    assert total == len(re.findall(r"\d{4}年年底", tasks_text)) == 17
    by_no = {t["number"]: t for t in plan_json["tasks"]}
    assert by_no[2]["milestones"] == [{"due": "2021-12-31", "text": "市、县应急指挥中心达标运行",
                                       "source": "2021年年底前市、县应急指挥中心达标运行"}]
    assert [m["due"] for m in by_no[10]["milestones"]] == ["2021-12-31", "2022-12-31"]
    assert by_no[22]["milestones"][0]["text"] == "全市传染病临床诊疗规模达600张床位以上"


def test_overall_targets_indicators_and_projects_come_from_the_seed(plan_json: dict[str, Any]) -> None:
    seed = SEED.read_text(encoding="utf-8")
    lines = _lines(seed)
    overall = lines[lines.index("一、总体要求") + 1: lines.index("二、主要任务")]
    assert plan_json["overall"] == "\n".join(overall)
    assert [t["text"] for t in plan_json["targets"]] == [ln.lstrip("—") for ln in overall]
    keys = set()
    for ind in plan_json["indicators"]:
        assert ind["source"] in seed, ind["key"]
        assert ind["method"] in METHODS, ind["key"]
        keys.add(ind["key"])
    for required in ("deaths_per_100m_gdp", "disaster_loss_share_gdp", "infectious_disease_beds",
                     "isolation_rooms_per_county", "chemical_park_rescue_teams", "fire_rescue_5min",
                     "medical_rescue_2h", "road_reopened_24h", "mass_gathering_handling_rate", "county_cdc_bsl2",
                     "hazardous_process_automation", "emergency_transport_fleets", "living_supplies_reserve",
                     "relief_within_12h", "drills_on_schedule"):
        assert required in keys
    targets = {i["key"]: (i["comparator"], i["target"], i["unit"]) for i in plan_json["indicators"]}
    assert targets["deaths_per_100m_gdp"] == ("le", 0.011, "人/亿元")
    assert targets["disaster_loss_share_gdp"] == ("le", 1.0, "%")
    assert targets["infectious_disease_beds"] == ("ge", 600, "张")
    assert targets["isolation_rooms_per_county"] == ("ge", 400, "间")
    assert targets["chemical_park_rescue_teams"] == ("ge", 3, "个")
    annex = seed[seed.index("附件："):]
    projects = plan_json["projects"]
    assert len(projects) == 7
    for p in projects:
        assert p["name"] in annex and p["category"] in annex
        assert f"{p['name']}（{'、'.join(p['owners'])}）" in annex
    assert projects[5]["owners"] == ["山东通用航空协会", "聊城市应急局"]
    parse_plan(plan_json)  # the file validates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021年年底前完成普查。", [(date(2021, 12, 31), "完成普查", "2021年年底前完成普查")]),
        ("力争2022年年底前床位达600张以上。",
         [(date(2022, 12, 31), "床位达600张以上", "力争2022年年底前床位达600张以上")]),
        ("2023年6月底前建成平台；2023年上半年完成验收。", [
            (date(2023, 6, 30), "建成平台", "2023年6月底前建成平台"),
            (date(2023, 6, 30), "完成验收", "2023年上半年完成验收")]),
        ("2024年3月15日前报送，2024年年底前完成。", [
            (date(2024, 3, 15), "报送", "2024年3月15日前报送，2024年年底前完成"),
            (date(2024, 12, 31), "完成", "2024年3月15日前报送，2024年年底前完成")]),
        ("2022年年底，储备基本达到标准。", [(date(2022, 12, 31), "储备基本达到标准", "2022年年底，储备基本达到标准")]),
        ("按照2020年的部署推进。", []),
        ("2021年13月底前完成。", []),
    ],
)
def test_parse_milestones(text: str, expected: list[tuple[date, str, str]]) -> None:
    assert [(m.due, m.text, m.source) for m in parse_milestones(text)] == expected
