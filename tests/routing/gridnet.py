"""Helpers for the routing tests' hand-checkable grid network."""

from __future__ import annotations

from yingji.engines.network.graph import RoadGraph

NX = 41
LON0, LAT0 = 115.705, 36.838


def node(i: int, j: int) -> int:
    return i + NX * j


def lonlat(graph: RoadGraph, i: int, j: int) -> tuple[float, float]:
    n = node(i, j)
    return float(graph.node_lon[n]), float(graph.node_lat[n])
