"""What the one map (一张图) needs to know: its layers, labels, enum labels and colours.

The page embeds this as JSON; ``static/js/map.js`` reads it and fetches each layer from the
registry API (``/api/v1/<registry>?format=geojson&kind=…``) when its checkbox is ticked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from yingji.auth import permissions as perm
from yingji.config import Settings
from yingji.registry.enums import FacilityKind, TeamKind
from yingji.registry.specs import REGISTRIES, RegistrySpec
from yingji.registry.validation import CAPACITY_MODELS
from yingji.web.fields import capacity_fields, field_enum, field_label
from yingji.web.i18n import pick, translate

LIAOCHENG_CENTRE = (36.457, 115.985)  # 聊城市 (lat, lon)
DEFAULT_ZOOM = 9
DEFAULT_ON = frozenset(
    {
        "divisions",
        "facilities:fire_station",
        "facilities:hospital",
        "facilities:shelter",
        "facilities:warehouse",
    }
)
FALLBACK_COLOURS = {"units": "#4b5563", "experts": "#0284c7", "vehicles": "#a16207", "divisions": "#475569"}
# Layers split by kind (one checkbox per kind); the other located registries are one layer each.
SPLIT_BY_KIND: dict[str, Any] = {"facilities": FacilityKind, "teams": TeamKind}


@dataclass(frozen=True)
class Layer:
    id: str  # "facilities:fire_station", "units", "divisions"
    registry: str
    kind: str | None
    label: str
    colour: str
    checked: bool

    @property
    def dom_id(self) -> str:
        return "layer-" + self.id.replace(":", "-")

    @property
    def marker_class(self) -> str:
        return "yj-m-" + self.id.replace(":", "-")

    @property
    def url(self) -> str:
        url = f"/api/v1/{self.registry}?format=geojson"
        if self.registry == "divisions":
            url += "&geometry=boundary"
        if self.kind:
            url += f"&kind={self.kind}"
        return url

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "registry": self.registry,
            "kind": self.kind,
            "label": self.label,
            "colour": self.colour,
            "url": self.url,
            "markerClass": self.marker_class,
            "domId": self.dom_id,
        }


@dataclass(frozen=True)
class LayerGroup:
    label: str
    layers: list[Layer]


def layer_groups(role: str, lang: str) -> list[LayerGroup]:
    """The layer switcher: divisions, facilities by kind, teams by kind, other located registries."""

    def readable(name: str) -> bool:
        return perm.allowed(role, name, "read")

    groups: list[LayerGroup] = []
    if readable("divisions"):
        groups.append(
            LayerGroup(
                translate("map.group.base", lang),
                [
                    Layer(
                        "divisions",
                        "divisions",
                        None,
                        translate("map.divisions", lang),
                        FALLBACK_COLOURS["divisions"],
                        "divisions" in DEFAULT_ON,
                    ),
                ],
            )
        )
    for registry, enum in SPLIT_BY_KIND.items():
        if not readable(registry):
            continue
        layers = [
            Layer(
                f"{registry}:{c.value}",
                registry,
                c.value,
                pick(c.zh, c.en, lang),
                c.colour or "#334155",
                f"{registry}:{c.value}" in DEFAULT_ON,
            )
            for c in enum.choices()
        ]
        groups.append(LayerGroup(translate(f"map.group.{registry}", lang), layers))
    others = [
        Layer(
            name,
            name,
            None,
            pick(spec.zh, spec.en, lang),
            FALLBACK_COLOURS.get(name, "#334155"),
            name in DEFAULT_ON,
        )
        for name, spec in REGISTRIES.items()
        if spec.located and name not in SPLIT_BY_KIND and name != "divisions" and readable(name)
    ]
    if others:
        groups.append(LayerGroup(translate("map.group.other", lang), others))
    return groups


def _popup_fields(spec: RegistrySpec) -> list[str]:
    names = [n for n in spec.map_properties if n != "name"]
    for extra in ("division_code", "address", "phone", "leader"):
        if extra in spec.read.model_fields and extra not in names:
            names.append(extra)
    return names


def _registry_json(spec: RegistrySpec, lang: str) -> dict[str, Any]:
    fields = list(spec.read.model_fields)
    enums: dict[str, dict[str, str]] = {}
    for name in fields:
        enum = field_enum(spec, name)
        if enum is not None:
            enums[name] = {c.value: pick(c.zh, c.en, lang) for c in enum.choices()}
    status_enum = field_enum(spec, spec.status_field)
    return {
        "label": pick(spec.zh, spec.en, lang),
        "pk": spec.pk,
        "kindField": spec.kind_field,
        "statusField": spec.status_field,
        "statusColours": {c.value: c.colour for c in status_enum.choices() if c.colour}
        if status_enum
        else {},
        "fields": {name: field_label(spec, name, lang) for name in fields},
        "enums": enums,
        "popup": _popup_fields(spec),
    }


def tile_attribution(tile_url: str) -> str:
    """The credit line the base map needs (OpenStreetMap's tiles require one)."""
    return "© OpenStreetMap contributors" if "openstreetmap" in tile_url.lower() else ""


def map_config(*, settings: Settings, role: str, lang: str, groups: list[LayerGroup]) -> dict[str, Any]:
    capacity_labels: dict[str, str] = {}
    capacity_enums: dict[str, dict[str, str]] = {}
    for kind in CAPACITY_MODELS:
        for cf in capacity_fields(kind):
            capacity_labels[cf.name] = cf.label(lang)
            if cf.enum is not None:
                capacity_enums[cf.name] = dict(cf.options(lang))
    located = [name for name, spec in REGISTRIES.items() if spec.located and perm.allowed(role, name, "read")]
    return {
        "lang": lang,
        "tileUrl": settings.tile_url,
        "tileAttribution": tile_attribution(settings.tile_url),
        "centre": list(LIAOCHENG_CENTRE),
        "zoom": DEFAULT_ZOOM,
        "layers": [layer.as_json() for group in groups for layer in group.layers],
        "registries": {name: _registry_json(REGISTRIES[name], lang) for name in located},
        "search": located,
        "capacity": {"labels": capacity_labels, "enums": capacity_enums},
        "i18n": {
            key: translate(f"map.{key}", lang)
            for key in ("details", "no_results", "results", "loading", "error", "no_location")
        }
        | {
            "yes": translate("bool.true", lang),
            "no": translate("bool.false", lang),
            "sep": "、" if lang.startswith("zh") else ", ",
        },
    }
