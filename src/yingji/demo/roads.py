"""Deterministic synthetic road network and population grid of the Liaocheng demo city.

Nothing here is surveyed data. The generator lays out, in a local metric projection:

* a rural mesh of village roads (``unclassified``, 30–40 km/h) on a jittered ~1 km lattice,
  every 5th line a township road (``tertiary``, 50 km/h), each lattice side split into
  short segments as OSM ways are, with ~12 % of sides missing;
* street grids in the 8 county seats (东昌府 is also the city seat, 14 km across) and ~80 township
  centres: arterials (``primary``, 50–60 km/h) every 4th street, local streets
  (``residential``, 30–40 km/h), part of the city seat's locals one-way;
* national roads (``trunk``, 70–80 km/h) between seats with at-grade junctions to the mesh;
* expressways (``motorway``, 100–120 km/h) reachable only at interchanges
  (``motorway_link``, 50 km/h ramps) near seats and every ~15 km.

The whole network is then reduced to its largest strongly connected component. With the
default ``scale=1`` it has ~110,000 nodes and builds in a few seconds; node counts grow
about linearly with ``scale`` (all spacings shrink by ``1/sqrt(scale)``).

The division polygons are Voronoi cells of the 8 county seats clipped to a hand-drawn
city outline of about 8,800 km²; they are plausible, not official boundaries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from scipy.spatial import cKDTree
from shapely import affinity, ops
from shapely.geometry import MultiPoint, Point, Polygon
from shapely.geometry.base import BaseGeometry

from yingji.engines.network.builder import EdgeTable, build_graph
from yingji.engines.network.geo import LocalProjection
from yingji.engines.network.graph import RoadGraph, largest_scc
from yingji.engines.network.population import PopulationGrid
from yingji.engines.network.speeds import road_class_code

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

CITY_CODE = "371500"
CITY_NAME = "聊城市"


@dataclass(frozen=True)
class Seat:
    """A county-level seat: GB/T 2260 code, name, lon/lat (degrees)."""

    code: str
    name: str
    lon: float
    lat: float


SEATS: tuple[Seat, ...] = (
    Seat("371502", "东昌府区", 115.985, 36.457),
    Seat("371503", "茌平区", 116.255, 36.580),
    Seat("371521", "阳谷县", 115.791, 36.114),
    Seat("371522", "莘县", 115.671, 36.234),
    Seat("371524", "东阿县", 116.248, 36.335),
    Seat("371525", "冠县", 115.442, 36.484),
    Seat("371526", "高唐县", 116.231, 36.866),
    Seat("371581", "临清市", 115.705, 36.838),
)
"""The 8 county-level divisions; 东昌府区 is also the city seat (聊城市, 371500)."""

SEAT_BY_CODE: Mapping[str, Seat] = {s.code: s for s in SEATS}

# Hand-drawn outline (lon, lat) following the city's general shape: narrow in the south
# (阳谷/莘县), widest across 冠县–茌平, up to 临清/高唐 in the north. Area ≈ 8,700 km².
_OUTLINE: tuple[tuple[float, float], ...] = (
    (115.36, 36.58),
    (115.47, 36.77),
    (115.56, 36.95),
    (115.80, 36.99),
    (116.08, 37.00),
    (116.35, 36.98),
    (116.45, 36.84),
    (116.40, 36.62),
    (116.44, 36.44),
    (116.38, 36.27),
    (116.18, 36.15),
    (115.98, 36.02),
    (115.80, 35.93),
    (115.60, 36.03),
    (115.48, 36.20),
    (115.37, 36.38),
)

_PROJ = LocalProjection(115.95, 36.46)

# ids of seats, used by the road layout below
_DCF, _CP, _YG, _SX, _DE, _GX, _GT, _LQ = range(8)


def city_outline() -> Polygon:
    """The demo city's outline in lon/lat (≈ 8,700 km²)."""
    return Polygon(_OUTLINE)


def area_km2(geom: BaseGeometry) -> float:
    """Area of a lon/lat geometry in km² (local equirectangular projection)."""
    return float(_PROJ.geometry_to_xy(geom).area / 1e6)


