"""Rule declarations: what each rule type means, its parameters and their units.

Severity numbering inside the engine: 0 = nothing, 1 = blue, 2 = yellow, 3 = orange, 4 = red
(higher is worse, so ``max`` picks the worst). The platform's warning level is ``5 - severity``
(一级/red = 1 … 四级/blue = 4), see :func:`warning_level`.

Thresholds are always given in the order **blue, yellow, orange, red**; a level that a rule does
not use is ``None`` (NaN in arrays). ``direction`` says which way is bad: ``"above"`` (high water,
gas concentration) or ``"below"`` (low pressure, falling level).

Hysteresis: a level is entered when the watched quantity reaches its threshold and left only
when it has moved back past the threshold by ``deadband`` (same unit as the threshold), so a
value hovering at a threshold does not flap between two levels.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

Direction = Literal["above", "below"]
RuleType = Literal["threshold", "rate", "sustained", "silence"]
RULE_TYPES: tuple[RuleType, ...] = ("threshold", "rate", "sustained", "silence")
SEVERITY_NAMES = ("none", "blue", "yellow", "orange", "red")


class RuleError(ValueError):
    """A rule declaration that cannot be evaluated; ``field`` names the offending parameter."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def warning_level(severity: int) -> int | None:
    """Engine severity (1 blue … 4 red) → warning level (4 … 1); ``None`` for 0."""
    if severity <= 0:
        return None
    return 5 - int(severity)


def severity_of_level(level: int | None) -> int:
    """Warning level (1 red … 4 blue, ``None`` = nothing) → engine severity (4 … 1, 0)."""
    return 0 if level is None else 5 - int(level)


Thresholds = tuple[float | None, float | None, float | None, float | None]


@dataclass(frozen=True)
class Rule:
    """One rule of one sensor.

    * ``threshold`` — the value itself against ``thresholds``;
    * ``rate`` — the rate of change, in value units per ``per_s`` seconds (default per hour),
      computed between each reading and the oldest reading of the same sensor within the
      preceding ``window_s`` seconds (not computed when that span is shorter than
      ``min_span_s``, by default half the window);
    * ``sustained`` — the value beyond a threshold without interruption for at least
      ``duration_s`` seconds (measured from the first reading of the run);
    * ``silence`` — no reading for ``silence_s`` seconds; raises ``silence_severity``.
    """

    type: RuleType
    name: str = ""
    thresholds: Thresholds = (None, None, None, None)
    deadband: Thresholds = (None, None, None, None)
    direction: Direction = "above"
    window_s: float = 3600.0
    per_s: float = 3600.0
    min_span_s: float | None = None
    duration_s: float = 600.0
    silence_s: float = 3600.0
    silence_severity: int = 1
    auto_lift: bool = True

    @property
    def cause(self) -> str:
        """A stable key for the warning this rule raises: one active warning per sensor and cause."""
        return self.name or self.type

    @property
    def lookback_s(self) -> float:
        """How much earlier data the rule needs to judge the first new reading."""
        if self.type == "rate":
            return self.window_s
        if self.type == "sustained":
            return 2.0 * self.duration_s
        return 0.0

    def deadbands(self) -> tuple[float, float, float, float]:
        out = []
        for k, t in enumerate(self.thresholds):
            d = self.deadband[k]
            out.append(0.0 if d is None or t is None else float(d))
        return (out[0], out[1], out[2], out[3])

    def thresholds_array(self) -> tuple[float, float, float, float]:
        vals = [math.nan if t is None else float(t) for t in self.thresholds]
        return (vals[0], vals[1], vals[2], vals[3])


