"""Build the demo road network and population grid into the data directory."""

from __future__ import annotations

from pathlib import Path

DEMO_NETWORK_VERSION = "demo-1"


def network_dir(data_dir: Path) -> Path:
    return data_dir / "network"


def ensure_demo_network(*, data_dir: Path, force: bool = False) -> tuple[Path, Path]:
    """Write ``network/graph.npz`` and ``network/population.csv`` unless they are already there.

    Returns the two paths. The network is the synthetic Liaocheng road network; the grid has
    1 km cells whose populations sum, per county, to the demo divisions' populations.
    """
    from yingji.demo.data import demo_city
    from yingji.demo.roads import demo_division_polygons, demo_network, demo_population_grid

    out = network_dir(data_dir)
    out.mkdir(parents=True, exist_ok=True)
    graph_path, pop_path = out / "graph.npz", out / "population.csv"
    if not force and graph_path.exists() and pop_path.exists():
        return graph_path, pop_path
    graph = demo_network()
    tmp = graph_path.with_suffix(".tmp.npz")
    graph.save_npz(tmp, metadata={"source": "synthetic demo network", "version": DEMO_NETWORK_VERSION})
    tmp.replace(graph_path)
    polygons = demo_division_polygons()
    populations = {d["code"]: int(d["population"]) for d in demo_city().divisions if d["code"] in polygons}
    grid = demo_population_grid(polygons, populations)
    tmp_csv = pop_path.with_suffix(".tmp.csv")
    grid.to_csv(tmp_csv)
    tmp_csv.replace(pop_path)
    return graph_path, pop_path