def demo_division_polygons() -> dict[str, Polygon]:
    """The 8 county polygons keyed by GB/T 2260 code, in lon/lat.

    Voronoi cells of the seats computed in metres, clipped to :func:`city_outline`: they do
    not overlap and together cover the outline exactly (up to floating-point slivers).
    """
    outline_xy = _PROJ.geometry_to_xy(city_outline())
    x, y = _PROJ.to_xy([s.lon for s in SEATS], [s.lat for s in SEATS])
    pts = MultiPoint(np.column_stack([x, y]))
    cells = shapely.get_parts(shapely.voronoi_polygons(pts, extend_to=outline_xy.buffer(50_000)))
    out: dict[str, Polygon] = {}
    for seat, px, py in zip(SEATS, x, y, strict=True):
        point = Point(px, py)
        cell = next(c for c in cells if c.contains(point))
        clipped = cell.intersection(outline_xy)
        if not isinstance(clipped, Polygon):  # pragma: no cover - convex clip of convex cell
            clipped = max(shapely.get_parts(clipped), key=lambda g: g.area)
        geom = _PROJ.geometry_to_lonlat(shapely.set_precision(clipped, 0.01))
        assert isinstance(geom, Polygon)
        out[seat.code] = geom
    return out


ILLUSTRATIVE_POPULATIONS: Mapping[str, int] = {
    "371502": 1_240_000,
    "371503": 560_000,
    "371521": 730_000,
    "371522": 880_000,
    "371524": 380_000,
    "371525": 700_000,
    "371526": 450_000,
    "371581": 760_000,
}
"""Round, illustrative resident counts for benchmarks and tests (≈ 5.7 million in all).
Not census figures: callers building the demo city pass their own populations."""


# ------------------------------------------------------------------ builder
class _Net:
    """Accumulates nodes (metres) and road segments before building the graph."""

    def __init__(self) -> None:
        self.x: list[FloatArray] = []
        self.y: list[FloatArray] = []
        self.u: list[IntArray] = []
        self.v: list[IntArray] = []
        self.speed: list[FloatArray] = []
        self.klass: list[npt.NDArray[np.int16]] = []
        self.oneway: list[npt.NDArray[np.bool_]] = []
        self.n = 0

    def nodes(self, x: FloatArray, y: FloatArray) -> IntArray:
        start = self.n
        self.x.append(np.asarray(x, dtype=np.float64))
        self.y.append(np.asarray(y, dtype=np.float64))
        self.n += int(np.size(x))
        return np.arange(start, self.n, dtype=np.int64)

    def edges(
        self,
        u: IntArray,
        v: IntArray,
        speed: FloatArray | float,
        klass: str | npt.NDArray[np.int16],
        oneway: npt.NDArray[np.bool_] | bool = False,
    ) -> None:
        m = int(np.size(u))
        self.u.append(np.asarray(u, dtype=np.int64))
        self.v.append(np.asarray(v, dtype=np.int64))
        self.speed.append(np.broadcast_to(np.asarray(speed, dtype=np.float64), (m,)).copy())
        code = np.full(m, road_class_code(klass), dtype=np.int16) if isinstance(klass, str) else klass
        self.klass.append(np.asarray(code, dtype=np.int16))
        self.oneway.append(np.broadcast_to(np.asarray(oneway, dtype=bool), (m,)).copy())

    def coords(self) -> tuple[FloatArray, FloatArray]:
        return np.concatenate(self.x), np.concatenate(self.y)

    def build(self) -> RoadGraph:
        x, y = self.coords()
        lon, lat = _PROJ.to_lonlat(x, y)
        u = np.concatenate(self.u)
        v = np.concatenate(self.v)
        table = EdgeTable(
            u=u,
            v=v,
            length_m=np.hypot(x[u] - x[v], y[u] - y[v]),
            speed_kmh=np.concatenate(self.speed),
            oneway=np.concatenate(self.oneway),
            road_class=np.concatenate(self.klass),
        )
        return build_graph(nodes_lonlat=np.column_stack([lon, lat]), edges=table)


