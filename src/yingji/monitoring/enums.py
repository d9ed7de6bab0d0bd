"""Sensor kinds (labels and default units come from the rules engine's defaults table)."""

from __future__ import annotations

from yingji.common.choices import LabelledEnum, set_labels
from yingji.engines.rules import kind_defaults


class SensorKind(LabelledEnum):
    water_level = "water_level"
    rainfall = "rainfall"
    gas_concentration = "gas_concentration"
    toxic_gas = "toxic_gas"
    phreatic_line = "phreatic_line"
    displacement = "displacement"
    temperature = "temperature"
    pressure = "pressure"
    wind = "wind"


set_labels(SensorKind, {k: (d.zh, d.en, "") for k, d in kind_defaults().items()})


class SensorStatus(LabelledEnum):
    online = "online"
    offline = "offline"
    inactive = "inactive"


set_labels(
    SensorStatus,
    {
        "online": ("在线", "Online", "#2ca02c"),
        "offline": ("离线", "Offline", "#d62728"),
        "inactive": ("停用", "Inactive", "#7f7f7f"),
    },
)
