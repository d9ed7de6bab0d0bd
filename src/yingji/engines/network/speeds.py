"""Road classes and their default speeds, loaded from ``speeds.json`` (data, with its source).

The position of a class in ``ROAD_CLASSES`` is its integer code in
:attr:`RoadGraph.edge_class <yingji.engines.network.graph.RoadGraph.edge_class>`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

from .errors import NetworkError


def _load() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("speeds.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


SPEED_TABLE: Mapping[str, Any] = _load()
"""The parsed ``speeds.json`` (with its ``source`` block)."""

ROAD_CLASSES: tuple[str, ...] = tuple(str(row["class"]) for row in SPEED_TABLE["classes"])
"""OSM ``highway`` classes known to the engine; the index is the class code."""

DEFAULT_SPEED_KMH: Mapping[str, float] = {
    str(row["class"]): float(row["kmh"]) for row in SPEED_TABLE["classes"]
}
"""Default speed of each class, km/h."""

CLASS_ALIASES: Mapping[str, str] = {str(k): str(v) for k, v in SPEED_TABLE["aliases"].items()}

_CODE: dict[str, int] = {name: i for i, name in enumerate(ROAD_CLASSES)}
_SPEED_BY_CODE = np.array([DEFAULT_SPEED_KMH[name] for name in ROAD_CLASSES], dtype=np.float64)


def normalise_class(name: str) -> str | None:
    """Map an OSM ``highway`` value (or alias) to a known class name; ``None`` when unknown."""
    key = name.strip().lower()
    key = CLASS_ALIASES.get(key, key)
    return key if key in _CODE else None


def road_class_code(name: str) -> int:
    """Integer code of a road class name; raises :class:`NetworkError` for an unknown class."""
    key = normalise_class(name)
    if key is None:
        raise NetworkError(
            f"unknown road class {name!r}; known: {', '.join(ROAD_CLASSES)}", field="road_class"
        )
    return _CODE[key]


def road_class_codes(values: Iterable[str | int] | npt.ArrayLike) -> npt.NDArray[np.int16]:
    """Codes for a sequence of class names or codes (codes are range-checked)."""
    arr = np.asarray(values)
    if arr.dtype.kind in "iu":
        codes = arr.astype(np.int64).ravel()
    else:
        lookup: dict[str, int] = {}
        codes = np.empty(arr.size, dtype=np.int64)
        for i, value in enumerate(arr.ravel().tolist()):
            if isinstance(value, int | np.integer):
                codes[i] = int(value)
                continue
            text = str(value)
            code = lookup.get(text)
            if code is None:
                code = lookup[text] = road_class_code(text)
            codes[i] = code
    if codes.size and (codes.min() < 0 or codes.max() >= len(ROAD_CLASSES)):
        raise NetworkError(f"road class codes must lie in [0, {len(ROAD_CLASSES)})", field="road_class")
    return codes.astype(np.int16)


def default_speeds(codes: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Default speed (km/h) for each road-class code."""
    return _SPEED_BY_CODE[np.asarray(codes, dtype=np.int64)]
