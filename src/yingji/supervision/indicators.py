"""Indicators: each quantified target of the plan, with its value on any day.

An indicator names a *method* (the ``method`` of the plan file). The methods:

=================================== ============ =====================================================
method                              kind         value
=================================== ============ =====================================================
registry.infectious_beds            computed     Σ ``infectious_beds`` of in-service hospitals (beds)
registry.isolation_rooms_per_county computed     the smallest county total of isolation-site rooms;
                                                 met when every county meets it (rooms, per county)
registry.chemical_park_teams        computed     chemical parks with an enterprise hazmat team of the
                                                 park's unit or based within ``radius_m`` (2 km)
routing.fire_coverage_5min          computed     built-up population within 1 min turnout + 4 min drive
                                                 of a fire station (%), from the routing service
routing.medical_reach_2h            computed     population within 2 h drive of a hospital or medical
                                                 centre (%), from the routing service
routing.road_reopened_24h           computed     road closures of the last ``window_days`` cleared
                                                 within 24 h (%), against the window before (baseline)
statistics.deaths_per_100m_gdp      statistics   work-safety deaths ÷ GDP (亿元), latest year with both
statistics.disaster_loss_share_gdp  statistics   mean over the plan's years of disaster direct loss ÷ GDP (%)
reported                            reported     the latest value a unit entered (value, who, when, source)
supplies.living_reserve_vs_standard computed     the plan division's government stock of basic-living
                                                 items against the reserve standard: the smallest
                                                 item share met (%), from the supplies gap report
supplies.relief_12h                 computed     people whose basic needs can be delivered within 12 h
                                                 (supplies relief check) ÷ planned relief population (%)
plans.drills_on_schedule            unavailable  needs the drills module (drills held on schedule)
=================================== ============ =====================================================

History. Every computation of the current day records (or refreshes) that day's snapshot; every
reported value is a row of its own. Values of the registry and the road network keep no history of
their own, so a past day shows the snapshot recorded on or before it; values derived from dated
records (statistics, road closures) are recomputed for the day.

Traffic light: **green** met; **amber** not met but the due date has not passed (or no baseline to
compare with yet); **red** not met after the due date; **grey** no value (no data, no snapshot, or the
source module is not available).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth import permissions as perm
from yingji.db.base import utcnow
from yingji.errors import Forbidden, InvalidField, NotFound
from yingji.registry import service as registry
from yingji.registry.specs import REGISTRIES
from yingji.supervision import permissions as _grants  # noqa: F401  (registers the resources)
from yingji.supervision.common import (
    DEFAULT_TZ,
    SYSTEM,
    audit_change,
    day_end,
    jsonable,
    local_today,
    scoped_detail,
    under,
)
from yingji.supervision.enums import Comparator, IndicatorKind, Light, LossKind, ValueOrigin
from yingji.supervision.models import ActionPlan, ActionTask, Indicator, IndicatorValue, TaskUnit
from yingji.supervision.schemas import IndicatorValueIn

TREND_POINTS = 12
EPS = 1e-9


@dataclass
class Context:
    session: Session
    plan: ActionPlan
    as_of: date
    data_dir: Path | None
    params: dict[str, Any]
    tz: str = DEFAULT_TZ


@dataclass
class Computed:
    value: float | None
    detail: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None
    baseline: float | None = None
    available: bool = True


@dataclass(frozen=True)
class Method:
    key: str
    kind: IndicatorKind
    compute: Callable[[Context], Computed] | None = None
    history: str = "snapshot"  # snapshot: past days from snapshots; recompute: from dated records
    module: str | None = None  # unavailable: the module that would supply the value
    describe: str = ""


# ---- registry-based ---------------------------------------------------------------------------


def _facilities(ctx: Context, kind: str) -> list[Any]:
    return registry.all_records(
        session=ctx.session,
        spec=REGISTRIES["facilities"],
        user=SYSTEM,
        filters=registry.ListFilters(division=ctx.plan.division_code, kind=kind, status="in_service"),
    )


def _counties(ctx: Context) -> list[Any]:
    return [
        d
        for d in registry.all_records(
            session=ctx.session,
            spec=REGISTRIES["divisions"],
            user=SYSTEM,
            filters=registry.ListFilters(division=ctx.plan.division_code, kind="county"),
        )
        if d.code != ctx.plan.division_code
    ]


def _names(ctx: Context) -> dict[str, str]:
    from yingji.supervision.statistics import division_names

    return division_names(ctx.session)


def infectious_beds(ctx: Context) -> Computed:
    hospitals = _facilities(ctx, "hospital")
    names = _names(ctx)
    rows = [
        {
            "name": h.name,
            "division_code": h.division_code,
            "infectious_beds": int((h.capacity or {}).get("infectious_beds") or 0),
        }
        for h in hospitals
    ]
    by_div: dict[str, int] = {c.code: 0 for c in _counties(ctx)}
    for r in rows:
        key = r["division_code"][:6]
        by_div[key] = by_div.get(key, 0) + r["infectious_beds"]
    total = sum(r["infectious_beds"] for r in rows)
    return Computed(
        value=float(total),
        detail={
            "hospitals": [r for r in rows if r["infectious_beds"] > 0],
            "by_division": [
                {"division_code": c, "division": names.get(c, c), "value": float(v)}
                for c, v in sorted(by_div.items())
            ],
        },
        reason=f"{len(hospitals)} 家在用医院的传染病床位合计",
    )


def isolation_rooms_per_county(ctx: Context) -> Computed:
    target = float(ctx.params.get("target") or 0)
    min_sites = int(ctx.params.get("min_sites", 1))
    sites = _facilities(ctx, "isolation_site")
    counties = _counties(ctx)
    if not counties:
        return Computed(value=None, reason="行政区划中没有县级区划")
    rows = []
    for c in sorted(counties, key=lambda d: d.code):
        mine = [s for s in sites if under(s.division_code, c.code)]
        rooms = sum(int((s.capacity or {}).get("rooms") or 0) for s in mine)
        rows.append(
            {
                "division_code": c.code,
                "division": c.name,
                "sites": len(mine),
                "rooms": rooms,
                "value": float(rooms),
                "met": rooms >= target and len(mine) >= min_sites,
            }
        )
    met = sum(1 for r in rows if r["met"])
    weakest = min(rows, key=lambda r: (r["rooms"], r["division_code"]))
    return Computed(
        value=float(weakest["rooms"]) if all(r["sites"] >= min_sites for r in rows) else 0.0,
        detail={"by_division": rows, "counties": len(rows), "counties_met": met},
        reason=f"{met}/{len(rows)} 个县（市、区）达标；取最少的县（市、区）",
    )


def chemical_park_teams(ctx: Context) -> Computed:
    from yingji.engines.network.geo import haversine_m

    radius = float(ctx.params.get("radius_m", 2000))
    parks = _facilities(ctx, "chemical_park")
    teams = [
        t
        for t in registry.all_records(
            session=ctx.session,
            spec=REGISTRIES["teams"],
            user=SYSTEM,
            filters=registry.ListFilters(division=ctx.plan.division_code, kind="enterprise"),
        )
        if t.specialty == "hazmat" or "hazmat" in (t.capabilities or [])
    ]
    rows = []
    for p in parks:
        found = []
        for t in teams:
            if p.unit_id is not None and t.unit_id == p.unit_id:
                found.append({"team": t.name, "basis": "unit", "distance_m": None})
                continue
            d = float(haversine_m(p.lon, p.lat, t.lon, t.lat))
            if d <= radius:
                found.append({"team": t.name, "basis": "distance", "distance_m": round(d)})
        rows.append({"name": p.name, "division_code": p.division_code, "teams": found, "met": bool(found)})
    covered = sum(1 for r in rows if r["met"])
    return Computed(
        value=float(covered),
        detail={"parks": rows, "parks_total": len(rows), "radius_m": radius},
        reason=f"{covered}/{len(rows)} 个化工园区有企业专职危化救援队伍"
        f"（本园区单位所属或 {radius:.0f} 米内）",
    )


# ---- supplies-based ---------------------------------------------------------------------------


def _division_row(rows: list[dict[str, Any]], code: str) -> dict[str, Any] | None:
    return next((r for r in rows if r.get("division_code") == code), None)


def living_reserve_vs_standard(ctx: Context) -> Computed:
    """生活保障类物资政府实物储备达标率: for every basic-living item of the plan division's reserve
    standard, the government stock held in its level's warehouses ÷ the required quantity (the gap
    report's ``government_share_met``); the value is the **smallest** item share, so the indicator
    is met exactly when every item is. Counties' figures are in the detail."""
    from yingji.supplies import service as supplies
    from yingji.supplies.models import Item

    try:
        report = supplies.gap_report(session=ctx.session, user=SYSTEM)
    except NotFound as exc:
        return Computed(value=None, reason=f"无法计算：{exc.message}")
    basic = set(ctx.session.scalars(select(Item.code).where(Item.category == "basic_living")))

    def summary(row: dict[str, Any]) -> dict[str, Any]:
        items = [i for i in row["items"] if i["item_code"] in basic]
        shares = [float(i["government_share_met"]) for i in items]
        return {
            "division_code": row["division_code"], "division": row["division"],
            "value": 100.0 * min(shares) if shares else None,
            "relief_population": row["relief_population"],
            "items_met": sum(1 for x in shares if x >= 1.0 - EPS), "items_total": len(shares),
            "items": [{"item_code": i["item_code"], "item": i["item"], "unit": i["unit"],
                       "required": i["required"], "government": i["held"].get("government", 0),
                       "held_total": i["held_total"], "share": 100.0 * float(i["government_share_met"])}
                      for i in items],
        }

    rows = [summary(r) for r in report["divisions"] if under(r["division_code"], ctx.plan.division_code)]
    own = _division_row(rows, ctx.plan.division_code)
    if own is None:
        return Computed(value=None, reason=f"{ctx.plan.division_code} 不是设储备的市、县级行政区")
    if own["value"] is None:
        return Computed(value=None, detail={"by_division": rows},
                        reason="未配置生活保障类物资储备标准（supply_norms）：先加载物资目录与标准")
    weakest = min(own["items"], key=lambda i: i["share"])
    return Computed(
        value=own["value"],
        detail={"by_division": rows, "items": own["items"], "relief_population": own["relief_population"],
                "as_of_stock": report["as_of"]},
        reason=f"政府实物储备达到储备标准的品种 {own['items_met']}/{own['items_total']}；"
        f"最低为{weakest['item']} {weakest['share']:.1f}%（计划救助人口 {own['relief_population']} 人）",
    )


