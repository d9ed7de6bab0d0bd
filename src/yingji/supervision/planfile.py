"""The action-plan data file: its typed format, and the parsing of dated milestones from task text.

A plan file is JSON (see docs/supervision.md for the format and how to write one for another
city). Milestones may be given in the file; a task without a ``milestones`` key gets those parsed
from its text by :func:`parse_milestones`.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from yingji.errors import InvalidField
from yingji.supervision.enums import Comparator

FORMAT = "yingji.action-plan/1"
CN_NUMERALS = (
    "一",
    "二",
    "三",
    "四",
    "五",
    "六",
    "七",
    "八",
    "九",
    "十",
    "十一",
    "十二",
    "十三",
    "十四",
    "十五",
    "十六",
    "十七",
    "十八",
    "十九",
    "二十",
)


def section_no(numeral: str) -> int:
    """一 → 1 … 二十 → 20."""
    try:
        return CN_NUMERALS.index(numeral) + 1
    except ValueError:
        raise InvalidField("section", f"not a Chinese section numeral 一…二十: {numeral!r}") from None


# ---- milestones -----------------------------------------------------------------------------

# Date expressions, most specific first. Each yields (year, month, day) of the deadline.
_DATE_RE = re.compile(
    r"(?P<to>到|至)?(?P<y>\d{4})年"
    r"(?:(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})日|(?P<mend>底|末))?|(?P<yend>年底|底|年末|末)|(?P<h1>上半年)|(?P<h2>下半年))?"
    r"(?P<before>前|之前)?"
)
_SENTENCE_END = "。；;\n"


@dataclass(frozen=True)
class ParsedMilestone:
    due: date
    text: str
    source: str


def _due(m: re.Match[str]) -> date | None:
    y = int(m.group("y"))
    if m.group("m"):
        month = int(m.group("m"))
        if not 1 <= month <= 12:
            return None
        if m.group("d"):
            try:
                return date(y, month, int(m.group("d")))
            except ValueError:
                return None
        if m.group("mend") or m.group("before"):
            return date(y, month, calendar.monthrange(y, month)[1])
        return None
    if m.group("yend"):
        return date(y, 12, 31)
    if m.group("h1"):
        return date(y, 6, 30)
    if m.group("h2"):
        return date(y, 12, 31)
    if m.group("to"):  # 到2022年 — by the end of that year
        return date(y, 12, 31)
    return None


def parse_milestones(text: str) -> list[ParsedMilestone]:
    """Dated milestones in ``text``: every sentence that carries a deadline.

    Recognised: ``YYYY年年底前``/``YYYY年底前``/``YYYY年年底`` (→ 31 Dec), ``YYYY年M月底前``
    (→ last day of the month), ``YYYY年M月D日前``, ``YYYY年上半年`` (→ 30 Jun), ``YYYY年下半年``,
    ``到YYYY年`` (→ 31 Dec). A bare year ("2022年的") is not a deadline.

    ``source`` is the whole sentence as written (between 。/； marks); ``text`` runs from the date
    to the sentence's end, without the date words ("2022年年底前，县级疾控中心全部建成…" →
    "县级疾控中心全部建成…"). Two deadlines in one sentence make two milestones.
    """
    out: list[ParsedMilestone] = []
    for m in _DATE_RE.finditer(text):
        due = _due(m)
        if due is None:
            continue
        start = max(text.rfind(c, 0, m.start()) for c in _SENTENCE_END) + 1
        ends = [i for i in (text.find(c, m.end()) for c in _SENTENCE_END) if i >= 0]
        end = min(ends) if ends else len(text)
        nxt = next((n for n in _DATE_RE.finditer(text, m.end(), end) if _due(n) is not None), None)
        clause_end = nxt.start() if nxt is not None else end
        body = text[m.end() : clause_end].lstrip("，,、 ").rstrip("，,、 ")
        source = text[start:end].strip()
        out.append(ParsedMilestone(due=due, text=body, source=source))
    return out


# ---- the file format ------------------------------------------------------------------------

UnitName = Annotated[str, Field(min_length=1, max_length=200)]


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)


class SectionIn(_File):
    number: str = Field(min_length=1, max_length=10, description="Chinese numeral: 一, 二, …")
    title: str = Field(min_length=1, max_length=200)


class PartIn(_File):
    """A paragraph of a task that names its own units (Liaocheng's tasks 8 and 9)."""

    text: str = Field(min_length=1)
    lead_units: list[UnitName] = Field(default_factory=list)
    responsible_units: list[UnitName] = Field(default_factory=list)


class MilestoneIn(_File):
    due: date
    text: str = Field(min_length=1)
    source: str = Field(min_length=1, description="The words of the plan, verbatim")


class TaskIn(_File):
    number: int = Field(ge=1, le=999)
    section: str = Field(min_length=1, max_length=10)
    title: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, description="The task's text as written (paragraphs joined by newlines)")
    lead_units: list[UnitName] = Field(default_factory=list)
    responsible_units: list[UnitName] = Field(default_factory=list)
    parts: list[PartIn] = Field(default_factory=list)
    milestones: list[MilestoneIn] | None = Field(default=None, description="Omit to parse them from the text")


