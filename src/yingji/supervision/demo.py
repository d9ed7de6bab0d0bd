"""Demo supervision data: the Liaocheng plan, a few progress reports, statistics and reported
indicator values. Everything but the plan itself is SYNTHETIC and labelled so (合成演示数据).

Deterministic (``random.Random`` with a fixed seed, no clock) and idempotent: a second run adds
nothing. Call after the demo city's registries are loaded, so that unit names resolve.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth import permissions as perm
from yingji.errors import Conflict
from yingji.registry import service as registry
from yingji.registry.specs import REGISTRIES
from yingji.supervision import service, statistics
from yingji.supervision.enums import LossKind, ValueOrigin
from yingji.supervision.models import ActionTask, Indicator, IndicatorValue, ProgressReport
from yingji.supervision.schemas import GdpCreate, LossStatCreate, ProgressCreate

SEED = 20210419
LABEL = "合成演示数据"
PREFIX = "【演示数据】"
GDP_GROWTH = {2019: 1 / 1.036, 2020: 1.0, 2021: 1.081, 2022: 1.125}
"""Synthetic GDP of each year relative to the division's 2020 figure in the registry."""

# (task, reporting unit, day, percent, milestones done, narrative, confirm?)
_REPORTS: tuple[tuple[int, str, date, int, list[int], str, bool], ...] = (
    (
        2,
        "市应急局",
        date(2021, 6, 30),
        60,
        [],
        "市应急指挥中心主体改造完成，县级指挥中心标准化建设推进中。",
        True,
    ),
    (2, "市应急局", date(2021, 12, 28), 100, [1], "市、县应急指挥中心均已达标运行，完成视频会商联调。", True),
    (
        5,
        "市应急局",
        date(2021, 11, 30),
        70,
        [1],
        "完成自然灾害综合风险普查数据调查工作，转入评估区划阶段。",
        True,
    ),
    (5, "市应急局", date(2022, 10, 31), 90, [1], "风险数据库建设基本完成，配合省厅开展“一张图”汇交。", False),
    (10, "市消防救援支队", date(2021, 12, 20), 55, [1], "规模结构和力量编成优化调整完成。", True),
    (21, "市卫生健康委", date(2022, 6, 30), 60, [], "6个县级疾控中心生物安全二级实验室建成，2个在建。", True),
    (
        22,
        "市卫生健康委",
        date(2022, 9, 30),
        85,
        [],
        "传染病床位扩容至600张以上，县级集中隔离备用场所持续完善。",
        False,
    ),
    (22, "市财政局", date(2022, 8, 15), 70, [], "落实隔离场所及传染病医院改造资金。", False),
    (27, "市交通运输局", date(2022, 11, 30), 100, [1], "依托骨干运输企业组建综合性应急保障车队1支。", True),
    (41, "市应急局", date(2022, 7, 31), 65, [], "“智慧应急”平台一期上线，视频资源接入进行中。", False),
)

# indicator key → (value, day, source)
_REPORTED: dict[str, tuple[float, date, str]] = {
    "mass_gathering_handling_rate": (100.0, date(2022, 12, 31), "市公安局年度工作总结"),
    "county_cdc_bsl2": (75.0, date(2022, 6, 30), "市卫生健康委统计（8个县级疾控中心中6个建成）"),
    "hazardous_process_automation": (100.0, date(2022, 12, 20), "市化工专项办核查表"),
    "command_centres_standard": (100.0, date(2021, 12, 28), "市应急局验收记录"),
    "hazchem_relocation": (2.0, date(2022, 11, 30), "市化工专项办搬迁改造台账"),
    "city_infectious_hospital": (1.0, date(2022, 9, 30), "市卫生健康委"),
    "emergency_transport_fleets": (1.0, date(2022, 11, 30), "市交通运输局"),
    "safety_liability_insurance": (92.0, date(2022, 12, 31), "市应急局保险推行统计"),
}


def _unit_ids(session: Session, actor: perm.Principal) -> dict[str, int]:
    units = registry.all_records(
        session=session, spec=REGISTRIES["units"], user=actor, filters=registry.ListFilters()
    )
    return {u.name: u.id for u in units}


