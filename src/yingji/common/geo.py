"""GeoJSON helpers (RFC 7946): checking geometries users send, bounding-box parsing, feature collections."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
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


LINE_AND_AREA = ("Polygon", "MultiPolygon", "LineString", "MultiLineString")
AREA = ("Polygon", "MultiPolygon")


def check_geometry(
    geometry: dict[str, Any] | None, field: str | Sequence[str | int], allowed: tuple[str, ...] = LINE_AND_AREA
) -> dict[str, Any] | None:
    """A GeoJSON geometry of an allowed type, valid (shapely) and inside lon/lat ranges."""
    if geometry is None:
        return None
    from shapely.geometry import mapping, shape

    gtype = geometry.get("type")
    if gtype not in allowed:
        raise InvalidField(field, f"GeoJSON type must be one of {', '.join(allowed)}")
    try:
        geom = shape(geometry)
    except Exception as exc:  # shapely raises several kinds for malformed coordinates
        raise InvalidField(field, f"malformed GeoJSON coordinates: {exc}") from None
    if geom.is_empty:
        raise InvalidField(field, "empty geometry")
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise InvalidField(field, "coordinates must be [lon, lat] in degrees (WGS 84)")
    if gtype in ("Polygon", "MultiPolygon") and not geom.is_valid:
        from shapely.validation import explain_validity

        raise InvalidField(field, f"invalid polygon: {explain_validity(geom)}")
    out: dict[str, Any] = json.loads(json.dumps(mapping(geom)))  # tuples → lists
    return out