def relief_12h(ctx: Context) -> Computed:
    """12小时内受灾人员基本生活有效救助: the supplies relief check (the relief profile for 1 day,
    delivered within ``deadline_s`` = 12 h from the current non-expired government and agreement
    stock over the roads as they are now) — the people so served in the plan division ÷ its planned
    relief population, capped at 100 %."""
    from yingji.supplies import service as supplies

    if ctx.data_dir is None:
        return Computed(value=None, available=False, reason="数据源不可用：未配置数据目录")
    deadline = ctx.params.get("deadline_s")
    try:
        check = supplies.relief_check(session=ctx.session, user=SYSTEM, data_dir=ctx.data_dir,
                                      deadline_s=float(deadline) if deadline else None,
                                      days=int(ctx.params.get("days", 1)))
    except NotFound as exc:
        return Computed(value=None, available=False, reason=f"数据源不可用：{exc.message}")
    rows = [r for r in check["divisions"] if under(r["division_code"], ctx.plan.division_code)]
    city = check.get("city")
    own = city if city and city["division_code"] == ctx.plan.division_code else \
        _division_row(rows, ctx.plan.division_code)

    def short(r: dict[str, Any]) -> dict[str, Any]:
        share = r.get("share_of_planned")
        return {"division_code": r["division_code"], "division": r["division"],
                "value": None if share is None else 100.0 * share, "max_people": r["max_people"],
                "planned_relief_population": r["planned_relief_population"], "binding_item": r["binding_item"],
                "population_out_of_reach": r["population_out_of_reach"]}

    detail = {"by_division": [short(r) for r in rows], "deadline_s": check["deadline_s"], "days": check["days"],
              "ownerships": check["ownerships"]}
    if own is None:
        return Computed(value=None, detail=detail, reason="人口网格中没有本行政区的人口")
    share = own.get("share_of_planned")
    if share is None:
        return Computed(value=None, detail=detail, reason="计划救助人口为 0 或未设定")
    detail.update(short(own))
    return Computed(
        value=100.0 * share,
        detail=detail,
        reason=f"{check['deadline_s'] / 3600:.0f} 小时内可保障基本生活 {own['max_people']} 人，"
        f"计划救助人口 {own['planned_relief_population']} 人"
        + (f"（受限物资：{own.get('binding_item_name') or own['binding_item']}）" if own.get("binding_item") else ""),
    )


