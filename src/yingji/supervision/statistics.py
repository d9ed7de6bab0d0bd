"""Statistics the outcome indicators are computed from: work-safety accidents and natural-disaster
losses per division and period, and GDP per division and year.

Units: deaths and injuries in persons; direct loss in 万元 (10 000 yuan); GDP in 亿元
(100 million yuan), so 1 亿元 = 10 000 万元.

* deaths per 100 million yuan of GDP (亿元GDP生产安全事故死亡率) = work-safety deaths in a year ÷
  that year's GDP in 亿元 — persons per 亿元;
* direct disaster loss as a share of GDP = natural-disaster direct loss (万元) ÷ (GDP (亿元) ×
  10 000) × 100 — percent.

A division's figure is its own rows when it has any for the year, otherwise the sum of the rows of
the divisions below it (so a city total entered as such is never added to its counties' rows).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from yingji.auth import permissions as perm
from yingji.errors import Conflict, InvalidField, NotFound
from yingji.registry import service as registry
from yingji.registry.specs import REGISTRIES
from yingji.supervision import permissions as _grants  # noqa: F401  (registers the resources)
from yingji.supervision.common import SYSTEM, audit_change
from yingji.supervision.enums import LossKind
from yingji.supervision.models import GdpFigure, LossStatistic
from yingji.supervision.schemas import GdpCreate, GdpUpdate, LossStatCreate, LossStatUpdate

RESOURCE = "loss_statistics"
MAX_INT = 2**31 - 1
TEN_THOUSAND_PER_100M = 10_000.0
"""万元 in one 亿元."""


def _division(session: Session, code: str) -> Any:
    try:
        return registry.get_record(session=session, spec=REGISTRIES["divisions"], user=SYSTEM, key=code)
    except NotFound:
        raise InvalidField("division_code", f"unknown division {code}") from None


def _row_values(user: perm.Principal, division_code: str, unit_id: int | None) -> dict[str, Any]:
    return {"division_code": division_code, "unit_id": unit_id}


def _check_period(start: date, end: date) -> None:
    if end < start:
        raise InvalidField("period_end", "is before period_start")
    if end.year != start.year:
        raise InvalidField("period_end", "a period must lie within one calendar year")


def _check_overlap(
    session: Session, kind: str, division: str, start: date, end: date, skip: int | None
) -> None:
    stmt = select(LossStatistic.id).where(
        LossStatistic.kind == kind,
        LossStatistic.division_code == division,
        LossStatistic.period_start <= end,
        LossStatistic.period_end >= start,
    )
    if skip is not None:
        stmt = stmt.where(LossStatistic.id != skip)
    other = session.scalar(stmt.limit(1))
    if other is not None:
        raise Conflict(
            f"statistics {other} already cover part of {start.isoformat()}–{end.isoformat()} "
            f"for {kind} in {division}; change that row instead of adding an overlapping one"
        )


# ---- losses ---------------------------------------------------------------------------------


def create_loss(*, session: Session, user: perm.Principal, data: LossStatCreate) -> LossStatistic:
    perm.require(user, RESOURCE, "create")
    _check_period(data.period_start, data.period_end)
    unit_id = user.unit_id
    perm.require_row(user, RESOURCE, "create", _row_values(user, data.division_code, unit_id))
    _division(session, data.division_code)
    _check_overlap(session, data.kind.value, data.division_code, data.period_start, data.period_end, None)
    row = LossStatistic(**data.model_dump(), unit_id=unit_id, created_by=user.username)
    row.kind = data.kind.value
    session.add(row)
    session.flush()
    audit_change(session, user, "create", "loss_statistics", row.id, None, row.to_dict())
    return row


def get_loss(*, session: Session, user: perm.Principal, stat_id: int) -> LossStatistic:
    perm.require(user, RESOURCE, "read")
    row = session.get(LossStatistic, stat_id) if 0 < stat_id <= MAX_INT else None
    if row is None or not perm.in_scope(user, row.division_code):
        raise NotFound(f"statistics {stat_id} not found")
    return row


def update_loss(
    *, session: Session, user: perm.Principal, stat_id: int, data: LossStatUpdate
) -> LossStatistic:
    row = get_loss(session=session, user=user, stat_id=stat_id)
    perm.require(user, RESOURCE, "update")
    perm.require_row(user, RESOURCE, "update", _row_values(user, row.division_code, row.unit_id))
    changes = data.model_dump(exclude_unset=True)
    for key in ("period_start", "period_end", "deaths", "injuries", "direct_loss_10k_yuan"):
        if key in changes and changes[key] is None:
            raise InvalidField(key, "must not be null")
    start = changes.get("period_start", row.period_start)
    end = changes.get("period_end", row.period_end)
    _check_period(start, end)
    _check_overlap(session, row.kind, row.division_code, start, end, row.id)
    before = row.to_dict()
    for k, v in changes.items():
        setattr(row, k, v)
    session.flush()
    audit_change(session, user, "update", "loss_statistics", row.id, before, row.to_dict())
    return row


def delete_loss(*, session: Session, user: perm.Principal, stat_id: int) -> None:
    row = get_loss(session=session, user=user, stat_id=stat_id)
    perm.require(user, RESOURCE, "delete")
    perm.require_row(user, RESOURCE, "delete", _row_values(user, row.division_code, row.unit_id))
    before = row.to_dict()
    session.delete(row)
    session.flush()
    audit_change(session, user, "delete", "loss_statistics", stat_id, before, None)


def list_losses(
    *,
    session: Session,
    user: perm.Principal,
    kind: LossKind | None = None,
    division: str | None = None,
    year: int | None = None,
    as_of: date | None = None,
    page: int = 1,
    size: int = 50,
) -> tuple[list[LossStatistic], int]:
    perm.require(user, RESOURCE, "read")
    stmt: Select[Any] = select(LossStatistic).where(perm.scope_clause(user, LossStatistic.division_code))
    if kind is not None:
        stmt = stmt.where(LossStatistic.kind == kind.value)
    if division:
        stmt = stmt.where(LossStatistic.division_code.like(perm.division_prefix(division) + "%"))
    if year is not None:
        stmt = stmt.where(
            and_(
                LossStatistic.period_start >= date(year, 1, 1),
                LossStatistic.period_start <= date(year, 12, 31),
            )
        )
    if as_of is not None:
        stmt = stmt.where(LossStatistic.period_start <= as_of)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.scalars(
        stmt.order_by(LossStatistic.period_start.desc(), LossStatistic.division_code, LossStatistic.id)
        .offset((page - 1) * size)
        .limit(size)
    )
    return list(rows), total


# ---- GDP ------------------------------------------------------------------------------------


def create_gdp(*, session: Session, user: perm.Principal, data: GdpCreate) -> GdpFigure:
    perm.require(user, RESOURCE, "create")
    unit_id = user.unit_id
    perm.require_row(user, RESOURCE, "create", _row_values(user, data.division_code, unit_id))
    _division(session, data.division_code)
    dup = session.scalar(
        select(GdpFigure.id).where(GdpFigure.division_code == data.division_code, GdpFigure.year == data.year)
    )
    if dup is not None:
        raise Conflict(
            f"GDP of {data.division_code} for {data.year} already exists (id {dup}); change it instead"
        )
    row = GdpFigure(**data.model_dump(), unit_id=unit_id, created_by=user.username)
    session.add(row)
    session.flush()
    audit_change(session, user, "create", "gdp_figures", row.id, None, row.to_dict())
    return row


def get_gdp(*, session: Session, user: perm.Principal, gdp_id: int) -> GdpFigure:
    perm.require(user, RESOURCE, "read")
    row = session.get(GdpFigure, gdp_id) if 0 < gdp_id <= MAX_INT else None
    if row is None or not perm.in_scope(user, row.division_code):
        raise NotFound(f"GDP figure {gdp_id} not found")
    return row


def update_gdp(*, session: Session, user: perm.Principal, gdp_id: int, data: GdpUpdate) -> GdpFigure:
    row = get_gdp(session=session, user=user, gdp_id=gdp_id)
    perm.require(user, RESOURCE, "update")
    perm.require_row(user, RESOURCE, "update", _row_values(user, row.division_code, row.unit_id))
    changes = data.model_dump(exclude_unset=True)
    if "gdp_100m_yuan" in changes and changes["gdp_100m_yuan"] is None:
        raise InvalidField("gdp_100m_yuan", "must not be null")
    before = row.to_dict()
    for k, v in changes.items():
        setattr(row, k, v)
    session.flush()
    audit_change(session, user, "update", "gdp_figures", row.id, before, row.to_dict())
    return row


def delete_gdp(*, session: Session, user: perm.Principal, gdp_id: int) -> None:
    row = get_gdp(session=session, user=user, gdp_id=gdp_id)
    perm.require(user, RESOURCE, "delete")
    perm.require_row(user, RESOURCE, "delete", _row_values(user, row.division_code, row.unit_id))
    before = row.to_dict()
    session.delete(row)
    session.flush()
    audit_change(session, user, "delete", "gdp_figures", gdp_id, before, None)


def list_gdp(
    *,
    session: Session,
    user: perm.Principal,
    division: str | None = None,
    year: int | None = None,
    page: int = 1,
    size: int = 50,
) -> tuple[list[GdpFigure], int]:
    perm.require(user, RESOURCE, "read")
    stmt: Select[Any] = select(GdpFigure).where(perm.scope_clause(user, GdpFigure.division_code))
    if division:
        stmt = stmt.where(GdpFigure.division_code.like(perm.division_prefix(division) + "%"))
    if year is not None:
        stmt = stmt.where(GdpFigure.year == year)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.scalars(
        stmt.order_by(GdpFigure.year.desc(), GdpFigure.division_code).offset((page - 1) * size).limit(size)
    )
    return list(rows), total


# ---- figures and rates ----------------------------------------------------------------------


@dataclass
class Figures:
    """One division's figures for one year."""

    division_code: str
    deaths: int = 0
    injuries: int = 0
    loss_10k_yuan: float = 0.0
    rows: int = 0
    covered_until: date | None = None
    gdp_100m_yuan: float | None = None

    @property
    def deaths_per_100m_gdp(self) -> float | None:
        """Persons per 亿元 of GDP."""
        if not self.rows or not self.gdp_100m_yuan:
            return None
        return self.deaths / self.gdp_100m_yuan

    @property
    def loss_share_pct(self) -> float | None:
        """Direct loss as a percentage of GDP."""
        if not self.rows or not self.gdp_100m_yuan:
            return None
        return 100.0 * self.loss_10k_yuan / (self.gdp_100m_yuan * TEN_THOUSAND_PER_100M)

    def as_dict(self, names: dict[str, str]) -> dict[str, Any]:
        return {
            "division_code": self.division_code,
            "division": names.get(self.division_code, self.division_code),
            "deaths": self.deaths,
            "injuries": self.injuries,
            "direct_loss_10k_yuan": self.loss_10k_yuan,
            "rows": self.rows,
            "covered_until": self.covered_until,
            "gdp_100m_yuan": self.gdp_100m_yuan,
            "deaths_per_100m_gdp": self.deaths_per_100m_gdp,
            "loss_share_pct": self.loss_share_pct,
        }


