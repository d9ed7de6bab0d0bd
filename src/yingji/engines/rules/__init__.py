"""Monitoring rules engine: threshold, rate of change, sustained and silence rules with
hysteresis, evaluated vectorised over batches of readings (numpy only).

Severity inside the engine: 0 none, 1 blue, 2 yellow, 3 orange, 4 red; the platform's warning
level is ``5 - severity`` (一级 red = 1). Times are integer milliseconds since the epoch.
See ``docs/engines/rules.md``.
"""

from . import reference
from .spec import (
    RULE_TYPES,
    SEVERITY_NAMES,
    KindDefaults,
    Rule,
    RuleError,
    effective_rules,
    kind_defaults,
    parse_rule,
    rule_to_dict,
    severity_of_level,
    silence_rule,
    warning_level,
)
from .vectorised import Outcome, Params, Stream, evaluate, gaps, make_stream, params_of, rate_of_change, silent

__all__ = [
    "RULE_TYPES",
    "SEVERITY_NAMES",
    "KindDefaults",
    "Outcome",
    "Params",
    "Rule",
    "RuleError",
    "Stream",
    "effective_rules",
    "evaluate",
    "gaps",
    "kind_defaults",
    "make_stream",
    "params_of",
    "parse_rule",
    "rate_of_change",
    "reference",
    "rule_to_dict",
    "severity_of_level",
    "silence_rule",
    "silent",
    "warning_level",
]