class TargetIn(_File):
    text: str = Field(min_length=1)


class IndicatorIn(_File):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{1,79}$")
    name: str = Field(min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    method: str = Field(min_length=1, max_length=80, description="A method of yingji.supervision.indicators")
    target: float | None = None
    comparator: Comparator
    unit: str = Field(default="", max_length=40)
    source: str = Field(min_length=1, description="The plan's words, verbatim")
    due: date
    overall: bool = False
    tasks: list[int] = Field(default_factory=list)
    params: dict[str, Any] = Field(default_factory=dict)
    note: str | None = None

    @model_validator(mode="after")
    def _target(self) -> IndicatorIn:
        if self.comparator != Comparator.increase and self.target is None:
            raise ValueError("target is required unless the comparator is 'increase'")
        return self


class ProjectIn(_File):
    category_no: str = Field(min_length=1, max_length=10)
    category: str = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1, max_length=300)
    owners: list[UnitName] = Field(default_factory=list)


class PeriodIn(_File):
    start: date
    end: date


class PlanFile(_File):
    format: str = Field(pattern=r"^yingji\.action-plan/1$")
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{1,79}$")
    title: str = Field(min_length=1, max_length=300)
    issuer: str | None = Field(default=None, max_length=200)
    issued: date | None = None
    division_code: str = Field(pattern=r"^\d{6}$")
    period: PeriodIn
    schedule_start: date | None = Field(
        default=None,
        description="Day from which expected progress is counted (default: issued, else period start)",
    )
    source: str | None = Field(default=None, max_length=300)
    overall: str = ""
    targets: list[TargetIn] = Field(default_factory=list)
    sections: list[SectionIn]
    tasks: list[TaskIn]
    indicators: list[IndicatorIn] = Field(default_factory=list)
    projects: list[ProjectIn] = Field(default_factory=list)
    annex_note: str | None = None
    aliases: dict[str, list[UnitName]] = Field(
        default_factory=dict,
        description="Names as written → registry unit names (collective names such as 各基础电信运营企业)",
    )

    @model_validator(mode="after")
    def _consistent(self) -> PlanFile:
        if self.period.end < self.period.start:
            raise ValueError("period.end is before period.start")
        numbers = [s.number for s in self.sections]
        if len(set(numbers)) != len(numbers):
            raise ValueError("sections: a section number appears twice")
        known = set(numbers)
        seen: set[int] = set()
        for t in self.tasks:
            if t.section not in known:
                raise ValueError(f"task {t.number}: unknown section {t.section!r}")
            if t.number in seen:
                raise ValueError(f"task {t.number} appears twice")
            seen.add(t.number)
        keys = [i.key for i in self.indicators]
        if len(set(keys)) != len(keys):
            raise ValueError("indicators: a key appears twice")
        for i in self.indicators:
            bad = set(i.tasks) - seen
            if bad:
                raise ValueError(f"indicator {i.key}: unknown task(s) {sorted(bad)}")
        return self

    def schedule_from(self) -> date:
        return self.schedule_start or self.issued or self.period.start


def parse_plan(data: Any) -> PlanFile:
    """Validate a plan document; errors name the field (``tasks.3.number: …``)."""
    try:
        return PlanFile.model_validate(data)
    except ValidationError as exc:
        errors = [(list(e["loc"]) or ["plan"], e["msg"]) for e in exc.errors()]
        raise InvalidField.many(errors) from None


def task_milestones(task: TaskIn) -> list[MilestoneIn]:
    """The task's milestones: as given, or parsed from its text."""
    if task.milestones is not None:
        return task.milestones
    return [MilestoneIn(due=m.due, text=m.text, source=m.source) for m in parse_milestones(task.text)]
