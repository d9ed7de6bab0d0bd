"""Incident grading engine: suggest a level I–IV from criteria held as data.

Pure computation on the standard library only. The criteria (thresholds, sources, status) are
data given by the caller; this package never reads files of a domain or the database.
See ``docs/engines/grading.md``.
"""

from .criteria import (
    LEVEL_NAMES,
    LEVELS,
    CriteriaError,
    CriteriaSet,
    Criterion,
    Finding,
    Suggestion,
    level_for,
    more_severe,
    parse_criteria_set,
    suggest,
)

__all__ = [
    "LEVELS",
    "LEVEL_NAMES",
    "CriteriaError",
    "CriteriaSet",
    "Criterion",
    "Finding",
    "Suggestion",
    "level_for",
    "more_severe",
    "parse_criteria_set",
    "suggest",
]