def load_demo(*, session: Session, actor: perm.Principal) -> dict[str, Any]:
    """Load the plan and the synthetic supervision data; return what was added."""
    counts: dict[str, Any] = {}
    report = service.load_plan(session=session, path=service.PACKAGED_PLAN, actor=actor)
    counts["plan"] = report.code
    counts["unmatched_units"] = report.unmatched_units
    plan = service.get_plan(session=session, user=actor, code=report.code)
    units = _unit_ids(session, actor)
    tasks = {t.number: t for t in session.scalars(select(ActionTask).where(ActionTask.plan_id == plan.id))}

    added = 0
    for number, unit, day, percent, done, text, confirm in _REPORTS:
        task, unit_id = tasks.get(number), units.get(unit)
        if task is None or unit_id is None:
            continue
        exists = session.scalar(
            select(ProgressReport.id).where(
                ProgressReport.task_id == task.id,
                ProgressReport.unit_id == unit_id,
                ProgressReport.reported_on == day,
            )
        )
        if exists:
            continue
        r = service.create_report(
            session=session,
            user=actor,
            task_id=task.id,
            today=date(2022, 12, 31),
            data=ProgressCreate(
                percent=percent,
                narrative=PREFIX + text,
                reported_on=day,
                milestones_done=done,
                unit_id=unit_id,
            ),
        )
        if confirm:
            service.review_report(session=session, user=actor, report_id=r.id, confirm=True, note=LABEL)
        added += 1
    counts["progress_reports"] = added

    counties = [
        d
        for d in registry.all_records(
            session=session,
            spec=REGISTRIES["divisions"],
            user=actor,
            filters=registry.ListFilters(division=plan.division_code, kind="county"),
        )
        if d.gdp_100m_yuan
    ]
    rng = random.Random(SEED)
    gdp = stats = 0
    for c in sorted(counties, key=lambda d: d.code):
        for year, factor in GDP_GROWTH.items():
            try:
                statistics.create_gdp(
                    session=session,
                    user=actor,
                    data=GdpCreate(
                        division_code=c.code,
                        year=year,
                        gdp_100m_yuan=round(c.gdp_100m_yuan * factor, 1),
                        source=LABEL,
                    ),
                )
                gdp += 1
            except Conflict:
                pass
            deaths = rng.choice((0, 1, 1, 2, 2, 3, 4))
            rows = (
                LossStatCreate(
                    kind=LossKind.work_safety,
                    division_code=c.code,
                    period_start=date(year, 1, 1),
                    period_end=date(year, 12, 31),
                    deaths=deaths,
                    injuries=deaths + rng.randint(0, 6),
                    direct_loss_10k_yuan=float(rng.randint(50, 900)),
                    source=LABEL,
                ),
                LossStatCreate(
                    kind=LossKind.natural_disaster,
                    division_code=c.code,
                    period_start=date(year, 1, 1),
                    period_end=date(year, 12, 31),
                    deaths=rng.choice((0, 0, 0, 1)),
                    injuries=rng.randint(0, 5),
                    direct_loss_10k_yuan=float(round(c.gdp_100m_yuan * factor * rng.uniform(2, 30))),
                    source=LABEL,
                ),
            )
            for row in rows:
                try:
                    statistics.create_loss(session=session, user=actor, data=row)
                    stats += 1
                except Conflict:
                    pass
    counts["gdp_figures"] = gdp
    counts["loss_statistics"] = stats

    values = 0
    for ind in session.scalars(select(Indicator).where(Indicator.plan_id == plan.id)):
        if ind.key not in _REPORTED:
            continue
        value, day, source = _REPORTED[ind.key]
        exists = session.scalar(
            select(IndicatorValue.id).where(
                IndicatorValue.indicator_id == ind.id,
                IndicatorValue.on_date == day,
                IndicatorValue.origin == ValueOrigin.reported.value,
            )
        )
        if exists:
            continue
        from yingji.supervision.indicators import report_value
        from yingji.supervision.schemas import IndicatorValueIn

        report_value(
            session=session,
            user=actor,
            plan=plan,
            key=ind.key,
            today=date(2022, 12, 31),
            data=IndicatorValueIn(value=value, on_date=day, source=f"{source}（{LABEL}）", note=LABEL),
        )
        values += 1
    counts["indicator_values"] = values
    return counts
