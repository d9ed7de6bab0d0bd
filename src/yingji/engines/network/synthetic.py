"""Small deterministic synthetic networks for tests and the benchmark's default data.

The demo city's realistic network lives in :mod:`yingji.demo.roads`; this module has no
geography, only a perturbed street grid with arterials, locals and optional one-ways.
"""

from __future__ import annotations

import numpy as np

from .builder import EdgeTable, build_graph
from .errors import NetworkError
from .geo import LocalProjection
from .graph import RoadGraph
from .population import PopulationGrid
from .speeds import road_class_code


def grid_network(
    *,
    nx: int,
    ny: int,
    spacing_m: float = 200.0,
    lon0: float = 115.985,
    lat0: float = 36.457,
    arterial_every: int = 5,
    arterial_kmh: float = 60.0,
    local_kmh: float = 30.0,
    seed: int | None = None,
    jitter: float = 0.0,
    oneway_share: float = 0.0,
    drop_share: float = 0.0,
) -> RoadGraph:
    """An ``nx × ny`` street grid centred on ``(lon0, lat0)``, ``spacing_m`` metres apart.

    Every ``arterial_every``-th row and column is a ``primary`` arterial at
    ``arterial_kmh``, the rest ``residential`` at ``local_kmh``. With a ``seed``:
    node positions move by up to ``jitter × spacing``, a share of local segments becomes
    one-way (random direction) and a share is dropped. Node ``i + nx·j`` is column ``i``,
    row ``j``; without a seed, edge lengths are exactly ``spacing_m``.
    """
    if nx < 1 or ny < 1 or nx * ny < 2:
        raise NetworkError("grid needs at least two nodes", field="nx/ny")
    if spacing_m <= 0:
        raise NetworkError("must be > 0", field="spacing_m")
    rng = np.random.default_rng(seed)
    gi, gj = np.meshgrid(np.arange(nx), np.arange(ny), indexing="xy")
    ii = gi.ravel()
    jj = gj.ravel()
    x = (ii - (nx - 1) / 2) * spacing_m
    y = (jj - (ny - 1) / 2) * spacing_m
    if seed is not None and jitter > 0:
        x = x + rng.uniform(-jitter, jitter, x.size) * spacing_m
        y = y + rng.uniform(-jitter, jitter, y.size) * spacing_m
    proj = LocalProjection(lon0, lat0)
    lon, lat = proj.to_lonlat(x, y)
    idx = np.arange(nx * ny).reshape(ny, nx)
    hu, hv = idx[:, :-1].ravel(), idx[:, 1:].ravel()
    h_art = (np.repeat(np.arange(ny), nx - 1) % arterial_every) == 0
    vu, vv = idx[:-1, :].ravel(), idx[1:, :].ravel()
    v_art = (np.tile(np.arange(nx), ny - 1) % arterial_every) == 0
    u = np.concatenate([hu, vu])
    v = np.concatenate([hv, vv])
    art = np.concatenate([h_art, v_art])
    oneway = np.zeros(u.size, dtype=bool)
    keep = np.ones(u.size, dtype=bool)
    if seed is not None:
        local = ~art
        oneway = local & (rng.random(u.size) < oneway_share)
        flip = oneway & (rng.random(u.size) < 0.5)
        u, v = np.where(flip, v, u), np.where(flip, u, v)
        keep = art | (rng.random(u.size) >= drop_share)
    exact = seed is None or jitter == 0
    length = np.full(u.size, float(spacing_m)) if exact else np.hypot(x[u] - x[v], y[u] - y[v])
    table = EdgeTable(
        u=u[keep].astype(np.int64),
        v=v[keep].astype(np.int64),
        length_m=length[keep],
        speed_kmh=np.where(art, arterial_kmh, local_kmh)[keep].astype(np.float64),
        oneway=oneway[keep],
        road_class=np.where(art, road_class_code("primary"), road_class_code("residential"))[keep].astype(
            np.int16
        ),
    )
    return build_graph(nodes_lonlat=np.column_stack([lon, lat]), edges=table)


def grid_for_nodes(target_nodes: int, *, seed: int = 0) -> RoadGraph:
    """A jittered grid of about ``target_nodes`` nodes with 10 % one-way locals (benchmarks)."""
    side = max(2, int(round(np.sqrt(target_nodes))))
    return grid_network(nx=side, ny=side, seed=seed, jitter=0.2, oneway_share=0.1, drop_share=0.05)


def grid_population(
    graph: RoadGraph,
    *,
    cell_size_m: float = 1000.0,
    total: int = 1_000_000,
    divisions: int = 4,
    seed: int = 0,
) -> PopulationGrid:
    """Square cells over the graph's extent with seeded lognormal populations summing to
    ``total``; division codes ``"D0"``… are vertical strips (benchmarks and tests)."""
    rng = np.random.default_rng(seed)
    x0, x1 = float(graph.node_x.min()), float(graph.node_x.max())
    y0, y1 = float(graph.node_y.min()), float(graph.node_y.max())
    nx = max(1, int(np.ceil((x1 - x0) / cell_size_m)))
    ny = max(1, int(np.ceil((y1 - y0) / cell_size_m)))
    cx, cy = np.meshgrid(x0 + (np.arange(nx) + 0.5) * cell_size_m, y0 + (np.arange(ny) + 0.5) * cell_size_m)
    cx = cx.ravel()
    cy = cy.ravel()
    weight = rng.lognormal(0.0, 1.0, cx.size)
    share = weight / weight.sum() * total
    pop = np.floor(share)
    left = int(total - pop.sum())
    pop[np.argsort(-(share - pop), kind="stable")[:left]] += 1
    strip = np.minimum(((cx - x0) / max(x1 - x0, 1.0) * divisions).astype(int), divisions - 1)
    lon, lat = graph.projection.to_lonlat(cx, cy)
    return PopulationGrid(
        lon=lon,
        lat=lat,
        population=pop,
        division=np.array([f"D{i}" for i in strip], dtype=str),
        cell_size_m=cell_size_m,
    )
