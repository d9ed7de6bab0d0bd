"""Helpers for the supplies tests: the hand-checkable network, a 21 × 2 ladder of 1 km blocks at 36 km/h,
so every block takes exactly 100 s. Node ``i + 21·j`` is column ``i`` (0…20) of row ``j`` (0, 1)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.orm import Session

from yingji.auth.models import User
from yingji.engines.network.graph import RoadGraph
from yingji.engines.network.synthetic import grid_network
from yingji.supplies import service
from yingji.supplies.common import local_today
from yingji.supplies.models import StockLot
from yingji.supplies.schemas import LotCreate

NX, NY = 21, 2
BLOCK_S = 100.0
LON0, LAT0 = 115.705, 36.838


def ladder() -> RoadGraph:
    return grid_network(nx=NX, ny=NY, spacing_m=1000.0, lon0=LON0, lat0=LAT0, arterial_every=1,
                        arterial_kmh=36.0, local_kmh=36.0)


def node(i: int, j: int = 0) -> int:
    return i + NX * j


def lonlat(graph: RoadGraph, i: int, j: int = 0) -> tuple[float, float]:
    n = node(i, j)
    return float(graph.node_lon[n]), float(graph.node_lat[n])


def point(graph: RoadGraph, i: int, j: int = 0) -> dict[str, float]:
    lon, lat = lonlat(graph, i, j)
    return {"lon": lon, "lat": lat}


def block_polygon(graph: RoadGraph, i: int, j: int = 0) -> dict[str, object]:
    """A small polygon over the middle of the block (i, j)–(i+1, j): closes that one block."""
    (lon_a, lat_a), (lon_b, _) = lonlat(graph, i, j), lonlat(graph, i + 1, j)
    mid = (lon_a + lon_b) / 2
    d = 0.0008
    return {"type": "Polygon", "coordinates": [[[mid - d, lat_a - d], [mid + d, lat_a - d], [mid + d, lat_a + d],
                                                 [mid - d, lat_a + d], [mid - d, lat_a - d]]]}


@dataclass
class Depots:
    """The warehouses of the tests (facility ids) and the default items (ids by code)."""

    city: int  # 市级, at column 0, 东昌府区, unit 市应急局
    linqing: int  # 县级, at column 20, 临清市, unit 临清市应急管理局
    dcf: int  # 县级, at column 10 of row 1, 东昌府区, unit 东昌府区应急管理局
    items: dict[str, int] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)


def add_lot(
    session: Session, depots: Depots, *, warehouse: int, item: str, quantity: int, batch: str | None = None,
    expires_in_days: int | None = None, ownership: str = "government", user: str = "admin",
) -> StockLot:
    today = local_today()
    expires = today + timedelta(days=expires_in_days) if expires_in_days is not None else None
    produced: date | None = None if expires is None else min(expires, today) - timedelta(days=30)
    data = LotCreate.model_validate({
        "warehouse_id": warehouse, "item_id": depots.items[item], "batch": batch or f"{item}-{warehouse}-{quantity}",
        "produced_on": produced, "expires_on": expires, "ownership": ownership, "quantity": quantity,
    })
    return service.create_lot(session=session, user=depots.users[user], data=data)