def _lattice(
    net: _Net,
    rng: np.random.Generator,
    *,
    cx: float,
    cy: float,
    half: float,
    spacing: float,
    sub: int,
    jitter: float,
    angle: float,
    drop: float,
    inside: BaseGeometry | None,
    exclude: BaseGeometry | None,
    art_every: int,
    art: tuple[str, float, float],
    loc: tuple[str, float, float],
    oneway_rows: bool = False,
) -> tuple[IntArray, IntArray]:
    """A rotated, jittered lattice of roads; returns (all node ids, perimeter node ids)."""
    k = max(2, int(round(2 * half / spacing)) + 1)
    mi, mj = np.meshgrid(np.arange(k), np.arange(k), indexing="xy")
    gi = mi.ravel()
    gj = mj.ravel()
    lx = (gi - (k - 1) / 2) * spacing + rng.uniform(-jitter, jitter, gi.size) * spacing
    ly = (gj - (k - 1) / 2) * spacing + rng.uniform(-jitter, jitter, gi.size) * spacing
    ca, sa = np.cos(angle), np.sin(angle)
    px = cx + lx * ca - ly * sa
    py = cy + lx * sa + ly * ca
    ok = np.ones(gi.size, dtype=bool)
    if inside is not None:
        ok &= shapely.contains_xy(inside, px, py)
    if exclude is not None:
        ok &= ~shapely.contains_xy(exclude, px, py)
    idx = np.arange(k * k).reshape(k, k)
    a = np.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
    b = np.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
    horizontal = np.arange(a.size) < k * (k - 1)
    line = np.where(horizontal, gj[a], gi[a])
    is_art = (line % art_every) == 0
    keep = ok[a] & ok[b] & (is_art | (rng.random(a.size) >= drop))
    a, b, is_art, horizontal, line = a[keep], b[keep], is_art[keep], horizontal[keep], line[keep]
    used = np.zeros(k * k, dtype=bool)
    used[a] = True
    used[b] = True
    remap = np.full(k * k, -1, dtype=np.int64)
    ids = net.nodes(px[used], py[used])
    remap[used] = ids
    perimeter = used & ((gi == 0) | (gj == 0) | (gi == k - 1) | (gj == k - 1) | _next_to_gap(used, ok, k))
    e = a.size
    if sub > 1:
        t = np.arange(1, sub) / sub
        ix = px[a, None] + (px[b] - px[a])[:, None] * t[None, :]
        iy = py[a, None] + (py[b] - py[a])[:, None] * t[None, :]
        wob = rng.normal(0.0, 0.03 * spacing / sub, ix.shape)
        ix += wob * -np.sin(angle)
        iy += wob * np.cos(angle)
        inner = net.nodes(ix.ravel(), iy.ravel()).reshape(e, sub - 1)
        chain = np.column_stack([remap[a], inner, remap[b]])
    else:
        chain = np.column_stack([remap[a], remap[b]])
    kmh = np.where(is_art, rng.uniform(art[1], art[2], e), rng.uniform(loc[1], loc[2], e)).round()
    klass = np.where(is_art, road_class_code(art[0]), road_class_code(loc[0])).astype(np.int16)
    oneway = np.zeros(e, dtype=bool)
    flip = np.zeros(e, dtype=bool)
    if oneway_rows:
        # alternate one-way local streets: odd rows/columns not arterial, direction by line
        oneway = ~is_art & (line % 2 == 1)
        flip = oneway & (line % 4 == 3)
    steps = chain.shape[1] - 1
    u = chain[:, :-1]
    v = chain[:, 1:]
    uu = np.where(flip[:, None], v, u).ravel()
    vv = np.where(flip[:, None], u, v).ravel()
    net.edges(uu, vv, np.repeat(kmh, steps), np.repeat(klass, steps), np.repeat(oneway, steps))
    return ids, remap[perimeter]


def _next_to_gap(used: npt.NDArray[np.bool_], ok: npt.NDArray[np.bool_], k: int) -> npt.NDArray[np.bool_]:
    """Lattice points next to a point outside the allowed area (edge of the mesh)."""
    bad = (~ok).reshape(k, k)
    near = np.zeros_like(bad)
    near[1:, :] |= bad[:-1, :]
    near[:-1, :] |= bad[1:, :]
    near[:, 1:] |= bad[:, :-1]
    near[:, :-1] |= bad[:, 1:]
    return near.ravel() & used


