"""Helpers for the supervision tests (a module of its own: conftest modules are not importable)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.engines.network.graph import RoadGraph
from yingji.registry.models import Unit

NX = 41
SPACING_M = 200.0
LON0, LAT0 = 115.705, 36.838  # 临清市
DATA = Path(__file__).resolve().parent / "data"
SEED = DATA / "seed.txt"
API = "/api/v1/supervision"


def node(i: int, j: int) -> int:
    return i + NX * j


def lonlat(graph: RoadGraph, i: int, j: int) -> tuple[float, float]:
    n = node(i, j)
    return float(graph.node_lon[n]), float(graph.node_lat[n])


def unit_id(session: Session, name: str) -> int:
    uid = session.scalar(select(Unit.id).where(Unit.name == name))
    assert uid is not None, name
    return int(uid)


def ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, f"{r.status_code}: {r.text}"
    return r.json() if r.headers.get("content-type", "").startswith("application/json") else r


def indicator(client: Any, key: str, **params: Any) -> dict[str, Any]:
    out: dict[str, Any] = ok(client.get(f"{API}/indicators/{key}", params=params))
    return out
