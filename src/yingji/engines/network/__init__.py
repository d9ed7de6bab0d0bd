"""Road-network engine: routing, isochrones, coverage and station siting on a CSR graph.

Pure computation (numpy, scipy, shapely; ``pyogrio``/``osmium``/``tifffile`` only inside
the file readers). Units everywhere: degrees (lon/lat), metres, km/h, seconds.
See ``docs/engines/network.md`` for the model and its semantics.
"""

from .builder import EdgeRow, EdgeTable, GraphInput, build_graph
from .cache import build_from_file, file_sha256, load_or_build
from .closures import Clearance, Closures, closure_clearance, closure_clearance_share, closures_of, edges_in_polygon
from .coverage import CoverageResult, DivisionCoverage, cell_drive_times, coverage, snap_cells
from .errors import NetworkError, NoRoute, PointOffNetwork
from .geo import LocalProjection, haversine_m
from .graph import Arcs, RoadGraph, largest_scc
from .isochrones import Isochrone, isochrones, isochrones_detailed
from .population import PopulationGrid
from .readers import parse_maxspeed, parse_oneway, read_lines, read_osm_pbf
from .routing import (
    DEFAULT_SNAP_M,
    Ranked,
    Route,
    Snapped,
    TravelTimes,
    matrix,
    nearest_k,
    route,
    snap,
    snap_many,
    travel_times,
)
from .siting import SiteChoice, SitingResult, site_stations
from .speeds import DEFAULT_SPEED_KMH, ROAD_CLASSES, SPEED_TABLE, road_class_code

__all__ = [
    "DEFAULT_SNAP_M",
    "DEFAULT_SPEED_KMH",
    "ROAD_CLASSES",
    "SPEED_TABLE",
    "Arcs",
    "Closures",
    "CoverageResult",
    "DivisionCoverage",
    "EdgeRow",
    "EdgeTable",
    "GraphInput",
    "Isochrone",
    "LocalProjection",
    "NetworkError",
    "NoRoute",
    "PointOffNetwork",
    "PopulationGrid",
    "Ranked",
    "RoadGraph",
    "Route",
    "SiteChoice",
    "SitingResult",
    "Snapped",
    "TravelTimes",
    "build_from_file",
    "build_graph",
    "cell_drive_times",
    "Clearance",
    "closure_clearance",
    "closure_clearance_share",
    "closures_of",
    "coverage",
    "edges_in_polygon",
    "file_sha256",
    "haversine_m",
    "isochrones",
    "isochrones_detailed",
    "largest_scc",
    "load_or_build",
    "matrix",
    "nearest_k",
    "parse_maxspeed",
    "parse_oneway",
    "read_lines",
    "read_osm_pbf",
    "road_class_code",
    "route",
    "site_stations",
    "snap",
    "snap_cells",
    "snap_many",
    "travel_times",
]
