"""Level suggestion through the API: the criteria's boundary values, the reasoning (which criterion
decided), confirmation and override with a reason, and re-suggestion when the figures change."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

BOUNDARIES = [
    ({"dead": 2}, "IV", []), ({"dead": 3}, "III", ["dead"]),
    ({"dead": 9}, "III", ["dead"]), ({"dead": 10}, "II", ["dead"]),
    ({"dead": 29}, "II", ["dead"]), ({"dead": 30}, "I", ["dead"]),
    ({"seriously_injured": 9}, "IV", []), ({"seriously_injured": 10}, "III", ["seriously_injured"]),
    ({"seriously_injured": 49}, "III", ["seriously_injured"]), ({"seriously_injured": 50}, "II", ["seriously_injured"]),
    ({"seriously_injured": 99}, "II", ["seriously_injured"]), ({"seriously_injured": 100}, "I", ["seriously_injured"]),
    ({"direct_loss_wan": 999.9}, "IV", []), ({"direct_loss_wan": 1000}, "III", ["direct_loss_wan"]),
    ({"direct_loss_wan": 4999.9}, "III", ["direct_loss_wan"]), ({"direct_loss_wan": 5000}, "II", ["direct_loss_wan"]),
    ({"direct_loss_wan": 9999.9}, "II", ["direct_loss_wan"]), ({"direct_loss_wan": 10000}, "I", ["direct_loss_wan"]),
]


@pytest.mark.parametrize(("figures", "level", "deciding"), BOUNDARIES,
                         ids=[f"{next(iter(f))}={next(iter(f.values()))}" for f, _, _ in BOUNDARIES])
def test_suggested_level_on_the_boundaries(
    new_incident: Callable[..., dict[str, Any]], figures: dict[str, Any], level: str, deciding: list[str]
) -> None:
    inc = new_incident(**figures)
    assert inc["suggested_level"] == level
    assert inc["level"] is None and inc["effective_level"] == level
    reasoning = inc["level_reasoning"]
    assert reasoning["criteria"] == "work_safety_accident" and reasoning["status"] == "V"
    assert reasoning["deciding"] == deciding
    assert reasoning["by_default"] is (not deciding)
    assert "第三条" in reasoning["source"]


def test_preview_grades_without_storing(clients: Any) -> None:
    r = clients["viewer"].get("/api/v1/incidents/grade",
                              params={"category": "accident", "type": "fire", "dead": 3, "direct_loss_wan": 6000})
    assert r.status_code == 200, r.text
    assert r.json()["level"] == "II" and r.json()["deciding"] == ["direct_loss_wan"]
    assert clients["viewer"].get("/api/v1/incidents/grade").json()["level"] == "IV"  # defaults: nothing
    bad = clients["viewer"].get("/api/v1/incidents/grade", params={"dead": -1})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "dead"
    assert clients["viewer"].get("/api/v1/incidents/grade", params={"type": "flood"}).status_code == 422
    assert clients["viewer"].get("/api/v1/incidents").json()["total"] == 0


def test_placeholder_criteria_are_marked_unverified(new_incident: Callable[..., dict[str, Any]]) -> None:
    inc = new_incident(category="natural_disaster", type="flood", dead=1, missing=2, affected_people=50)
    assert inc["suggested_level"] == "III"
    assert inc["level_reasoning"]["status"] == "U"
    assert inc["level_reasoning"]["deciding"] == ["dead+missing"]


def test_confirm_and_override(clients: Any, new_incident: Callable[..., dict[str, Any]]) -> None:
    c = clients["duty"]
    inc = new_incident(dead=3)
    url = f"/api/v1/incidents/{inc['id']}/level"
    confirmed = c.post(url, json={"level": "III"})
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["level"] == "III" and confirmed.json()["level_confirmed_by"] == "duty"
    assert confirmed.json()["level_override_reason"] is None
    refused = c.post(url, json={"level": "II"})
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"][-1] == "reason"
    assert c.get(f"/api/v1/incidents/{inc['id']}").json()["level"] == "III"
    over = c.post(url, json={"level": "II", "reason": "涉及重点化工园区，社会影响大"})
    assert over.status_code == 200
    assert over.json()["level"] == "II" and over.json()["suggested_level"] == "III"
    assert over.json()["level_override_reason"] == "涉及重点化工园区，社会影响大"
    lines = [e for e in c.get(f"/api/v1/incidents/{inc['id']}/timeline").json() if e["kind"] == "level"]
    assert [e["data"]["overridden"] for e in lines] == [False, True]
    assert clients["viewer"].post(url, json={"level": "IV", "reason": "x"}).status_code == 403


def test_new_figures_change_the_suggestion_and_flag_a_review(
    clients: Any, new_incident: Callable[..., dict[str, Any]]
) -> None:
    c = clients["commander"]
    inc = new_incident(dead=2)
    c.post(f"/api/v1/incidents/{inc['id']}/level", json={"level": "IV"})
    r = c.patch(f"/api/v1/incidents/{inc['id']}", json={"dead": 10, "note": "核实新增遇难"})
    assert r.status_code == 200, r.text
    assert r.json()["suggested_level"] == "II" and r.json()["level"] == "IV"
    line = [e for e in c.get(f"/api/v1/incidents/{inc['id']}/timeline").json() if e["kind"] == "level"][-1]
    assert line["data"] == {**line["data"], "from": "IV", "to": "II", "review_needed": True}


def test_a_city_can_replace_the_criteria(
    clients: Any, settings: Any, new_incident: Callable[..., dict[str, Any]]
) -> None:
    import json

    import yingji.incidents

    raw = json.loads((Path(yingji.incidents.__file__).parent / "data" / "grading.json").read_text("utf-8"))
    raw["sets"]["work_safety_accident"]["criteria"][0]["bounds"] = {"I": 20, "II": 5, "III": 1}
    folder = Path(settings.data_dir) / "incidents"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "grading.json").write_text(json.dumps(raw, ensure_ascii=False), "utf-8")
    inc = new_incident(dead=5)
    assert inc["suggested_level"] == "II"
    ref = clients["viewer"].get("/api/v1/incidents/reference").json()
    assert ref["files"]["grading.json"].startswith(str(folder))