# ---- network-based ----------------------------------------------------------------------------


def _coverage(ctx: Context, kind: str) -> dict[str, Any] | Computed:
    from yingji.routing import service as routing

    if ctx.data_dir is None:
        return Computed(value=None, available=False, reason="数据源不可用：未配置数据目录")
    try:
        return routing.coverage(session=ctx.session, data_dir=ctx.data_dir, user=SYSTEM, kind=kind)
    except NotFound as exc:
        return Computed(value=None, available=False, reason=f"数据源不可用：{exc.message}")
    except InvalidField as exc:
        return Computed(value=None, reason=f"无法计算：{exc.message}")


def fire_coverage_5min(ctx: Context) -> Computed:
    cov = _coverage(ctx, "fire")
    if isinstance(cov, Computed):
        return cov
    rows = [r for r in cov["by_division"] if under(r["division_code"], ctx.plan.division_code)]
    total = sum(r["built_up_population"] for r in rows)
    covered = sum(r["built_up_covered_population"] for r in rows)
    return Computed(
        value=100.0 * covered / total if total else None,
        detail={
            "by_division": [
                {
                    "division_code": r["division_code"],
                    "division": r["division"],
                    "value": None if r["built_up_share"] is None else 100.0 * r["built_up_share"],
                    "built_up_population": r["built_up_population"],
                    "covered_population": r["built_up_covered_population"],
                }
                for r in rows
            ],
            "turnout_s": cov["turnout_s"],
            "drive_budget_s": cov["drive_budget_s"],
            "built_up_density": cov["built_up_density"],
            "sources": cov["sources"],
            "closures": len(cov["closures"]) + cov["closures_outside_scope"],
        },
        reason=(
            f"建成区（≥{cov['built_up_density']:.0f} 人/km²）人口中，出动 {cov['turnout_s']:.0f} 秒 + "
            f"行驶 {cov['drive_budget_s']:.0f} 秒可达的比例"
            if total
            else "人口网格中没有建成区"
        ),
    )


