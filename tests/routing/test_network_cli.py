"""`yingji network import` on real-format files the test writes: an .osm.pbf and a GeoPackage."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely

from yingji.engines.network.graph import RoadGraph

osmium = pytest.importorskip("osmium")
YINGJI = str(Path(sys.executable).parent / "yingji")

A, B, C, D = (116.000, 36.400), (116.001, 36.400), (116.001, 36.401), (116.000, 36.401)
ISLAND = ((116.010, 36.410), (116.011, 36.410))


def _run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "YINGJI_DATABASE_URL"}
    env["YINGJI_DATA_DIR"] = str(data_dir)
    return subprocess.run([YINGJI, *args], capture_output=True, text=True, env=env, timeout=300)


def _pbf(path: Path) -> None:
    nodes = {1: A, 2: B, 3: C, 4: D, 5: ISLAND[0], 6: ISLAND[1]}
    with osmium.SimpleWriter(str(path), overwrite=True) as w:
        for nid, loc in nodes.items():
            w.add_node(osmium.osm.mutable.Node(id=nid, location=loc))
        w.add_way(osmium.osm.mutable.Way(id=10, nodes=[1, 2, 3, 4, 1], tags={"highway": "residential"}))
        w.add_way(osmium.osm.mutable.Way(id=11, nodes=[5, 6], tags={"highway": "primary", "oneway": "yes"}))


def test_import_osm_pbf_keeps_largest_component_and_reports_dropped(tmp_path: Path) -> None:
    src = tmp_path / "city.osm.pbf"
    _pbf(src)
    r = _run(tmp_path, "network", "import", str(src))
    assert r.returncode == 0, r.stderr
    assert "4 nodes" in r.stdout and "2 nodes dropped" in r.stdout
    graph, meta = RoadGraph.load_npz(tmp_path / "network" / "graph.npz")
    assert graph.n_nodes == 4 and graph.n_edges == 8  # a two-way square
    assert meta["source"].endswith("city.osm.pbf")
    r2 = _run(tmp_path, "network", "import", str(src))  # from the cache this time
    assert r2.returncode == 0 and "4 nodes" in r2.stdout


def test_import_geopackage_with_population_csv(tmp_path: Path) -> None:
    from pyogrio.raw import write

    src = tmp_path / "roads.gpkg"
    geoms = [shapely.LineString([A, B, C]), shapely.LineString([C, D, A])]
    write(
        str(src),
        shapely.to_wkb(geoms),
        [np.array(["primary", "tertiary"], dtype=object)],
        fields=["highway"],
        geometry_type="LineString",
        crs="EPSG:4326",
        driver="GPKG",
    )
    pop = tmp_path / "pop.csv"
    pop.write_text("lon,lat,population,division\n116.0005,36.4005,1200,371581\n")
    r = _run(tmp_path, "network", "import", str(src), "--population", str(pop))
    assert r.returncode == 0, r.stderr
    graph, _ = RoadGraph.load_npz(tmp_path / "network" / "graph.npz")
    assert graph.n_nodes == 4
    assert (tmp_path / "network" / "population.csv").read_text().count("\n") == 2


def test_import_errors_are_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "roads.geojson"
    bad.write_text("not json at all")
    r = _run(tmp_path, "network", "import", str(bad))
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines()[-1].startswith("error: cannot import roads.geojson")
    r = _run(tmp_path, "network", "import", str(tmp_path / "missing.gpkg"))
    assert r.returncode != 0 and "Traceback" not in r.stderr
