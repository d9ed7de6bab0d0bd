"""Supplies enumerations. Values are stable identifiers; labels and colours sit beside them."""

from __future__ import annotations

from yingji.common.choices import LabelledEnum, set_labels


class ItemCategory(LabelledEnum):
    basic_living = "basic_living"
    rescue = "rescue"
    protection = "protection"
    medical = "medical"
    flood_control = "flood_control"
    forest_fire = "forest_fire"
    communications = "communications"
    transport = "transport"
    power_lighting = "power_lighting"
    other = "other"


set_labels(
    ItemCategory,
    {
        "basic_living": ("生活保障类", "Basic living", "#1f77b4"),
        "rescue": ("生命救援类", "Search and rescue", "#d62728"),
        "protection": ("人员安全防护类", "Personal protection", "#ff7f0e"),
        "medical": ("医疗卫生类", "Medical", "#e377c2"),
        "flood_control": ("防汛抗旱类", "Flood control", "#17becf"),
        "forest_fire": ("森林防灭火类", "Forest fire", "#8c564b"),
        "communications": ("通信保障类", "Communications", "#9467bd"),
        "transport": ("应急交通运输类", "Transport", "#7f7f7f"),
        "power_lighting": ("电力照明类", "Power and lighting", "#bcbd22"),
        "other": ("其他", "Other", ""),
    },
)


class Ownership(LabelledEnum):
    """Who owns a stock lot (GLOSSARY: 政府实物储备 / 企业(协议)储备 / 产能储备)."""

    government = "government"
    enterprise_agreement = "enterprise_agreement"
    production_capacity = "production_capacity"


set_labels(
    Ownership,
    {
        "government": ("政府实物储备", "Government stock", "#1f77b4"),
        "enterprise_agreement": ("企业（协议）储备", "Enterprise agreement stock", "#2ca02c"),
        "production_capacity": ("产能储备", "Production capacity reserve", "#ff7f0e"),
    },
)

PHYSICAL_OWNERSHIPS: tuple[str, ...] = (Ownership.government, Ownership.enterprise_agreement)
"""Ownerships that are goods on a shelf (a production-capacity reserve is goods still to be made)."""


class MoveKind(LabelledEnum):
    receipt = "receipt"
    issue = "issue"
    transfer_out = "transfer_out"
    transfer_in = "transfer_in"
    adjustment = "adjustment"
    write_off = "write_off"


set_labels(
    MoveKind,
    {
        "receipt": ("入库", "Receipt", "#2ca02c"),
        "issue": ("出库", "Issue", "#d62728"),
        "transfer_out": ("调出", "Transfer out", "#ff7f0e"),
        "transfer_in": ("调入", "Transfer in", "#17becf"),
        "adjustment": ("盘点调整", "Adjustment", "#9467bd"),
        "write_off": ("报废核销", "Write-off", "#7f7f7f"),
    },
)

INBOUND = (MoveKind.receipt, MoveKind.transfer_in)
OUTBOUND = (MoveKind.issue, MoveKind.transfer_out, MoveKind.write_off)


class NormProfile(LabelledEnum):
    """``relief``: the needs of one affected person (allocation, 12-hour check); ``city`` and
    ``county``: the reserve standard per planned relief person at that level."""

    relief = "relief"
    city = "city"
    county = "county"


set_labels(
    NormProfile,
    {
        "relief": ("受灾人员基本生活需求", "Relief needs per person", ""),
        "city": ("市级储备标准", "City reserve standard", ""),
        "county": ("县级储备标准", "County reserve standard", ""),
    },
)


class SourceStatus(LabelledEnum):
    """How well a number is sourced (REFERENCE.md): read in the primary text, secondary copies only,
    or not verified (a documented default to be set by the city)."""

    verified = "verified"
    secondary = "secondary"
    unverified = "unverified"


set_labels(
    SourceStatus,
    {
        "verified": ("V 原文核实", "V verified in the primary text", "#2ca02c"),
        "secondary": ("S 二手资料", "S secondary sources agree", "#ff7f0e"),
        "unverified": ("U 未核实（默认值）", "U not verified (a default)", "#d62728"),
    },
)


class RequestStatus(LabelledEnum):
    submitted = "submitted"
    approved = "approved"
    partially_fulfilled = "partially_fulfilled"
    fulfilled = "fulfilled"
    rejected = "rejected"
    cancelled = "cancelled"


set_labels(
    RequestStatus,
    {
        "submitted": ("待审批", "Submitted", "#1f77b4"),
        "approved": ("已批准", "Approved", "#17becf"),
        "partially_fulfilled": ("部分到货", "Partially fulfilled", "#ff7f0e"),
        "fulfilled": ("已完成", "Fulfilled", "#2ca02c"),
        "rejected": ("已驳回", "Rejected", "#d62728"),
        "cancelled": ("已撤销", "Cancelled", "#7f7f7f"),
    },
)

OPEN_REQUEST = (RequestStatus.approved, RequestStatus.partially_fulfilled)


class DispatchStatus(LabelledEnum):
    """``in_transit``: stock issued from the lots (reserved for the destination); ``received``: signed
    for at the destination (closed); ``cancelled``: called back, the stock returned to its lots."""

    in_transit = "in_transit"
    received = "received"
    cancelled = "cancelled"


set_labels(
    DispatchStatus,
    {
        "in_transit": ("在途", "In transit", "#ff7f0e"),
        "received": ("已签收", "Received", "#2ca02c"),
        "cancelled": ("已撤销", "Cancelled", "#7f7f7f"),
    },
)


class RotationAction(LabelledEnum):
    issue_first = "issue_first"
    replace_now = "replace"
    write_off = "write_off"


set_labels(
    RotationAction,
    {
        "issue_first": ("优先动用（先到期先出）", "Issue first (FEFO)", "#ff7f0e"),
        "replace": ("轮换补充", "Replace now", "#d62728"),
        "write_off": ("已过期，报废核销", "Expired: write off", "#7f7f7f"),
    },
)
