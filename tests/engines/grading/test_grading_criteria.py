"""The grading engine on the work-safety criteria of 《生产安全事故报告和调查处理条例》 Art. 3.

The reference table is the article itself (status V in docs/REFERENCE): 特别重大 ≥30 deaths / ≥100
seriously injured / ≥1亿元 (10000 万元); 重大 10–29 / 50–99 / 5000万–<1亿; 较大 3–9 / 10–49 /
1000万–<5000万; 一般 below; "以上包括本数，以下不包括本数"; criteria joined by "或者". The bounds are
read from the shipped data file, so the test checks the data as well as the engine.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import yingji.incidents
from yingji.engines.grading import (
    CriteriaError,
    CriteriaSet,
    level_for,
    more_severe,
    parse_criteria_set,
    suggest,
)

DATA = Path(yingji.incidents.__file__).parent / "data" / "grading.json"


@pytest.fixture(scope="module")
def sets() -> dict[str, CriteriaSet]:
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    return {k: parse_criteria_set(k, v) for k, v in raw["sets"].items()}


@pytest.fixture(scope="module")
def work_safety(sets: dict[str, CriteriaSet]) -> CriteriaSet:
    return sets["work_safety_accident"]


def figures(**kw: float | None) -> dict[str, float | None]:
    base: dict[str, float | None] = {"dead": 0, "seriously_injured": 0, "direct_loss_wan": 0.0}
    base.update(kw)
    return base


@pytest.mark.parametrize(
    ("dead", "level"),
    [(0, "IV"), (2, "IV"), (3, "III"), (9, "III"), (10, "II"), (29, "II"), (30, "I"), (31, "I")],
)
def test_deaths_boundaries(work_safety: CriteriaSet, dead: int, level: str) -> None:
    s = suggest(criteria=work_safety, figures=figures(dead=dead))
    assert s.level == level
    if level != "IV":
        assert [f.criterion for f in s.deciding] == ["dead"]
    else:
        assert s.by_default and not s.deciding


@pytest.mark.parametrize(
    ("injured", "level"),
    [(9, "IV"), (10, "III"), (49, "III"), (50, "II"), (99, "II"), (100, "I")],
)
def test_seriously_injured_boundaries(work_safety: CriteriaSet, injured: int, level: str) -> None:
    s = suggest(criteria=work_safety, figures=figures(seriously_injured=injured))
    assert s.level == level
    if level != "IV":
        assert [f.criterion for f in s.deciding] == ["seriously_injured"]


@pytest.mark.parametrize(
    ("loss_wan", "level"),
    [(999.9, "IV"), (1000, "III"), (4999.9, "III"), (5000, "II"), (9999.9, "II"), (10000, "I"),
     (12000, "I")],
)
def test_direct_loss_boundaries(work_safety: CriteriaSet, loss_wan: float, level: str) -> None:
    s = suggest(criteria=work_safety, figures=figures(direct_loss_wan=loss_wan))
    assert s.level == level


def test_criteria_joined_by_or_take_the_most_severe(work_safety: CriteriaSet) -> None:
    # 2 deaths (一般), 50 seriously injured (重大), 1200 万元 (较大): 重大, decided by the injured
    s = suggest(criteria=work_safety, figures=figures(dead=2, seriously_injured=50, direct_loss_wan=1200))
    assert s.level == "II"
    assert [f.criterion for f in s.deciding] == ["seriously_injured"]
    levels = {f.criterion: f.level for f in s.findings}
    assert levels == {"dead": None, "seriously_injured": "II", "direct_loss_wan": "III"}
    assert "重伤" in s.reasoning_zh() and "重大" in s.reasoning_zh()
    assert "decided by Seriously injured" in s.reasoning_en()


def test_two_criteria_can_decide_together(work_safety: CriteriaSet) -> None:
    s = suggest(criteria=work_safety, figures=figures(dead=10, direct_loss_wan=5000))
    assert s.level == "II"
    assert {f.criterion for f in s.deciding} == {"dead", "direct_loss_wan"}


def test_unknown_figure_is_missing_not_zero(work_safety: CriteriaSet) -> None:
    s = suggest(criteria=work_safety, figures=figures(dead=3, direct_loss_wan=None))
    assert s.level == "III"
    assert s.missing == ("direct_loss_wan",)
    assert "未知" in s.reasoning_zh()


def test_finding_reports_the_bound_reached_and_the_next(work_safety: CriteriaSet) -> None:
    c = next(c for c in work_safety.criteria if c.key == "dead")
    assert level_for(c, 10) == ("II", 10.0, 30.0)
    assert level_for(c, 2) == (None, None, 3.0)
    assert level_for(c, 30) == ("I", 30.0, None)
    assert level_for(c, None) == (None, None, None)


def test_source_and_status_travel_with_the_suggestion(sets: dict[str, CriteriaSet]) -> None:
    s = suggest(criteria=sets["work_safety_accident"], figures=figures())
    assert s.status == "V" and "第三条" in s.source
    d = s.as_dict()
    assert d["level"] == "IV" and d["by_default"] is True and d["criteria"] == "work_safety_accident"
    for key in ("natural_disaster_placeholder", "public_health_placeholder", "social_security_placeholder"):
        assert sets[key].status == "U", key


def test_summed_fields(sets: dict[str, CriteriaSet]) -> None:
    nd = sets["natural_disaster_placeholder"]
    s = suggest(criteria=nd, figures={"dead": 2, "missing": 1, "direct_loss_wan": 0, "affected_people": 0})
    assert s.level == "III" and s.deciding[0].criterion == "dead+missing"


def test_more_severe() -> None:
    assert more_severe("III", "II") == "II"
    assert more_severe(None, "IV") == "IV"
    assert more_severe("I", None) == "I"


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"status": "X"}, "status"),
        ({"default_level": "V"}, "default level"),
        ({"criteria": []}, "no criteria"),
        ({"criteria": [{"fields": ["dead"], "bounds": {"I": 10, "II": 30}}]}, "strictly increase"),
        ({"criteria": [{"fields": ["dead"], "bounds": {"V": 1}}]}, "unknown levels"),
        ({"criteria": [{"fields": ["dead"], "bounds": {"III": -1}}]}, "negative"),
        ({"criteria": [{"bounds": {"III": 1}}]}, "no field"),
    ],
)
def test_bad_criteria_data_is_refused(patch: dict[str, object], message: str) -> None:
    data: dict[str, object] = {"source": "test", "status": "U",
                               "criteria": [{"fields": ["dead"], "bounds": {"III": 3}}]}
    data.update(patch)
    with pytest.raises(CriteriaError, match=message):
        parse_criteria_set("t", data)
