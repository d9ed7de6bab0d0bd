"""Level suggestion for incidents: the criteria in force (reference data) applied by the engine."""

from __future__ import annotations

from typing import Any

from yingji.engines.grading import Suggestion, suggest
from yingji.incidents.reference import Reference

FIGURES = ("dead", "injured", "seriously_injured", "missing", "trapped", "direct_loss_wan", "affected_people")


def figures_of(obj: Any) -> dict[str, float | int | None]:
    """The figures the criteria read, from an incident or any object/dict with those names."""
    if isinstance(obj, dict):
        return {f: obj.get(f) for f in FIGURES}
    return {f: getattr(obj, f, None) for f in FIGURES}


def suggestion_for(*, ref: Reference, category: str, type_: str, figures: dict[str, Any]) -> Suggestion:
    criteria = ref.grading.for_incident(category=category, type_=type_)
    return suggest(criteria=criteria, figures=figures)
