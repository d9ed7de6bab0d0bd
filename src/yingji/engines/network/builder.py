"""Build a :class:`RoadGraph` from roads (nodes + undirected-or-one-way edges)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from .errors import NetworkError
from .geo import haversine_m
from .graph import FloatArray, IntArray, RoadGraph
from .speeds import default_speeds, road_class_codes

EdgeRow = tuple[int, int, float | None, float | None, bool, str | int]
"""``(u, v, length_m, speed_kmh, oneway, road_class)``; ``None`` length/speed = derive."""


@dataclass(frozen=True, eq=False)
class EdgeTable:
    """Road segments as columns. ``oneway`` true means ``u → v`` only.

    ``length_m`` NaN → haversine distance between the end nodes; ``speed_kmh`` NaN → the
    class default from ``speeds.json``; ``road_class`` holds class codes.
    """

    u: IntArray
    v: IntArray
    length_m: FloatArray
    speed_kmh: FloatArray
    oneway: npt.NDArray[np.bool_]
    road_class: npt.NDArray[np.int16]

    @classmethod
    def from_rows(cls, rows: Sequence[EdgeRow]) -> EdgeTable:
        """Columns from ``(u, v, length_m, speed_kmh, oneway, road_class)`` tuples."""
        if len(rows) == 0:
            return cls.from_columns(u=[], v=[])
        for i, row in enumerate(rows):
            if len(row) != 6:
                raise NetworkError(
                    f"row {i} must be (u, v, length_m, speed_kmh, oneway, road_class), got {len(row)} values",
                    field="edges",
                )
        u, v, length, speed, oneway, klass = zip(*rows, strict=True)
        return cls.from_columns(
            u=u,
            v=v,
            length_m=[np.nan if x is None else x for x in length],
            speed_kmh=[np.nan if x is None else x for x in speed],
            oneway=oneway,
            road_class=klass,
        )

    @classmethod
    def from_columns(
        cls,
        *,
        u: npt.ArrayLike,
        v: npt.ArrayLike,
        length_m: npt.ArrayLike | None = None,
        speed_kmh: npt.ArrayLike | None = None,
        oneway: npt.ArrayLike | None = None,
        road_class: npt.ArrayLike | None = None,
    ) -> EdgeTable:
        """Columns from array-likes; missing columns take NaN / False / ``unclassified``."""
        uu = np.asarray(u)
        m = uu.size
        if uu.ndim != 1 or (m and uu.dtype.kind not in "iu"):
            raise NetworkError("must be a 1-D array of node indices", field="u")
        vv = np.asarray(v)
        if vv.shape != uu.shape or (m and vv.dtype.kind not in "iu"):
            raise NetworkError("must be a 1-D array of node indices as long as u", field="v")

        def floats(value: npt.ArrayLike | None, name: str) -> FloatArray:
            if value is None:
                return np.full(m, np.nan)
            try:
                arr = np.asarray(value, dtype=np.float64)
            except (TypeError, ValueError) as exc:
                raise NetworkError(f"must hold numbers: {exc}", field=name) from exc
            if arr.shape != (m,):
                raise NetworkError(f"must have {m} values", field=name)
            return arr

        ow = np.zeros(m, dtype=bool) if oneway is None else np.asarray(oneway, dtype=bool)
        if ow.shape != (m,):
            raise NetworkError(f"must have {m} values", field="oneway")
        klass = road_class_codes(["unclassified"] * m if road_class is None else road_class)
        if klass.shape != (m,):
            raise NetworkError(f"must have {m} values", field="road_class")
        return cls(
            u=uu.astype(np.int64),
            v=vv.astype(np.int64),
            length_m=floats(length_m, "length_m"),
            speed_kmh=floats(speed_kmh, "speed_kmh"),
            oneway=ow,
            road_class=klass,
        )

    def __len__(self) -> int:
        return int(self.u.size)


@dataclass(frozen=True, eq=False)
class GraphInput:
    """What the readers return: the arguments of :func:`build_graph`."""

    nodes_lonlat: FloatArray
    edges: EdgeTable
    node_ids: IntArray | None = None
    stats: dict[str, int] = field(default_factory=dict)

    def build(self) -> RoadGraph:
        """``build_graph(nodes_lonlat=..., edges=..., node_ids=...)``."""
        return build_graph(nodes_lonlat=self.nodes_lonlat, edges=self.edges, node_ids=self.node_ids)


def build_graph(
    *,
    nodes_lonlat: npt.ArrayLike,
    edges: EdgeTable | Sequence[EdgeRow],
    node_ids: npt.ArrayLike | None = None,
) -> RoadGraph:
    """Build a directed :class:`RoadGraph` from road segments.

    Parameters
    ----------
    nodes_lonlat:
        ``(n, 2)`` lon/lat in degrees.
    edges:
        An :class:`EdgeTable` or rows ``(u, v, length_m, speed_kmh, oneway, road_class)``
        (metres, km/h; ``None`` length → haversine between end nodes, ``None`` speed →
        class default). A two-way segment (``oneway`` false) becomes two arcs: arc ``i``
        is row ``i`` in its drawn direction and the reverse arcs of the two-way rows follow
        after all rows, in row order.
    node_ids:
        Optional external identifiers (e.g. OSM node ids) kept on the graph.
    """
    coords = np.asarray(nodes_lonlat, dtype=np.float64)
    if coords.ndim != 2 or coords.shape[1] != 2:
        raise NetworkError(f"must have shape (n, 2), got {coords.shape}", field="nodes_lonlat")
    table = edges if isinstance(edges, EdgeTable) else EdgeTable.from_rows(list(edges))
    n = coords.shape[0]
    if len(table) and (min(table.u.min(), table.v.min()) < 0 or max(table.u.max(), table.v.max()) >= n):
        raise NetworkError(f"edge end nodes must lie in [0, {n})", field="edges")
    length = table.length_m.copy()
    missing = np.isnan(length)
    if missing.any():
        uu, vv = table.u[missing], table.v[missing]
        length[missing] = haversine_m(coords[uu, 0], coords[uu, 1], coords[vv, 0], coords[vv, 1])
    speed = table.speed_kmh.copy()
    missing = np.isnan(speed)
    if missing.any():
        speed[missing] = default_speeds(table.road_class[missing])
    two = ~table.oneway
    return RoadGraph(
        node_lon=coords[:, 0],
        node_lat=coords[:, 1],
        edge_src=np.concatenate([table.u, table.v[two]]),
        edge_dst=np.concatenate([table.v, table.u[two]]),
        edge_length_m=np.concatenate([length, length[two]]),
        edge_speed_kmh=np.concatenate([speed, speed[two]]),
        edge_class=np.concatenate([table.road_class, table.road_class[two]]),
        node_id=np.empty(0, dtype=np.int64) if node_ids is None else np.asarray(node_ids, dtype=np.int64),
    )