def _opt_float(value: Any, field: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RuleError(field, f"expected a number or null, got {value!r}")
    f = float(value)
    if not math.isfinite(f):
        raise RuleError(field, "must be finite")
    return f


def _four(value: Any, field: str) -> Thresholds:
    if value is None:
        return (None, None, None, None)
    if isinstance(value, Mapping):
        unknown = set(value) - set(SEVERITY_NAMES[1:])
        if unknown:
            raise RuleError(field, f"unknown levels {sorted(unknown)}; use blue, yellow, orange, red")
        items = [value.get(n) for n in SEVERITY_NAMES[1:]]
    elif isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) != 4:
            raise RuleError(field, "give four values: blue, yellow, orange, red (null for unused)")
        items = list(value)
    else:
        raise RuleError(field, "give {blue, yellow, orange, red} or a list of four")
    out = [_opt_float(v, f"{field}.{SEVERITY_NAMES[i + 1]}") for i, v in enumerate(items)]
    return (out[0], out[1], out[2], out[3])


def _positive(value: Any, field: str, default: float) -> float:
    v = _opt_float(value, field)
    if v is None:
        return default
    if v <= 0:
        raise RuleError(field, "must be positive")
    return v


def parse_rule(data: Mapping[str, Any]) -> Rule:
    """Build a :class:`Rule` from JSON-like data, checking every parameter."""
    known = {"type", "name", "thresholds", "deadband", "direction", "window_s", "per_s", "min_span_s",
             "duration_s", "silence_s", "silence_minutes", "severity", "auto_lift", "note", "source", "status"}
    unknown = set(data) - known
    if unknown:
        raise RuleError(sorted(unknown)[0], "unknown rule parameter")
    rtype = data.get("type")
    if rtype not in RULE_TYPES:
        raise RuleError("type", f"one of {', '.join(RULE_TYPES)}")
    direction = data.get("direction", "above")
    if direction not in ("above", "below"):
        raise RuleError("direction", "above or below")
    name = data.get("name") or ""
    if not isinstance(name, str) or len(name) > 60 or any(c in name for c in " ,<&"):
        raise RuleError("name", "at most 60 characters, without spaces, commas, '<' or '&'")
    thresholds = _four(data.get("thresholds"), "thresholds")
    deadband = _four(data.get("deadband"), "deadband")
    if any(d is not None and d < 0 for d in deadband):
        raise RuleError("deadband", "must not be negative")
    auto_lift = data.get("auto_lift", True)
    if not isinstance(auto_lift, bool):
        raise RuleError("auto_lift", "true or false")
    kwargs: dict[str, Any] = {"type": rtype, "name": name, "direction": direction, "auto_lift": auto_lift}
    if rtype == "silence":
        minutes = data.get("silence_minutes")
        silence_s = (_positive(minutes, "silence_minutes", 60.0) * 60.0 if minutes is not None
                     else _positive(data.get("silence_s"), "silence_s", 3600.0))
        sev = data.get("severity", "blue")
        if sev not in SEVERITY_NAMES[1:]:
            raise RuleError("severity", "blue, yellow, orange or red")
        kwargs.update(silence_s=silence_s, silence_severity=SEVERITY_NAMES.index(sev))
        return Rule(**kwargs)
    if all(t is None for t in thresholds):
        raise RuleError("thresholds", "at least one level needs a threshold")
    used = [t for t in thresholds if t is not None]
    ordered = used == sorted(used) if direction == "above" else used == sorted(used, reverse=True)
    if not ordered:
        raise RuleError("thresholds", f"thresholds must get worse from blue to red (direction {direction})")
    kwargs.update(thresholds=thresholds, deadband=deadband)
    if rtype == "rate":
        window = _positive(data.get("window_s"), "window_s", 3600.0)
        kwargs.update(window_s=window, per_s=_positive(data.get("per_s"), "per_s", 3600.0),
                      min_span_s=_opt_float(data.get("min_span_s"), "min_span_s"))
        if kwargs["min_span_s"] is not None and not 0 < kwargs["min_span_s"] <= window:
            raise RuleError("min_span_s", "must lie in (0, window_s]")
    if rtype == "sustained":
        kwargs.update(duration_s=_positive(data.get("duration_s"), "duration_s", 600.0))
    return Rule(**kwargs)


