"""Level suggestion from threshold criteria joined by "或者" (any one criterion suffices).

The model, as in 《生产安全事故报告和调查处理条例》(国务院令第493号) Art. 3:

* each criterion looks at one figure (or the sum of several, e.g. dead + missing) and gives the
  lower bound of each level; "以上包括本数，以下不包括本数" — a value **equal to** a bound reaches
  that level (``value >= bound``), a value below the lowest bound falls to the default level;
* the criteria are joined by "或者": the suggested level is the **most severe** level any one
  criterion reaches;
* an unknown figure (``None``) reaches no level and is reported as missing, never guessed.

Levels are the four grades of 《突发事件应对法》 Art. 3: I 特别重大, II 重大, III 较大, IV 一般
(I is the most severe). Units are whatever the criteria data says (persons, 万元 …); this module
only compares numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

LEVELS: tuple[str, ...] = ("I", "II", "III", "IV")
"""Most severe first."""

LEVEL_NAMES: dict[str, tuple[str, str]] = {
    "I": ("特别重大", "Extremely serious"),
    "II": ("重大", "Serious"),
    "III": ("较大", "Relatively serious"),
    "IV": ("一般", "Ordinary"),
}
"""Names of the grades, 《突发事件应对法》(2024) Art. 3."""

STATUSES = ("V", "S", "U")


class CriteriaError(ValueError):
    """Criteria data that cannot be used (unknown level, bounds out of order, no criterion …)."""


def more_severe(a: str | None, b: str | None) -> str | None:
    """The more severe of two levels (``None`` = no level)."""
    if a is None:
        return b
    if b is None:
        return a
    return a if LEVELS.index(a) <= LEVELS.index(b) else b


@dataclass(frozen=True)
class Criterion:
    """One criterion: the figure(s) it reads and the inclusive lower bound of each level it can give."""

    fields: tuple[str, ...]
    label_zh: str
    label_en: str
    unit: str
    bounds: Mapping[str, float]
    """level -> inclusive lower bound; levels not listed cannot be reached by this criterion."""

    @property
    def key(self) -> str:
        return "+".join(self.fields)

    def value(self, figures: Mapping[str, float | int | None]) -> float | None:
        """The figure (sum of the fields); ``None`` when any field is unknown."""
        total = 0.0
        for f in self.fields:
            v = figures.get(f)
            if v is None:
                return None
            total += float(v)
        return total


@dataclass(frozen=True)
class CriteriaSet:
    key: str
    name_zh: str
    name_en: str
    source: str
    status: str
    criteria: tuple[Criterion, ...]
    default_level: str | None = "IV"
    """The level when no criterion reaches a bound (一般 for work-safety accidents); None = no level."""
    note: str = ""


@dataclass(frozen=True)
class Finding:
    """What one criterion says about the figures."""

    criterion: str
    label_zh: str
    label_en: str
    unit: str
    value: float | None
    level: str | None
    bound: float | None
    """The bound that was reached (``value >= bound``), or None."""
    next_bound: float | None = None
    """The bound of the next more severe level this criterion could reach (None at the top)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "criterion": self.criterion,
            "label_zh": self.label_zh,
            "label_en": self.label_en,
            "unit": self.unit,
            "value": self.value,
            "level": self.level,
            "bound": self.bound,
            "next_bound": self.next_bound,
        }


@dataclass(frozen=True)
class Suggestion:
    level: str | None
    criteria_key: str
    criteria_name: str
    source: str
    status: str
    findings: tuple[Finding, ...]
    deciding: tuple[Finding, ...] = field(default=())
    """The criteria that reached the suggested level (empty when the default level applies)."""
    missing: tuple[str, ...] = field(default=())

    @property
    def by_default(self) -> bool:
        return self.level is not None and not self.deciding

    def reasoning_zh(self) -> str:
        parts = []
        for f in self.findings:
            if f.value is None:
                parts.append(f"{f.label_zh}：未知")
            elif f.level is None:
                parts.append(f"{f.label_zh} {_num(f.value)}{f.unit}，未达任何等级下限")
            else:
                parts.append(
                    f"{f.label_zh} {_num(f.value)}{f.unit} ≥ {_num(f.bound)}{f.unit}，"
                    f"达{LEVEL_NAMES[f.level][0]}（{f.level}级）"
                )
        if self.level is None:
            verdict = "无法给出建议等级"
        elif self.deciding:
            names = "、".join(f.label_zh for f in self.deciding)
            verdict = f"各项“或者”取最高：{LEVEL_NAMES[self.level][0]}（{self.level}级），由{names}决定"
        else:
            verdict = f"均未达较高等级下限：{LEVEL_NAMES[self.level][0]}（{self.level}级）"
        tail = f"（依据：{self.source}；状态 {self.status}）"
        return "；".join(parts) + "。" + verdict + tail

    def reasoning_en(self) -> str:
        parts = []
        for f in self.findings:
            if f.value is None:
                parts.append(f"{f.label_en}: unknown")
            elif f.level is None:
                parts.append(f"{f.label_en} {_num(f.value)} {f.unit} reaches no level")
            else:
                parts.append(f"{f.label_en} {_num(f.value)} {f.unit} >= {_num(f.bound)} -> level {f.level}")
        if self.level is None:
            verdict = "no level can be suggested"
        elif self.deciding:
            verdict = f"highest of the criteria: level {self.level}, decided by " + ", ".join(
                f.label_en for f in self.deciding
            )
        else:
            verdict = f"no higher bound reached: level {self.level} by default"
        return "; ".join(parts) + f". {verdict} (source: {self.source}; status {self.status})"

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "criteria": self.criteria_key,
            "criteria_name": self.criteria_name,
            "source": self.source,
            "status": self.status,
            "deciding": [f.criterion for f in self.deciding],
            "by_default": self.by_default,
            "missing": list(self.missing),
            "findings": [f.as_dict() for f in self.findings],
            "reasoning_zh": self.reasoning_zh(),
            "reasoning_en": self.reasoning_en(),
        }