def _add(f: Figures, rows: list[LossStatistic]) -> None:
    for r in rows:
        f.deaths += r.deaths
        f.injuries += r.injuries
        f.loss_10k_yuan += r.direct_loss_10k_yuan
        f.rows += 1
        f.covered_until = max(f.covered_until or r.period_end, r.period_end)


def year_figures(
    *, session: Session, division: str, year: int, kind: LossKind, until: date | None = None
) -> tuple[Figures, list[Figures]]:
    """(the division's total, its counties' figures) for ``year``; rows ending after ``until`` are
    left out."""
    prefix = perm.division_prefix(division)
    stmt = select(LossStatistic).where(
        LossStatistic.kind == kind.value,
        LossStatistic.division_code.like(prefix + "%"),
        LossStatistic.period_start >= date(year, 1, 1),
        LossStatistic.period_start <= date(year, 12, 31),
    )
    if until is not None:
        stmt = stmt.where(LossStatistic.period_end <= until)
    own: list[LossStatistic] = []
    by_child: dict[str, list[LossStatistic]] = defaultdict(list)
    for r in session.scalars(stmt):
        if r.division_code == division:
            own.append(r)
        else:
            by_child[r.division_code[:6]].append(r)
    gdp = {
        g.division_code: g.gdp_100m_yuan
        for g in session.scalars(
            select(GdpFigure).where(GdpFigure.division_code.like(prefix + "%"), GdpFigure.year == year)
        )
    }
    children: list[Figures] = []
    for code in sorted(set(by_child) | {c for c in gdp if c != division and len(c) == 6}):
        rows = by_child.get(code, [])
        f = Figures(division_code=code, gdp_100m_yuan=gdp.get(code))
        _add(f, [r for r in rows if r.division_code == code] or rows)
        children.append(f)
    total = Figures(division_code=division)
    if own:
        _add(total, own)
    else:
        for c in children:
            total.deaths += c.deaths
            total.injuries += c.injuries
            total.loss_10k_yuan += c.loss_10k_yuan
            total.rows += c.rows
            if c.covered_until is not None:
                total.covered_until = max(total.covered_until or c.covered_until, c.covered_until)
    if division in gdp:
        total.gdp_100m_yuan = gdp[division]
    else:
        child_gdp = [c.gdp_100m_yuan for c in children if c.gdp_100m_yuan is not None]
        total.gdp_100m_yuan = sum(child_gdp) if child_gdp else None
    return total, children


