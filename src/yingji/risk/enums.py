"""Risk enumerations: stable values with (zh, en, colour) beside them."""

from __future__ import annotations

from yingji.common.choices import LabelledEnum, set_labels


class HazardKind(LabelledEnum):
    hazmat_enterprise = "hazmat_enterprise"
    chemical_park = "chemical_park"
    tailings_pond = "tailings_pond"
    oil_gas_well = "oil_gas_well"
    gas_pipeline = "gas_pipeline"
    dike_sluice = "dike_sluice"
    geological_hazard = "geological_hazard"
    crowded_place = "crowded_place"
    high_rise = "high_rise"


set_labels(
    HazardKind,
    {
        "hazmat_enterprise": ("危险化学品企业", "Hazardous chemicals enterprise", "#9467bd"),
        "chemical_park": ("化工园区", "Chemical park", "#7f7f7f"),
        "tailings_pond": ("尾矿库", "Tailings pond", "#8c564b"),
        "oil_gas_well": ("油气井", "Oil / gas well", "#bcbd22"),
        "gas_pipeline": ("燃气管道", "Gas pipeline", "#ff7f0e"),
        "dike_sluice": ("堤防水闸", "Dike and sluice", "#1f77b4"),
        "geological_hazard": ("地质灾害隐患点", "Geological hazard point", "#a0522d"),
        "crowded_place": ("人员密集场所", "Crowded place", "#e377c2"),
        "high_rise": ("高层建筑", "High-rise building", "#17becf"),
    },
)


class RiskColour(LabelledEnum):
    """安全风险四色分级: 红 major, 橙 high, 黄 moderate, 蓝 low."""

    red = "red"
    orange = "orange"
    yellow = "yellow"
    blue = "blue"


set_labels(
    RiskColour,
    {
        "red": ("重大风险（红）", "Major risk (red)", "#e60000"),
        "orange": ("较大风险（橙）", "High risk (orange)", "#ff8c00"),
        "yellow": ("一般风险（黄）", "Moderate risk (yellow)", "#ffd700"),
        "blue": ("低风险（蓝）", "Low risk (blue)", "#1e6fd9"),
    },
)

#: 重大危险源分级 (GB 18218): 一级 is the most severe.
MAJOR_HAZARD_GRADES: dict[int, tuple[str, str]] = {
    1: ("一级重大危险源", "Grade 1 major hazard"),
    2: ("二级重大危险源", "Grade 2 major hazard"),
    3: ("三级重大危险源", "Grade 3 major hazard"),
    4: ("四级重大危险源", "Grade 4 major hazard"),
}


class HazardStatus(LabelledEnum):
    in_operation = "in_operation"
    suspended = "suspended"
    decommissioned = "decommissioned"


set_labels(
    HazardStatus,
    {
        "in_operation": ("在用", "In operation", "#2ca02c"),
        "suspended": ("停产停用", "Suspended", "#ff7f0e"),
        "decommissioned": ("已关闭", "Decommissioned", "#7f7f7f"),
    },
)


def colour_hex(colour: str | None) -> str:
    """The display colour of a risk colour value (grey when unassessed)."""
    if colour is None:
        return "#9e9e9e"
    return next((c.colour for c in RiskColour.choices() if c.value == colour), "#9e9e9e")
