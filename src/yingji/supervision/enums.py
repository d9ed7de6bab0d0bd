"""Supervision enumerations. Values are stable identifiers; labels and colours sit beside them."""

from __future__ import annotations

from yingji.common.choices import LabelledEnum, set_labels


class TaskStatus(LabelledEnum):
    not_started = "not_started"
    on_track = "on_track"
    at_risk = "at_risk"
    overdue = "overdue"
    done = "done"


set_labels(
    TaskStatus,
    {
        "not_started": ("未启动", "Not started", "#7f7f7f"),
        "on_track": ("正常推进", "On track", "#2ca02c"),
        "at_risk": ("存在风险", "At risk", "#ff7f0e"),
        "overdue": ("逾期", "Overdue", "#d62728"),
        "done": ("已完成", "Done", "#1f77b4"),
    },
)


class UnitRole(LabelledEnum):
    lead = "lead"
    responsible = "responsible"


set_labels(
    UnitRole,
    {"lead": ("牵头单位", "Lead unit", ""), "responsible": ("负责单位", "Responsible unit", "")},
)


class ReportStatus(LabelledEnum):
    submitted = "submitted"
    confirmed = "confirmed"
    returned = "returned"


set_labels(
    ReportStatus,
    {
        "submitted": ("待确认", "Submitted", "#ff7f0e"),
        "confirmed": ("已确认", "Confirmed", "#2ca02c"),
        "returned": ("已退回", "Returned", "#d62728"),
    },
)


class Comparator(LabelledEnum):
    ge = "ge"
    le = "le"
    increase = "increase"


set_labels(
    Comparator,
    {
        "ge": ("≥", "at least", ""),
        "le": ("≤", "at most", ""),
        "increase": ("明显提高", "rises against the previous period", ""),
    },
)


class IndicatorKind(LabelledEnum):
    """Where an indicator's value comes from."""

    computed = "computed"  # live, from the registry or the road network
    statistics = "statistics"  # computed from entered statistics
    reported = "reported"  # entered by a unit (value, who, when, source)
    unavailable = "unavailable"  # its source module does not exist yet


set_labels(
    IndicatorKind,
    {
        "computed": ("系统计算", "Computed", ""),
        "statistics": ("统计数据计算", "From statistics", ""),
        "reported": ("单位填报", "Reported", ""),
        "unavailable": ("数据源未接入", "Source not available", ""),
    },
)


class Light(LabelledEnum):
    green = "green"
    amber = "amber"
    red = "red"
    grey = "grey"


set_labels(
    Light,
    {
        "green": ("达标", "Met", "#2ca02c"),
        "amber": ("未达标（未到期）", "Not yet met", "#ff7f0e"),
        "red": ("未达标（已到期）", "Missed", "#d62728"),
        "grey": ("无数据", "No data", "#7f7f7f"),
    },
)


class LossKind(LabelledEnum):
    work_safety = "work_safety"
    natural_disaster = "natural_disaster"


set_labels(
    LossKind,
    {
        "work_safety": ("生产安全事故", "Work-safety accidents", ""),
        "natural_disaster": ("自然灾害", "Natural disasters", ""),
    },
)


class ValueOrigin(LabelledEnum):
    computed = "computed"
    reported = "reported"


set_labels(
    ValueOrigin,
    {"computed": ("计算", "Computed", ""), "reported": ("填报", "Reported", "")},
)