def medical_reach_2h(ctx: Context) -> Computed:
    cov = _coverage(ctx, "medical")
    if isinstance(cov, Computed):
        return cov
    rows = [r for r in cov["by_division"] if under(r["division_code"], ctx.plan.division_code)]
    total = sum(r["total_population"] for r in rows)
    covered = sum(r["covered_population"] for r in rows)
    return Computed(
        value=100.0 * covered / total if total else None,
        detail={
            "by_division": [
                {
                    "division_code": r["division_code"],
                    "division": r["division"],
                    "value": None if r["share"] is None else 100.0 * r["share"],
                    "population": r["total_population"],
                    "covered_population": r["covered_population"],
                }
                for r in rows
            ],
            "drive_budget_s": cov["drive_budget_s"],
            "sources": cov["sources"],
        },
        reason=f"医院及紧急医学救援中心 {cov['drive_budget_s'] / 3600:.0f} 小时车程内的人口比例",
    )


def road_reopened_24h(ctx: Context) -> Computed:
    from yingji.engines.network import closure_clearance
    from yingji.routing import service as routing

    window = timedelta(days=int(ctx.params.get("window_days", 365)))
    end = min(day_end(ctx.as_of, ctx.tz), utcnow())  # the end of the day, or now for today
    pairs: list[tuple[datetime, datetime | None]] = []
    for c in routing.list_closures(session=ctx.session, user=SYSTEM):
        if not under(c["division_code"], ctx.plan.division_code):
            continue
        opened = _dt(c["opened_at"])
        cleared = _dt(c["cleared_at"]) if c.get("cleared_at") else None
        if opened >= end:
            continue
        pairs.append((opened, cleared if cleared is not None and cleared < end else None))

    def share(since: datetime, until: datetime) -> tuple[float | None, int, int, int]:
        c = closure_clearance(pairs, period_start=since, period_end=until, as_of=end)
        return (None if c.share is None else 100.0 * c.share), c.counted + c.pending, c.cleared_in_time, c.pending

    cur, n, ok, pending = share(end - window, end)
    base, bn, bok, _ = share(end - 2 * window, end - window)
    return Computed(
        value=cur,
        baseline=base,
        detail={
            "window_days": window.days,
            "opened": n,
            "cleared_within_24h": ok,
            "pending": pending,
            "baseline_opened": bn,
            "baseline_cleared_within_24h": bok,
        },
        reason=(
            f"近 {window.days} 天阻断 {n} 处，24 小时内抢通 {ok} 处"
            + (f"（{pending} 处仍在 24 小时内未计）" if pending else "")
            if n
            else f"近 {window.days} 天没有道路阻断记录"
        ),
    )