def _num(v: float | None) -> str:
    if v is None:
        return "?"
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def level_for(criterion: Criterion, value: float | None) -> tuple[str | None, float | None, float | None]:
    """(level reached, its bound, the next more severe bound) for one value; inclusive bounds."""
    if value is None:
        return None, None, None
    reached: str | None = None
    bound: float | None = None
    for level in reversed(LEVELS):  # least severe first: keep climbing while the bound is reached
        b = criterion.bounds.get(level)
        if b is None:
            continue
        if value >= b:
            reached, bound = level, b
        else:
            return reached, bound, b
    return reached, bound, None


def suggest(*, criteria: CriteriaSet, figures: Mapping[str, float | int | None]) -> Suggestion:
    """Suggest a level: the most severe level any criterion reaches, else the default level."""
    findings: list[Finding] = []
    missing: list[str] = []
    best: str | None = None
    for c in criteria.criteria:
        value = c.value(figures)
        if value is None:
            missing.append(c.key)
        level, bound, nxt = level_for(c, value)
        findings.append(Finding(c.key, c.label_zh, c.label_en, c.unit, value, level, bound, nxt))
        best = more_severe(best, level)
    deciding = tuple(f for f in findings if best is not None and f.level == best)
    level = best if best is not None else criteria.default_level
    return Suggestion(
        level=level,
        criteria_key=criteria.key,
        criteria_name=criteria.name_zh,
        source=criteria.source,
        status=criteria.status,
        findings=tuple(findings),
        deciding=deciding if best is not None else (),
        missing=tuple(missing),
    )


def parse_criteria_set(key: str, data: Mapping[str, Any]) -> CriteriaSet:
    """Build and check a criteria set from plain data (e.g. one entry of a JSON file).

    Expected keys: ``name_zh``, ``name_en``, ``source``, ``status`` (V/S/U), ``default_level``
    (a level or null), ``criteria``: a list of ``{"fields": [...], "label_zh", "label_en", "unit",
    "bounds": {"I": n, "II": n, "III": n}}``. Bounds must strictly increase with severity.
    """
    try:
        status = str(data["status"])
        if status not in STATUSES:
            raise CriteriaError(f"{key}: status must be one of {', '.join(STATUSES)}")
        default = data.get("default_level", "IV")
        if default is not None and default not in LEVELS:
            raise CriteriaError(f"{key}: unknown default level {default!r}")
        raw: Sequence[Mapping[str, Any]] = data["criteria"]
        if not raw:
            raise CriteriaError(f"{key}: no criteria")
        out = []
        for i, c in enumerate(raw):
            fields = c.get("fields") or ([c["field"]] if "field" in c else [])
            if not fields:
                raise CriteriaError(f"{key}.criteria[{i}]: no field")
            bounds = {str(k): float(v) for k, v in dict(c["bounds"]).items()}
            unknown = set(bounds) - set(LEVELS)
            if unknown:
                raise CriteriaError(f"{key}.criteria[{i}]: unknown levels {sorted(unknown)}")
            ordered = [bounds[lv] for lv in LEVELS if lv in bounds]
            if any(b < 0 for b in ordered):
                raise CriteriaError(f"{key}.criteria[{i}]: bounds must not be negative")
            if any(a <= b for a, b in zip(ordered, ordered[1:], strict=False)):
                raise CriteriaError(f"{key}.criteria[{i}]: bounds must strictly increase with severity")
            out.append(
                Criterion(
                    fields=tuple(str(f) for f in fields),
                    label_zh=str(c.get("label_zh", "+".join(fields))),
                    label_en=str(c.get("label_en", "+".join(fields))),
                    unit=str(c.get("unit", "")),
                    bounds=bounds,
                )
            )
        return CriteriaSet(
            key=key,
            name_zh=str(data.get("name_zh", key)),
            name_en=str(data.get("name_en", key)),
            source=str(data["source"]),
            status=status,
            criteria=tuple(out),
            default_level=default,
            note=str(data.get("note", "")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, CriteriaError):
            raise
        raise CriteriaError(f"{key}: malformed criteria ({exc!r})") from None
