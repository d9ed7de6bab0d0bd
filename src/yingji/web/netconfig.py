"""What the network-analysis panel (路网分析) of the one map needs: resources and their kinds,
the divisions a closure may be filed under, the user's rights, whether a network is loaded, and
its texts.

The page embeds this under ``network`` in the map's JSON config; ``static/js/network.js`` drives
the routing API (``/api/v1/routing/…``) with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from yingji.auth import permissions as perm
from yingji.registry.specs import REGISTRIES
from yingji.web.fields import field_enum
from yingji.web.i18n import MESSAGES, pick, translate

DEFAULT_THRESHOLDS_MIN = (5, 10, 15)
MAX_THRESHOLDS = 8  # the API takes 1 to 8 thresholds …
MAX_THRESHOLD_MIN = 240  # … each at most 14 400 s
# Isochrone fills from the shortest time (inner) to the longest (outer).
ISO_COLOURS = ("#1a9641", "#7fc45a", "#d9ef8b", "#fee08b", "#fdae61", "#f46d43", "#d73027", "#a50026")
# Uncovered cells, coloured by population (persons per cell): class lower bounds and colours.
CELL_CLASSES = (0, 1_000, 2_000, 5_000, 10_000)
CELL_COLOURS = ("#fde0c5", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603")
# Resources the nearest-resource tool may list, and the status that means "can be sent".
RESOURCES: dict[str, str] = {"teams": "available", "vehicles": "available", "facilities": "in_service"}
COVERAGE_KINDS = ("fire", "medical", "shelter")
SITING_METHODS = ("mip", "greedy")


@dataclass(frozen=True)
class NetworkFiles:
    """Which of the network files of ``<data dir>/network/`` exist (see ``yingji.routing.store``)."""

    graph: bool
    population: bool


def network_files(data_dir: Path) -> NetworkFiles:
    folder = data_dir / "network"
    return NetworkFiles(
        graph=(folder / "graph.npz").is_file(), population=(folder / "population.csv").is_file()
    )


def _choices(enum: Any, lang: str) -> list[list[str]]:
    return [[c.value, pick(c.zh, c.en, lang)] for c in enum.choices()] if enum is not None else []


def _resources(role: str, lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, available in RESOURCES.items():
        if not perm.allowed(role, name, "read"):
            continue
        spec = REGISTRIES[name]
        out[name] = {
            "label": pick(spec.zh, spec.en, lang),
            "kinds": _choices(field_enum(spec, spec.kind_field), lang),
            "capabilities": _choices(field_enum(spec, "specialty"), lang) if name == "teams" else [],
            "statuses": dict(_choices(field_enum(spec, spec.status_field), lang)),
            "kindField": spec.kind_field,
            "statusField": spec.status_field,
            "available": available,
        }
    return out


def network_texts(lang: str) -> dict[str, str]:
    """Every ``net.*`` message of the catalogue, without the prefix, for the JavaScript."""
    return {key[4:]: translate(key, lang) for key in MESSAGES if key.startswith("net.")}


def can_use_network(role: str) -> bool:
    return perm.allowed(role, "routing", "read")


def network_config(
    *,
    data_dir: Path,
    role: str,
    lang: str,
    divisions: list[tuple[str, str]],
    division_names: dict[str, str],
) -> dict[str, Any]:
    """``divisions``: the (code, label) choices for a closure's division (the user's scope);
    ``division_names``: code → name, to label coverage rows, sites and closures."""
    files = network_files(data_dir)
    closures = {
        action: perm.allowed(role, "road_closures", action) for action in ("read", "create", "update", "delete")
    }
    return {
        "available": files.graph,
        "population": files.population,
        "resources": _resources(role, lang),
        "closures": closures,
        "divisions": [[code, label] for code, label in divisions],
        "divisionNames": division_names,
        "thresholdsMin": list(DEFAULT_THRESHOLDS_MIN),
        "maxThresholds": MAX_THRESHOLDS,
        "maxThresholdMin": MAX_THRESHOLD_MIN,
        "isoColours": list(ISO_COLOURS),
        "cellClasses": list(CELL_CLASSES),
        "cellColours": list(CELL_COLOURS),
        "i18n": network_texts(lang),
    }