def division_names(session: Session) -> dict[str, str]:
    divisions = registry.all_records(
        session=session, spec=REGISTRIES["divisions"], user=SYSTEM, filters=registry.ListFilters()
    )
    return {d.code: d.name for d in divisions}


def rates(
    *, session: Session, user: perm.Principal, division: str, year: int, until: date | None = None
) -> dict[str, Any]:
    """Deaths per 100 million yuan of GDP and disaster loss share for ``division`` and its counties."""
    perm.require(user, RESOURCE, "read")
    names = division_names(session)
    safety, safety_by = year_figures(
        session=session, division=division, year=year, kind=LossKind.work_safety, until=until
    )
    disaster, disaster_by = year_figures(
        session=session, division=division, year=year, kind=LossKind.natural_disaster, until=until
    )
    d_by = {f.division_code: f for f in disaster_by}
    rows: list[dict[str, Any]] = []
    for f in safety_by:
        if not perm.in_scope(user, f.division_code):
            continue
        dis = d_by.get(f.division_code)
        rows.append(
            {
                "division_code": f.division_code,
                "division": names.get(f.division_code, f.division_code),
                "gdp_100m_yuan": f.gdp_100m_yuan,
                "work_safety": f.as_dict(names),
                "natural_disaster": dis.as_dict(names) if dis is not None else None,
            }
        )
    for code, dis in d_by.items():
        if perm.in_scope(user, code) and code not in {r["division_code"] for r in rows}:
            rows.append(
                {
                    "division_code": code,
                    "division": names.get(code, code),
                    "gdp_100m_yuan": dis.gdp_100m_yuan,
                    "work_safety": None,
                    "natural_disaster": dis.as_dict(names),
                }
            )
    rows.sort(key=lambda r: str(r["division_code"]))
    city = None
    if perm.in_scope(user, division):
        city = {
            "division_code": division,
            "division": names.get(division, division),
            "gdp_100m_yuan": safety.gdp_100m_yuan,
            "work_safety": safety.as_dict(names),
            "natural_disaster": disaster.as_dict(names),
        }
    return {"year": year, "until": until, "total": city, "by_division": rows}
