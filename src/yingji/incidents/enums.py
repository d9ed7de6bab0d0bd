"""Enumerations of the incidents domain: stable lowercase values, labels and colours beside them."""

from __future__ import annotations

from yingji.common.choices import LabelledEnum, set_labels


class Category(LabelledEnum):
    natural_disaster = "natural_disaster"
    accident = "accident"
    public_health = "public_health"
    social_security = "social_security"


set_labels(
    Category,
    {
        "natural_disaster": ("自然灾害", "Natural disaster", "#2ca02c"),
        "accident": ("事故灾难", "Accident", "#d62728"),
        "public_health": ("公共卫生事件", "Public health event", "#9467bd"),
        "social_security": ("社会安全事件", "Social security event", "#1f77b4"),
    },
)


class Level(LabelledEnum):
    """Incident grades, 《突发事件应对法》 Art. 3 (I most severe)."""

    I = "I"  # noqa: E741
    II = "II"
    III = "III"
    IV = "IV"


set_labels(
    Level,
    {
        "I": ("特别重大", "Extremely serious", "#d62728"),
        "II": ("重大", "Serious", "#ff7f0e"),
        "III": ("较大", "Relatively serious", "#f2c500"),
        "IV": ("一般", "Ordinary", "#1f77b4"),
    },
)


class Status(LabelledEnum):
    reported = "reported"
    verified = "verified"
    responding = "responding"
    recovering = "recovering"
    closed = "closed"
    merged = "merged"
    false_alarm = "false_alarm"


set_labels(
    Status,
    {
        "reported": ("接报", "Reported", "#ff7f0e"),
        "verified": ("已核实", "Verified", "#f2c500"),
        "responding": ("响应处置中", "Responding", "#d62728"),
        "recovering": ("恢复重建", "Recovering", "#2ca02c"),
        "closed": ("已结束", "Closed", "#7f7f7f"),
        "merged": ("已合并", "Merged", "#7f7f7f"),
        "false_alarm": ("误报", "False alarm", "#7f7f7f"),
    },
)

#: The lifecycle: from each state, the states it may move to. Terminal states map to nothing.
TRANSITIONS: dict[Status, tuple[Status, ...]] = {
    Status.reported: (Status.verified, Status.false_alarm, Status.merged),
    Status.verified: (Status.responding, Status.closed, Status.merged),
    Status.responding: (Status.recovering,),
    Status.recovering: (Status.responding, Status.closed),
    Status.closed: (),
    Status.merged: (),
    Status.false_alarm: (),
}
OPEN_STATUSES = (Status.reported, Status.verified, Status.responding, Status.recovering)
TERMINAL_STATUSES = (Status.closed, Status.merged, Status.false_alarm)


class TaskStatus(LabelledEnum):
    assigned = "assigned"
    accepted = "accepted"
    rejected = "rejected"
    in_progress = "in_progress"
    done = "done"
    cancelled = "cancelled"


set_labels(
    TaskStatus,
    {
        "assigned": ("已下达", "Assigned", "#ff7f0e"),
        "accepted": ("已接收", "Accepted", "#1f77b4"),
        "rejected": ("已拒绝", "Rejected", "#7f7f7f"),
        "in_progress": ("处置中", "In progress", "#f2c500"),
        "done": ("已完成", "Done", "#2ca02c"),
        "cancelled": ("已撤销", "Cancelled", "#7f7f7f"),
    },
)
TASK_OPEN = (TaskStatus.assigned, TaskStatus.accepted, TaskStatus.in_progress)


class AssigneeType(LabelledEnum):
    unit = "unit"
    team = "team"
    person = "person"


set_labels(
    AssigneeType,
    {"unit": ("单位", "Unit", ""), "team": ("队伍", "Team", ""), "person": ("个人", "Person", "")},
)


class ResourceType(LabelledEnum):
    team = "team"
    vehicle = "vehicle"
    expert = "expert"


set_labels(
    ResourceType,
    {"team": ("救援队伍", "Team", ""), "vehicle": ("车辆装备", "Vehicle", ""), "expert": ("专家", "Expert", "")},
)


class DispatchStatus(LabelledEnum):
    requested = "requested"
    en_route = "en_route"
    on_scene = "on_scene"
    released = "released"


set_labels(
    DispatchStatus,
    {
        "requested": ("已调派", "Requested", "#ff7f0e"),
        "en_route": ("途中", "En route", "#f2c500"),
        "on_scene": ("到场", "On scene", "#d62728"),
        "released": ("已归队", "Released", "#2ca02c"),
    },
)
#: A resource in one of these states is committed to its incident; the database allows one such row.
DISPATCH_ACTIVE = (DispatchStatus.requested, DispatchStatus.en_route, DispatchStatus.on_scene)
DISPATCH_TRANSITIONS: dict[DispatchStatus, tuple[DispatchStatus, ...]] = {
    DispatchStatus.requested: (DispatchStatus.en_route, DispatchStatus.on_scene, DispatchStatus.released),
    DispatchStatus.en_route: (DispatchStatus.on_scene, DispatchStatus.released),
    DispatchStatus.on_scene: (DispatchStatus.released,),
    DispatchStatus.released: (),
}


class PlanKind(LabelledEnum):
    master = "master"
    special = "special"
    department = "department"
    enterprise = "enterprise"


set_labels(
    PlanKind,
    {
        "master": ("总体应急预案", "Master plan", ""),
        "special": ("专项应急预案", "Special plan", ""),
        "department": ("部门应急预案", "Department plan", ""),
        "enterprise": ("企业应急预案", "Enterprise plan", ""),
    },
)


class PlanStatus(LabelledEnum):
    active = "active"
    retired = "retired"


set_labels(PlanStatus, {"active": ("现行", "In force", ""), "retired": ("废止", "Retired", "")})


class ReportKind(LabelledEnum):
    initial = "initial"
    follow_up = "follow_up"
    final = "final"


set_labels(
    ReportKind,
    {"initial": ("首报", "Initial report", ""), "follow_up": ("续报", "Follow-up report", ""),
     "final": ("终报", "Final report", "")},
)


class ReportChannel(LabelledEnum):
    phone = "phone"
    written = "written"


set_labels(ReportChannel, {"phone": ("电话报告", "Phone", ""), "written": ("书面报告", "Written", "")})


class TimelineKind(LabelledEnum):
    created = "created"
    updated = "updated"
    status = "status"
    level = "level"
    note = "note"
    decision = "decision"
    plan = "plan"
    task = "task"
    dispatch = "dispatch"
    report = "report"
    consultation = "consultation"


set_labels(
    TimelineKind,
    {
        "created": ("接报", "Reported", ""),
        "updated": ("信息更新", "Updated", ""),
        "status": ("状态变更", "Status change", ""),
        "level": ("定级", "Level", ""),
        "note": ("记录", "Note", ""),
        "decision": ("决策", "Decision", ""),
        "plan": ("预案启动", "Plan activated", ""),
        "task": ("任务", "Task", ""),
        "dispatch": ("调派", "Dispatch", ""),
        "report": ("信息报送", "Report upward", ""),
        "consultation": ("会商", "Consultation", ""),
    },
)


class DutyLogKind(LabelledEnum):
    call = "call"
    info = "info"
    instruction = "instruction"
    handover = "handover"
    note = "note"


set_labels(
    DutyLogKind,
    {
        "call": ("来电", "Call", ""),
        "info": ("信息", "Information", ""),
        "instruction": ("领导批示", "Instruction", ""),
        "handover": ("交接班", "Handover", ""),
        "note": ("备注", "Note", ""),
    },
)