def rule_to_dict(rule: Rule) -> dict[str, Any]:
    """The JSON form of a rule (what :func:`parse_rule` reads back)."""
    out: dict[str, Any] = {"type": rule.type}
    if rule.name:
        out["name"] = rule.name
    if rule.type == "silence":
        out.update(silence_s=rule.silence_s, severity=SEVERITY_NAMES[rule.silence_severity])
        return out
    out.update(thresholds=list(rule.thresholds), deadband=list(rule.deadband), direction=rule.direction)
    if rule.type == "rate":
        out.update(window_s=rule.window_s, per_s=rule.per_s)
        if rule.min_span_s is not None:
            out["min_span_s"] = rule.min_span_s
    if rule.type == "sustained":
        out["duration_s"] = rule.duration_s
    if not rule.auto_lift:
        out["auto_lift"] = False
    return out


@dataclass(frozen=True)
class KindDefaults:
    """Defaults of one sensor kind: unit of measure, silence limit and rules (with provenance)."""

    kind: str
    unit: str
    zh: str
    en: str
    silence_s: float
    rules: tuple[Rule, ...] = field(default_factory=tuple)
    source: str = ""
    status: str = "U"


@lru_cache(maxsize=1)
def kind_defaults() -> dict[str, KindDefaults]:
    """Per-kind defaults from ``defaults.json`` (shipped with the engine)."""
    raw = json.loads(resources.files(__package__).joinpath("defaults.json").read_text(encoding="utf-8"))
    out: dict[str, KindDefaults] = {}
    for kind, d in raw["kinds"].items():
        out[kind] = KindDefaults(
            kind=kind, unit=d["unit"], zh=d["zh"], en=d["en"], silence_s=float(d["silence_minutes"]) * 60.0,
            rules=tuple(parse_rule(r) for r in d.get("rules", [])), source=d.get("source", ""),
            status=d.get("status", "U"),
        )
    return out


def effective_rules(kind: str, overrides: Sequence[Mapping[str, Any]] | None) -> tuple[Rule, ...]:
    """A sensor's rules: the kind's defaults, each replaced by an override with the same cause,
    plus any further overridden rules; an override ``{"name": X, "type": …, "disabled": true}``
    removes the default with that cause. A silence rule is always present (kind default)."""
    defaults = kind_defaults().get(kind)
    rules: dict[str, Rule] = {r.cause: r for r in (defaults.rules if defaults else ())}
    if defaults is not None and "silence" not in {r.type for r in rules.values()}:
        rules["silence"] = Rule(type="silence", silence_s=defaults.silence_s)
    for i, o in enumerate(overrides or ()):
        data = dict(o)
        if data.pop("disabled", False) is True:
            cause = data.get("name") or data.get("type")
            if not isinstance(cause, str) or (not data.get("name") and cause not in RULE_TYPES):
                raise RuleError(f"rules.{i}.type", "a disabled rule names its type or name")
            rules.pop(cause, None)
            continue
        try:
            rule = parse_rule(data)
        except RuleError as exc:
            raise RuleError(f"rules.{i}.{exc.field}", exc.message) from None
        rules[rule.cause] = rule
    return tuple(rules.values())


def silence_rule(kind: str, overrides: Sequence[Mapping[str, Any]] | None,
                 silence_minutes: int | None) -> Rule | None:
    """The sensor's silence rule as the sweep applies it and the online/offline status shows it:
    its effective silence rule with the sensor's own ``silence_minutes`` (if set) as the limit, or
    None when the rule is disabled (the sensor is then never judged silent)."""
    rule = next((r for r in effective_rules(kind, overrides) if r.type == "silence"), None)
    if rule is not None and silence_minutes is not None:
        rule = Rule(type="silence", name=rule.name, silence_s=silence_minutes * 60.0,
                    silence_severity=rule.silence_severity, auto_lift=rule.auto_lift)
    return rule
