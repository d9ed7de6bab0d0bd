"""Readers (GeoPackage / GeoJSON via pyogrio, .osm.pbf via osmium) and the disk cache."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pytest
import shapely

from yingji.engines.network import (
    DEFAULT_SPEED_KMH,
    NetworkError,
    load_or_build,
    parse_maxspeed,
    parse_oneway,
    read_lines,
    read_osm_pbf,
    road_class_code,
    route,
)

pyogrio = pytest.importorskip("pyogrio")
osmium = pytest.importorskip("osmium")

# a square block: A(0,0) B(1,0) C(1,1) D(0,1) in 0.001° steps near Liaocheng
A, B, C, D = (116.000, 36.400), (116.001, 36.400), (116.001, 36.401), (116.000, 36.401)
MID = (116.0005, 36.400)


def write_lines(path: Path, geoms, highway, maxspeed, oneway, *, driver: str, crs: str = "EPSG:4326") -> None:
    from pyogrio.raw import write

    fields = [
        np.array(highway, dtype=object),
        np.array(maxspeed, dtype=object),
        np.array(oneway, dtype=object),
    ]
    write(
        str(path),
        shapely.to_wkb(geoms),
        fields,
        fields=["highway", "maxspeed", "oneway"],
        geometry_type="MultiLineString",
        crs=crs,
        driver=driver,
        promote_to_multi=True,
    )


def block_layer(path: Path, driver: str) -> None:
    geoms = [
        shapely.LineString([A, MID, B]),  # A→B, one-way, 60 km/h, with a middle vertex
        shapely.MultiLineString([[B, C], [C, D]]),  # two parts
        shapely.LineString([D, A]),
        shapely.LineString([(116.0, 36.402), (116.001, 36.402)]),  # a footway: skipped
    ]
    write_lines(
        path,
        geoms,
        ["primary", "residential", "tertiary", "footway"],
        ["60", None, "25 mph", None],
        ["yes", None, "no", None],
        driver=driver,
    )


@pytest.mark.parametrize(("name", "driver"), [("roads.gpkg", "GPKG"), ("roads.geojson", "GeoJSON")])
def test_read_lines(tmp_path: Path, name: str, driver: str) -> None:
    path = tmp_path / name
    block_layer(path, driver)
    data = read_lines(path)
    assert data.stats["skipped_features"] == 1
    g = data.build()
    assert g.n_nodes == 5  # A, MID, B, C, D merged by coordinates
    # A→B one-way at 60 km/h; residential default speed; tertiary 25 mph
    a = int(np.flatnonzero((g.node_lon == A[0]) & (g.node_lat == A[1]))[0])
    b = int(np.flatnonzero((g.node_lon == B[0]) & (g.node_lat == B[1]))[0])
    r = route(g, origin=a, destination=b)
    assert len(r.nodes) == 3
    assert r.length_m == pytest.approx(89.46, abs=0.5)
    assert r.time_s == pytest.approx(r.length_m / (60 / 3.6))
    back = route(g, origin=b, destination=a)
    assert len(back.nodes) == 4  # around the block, not against the one-way
    speeds = {g.edge_class_name(e): float(g.edge_speed_kmh[e]) for e in range(g.n_edges)}
    assert speeds["residential"] == DEFAULT_SPEED_KMH["residential"]
    assert speeds["tertiary"] == pytest.approx(25 * 1.609344)
    simple = read_lines(path, simplify=True).build()
    assert simple.n_nodes == 4  # MID is only a shape vertex
    assert route(simple, origin=0, destination=simple.n_nodes - 1).time_s > 0


def test_read_lines_refuses_projected_layers(tmp_path: Path) -> None:
    path = tmp_path / "utm.gpkg"
    geoms = [shapely.LineString([(500000, 4000000), (500100, 4000000)])]
    write_lines(path, geoms, ["primary"], [None], [None], driver="GPKG", crs="EPSG:32650")
    with pytest.raises(NetworkError, match="geographic"):
        read_lines(path)


def write_pbf(path: Path, *, extra: bool = False) -> None:
    nodes = {1: A, 2: MID, 3: B, 4: C, 5: D, 6: (116.002, 36.401)}
    with osmium.SimpleWriter(str(path), overwrite=True) as w:
        for nid, loc in nodes.items():
            w.add_node(osmium.osm.mutable.Node(id=nid, location=loc))
        w.add_way(
            osmium.osm.mutable.Way(id=10, nodes=[1, 2, 3], tags={"highway": "primary", "maxspeed": "60"})
        )
        w.add_way(osmium.osm.mutable.Way(id=11, nodes=[3, 4, 5], tags={"highway": "residential"}))
        w.add_way(
            osmium.osm.mutable.Way(id=12, nodes=[1, 5], tags={"highway": "motorway_link"})
        )  # implied oneway
        w.add_way(
            osmium.osm.mutable.Way(id=13, nodes=[5, 1], tags={"highway": "service", "access": "private"})
        )
        w.add_way(osmium.osm.mutable.Way(id=14, nodes=[4, 1], tags={"building": "yes"}))
        if extra:
            w.add_way(osmium.osm.mutable.Way(id=15, nodes=[4, 6], tags={"highway": "unclassified"}))


def test_read_osm_pbf(tmp_path: Path) -> None:
    path = tmp_path / "city.osm.pbf"
    write_pbf(path)
    data = read_osm_pbf(path)
    assert data.stats["skipped_ways"] == 1  # the private service road (the building has no highway tag)
    g = data.build()
    assert sorted(g.node_id.tolist()) == [1, 2, 3, 4, 5]
    idx = {int(osm): i for i, osm in enumerate(g.node_id)}
    r = route(g, origin=idx[1], destination=idx[3])
    assert [int(g.node_id[n]) for n in r.nodes] == [1, 2, 3]
    assert r.time_s == pytest.approx(r.length_m / (60 / 3.6))
    # the motorway link 1→5 is one-way by implication; back from 5 to 1 goes round the block
    assert [int(g.node_id[n]) for n in route(g, origin=idx[1], destination=idx[5]).nodes] == [1, 5]
    assert [int(g.node_id[n]) for n in route(g, origin=idx[5], destination=idx[1]).nodes] == [5, 4, 3, 2, 1]
    assert g.n_edges == 4 + 4 + 1
    assert {g.edge_class_name(e) for e in range(g.n_edges)} == {"primary", "residential", "motorway_link"}
    simple = read_osm_pbf(path, simplify=True).build()
    assert sorted(simple.node_id.tolist()) == [1, 3, 5]


def test_load_or_build_caches_and_rebuilds(tmp_path: Path) -> None:
    src = tmp_path / "city.osm.pbf"
    cache = tmp_path / "cache"
    write_pbf(src)
    stages: list[str] = []
    g1 = load_or_build(src, cache, progress=lambda stage, frac: stages.append(stage))
    assert "ways" in stages and "build" in stages
    assert len(list(cache.glob("*.npz"))) == 1
    stages.clear()
    g2 = load_or_build(src, cache, progress=lambda stage, frac: stages.append(stage))
    assert "ways" not in stages and stages[-1] == "cache"
    assert np.array_equal(g1.edge_src, g2.edge_src) and np.array_equal(g1.node_id, g2.node_id)
    # change the source: rebuilt, old cache file replaced
    write_pbf(src, extra=True)
    os.utime(src, ns=(src.stat().st_atime_ns, src.stat().st_mtime_ns + 10**9))
    g3 = load_or_build(src, cache)
    assert g3.n_nodes == g1.n_nodes + 1
    assert len(list(cache.glob("*.npz"))) == 1
    with pytest.raises(NetworkError, match="source_path"):
        load_or_build(tmp_path / "missing.pbf", cache)


def test_load_or_build_geopackage_keeps_largest_component(tmp_path: Path) -> None:
    src = tmp_path / "roads.gpkg"
    block_layer(src, "GPKG")
    g = load_or_build(src, tmp_path / "cache")
    assert g.n_nodes == 5  # already strongly connected


def test_tag_parsers() -> None:
    assert parse_maxspeed("50") == 50.0
    assert parse_maxspeed("30 mph") == pytest.approx(48.28, abs=0.01)
    assert (
        math.isnan(parse_maxspeed("CN:urban"))
        and math.isnan(parse_maxspeed("0"))
        and math.isnan(parse_maxspeed(None))
    )
    assert parse_maxspeed("60;80") == 60.0
    assert [parse_oneway(x) for x in ("yes", "-1", "no", None, "F", "T", "B", 1, -1, True)] == [
        1,
        -1,
        0,
        0,
        1,
        -1,
        0,
        1,
        -1,
        1,
    ]
    assert road_class_code("motorway_junction") == road_class_code("motorway_link")