def _stitch(
    net: _Net,
    rng: np.random.Generator,
    frm: IntArray,
    to: IntArray,
    *,
    max_m: float,
    klass: str,
    kmh: tuple[float, float],
) -> None:
    """Join each ``frm`` node to its nearest ``to`` node within ``max_m`` (two-way)."""
    if frm.size == 0 or to.size == 0:
        return
    x, y = net.coords()
    tree = cKDTree(np.column_stack([x[to], y[to]]))
    dist, j = tree.query(np.column_stack([x[frm], y[frm]]), k=1, distance_upper_bound=max_m)
    ok = np.isfinite(dist) & (dist > 0)
    if ok.any():
        net.edges(frm[ok], to[j[ok]], rng.uniform(kmh[0], kmh[1], int(ok.sum())).round(), klass)


def _polyline(
    rng: np.random.Generator, pts: FloatArray, spacing: float, wiggle: float
) -> tuple[FloatArray, FloatArray]:
    """Vertices every ~``spacing`` m along waypoints with a gentle lateral meander."""
    xs: list[FloatArray] = []
    ys: list[FloatArray] = []
    for (x0, y0), (x1, y1) in zip(pts[:-1], pts[1:], strict=True):
        dx, dy = x1 - x0, y1 - y0
        length = float(np.hypot(dx, dy))
        n = max(2, int(np.ceil(length / spacing)) + 1)
        t = np.linspace(0.0, 1.0, n)
        amp = wiggle * length * rng.uniform(0.5, 1.0)
        waves = rng.integers(1, 4)
        off = amp * np.sin(np.pi * waves * t) * np.sin(np.pi * t)
        nxv, nyv = -dy / length, dx / length
        seg_x = x0 + dx * t + off * nxv
        seg_y = y0 + dy * t + off * nyv
        if xs:
            seg_x, seg_y = seg_x[1:], seg_y[1:]
        xs.append(seg_x)
        ys.append(seg_y)
    return np.concatenate(xs), np.concatenate(ys)


def _xy(lon: float, lat: float) -> tuple[float, float]:
    x, y = _PROJ.to_xy(lon, lat)
    return float(x), float(y)


