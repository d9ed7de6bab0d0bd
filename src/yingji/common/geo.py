"""GeoJSON helpers (RFC 7946) and bounding-box parsing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from yingji.errors import InvalidField


def parse_bbox(raw: str | None) -> tuple[float, float, float, float] | None:
    """Parse ``minlon,minlat,maxlon,maxlat``; raise InvalidField('bbox', …) when malformed."""
    if raw is None or raw == "":
        return None
    parts = raw.split(",")
    if len(parts) != 4:
        raise InvalidField("bbox", "expected four numbers: minlon,minlat,maxlon,maxlat")
    try:
        a, b, c, d = (float(p) for p in parts)
    except ValueError as exc:
        raise InvalidField("bbox", "expected four numbers: minlon,minlat,maxlon,maxlat") from exc
    if not (-180 <= a <= 180 and -180 <= c <= 180 and -90 <= b <= 90 and -90 <= d <= 90):
        raise InvalidField("bbox", "longitudes must lie in [-180, 180] and latitudes in [-90, 90]")
    if a > c or b > d:
        raise InvalidField("bbox", "minimum must not exceed maximum")
    return a, b, c, d


def feature_collection(features: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def point_feature(
    *, lon: float | None, lat: float | None, properties: Mapping[str, Any], fid: Any = None
) -> dict[str, Any]:
    geometry = None if lon is None or lat is None else {"type": "Point", "coordinates": [lon, lat]}
    feature: dict[str, Any] = {"type": "Feature", "geometry": geometry, "properties": dict(properties)}
    if fid is not None:
        feature["id"] = fid
    return feature
