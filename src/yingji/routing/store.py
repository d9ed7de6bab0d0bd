"""The road network and population grid of this installation, loaded once per process.

Files live in ``<data dir>/network/``: ``graph.npz`` (written by ``yingji network import`` or
``yingji demo``) and ``population.csv``. A file that changes on disk is reloaded.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from yingji.engines.network.graph import RoadGraph
from yingji.engines.network.population import PopulationGrid
from yingji.errors import NotFound


@dataclass(frozen=True)
class Network:
    graph: RoadGraph
    grid: PopulationGrid | None
    key: str
    source: str


_lock = threading.Lock()
_cache: dict[Path, tuple[tuple[float, int, float], Network]] = {}


def _stamp(path: Path) -> tuple[float, int]:
    st = path.stat()
    return st.st_mtime, st.st_size


def load_network(data_dir: Path) -> Network:
    folder = (data_dir / "network").resolve()
    graph_path, pop_path = folder / "graph.npz", folder / "population.csv"
    if not graph_path.exists():
        raise NotFound("no road network is loaded: run `yingji demo` or `yingji network import PATH`")
    g_stamp = _stamp(graph_path)
    p_stamp = _stamp(pop_path) if pop_path.exists() else (0.0, 0)
    stamp = (g_stamp[0], g_stamp[1], p_stamp[0] + p_stamp[1])
    with _lock:
        hit = _cache.get(folder)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        graph, meta = RoadGraph.load_npz(graph_path)
        grid = PopulationGrid.from_csv(pop_path) if pop_path.exists() else None
        key = f"{meta.get('version', 'v')}:{int(g_stamp[0])}:{g_stamp[1]}"
        net = Network(graph=graph, grid=grid, key=key, source=meta.get("source", str(graph_path)))
        _cache[folder] = (stamp, net)
        return net