def _dt(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


# ---- statistics-based -------------------------------------------------------------------------


def deaths_per_100m_gdp(ctx: Context) -> Computed:
    from yingji.supervision.statistics import year_figures

    names = _names(ctx)
    by_year = []
    chosen = None
    for year in range(ctx.as_of.year, ctx.plan.period_start.year - 2, -1):
        total, children = year_figures(
            session=ctx.session,
            division=ctx.plan.division_code,
            year=year,
            kind=LossKind.work_safety,
            until=ctx.as_of,
        )
        if total.deaths_per_100m_gdp is None:
            continue
        by_year.append(
            {
                "year": year,
                "value": total.deaths_per_100m_gdp,
                "deaths": total.deaths,
                "gdp_100m_yuan": total.gdp_100m_yuan,
                "covered_until": total.covered_until,
            }
        )
        if chosen is None:
            chosen = (year, total, children)
    if chosen is None:
        return Computed(value=None, reason="尚无生产安全事故统计与对应年度GDP")
    year, total, children = chosen
    return Computed(
        value=total.deaths_per_100m_gdp,
        detail={
            "year": year,
            "deaths": total.deaths,
            "gdp_100m_yuan": total.gdp_100m_yuan,
            "covered_until": total.covered_until,
            "by_year": sorted(by_year, key=lambda r: r["year"]),
            "by_division": [{**c.as_dict(names), "value": c.deaths_per_100m_gdp} for c in children],
        },
        reason=f"{year} 年生产安全事故死亡 {total.deaths} 人 ÷ GDP {total.gdp_100m_yuan:g} 亿元",
    )


def disaster_loss_share_gdp(ctx: Context) -> Computed:
    from yingji.supervision.statistics import year_figures

    names = _names(ctx)
    years = []
    last = None
    for year in range(ctx.plan.period_start.year, min(ctx.plan.period_end.year, ctx.as_of.year) + 1):
        total, children = year_figures(
            session=ctx.session,
            division=ctx.plan.division_code,
            year=year,
            kind=LossKind.natural_disaster,
            until=ctx.as_of,
        )
        if total.loss_share_pct is None:
            continue
        years.append(
            {
                "year": year,
                "value": total.loss_share_pct,
                "direct_loss_10k_yuan": total.loss_10k_yuan,
                "gdp_100m_yuan": total.gdp_100m_yuan,
            }
        )
        last = (year, children)
    if not years:
        return Computed(value=None, reason="尚无计划期内的自然灾害损失统计与对应年度GDP")
    shares = [float(y["value"] or 0.0) for y in years]
    mean = sum(shares) / len(shares)
    assert last is not None
    return Computed(
        value=mean,
        detail={
            "by_year": years,
            "by_division": [{**c.as_dict(names), "value": c.loss_share_pct} for c in last[1]],
            "latest_year": last[0],
        },
        reason=f"{'、'.join(str(y['year']) for y in years)} 年因灾直接经济损失占GDP比例的年均值",
    )


METHODS: dict[str, Method] = {
    m.key: m
    for m in (
        Method(
            "registry.infectious_beds",
            IndicatorKind.computed,
            infectious_beds,
            describe="Σ infectious_beds of in-service hospitals",
        ),
        Method(
            "registry.isolation_rooms_per_county",
            IndicatorKind.computed,
            isolation_rooms_per_county,
            describe="isolation-site rooms per county; the smallest county total",
        ),
        Method(
            "registry.chemical_park_teams",
            IndicatorKind.computed,
            chemical_park_teams,
            describe="chemical parks with an enterprise hazmat team of the park's unit or within radius_m",
        ),
        Method(
            "routing.fire_coverage_5min",
            IndicatorKind.computed,
            fire_coverage_5min,
            describe="built-up population within the 5-minute fire rescue circle, %",
        ),
        Method(
            "routing.medical_reach_2h",
            IndicatorKind.computed,
            medical_reach_2h,
            describe="population within 2 hours of emergency medical rescue, %",
        ),
        Method(
            "routing.road_reopened_24h",
            IndicatorKind.computed,
            road_reopened_24h,
            history="recompute",
            describe="road closures cleared within 24 hours, %, against the previous window",
        ),
        Method(
            "statistics.deaths_per_100m_gdp",
            IndicatorKind.statistics,
            deaths_per_100m_gdp,
            history="recompute",
            describe="work-safety deaths per 亿元 of GDP",
        ),
        Method(
            "statistics.disaster_loss_share_gdp",
            IndicatorKind.statistics,
            disaster_loss_share_gdp,
            history="recompute",
            describe="average annual disaster direct loss as % of GDP",
        ),
        Method("reported", IndicatorKind.reported, describe="entered by a unit"),
        Method(
            "supplies.living_reserve_vs_standard",
            IndicatorKind.computed,
            living_reserve_vs_standard,
            describe="government stock of basic-living items against the reserve standard; the smallest item share, %",
        ),
        Method(
            "supplies.relief_12h",
            IndicatorKind.computed,
            relief_12h,
            describe="people whose basic needs can be delivered within 12 hours ÷ planned relief population, %",
        ),
        Method(
            "plans.drills_on_schedule",
            IndicatorKind.unavailable,
            module="yingji.plans",
            describe="drills held on schedule",
        ),
    )
}


# ---- assessment -------------------------------------------------------------------------------


def meets(value: float | None, target: float | None, comparator: str) -> bool | None:
    """Whether a value meets a fixed target (≥ or ≤, within EPS); None when it cannot be judged
    (no value, no target, or a target of "increase" over a baseline)."""
    if value is None or target is None or comparator == Comparator.increase:
        return None
    return value >= target - EPS if comparator == Comparator.ge else value <= target + EPS


def assess(
    ind: Indicator, value: float | None, baseline: float | None, as_of: date
) -> tuple[bool | None, Light]:
    if value is None:
        return None, Light.grey
    if ind.comparator == Comparator.increase:
        if baseline is None:
            return None, Light.amber if as_of <= ind.due_on else Light.red
        met = value > baseline + EPS
    elif ind.target is None:
        return None, Light.grey
    else:
        met = bool(meets(value, ind.target, ind.comparator))
    if met:
        return True, Light.green
    return False, Light.amber if as_of <= ind.due_on else Light.red


def _direction(ind: Indicator, points: list[IndicatorValue]) -> str | None:
    vals = [p.value for p in points if p.value is not None]
    if len(vals) < 2:
        return None
    a, b = vals[-2], vals[-1]
    if abs(b - a) <= EPS:
        return "flat"
    up = b > a
    better = up if ind.comparator in (Comparator.ge, Comparator.increase) else not up
    return ("up" if up else "down") + ("_better" if better else "_worse")


# ---- values -----------------------------------------------------------------------------------


def _module_available(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _latest(session: Session, ind: Indicator, as_of: date, origin: ValueOrigin) -> IndicatorValue | None:
    return session.scalar(
        select(IndicatorValue)
        .where(
            IndicatorValue.indicator_id == ind.id,
            IndicatorValue.origin == origin.value,
            IndicatorValue.on_date <= as_of,
        )
        .order_by(IndicatorValue.on_date.desc(), IndicatorValue.id.desc())
        .limit(1)
    )


def history(
    *,
    session: Session,
    ind: Indicator,
    until: date,
    since: date | None = None,
    limit: int | None = TREND_POINTS,
) -> list[IndicatorValue]:
    stmt = select(IndicatorValue).where(
        IndicatorValue.indicator_id == ind.id, IndicatorValue.on_date <= until
    )
    if since is not None:
        stmt = stmt.where(IndicatorValue.on_date >= since)
    stmt = stmt.order_by(IndicatorValue.on_date.desc(), IndicatorValue.id.desc())
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(reversed(list(session.scalars(stmt))))


def record_snapshot(
    *, session: Session, ind: Indicator, on_date: date, computed: Computed
) -> IndicatorValue | None:
    """The day's computed snapshot: inserted, or refreshed when the value changed during the day."""
    if not computed.available:
        return None
    row = session.scalar(
        select(IndicatorValue)
        .where(
            IndicatorValue.indicator_id == ind.id,
            IndicatorValue.origin == ValueOrigin.computed.value,
            IndicatorValue.on_date == on_date,
        )
        .order_by(IndicatorValue.id.desc())
        .limit(1)
    )
    detail = jsonable(dict(computed.detail, baseline=computed.baseline, reason=computed.reason)) or {}
    if row is None:
        row = IndicatorValue(
            indicator_id=ind.id,
            on_date=on_date,
            origin=ValueOrigin.computed.value,
            value=computed.value,
            detail=detail,
            source=METHODS[ind.method].describe,
            recorded_by="system",
        )
        session.add(row)
    elif row.value != computed.value or row.detail != detail:
        row.value, row.detail, row.recorded_at = computed.value, detail, utcnow()
    session.flush()
    return row


@dataclass
class Evaluated:
    ind: Indicator
    kind: IndicatorKind
    value: float | None
    value_on: date | None
    baseline: float | None
    detail: dict[str, Any]
    reason: str | None
    available: bool
    reported: dict[str, Any] | None = None


def evaluate(
    *,
    session: Session,
    ind: Indicator,
    plan: ActionPlan,
    as_of: date,
    today: date,
    data_dir: Path | None,
    tz: str = DEFAULT_TZ,
    record: bool = True,
) -> Evaluated:
    """The indicator's value on ``as_of``: live (recording today's snapshot) or from history."""
    method = METHODS.get(ind.method)
    if method is None:
        return Evaluated(
            ind, IndicatorKind.unavailable, None, None, None, {}, f"unknown method {ind.method}", False
        )
    if method.kind == IndicatorKind.unavailable:
        module = method.module or "?"
        reason = (
            f"source module not available ({module})：数据源模块尚未建设"
            if not _module_available(module)
            else f"source module {module} not yet connected：数据源模块尚未接入督办"
        )
        return Evaluated(ind, method.kind, None, None, None, {}, reason, False)
    if method.kind == IndicatorKind.reported:
        row = _latest(session, ind, as_of, ValueOrigin.reported)
        if row is None:
            return Evaluated(ind, method.kind, None, None, None, {}, "尚未填报", True)
        return Evaluated(
            ind,
            method.kind,
            row.value,
            row.on_date,
            None,
            {},
            "单位填报",
            True,
            reported={
                "on_date": row.on_date,
                "recorded_by": row.recorded_by,
                "recorded_at": row.recorded_at,
                "unit_id": row.unit_id,
                "source": row.source,
                "note": row.note,
            },
        )
    assert method.compute is not None
    live = as_of >= today or method.history == "recompute"
    if live:
        ctx = Context(
            session=session,
            plan=plan,
            as_of=min(as_of, today) if method.history == "snapshot" else as_of,
            data_dir=data_dir,
            params={"target": ind.target, **(ind.params or {})},
            tz=tz,
        )
        c = method.compute(ctx)
        if record and as_of >= today:
            record_snapshot(session=session, ind=ind, on_date=today, computed=c)
        return Evaluated(
            ind,
            method.kind,
            c.value,
            min(as_of, today) if c.value is not None else None,
            c.baseline,
            c.detail,
            c.reason,
            c.available,
        )
    row = _latest(session, ind, as_of, ValueOrigin.computed)
    if row is None:
        return Evaluated(
            ind, method.kind, None, None, None, {}, f"{as_of.isoformat()} 及以前没有记录的快照", True
        )
    detail = dict(row.detail or {})
    baseline = detail.pop("baseline", None)
    reason = detail.pop("reason", None)
    return Evaluated(
        ind,
        method.kind,
        row.value,
        row.on_date,
        baseline,
        detail,
        f"{row.on_date.isoformat()} 快照" + (f"：{reason}" if reason else ""),
        True,
    )


def indicator_out(
    ev: Evaluated, *, session: Session, user: perm.Principal, as_of: date, trend: bool = True
) -> dict[str, Any]:
    ind = ev.ind
    met, light = assess(ind, ev.value, ev.baseline, as_of)
    points = history(session=session, ind=ind, until=as_of) if trend else []
    return {
        "key": ind.key,
        "name": ind.name,
        "name_en": ind.name_en,
        "kind": ev.kind,
        "method": ind.method,
        "target": ind.target,
        "comparator": ind.comparator,
        "comparator_label": Comparator(ind.comparator).label(),
        "unit": ind.unit,
        "source": ind.source,
        "due_on": ind.due_on,
        "overall": ind.overall,
        "tasks": ind.tasks,
        "as_of": as_of,
        "value": ev.value,
        "value_on": ev.value_on,
        "baseline": ev.baseline,
        "met": met,
        "light": light,
        "available": ev.available,
        "reason": ev.reason,
        "detail": scoped_detail(ev.detail, user),
        "reported": ev.reported,
        "trend": [
            {
                "on_date": p.on_date,
                "value": p.value,
                "origin": p.origin,
                "recorded_by": p.recorded_by,
                "source": p.source if p.origin == ValueOrigin.reported else None,
            }
            for p in points
        ],
        "direction": _direction(ind, points),
        "note": ind.note,
    }


def _indicators(session: Session, plan: ActionPlan) -> list[Indicator]:
    return list(
        session.scalars(select(Indicator).where(Indicator.plan_id == plan.id).order_by(Indicator.seq))
    )


def evaluate_all(
    *,
    session: Session,
    plan: ActionPlan,
    as_of: date,
    today: date,
    data_dir: Path | None,
    tz: str = DEFAULT_TZ,
) -> list[Evaluated]:
    return [
        evaluate(session=session, ind=i, plan=plan, as_of=as_of, today=today, data_dir=data_dir, tz=tz)
        for i in _indicators(session, plan)
    ]


def list_indicators(
    *,
    session: Session,
    user: perm.Principal,
    plan: ActionPlan,
    as_of: date,
    data_dir: Path | None,
    today: date | None = None,
    tz: str = DEFAULT_TZ,
    kind: IndicatorKind | None = None,
    light: Light | None = None,
    evaluated: Sequence[Evaluated] | None = None,
) -> list[dict[str, Any]]:
    """Every indicator as of ``as_of`` (``evaluated``: the same day's evaluation, when the caller
    has it already)."""
    perm.require(user, "indicators", "read")
    today = today or local_today(tz)
    out = []
    if evaluated is None:
        evaluated = evaluate_all(session=session, plan=plan, as_of=as_of, today=today, data_dir=data_dir, tz=tz)
    for ev in evaluated:
        if kind is not None and ev.kind != kind:
            continue
        row = indicator_out(ev, session=session, user=user, as_of=as_of)
        if light is not None and row["light"] != light:
            continue
        out.append(row)
    return out


def get_indicator(*, session: Session, user: perm.Principal, plan: ActionPlan, key: str) -> Indicator:
    perm.require(user, "indicators", "read")
    ind = session.scalar(select(Indicator).where(Indicator.plan_id == plan.id, Indicator.key == key))
    if ind is None:
        raise NotFound(f"indicator {key} not found")
    return ind


def indicator_detail(
    *,
    session: Session,
    user: perm.Principal,
    plan: ActionPlan,
    key: str,
    as_of: date,
    data_dir: Path | None,
    today: date | None = None,
    tz: str = DEFAULT_TZ,
) -> dict[str, Any]:
    ind = get_indicator(session=session, user=user, plan=plan, key=key)
    today = today or local_today(tz)
    ev = evaluate(session=session, ind=ind, plan=plan, as_of=as_of, today=today, data_dir=data_dir, tz=tz)
    return indicator_out(ev, session=session, user=user, as_of=as_of)


def indicator_history(
    *,
    session: Session,
    user: perm.Principal,
    plan: ActionPlan,
    key: str,
    until: date,
    since: date | None = None,
) -> list[dict[str, Any]]:
    ind = get_indicator(session=session, user=user, plan=plan, key=key)
    return [
        {
            "id": p.id,
            "on_date": p.on_date,
            "origin": p.origin,
            "value": p.value,
            "detail": scoped_detail(dict(p.detail or {}), user),
            "source": p.source,
            "note": p.note,
            "unit_id": p.unit_id,
            "recorded_by": p.recorded_by,
            "recorded_at": p.recorded_at,
        }
        for p in history(session=session, ind=ind, until=until, since=since, limit=None)
    ]


def _task_owner_units(session: Session, plan: ActionPlan, numbers: list[int]) -> set[int]:
    if not numbers:
        return set()
    ids = session.scalars(
        select(TaskUnit.unit_id)
        .join(ActionTask, ActionTask.id == TaskUnit.task_id)
        .where(ActionTask.plan_id == plan.id, ActionTask.number.in_(numbers), TaskUnit.unit_id.is_not(None))
    )
    return {i for i in ids if i is not None}


def report_value(
    *,
    session: Session,
    user: perm.Principal,
    plan: ActionPlan,
    key: str,
    data: IndicatorValueIn,
    today: date | None = None,
) -> IndicatorValue:
    """Enter a value of a *reported* indicator: who, when, from what source. A department user
    reports only for indicators of tasks its unit owns (lead or responsible)."""
    perm.require(user, "indicators", "create")
    ind = get_indicator(session=session, user=user, plan=plan, key=key)
    method = METHODS.get(ind.method)
    if method is None or method.kind != IndicatorKind.reported:
        kind = method.kind.value if method else "unknown"
        raise InvalidField(
            "value", f"indicator {key} is {kind}, not reported; its value is not entered by hand"
        )
    today = today or local_today()
    day = data.on_date or today
    if day > today:
        raise InvalidField("on_date", f"{day.isoformat()} is in the future")
    unit_id = data.unit_id
    if user.role == "department":
        if data.unit_id is not None and data.unit_id != user.unit_id:
            raise Forbidden(f"unit_id: a department user reports only for its own unit {user.unit_id}")
        unit_id = user.unit_id
        if unit_id is None or unit_id not in _task_owner_units(session, plan, list(ind.tasks or [])):
            raise Forbidden(f"indicator {key}: your unit owns none of its tasks {ind.tasks}")
    if ind.unit in ("%",) and not 0 <= data.value <= 100:
        raise InvalidField("value", f"must be a percentage between 0 and 100 (got {data.value:g})")
    if data.value < 0:
        raise InvalidField("value", "must not be negative")
    row = IndicatorValue(
        indicator_id=ind.id,
        on_date=day,
        origin=ValueOrigin.reported.value,
        value=data.value,
        detail={},
        source=data.source,
        note=data.note,
        unit_id=unit_id,
        recorded_by=user.username,
    )
    session.add(row)
    session.flush()
    audit_change(session, user, "create", "indicator_values", row.id, None, row.to_dict())
    return row


def snapshot_all(
    *,
    session: Session,
    user: perm.Principal,
    plan: ActionPlan,
    data_dir: Path | None,
    today: date | None = None,
    tz: str = DEFAULT_TZ,
) -> dict[str, Any]:
    """Compute every computed indicator now and record today's snapshots (for a daily job)."""
    perm.require(user, "indicators", "update")
    today = today or local_today(tz)
    recorded, skipped = 0, []
    for ind in _indicators(session, plan):
        method = METHODS.get(ind.method)
        if method is None or method.compute is None:
            continue
        ev = evaluate(session=session, ind=ind, plan=plan, as_of=today, today=today, data_dir=data_dir, tz=tz)
        if ev.available:
            recorded += 1
        else:
            skipped.append(f"{ind.key}: {ev.reason}")
    audit_change(
        session,
        user,
        "snapshot",
        "indicators",
        plan.id,
        None,
        {"on_date": today.isoformat(), "recorded": recorded},
    )
    return {"on_date": today, "recorded": recorded, "skipped": skipped}
