"""Read road data into :class:`~yingji.engines.network.builder.GraphInput`.

* :func:`read_lines` — GeoJSON, GeoPackage, Shapefile (anything GDAL reads) via ``pyogrio``.
* :func:`read_osm_pbf` — OpenStreetMap ``.osm.pbf`` / ``.osm`` via ``osmium``.

Both libraries are imported inside the functions, so the engine imports without them.
Line vertices become graph nodes. Lines join where they share a vertex: OSM node ids for
OSM data; for other formats coordinates rounded to ``precision_deg`` (1e-7° ≈ 1 cm), so
lines that merely cross without a common vertex are *not* joined (bridges stay bridges).
With ``simplify=True`` only line ends and shared vertices are nodes and the vertices in
between only add to the edge length (smaller graph; straight edges between junctions).

Fields understood (case-insensitive): class from ``highway``/``fclass``/``class``/
``road_class``/``type``; speed from ``maxspeed``/``max_speed``/``speed_kmh``/``speed``
(``"60"``, ``"40 mph"``; 0 or unparsable → class default); direction from ``oneway``/
``one_way``: ``yes``/``true``/``1``/``F`` (Geofabrik: from→to) = forward,
``-1``/``reverse``/``T`` (Geofabrik: to→from) = backward, anything else = two-way.
In OSM data ``highway=motorway``/``motorway_link`` and ``junction=roundabout`` imply
one-way unless ``oneway=no``. Features of unknown or non-drivable classes are skipped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .builder import EdgeTable, GraphInput
from .errors import NetworkError
from .geo import haversine_m
from .graph import FloatArray, IntArray
from .speeds import ROAD_CLASSES, normalise_class, road_class_code

Progress = Callable[[str, float], None]
"""``progress(stage, fraction)`` with ``fraction`` in [0, 1]."""

_CLASS_FIELDS = ("highway", "fclass", "class", "road_class", "type")
_SPEED_FIELDS = ("maxspeed", "max_speed", "speed_kmh", "speed")
_ONEWAY_FIELDS = ("oneway", "one_way")
_GEOGRAPHIC_CRS = {"EPSG:4326", "EPSG:4490", "OGC:CRS84", "EPSG:4610", "EPSG:4214"}
_NUMBER = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(mph|km/h|kmh|kph)?\s*$", re.IGNORECASE)


def parse_maxspeed(value: Any) -> float:
    """km/h from an OSM-style ``maxspeed`` value; NaN when absent, zero or unparsable."""
    if value is None:
        return math.nan
    if isinstance(value, int | float | np.integer | np.floating):
        out = float(value)
        return out if math.isfinite(out) and out > 0 else math.nan
    text = str(value).split(";")[0]
    match = _NUMBER.match(text)
    if not match:
        return math.nan
    speed = float(match.group(1))
    if match.group(2) and match.group(2).lower() == "mph":
        speed *= 1.609344
    return speed if speed > 0 else math.nan


def parse_oneway(value: Any) -> int:
    """``1`` forward only, ``-1`` backward only, ``0`` two-way (see the module docstring)."""
    if value is None:
        return 0
    if isinstance(value, bool | np.bool_):
        return 1 if value else 0
    if isinstance(value, int | float | np.integer | np.floating):
        if isinstance(value, float | np.floating) and not math.isfinite(float(value)):
            return 0
        return 1 if value > 0 else (-1 if value < 0 else 0)
    text = str(value).strip().lower()
    if text in ("yes", "true", "1", "f", "forward", "ft"):
        return 1
    if text in ("-1", "reverse", "t", "backward", "tf"):
        return -1
    return 0


def _allowed(classes: Collection[str] | None) -> set[str]:
    if classes is None:
        return set(ROAD_CLASSES)
    out = set()
    for name in classes:
        key = normalise_class(name)
        if key is None:
            raise NetworkError(f"unknown road class {name!r}", field="classes")
        out.add(key)
    return out


def lines_to_input(
    *,
    coords: FloatArray,
    line_of_vertex: IntArray,
    vertex_key: IntArray,
    line_class: npt.NDArray[np.int16],
    line_speed: FloatArray,
    line_oneway: npt.NDArray[np.int8],
    simplify: bool = False,
    vertex_ids: IntArray | None = None,
) -> GraphInput:
    """Turn polylines into graph input (vectorised).

    ``coords`` (V, 2) lon/lat of all vertices, grouped by line in order; ``line_of_vertex``
    the line of each vertex; ``vertex_key`` equal for vertices that are the same node;
    per-line class codes, speeds (NaN = default) and direction (1, -1, 0). ``vertex_ids``
    (per vertex) become the graph's ``node_id``; by default the node's index.
    """
    v_total = coords.shape[0]
    if v_total == 0:
        raise NetworkError("no drivable road lines found", field="path")
    keys, first, vid = np.unique(vertex_key, return_index=True, return_inverse=True)
    vid = vid.ravel()
    n_v = keys.size
    new_line = np.ones(v_total, dtype=bool)
    new_line[1:] = line_of_vertex[1:] != line_of_vertex[:-1]
    last = np.ones(v_total, dtype=bool)
    last[:-1] = new_line[1:]
    if simplify:
        is_node = np.zeros(n_v, dtype=bool)
        is_node[vid[new_line | last]] = True
        is_node |= np.bincount(vid, minlength=n_v) > 1
    else:
        is_node = np.ones(n_v, dtype=bool)
    node_index = np.full(n_v, -1, dtype=np.int64)
    node_index[is_node] = np.arange(int(is_node.sum()), dtype=np.int64)
    node_vertex = first[is_node]
    # cumulative length along the flat vertex list (0 across line boundaries)
    step = np.zeros(v_total)
    step[1:] = haversine_m(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1])
    step[new_line] = 0.0
    cum = np.cumsum(step)
    pos = np.flatnonzero(is_node[vid])
    same = line_of_vertex[pos[1:]] == line_of_vertex[pos[:-1]]
    a, b = pos[:-1][same], pos[1:][same]
    u, v = node_index[vid[a]], node_index[vid[b]]
    length = cum[b] - cum[a]
    keep = u != v
    u, v, length, line = u[keep], v[keep], length[keep], line_of_vertex[a][keep]
    direction = line_oneway[line]
    back = direction < 0
    u, v = np.where(back, v, u), np.where(back, u, v)
    table = EdgeTable(
        u=u,
        v=v,
        length_m=length,
        speed_kmh=line_speed[line],
        oneway=direction != 0,
        road_class=line_class[line],
    )
    node_ids = node_index[is_node] if vertex_ids is None else vertex_ids[node_vertex]
    return GraphInput(
        nodes_lonlat=coords[node_vertex],
        edges=table,
        node_ids=node_ids,
        stats={
            "lines": int(line_class.size),
            "vertices": int(v_total),
            "nodes": int(node_vertex.size),
            "edges": int(u.size),
        },
    )


def _pick(fields: Sequence[str], candidates: Sequence[str]) -> str | None:
    lower = {f.lower(): f for f in fields}
    for name in candidates:
        if name in lower:
            return lower[name]
    return None


def read_lines(
    path: str | Path,
    *,
    layer: str | int | None = None,
    simplify: bool = False,
    precision_deg: float = 1e-7,
    classes: Collection[str] | None = None,
    default_class: str = "unclassified",
    progress: Progress | None = None,
) -> GraphInput:
    """Read road lines (LineString / MultiLineString, lon/lat) with ``pyogrio``.

    The layer must be in a geographic CRS (EPSG:4326, CGCS2000 EPSG:4490…) or have
    none with coordinates in degree range: there is no reprojection. ``classes`` limits
    the road classes kept (default: all known to ``speeds.json``); features without a
    class field take ``default_class``. See the module docstring for fields and joins.
    """
    import pyogrio
    import shapely

    if progress:
        progress("read", 0.0)
    info = pyogrio.read_info(str(path), layer=layer)
    fields = [str(f) for f in info["fields"]]
    cols = [
        c
        for c in (_pick(fields, _CLASS_FIELDS), _pick(fields, _SPEED_FIELDS), _pick(fields, _ONEWAY_FIELDS))
        if c
    ]
    _meta, _fids, wkb, field_data = pyogrio.raw.read(str(path), layer=layer, columns=cols)
    crs = info.get("crs")
    if progress:
        progress("read", 1.0)
    values = dict(zip(cols, field_data, strict=True))
    geoms = shapely.from_wkb(wkb)
    n_feat = geoms.size
    class_col = values.get(_pick(fields, _CLASS_FIELDS) or "")
    speed_col = values.get(_pick(fields, _SPEED_FIELDS) or "")
    oneway_col = values.get(_pick(fields, _ONEWAY_FIELDS) or "")
    allowed = _allowed(classes)
    default_code = road_class_code(default_class)
    feat_class = np.full(n_feat, default_code, dtype=np.int16)
    keep = np.ones(n_feat, dtype=bool)
    if class_col is not None:
        cache: dict[Any, str | None] = {}
        for i, value in enumerate(class_col.tolist()):
            if value not in cache:
                cache[value] = normalise_class(str(value)) if value is not None else None
            name = cache[value]
            if name is None or name not in allowed:
                keep[i] = False
            else:
                feat_class[i] = road_class_code(name)
    feat_speed = (
        np.array([parse_maxspeed(x) for x in speed_col.tolist()], dtype=np.float64)
        if speed_col is not None
        else np.full(n_feat, np.nan)
    )
    feat_oneway = (
        np.array([parse_oneway(x) for x in oneway_col.tolist()], dtype=np.int8)
        if oneway_col is not None
        else np.zeros(n_feat, dtype=np.int8)
    )
    types = shapely.get_type_id(geoms)
    keep &= np.isin(types, (1, 5))  # LineString, MultiLineString
    parts, part_feat = shapely.get_parts(geoms[keep], return_index=True)
    part_feat = np.flatnonzero(keep)[part_feat]
    coords, line_of_vertex = shapely.get_coordinates(parts, return_index=True)
    crs_text = str(crs).upper() if crs else ""
    projected = crs_text.startswith("EPSG:") and crs_text not in _GEOGRAPHIC_CRS
    out_of_range = bool(coords.size) and (np.abs(coords[:, 0]).max() > 180 or np.abs(coords[:, 1]).max() > 90)
    if projected or out_of_range:
        raise NetworkError(
            f"layer CRS {crs!r} is not geographic lon/lat; reproject to EPSG:4326 first", field="path"
        )
    qx = np.round(coords[:, 0] / precision_deg).astype(np.int64)
    qy = np.round(coords[:, 1] / precision_deg).astype(np.int64)
    key = (qx + (1 << 31)) << 32 | (qy + (1 << 31))
    out = lines_to_input(
        coords=coords,
        line_of_vertex=line_of_vertex.astype(np.int64),
        vertex_key=key,
        line_class=feat_class[part_feat],
        line_speed=feat_speed[part_feat],
        line_oneway=feat_oneway[part_feat],
        simplify=simplify,
    )
    out.stats["features"] = int(n_feat)
    out.stats["skipped_features"] = int(n_feat - keep.sum())
    if progress:
        progress("lines", 1.0)
    return out


def read_osm_pbf(
    path: str | Path,
    *,
    simplify: bool = False,
    classes: Collection[str] | None = None,
    progress: Progress | None = None,
) -> GraphInput:
    """Read drivable ``highway=*`` ways of an OSM file (``.osm.pbf``, ``.osm``) with ``osmium``.

    Ways of classes outside ``classes`` (default: all in ``speeds.json``), ``area=yes``,
    ``access``/``motor_vehicle``/``motorcar`` = ``no``/``private`` and
    ``oneway=reversible`` are skipped. ``node_id`` of the result holds OSM node ids.
    """
    import osmium

    allowed = _allowed(classes)
    size = max(1, Path(path).stat().st_size)
    refs: list[int] = []
    lons: list[float] = []
    lats: list[float] = []
    line_of: list[int] = []
    line_class: list[int] = []
    line_speed: list[float] = []
    line_oneway: list[int] = []
    skipped = 0
    processor = (
        osmium.FileProcessor(str(path)).with_locations().with_filter(osmium.filter.KeyFilter("highway"))
    )
    if progress:
        progress("read", 0.0)
    count = 0
    for obj in processor:
        if not isinstance(obj, osmium.osm.Way):
            continue
        tags = obj.tags
        name = normalise_class(tags.get("highway") or "")
        if (
            name is None
            or name not in allowed
            or tags.get("area") == "yes"
            or tags.get("oneway") == "reversible"
            or any(tags.get(k) in ("no", "private") for k in ("access", "motor_vehicle", "motorcar"))
        ):
            skipped += 1
            continue
        nodes = [(n.ref, n.lon, n.lat) for n in obj.nodes if n.location.valid()]
        if len(nodes) < 2:
            skipped += 1
            continue
        line = len(line_class)
        for ref, lon, lat in nodes:
            refs.append(ref)
            lons.append(lon)
            lats.append(lat)
            line_of.append(line)
        oneway_tag = tags.get("oneway")
        direction = parse_oneway(oneway_tag)
        if oneway_tag is None and (
            name in ("motorway", "motorway_link") or tags.get("junction") == "roundabout"
        ):
            direction = 1
        line_class.append(road_class_code(name))
        line_speed.append(parse_maxspeed(tags.get("maxspeed")))
        line_oneway.append(direction)
        count += 1
        if progress and count % 10_000 == 0:
            progress("ways", min(0.99, count * 200.0 / size))
    if progress:
        progress("ways", 1.0)
    coords = np.column_stack([np.array(lons, dtype=np.float64), np.array(lats, dtype=np.float64)])
    ref_arr = np.array(refs, dtype=np.int64)
    out = lines_to_input(
        coords=coords.reshape(-1, 2),
        line_of_vertex=np.array(line_of, dtype=np.int64),
        vertex_key=ref_arr,
        line_class=np.array(line_class, dtype=np.int16),
        line_speed=np.array(line_speed, dtype=np.float64),
        line_oneway=np.array(line_oneway, dtype=np.int8),
        simplify=simplify,
        vertex_ids=ref_arr,
    )
    out.stats["skipped_ways"] = skipped
    return out