def township_centres(seed: int = 0, count: int = 80) -> FloatArray:
    """Seeded township centres (lon/lat, shape (count, 2)) inside the outline, ≥ 7 km apart
    from each other and ≥ 9 km from the seats (dart throwing)."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 2260]))
    outline = _PROJ.geometry_to_xy(city_outline()).buffer(-2_000)
    minx, miny, maxx, maxy = outline.bounds
    seats = np.array([_xy(s.lon, s.lat) for s in SEATS])
    chosen: list[tuple[float, float]] = []
    cand = rng.uniform([minx, miny], [maxx, maxy], size=(20 * count, 2))
    cand = cand[shapely.contains_xy(outline, cand[:, 0], cand[:, 1])]
    for cx, cy in cand:
        if np.min(np.hypot(seats[:, 0] - cx, seats[:, 1] - cy)) < 9_000:
            continue
        if chosen and np.min(np.hypot(*(np.array(chosen) - (cx, cy)).T)) < 7_000:
            continue
        chosen.append((float(cx), float(cy)))
        if len(chosen) == count:
            break
    xy = np.array(chosen)
    lon, lat = _PROJ.to_lonlat(xy[:, 0], xy[:, 1])
    return np.column_stack([lon, lat])


# Expressway corridors (seat ids or outline exits, lon/lat) and national roads (seat pairs).
_EXPRESSWAYS: tuple[tuple[int | tuple[float, float], ...], ...] = (
    ((115.37, 36.50), _GX, _DCF, _CP, (116.42, 36.66)),  # west–east corridor
    ((116.20, 36.99), _GT, _CP, _DCF, _YG, (115.86, 35.96)),  # north–south corridor
    (_LQ, _GX, _SX, (115.55, 36.08)),  # western corridor
    (_DCF, _DE, (116.36, 36.25)),  # to the south-east
)
_NATIONAL: tuple[tuple[int, int], ...] = (
    (_DCF, _CP),
    (_DCF, _GX),
    (_DCF, _YG),
    (_DCF, _LQ),
    (_DCF, _DE),
    (_DCF, _SX),
    (_LQ, _GT),
    (_CP, _GT),
    (_CP, _DE),
    (_YG, _SX),
    (_SX, _GX),
    (_GX, _LQ),
    (_DE, _YG),
)
_NATIONAL_EXITS: tuple[tuple[int, tuple[float, float]], ...] = (
    (_GT, (116.30, 36.98)),
    (_LQ, (115.55, 36.93)),
    (_GX, (115.38, 36.42)),
    (_YG, (115.85, 35.95)),
    (_DE, (116.42, 36.40)),
    (_CP, (116.43, 36.70)),
)


def demo_network(*, seed: int = 0, scale: float = 1.0) -> RoadGraph:
    """The synthetic Liaocheng road network (largest strongly connected component).

    Deterministic for a given ``(seed, scale)``. ``scale`` multiplies the node count
    (≈ 110,000 × scale nodes); spacings shrink by ``1/sqrt(scale)``.
    """
    if not (0.01 <= scale <= 100):
        raise ValueError("scale must lie in [0.01, 100]")
    rng = np.random.default_rng(np.random.SeedSequence([seed, 371500]))
    f = 1.0 / np.sqrt(scale)
    net = _Net()
    outline = _PROJ.geometry_to_xy(city_outline())
    seats_xy = np.array([_xy(s.lon, s.lat) for s in SEATS])
    towns_ll = township_centres(seed)
    towns_xy = np.column_stack(_PROJ.to_xy(towns_ll[:, 0], towns_ll[:, 1]))

    # --- town grids: seats and townships
    town_specs: list[tuple[float, float, float, float, bool]] = []  # cx, cy, half, spacing, oneway
    for i, (cx, cy) in enumerate(seats_xy):
        city = i == _DCF
        town_specs.append((cx, cy, 7_000.0 if city else 3_200.0, 200.0 * f, city))
    for cx, cy in towns_xy:
        town_specs.append((cx, cy, rng.uniform(900.0, 1_400.0), 250.0 * f, False))
    squares = []
    town_nodes: list[IntArray] = []
    town_perimeters: list[IntArray] = []
    for cx, cy, half, spacing, one in town_specs:
        angle = rng.uniform(-0.25, 0.25)
        ids, perim = _lattice(
            net,
            rng,
            cx=cx,
            cy=cy,
            half=half,
            spacing=spacing,
            sub=1,
            jitter=0.12,
            angle=angle,
            drop=0.06,
            inside=outline,
            exclude=None,
            art_every=4,
            art=("primary", 50.0, 60.0),
            loc=("residential", 30.0, 40.0),
            oneway_rows=one,
        )
        town_nodes.append(ids)
        town_perimeters.append(perim)
        sq = affinity.rotate(
            shapely.box(cx - half, cy - half, cx + half, cy + half), angle, origin=(cx, cy), use_radians=True
        )
        squares.append(sq)
    towns_area = shapely.union_all(squares).buffer(150.0)

    # --- rural mesh of village and township roads
    r_spacing = 1_000.0 * f
    minx, miny, maxx, maxy = outline.bounds
    half = max(maxx - minx, maxy - miny) / 2 + r_spacing
    rural, _rural_edge = _lattice(
        net,
        rng,
        cx=(minx + maxx) / 2,
        cy=(miny + maxy) / 2,
        half=half,
        spacing=r_spacing,
        sub=7,
        jitter=0.22,
        angle=0.0,
        drop=0.12,
        inside=outline,
        exclude=towns_area,
        art_every=5,
        art=("tertiary", 50.0, 50.0),
        loc=("unclassified", 30.0, 40.0),
    )
    all_town = np.concatenate(town_nodes)
    for perim in town_perimeters:
        _stitch(net, rng, perim, rural, max_m=1.2 * r_spacing, klass="tertiary", kmh=(40.0, 50.0))
    local_nodes = np.concatenate([rural, all_town])

    inner = outline.buffer(-1_500.0)

    def point(ref: int | tuple[float, float]) -> tuple[float, float]:
        if isinstance(ref, int):
            return float(seats_xy[ref, 0]), float(seats_xy[ref, 1])
        exit_xy = Point(_xy(*ref))  # an exit at the outline, pulled 1.5 km inside it
        if not inner.contains(exit_xy):
            exit_xy = ops.nearest_points(inner, exit_xy)[0]
        return float(exit_xy.x), float(exit_xy.y)

    # --- national roads (at-grade): meander between seats, junctions every ~4 vertices
    trunk_nodes: list[IntArray] = []
    pairs: list[tuple[tuple[float, float], tuple[float, float]]] = [
        (point(a), point(b)) for a, b in _NATIONAL
    ] + [(point(a), point(b)) for a, b in _NATIONAL_EXITS]
    for a_xy, b_xy in pairs:
        px, py = _polyline(rng, np.array([a_xy, b_xy]), 400.0 * f, 0.03)
        ids = net.nodes(px, py)
        kmh = float(rng.choice([70.0, 80.0]))
        net.edges(ids[:-1], ids[1:], kmh, "trunk")
        trunk_nodes.append(ids)
        junctions = ids[::4]
        _stitch(net, rng, junctions, local_nodes, max_m=0.8 * r_spacing, klass="tertiary", kmh=(40.0, 50.0))
        _stitch(net, rng, ids[[0, -1]], all_town, max_m=3.0 * r_spacing, klass="primary", kmh=(50.0, 60.0))
    trunk_all = np.concatenate(trunk_nodes)

    # --- expressways: limited access, interchanges beside seats and every ~15 km
    for corridor in _EXPRESSWAYS:
        way: list[tuple[float, float]] = []
        for ref in corridor:
            x0, y0 = point(ref)
            if isinstance(ref, int):
                # bypass the town: pass 1 km outside its grid, on a side chosen by the seed
                half_town = 7_000.0 if ref == _DCF else 3_200.0
                ang = rng.uniform(0, 2 * np.pi)
                x0, y0 = x0 + (half_town + 1_000) * np.cos(ang), y0 + (half_town + 1_000) * np.sin(ang)
            way.append((x0, y0))
        px, py = _polyline(rng, np.array(way), 500.0 * f, 0.01)
        ids = net.nodes(px, py)
        kmh = float(rng.choice([100.0, 110.0, 120.0]))
        net.edges(ids[:-1], ids[1:], kmh, "motorway")
        # interchanges: vertices nearest the bypass waypoints, plus every ~15 km
        tree = cKDTree(np.column_stack([px, py]))
        _, at_way = tree.query(np.array(way), k=1)
        every = max(1, int(15_000 / (500.0 * f)))
        ramps = np.unique(
            np.concatenate([np.asarray(at_way, dtype=np.int64), np.arange(every // 2, ids.size, every)])
        )
        _stitch(
            net,
            rng,
            ids[ramps],
            np.concatenate([local_nodes, trunk_all]),
            max_m=4_000.0,
            klass="motorway_link",
            kmh=(50.0, 50.0),
        )
    graph, _dropped = largest_scc(net.build())
    return graph


def demo_network_for_nodes(target_nodes: int, *, seed: int = 0) -> RoadGraph:
    """The demo network scaled to roughly ``target_nodes`` nodes (benchmarks' scaling runs)."""
    return demo_network(seed=seed, scale=float(np.clip(target_nodes / 110_000, 0.01, 100)))


# --------------------------------------------------------------- population
def largest_remainder(quota: npt.ArrayLike, total: int) -> IntArray:
    """Integers proportional to ``quota`` summing exactly to ``total`` (Hamilton's method).

    Floors of the exact shares, then the remaining units to the largest fractional parts
    (ties → lower index).
    """
    q = np.asarray(quota, dtype=np.float64)
    if total < 0 or np.any(q < 0) or not np.all(np.isfinite(q)):
        raise ValueError("quota must be finite and >= 0 and total >= 0")
    if q.size == 0:
        if total:
            raise ValueError("cannot allocate a positive total over no cells")
        return np.zeros(0, dtype=np.int64)
    s = q.sum()
    share = (q / s * total) if s > 0 else np.full(q.size, total / q.size)
    base = np.floor(share).astype(np.int64)
    left = int(total - base.sum())
    if left:
        order = np.lexsort((np.arange(q.size), -(share - base)))
        base[order[:left]] += 1
    return base


def demo_population_grid(
    divisions: Mapping[str, BaseGeometry],
    populations: Mapping[str, int],
    *,
    cell_size_m: float = 1_000.0,
    seed: int = 0,
) -> PopulationGrid:
    """A population grid of ``cell_size_m`` square cells over the given divisions.

    Each cell takes the division containing its centre; within a division persons are
    spread by a seeded density surface (rural base with village-scale noise, peaks at the
    seats and township centres) and rounded with the largest-remainder method, so each
    division's cells sum *exactly* to ``populations[code]``. A division too small to hold a
    cell centre gets one cell at its representative point.
    """
    missing = set(populations) - set(divisions)
    if missing:
        raise ValueError(f"populations given for unknown divisions: {sorted(missing)}")
    rng = np.random.default_rng(np.random.SeedSequence([seed, 1000]))
    geoms_xy = {code: _PROJ.geometry_to_xy(geom) for code, geom in divisions.items()}
    minx, miny, maxx, maxy = shapely.union_all(list(geoms_xy.values())).bounds
    nx = int(np.ceil((maxx - minx) / cell_size_m))
    ny = int(np.ceil((maxy - miny) / cell_size_m))
    gx, gy = np.meshgrid(
        minx + (np.arange(nx) + 0.5) * cell_size_m, miny + (np.arange(ny) + 0.5) * cell_size_m
    )
    gx = gx.ravel()
    gy = gy.ravel()
    noise = rng.lognormal(0.0, 0.6, gx.size)
    density = 0.3 * noise
    seats_xy = np.array([_xy(s.lon, s.lat) for s in SEATS])
    for i, (sx, sy) in enumerate(seats_xy):
        sigma, peak = (4_500.0, 60.0) if i == _DCF else (2_500.0, 25.0)
        density += peak * np.exp(-((gx - sx) ** 2 + (gy - sy) ** 2) / (2 * sigma**2))
    towns = township_centres(seed)
    tx, ty = _PROJ.to_xy(towns[:, 0], towns[:, 1])
    for cx, cy in zip(tx, ty, strict=True):
        density += 4.0 * np.exp(-((gx - cx) ** 2 + (gy - cy) ** 2) / (2 * 900.0**2))
    xs: list[FloatArray] = []
    ys: list[FloatArray] = []
    pops: list[IntArray] = []
    codes: list[npt.NDArray[np.str_]] = []
    taken = np.zeros(gx.size, dtype=bool)
    for code, geom in geoms_xy.items():
        inside = shapely.contains_xy(geom, gx, gy) & ~taken
        taken |= inside
        cx, cy, w = gx[inside], gy[inside], density[inside]
        if cx.size == 0:
            rp = geom.representative_point()
            cx, cy, w = np.array([rp.x]), np.array([rp.y]), np.array([1.0])
        xs.append(cx)
        ys.append(cy)
        pops.append(largest_remainder(w, int(populations.get(code, 0))))
        codes.append(np.full(cx.size, code, dtype=object).astype(str))
    lon, lat = _PROJ.to_lonlat(np.concatenate(xs), np.concatenate(ys))
    return PopulationGrid(
        lon=lon,
        lat=lat,
        population=np.concatenate(pops).astype(np.float64),
        division=np.concatenate(codes),
        cell_size_m=cell_size_m,
    )


def demo_fire_stations(graph: RoadGraph, *, count: int = 60, seed: int = 0) -> IntArray:
    """Seeded random station nodes (benchmarks): distinct node indices."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 119]))
    return np.sort(rng.choice(graph.n_nodes, size=min(count, graph.n_nodes), replace=False)).astype(np.int64)


def demo_bench_data(target_nodes: int | None = None, *, seed: int = 0) -> tuple[RoadGraph, PopulationGrid]:
    """Network (about ``target_nodes`` nodes; default scale 1) and 1 km population grid."""
    graph = (
        demo_network(seed=seed) if target_nodes is None else demo_network_for_nodes(target_nodes, seed=seed)
    )
    cells = demo_population_grid(demo_division_polygons(), ILLUSTRATIVE_POPULATIONS, seed=seed)
    return graph, cells
