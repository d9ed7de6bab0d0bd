"""Warning levels and states. Level 1 = 一级/red, most severe (《突发事件应对法》 Art. 63)."""

from __future__ import annotations

from yingji.common.choices import LabelledEnum, set_labels

#: level → (value name, zh, en, colour)
LEVELS: dict[int, tuple[str, str, str, str]] = {
    1: ("red", "一级（红色）预警", "Level 1 (red)", "#e60000"),
    2: ("orange", "二级（橙色）预警", "Level 2 (orange)", "#ff8c00"),
    3: ("yellow", "三级（黄色）预警", "Level 3 (yellow)", "#ffd700"),
    4: ("blue", "四级（蓝色）预警", "Level 4 (blue)", "#1e6fd9"),
}
COLOUR_LEVEL = {v[0]: k for k, v in LEVELS.items()}


class WarningStatus(LabelledEnum):
    active = "active"
    lifted = "lifted"
    expired = "expired"


set_labels(
    WarningStatus,
    {
        "active": ("生效", "Active", "#d62728"),
        "lifted": ("已解除", "Lifted", "#2ca02c"),
        "expired": ("已过期", "Expired", "#7f7f7f"),
    },
)


class WarningOrigin(LabelledEnum):
    rule = "rule"
    manual = "manual"
    cap = "cap"


set_labels(
    WarningOrigin,
    {
        "rule": ("监测规则", "Monitoring rule", ""),
        "manual": ("人工发布", "Issued by hand", ""),
        "cap": ("外部CAP导入", "Imported CAP", ""),
    },
)


class EventKind(LabelledEnum):
    raised = "raised"
    escalated = "escalated"
    de_escalated = "de_escalated"
    updated = "updated"
    acknowledged = "acknowledged"
    lifted = "lifted"
    expired = "expired"
    incident = "incident"


set_labels(
    EventKind,
    {
        "raised": ("发布", "Raised", ""),
        "escalated": ("升级", "Escalated", ""),
        "de_escalated": ("降级", "De-escalated", ""),
        "updated": ("更新", "Updated", ""),
        "acknowledged": ("已确认", "Acknowledged", ""),
        "lifted": ("解除", "Lifted", ""),
        "expired": ("过期", "Expired", ""),
        "incident": ("升级为事件", "Escalated to an incident", ""),
    },
)
