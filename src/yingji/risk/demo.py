"""Demo hazard sources (合成演示数据) for the demo city: deterministic, idempotent, through the service.

* each demo **chemical park** (registry facilities of kind ``chemical_park``) as a hazard source
  with its outline, and four hazardous-chemicals enterprises inside it with substances;
* the **Yellow River dikes** along the south-east edge of 阳谷县 and 东阿县 — the river is drawn
  as a straight synthetic line from (115.85, 35.98) to (116.45, 36.40), its left-bank dike in six
  sections (堤段), each a LineString;
* a few **tailings ponds**, **gas pipelines** and **crowded places**.

Every record has a ``DEMO-HS-…`` code (the idempotency key) and notes that say it is synthetic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.registry.models import Facility, Unit
from yingji.risk import service
from yingji.risk.models import HazardSource
from yingji.risk.schemas import HazardSourceCreate

NOTE = "合成演示数据：危险源名称、位置、物质与数量均为虚构。"
RIVER = ((115.85, 35.98), (116.45, 36.40))
"""The synthetic Yellow River line (lon, lat), south-west to north-east."""
DIKE_SECTIONS = 6
DIKE_OFFSET = 0.012
"""The left-bank dike runs this many degrees north-west of the river line."""
ENTERPRISES = (
    ("氯碱化工有限公司", [("氯", "7782-50-5", 60.0), ("氢", "1333-74-0", 0.5)], 1),
    ("合成氨有限公司", [("氨", "7664-41-7", 120.0)], 2),
    ("精细化工有限公司", [("甲醇", "67-56-1", 800.0), ("甲苯", "108-88-3", 300.0)], 3),
    ("新材料有限公司", [("硫化氢", "7783-06-4", 1.5), ("苯", "71-43-2", 40.0)], 3),
)
ENTERPRISE_OFFSETS = ((-0.008, 0.006), (0.009, 0.005), (-0.007, -0.006), (0.008, -0.007))


@dataclass
class DemoSource:
    code: str
    values: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)


def _square(lon: float, lat: float, half_km: float) -> dict[str, Any]:
    dlat = half_km / 111.0
    dlon = half_km / (111.0 * math.cos(math.radians(lat)))
    ring = [[lon - dlon, lat - dlat], [lon + dlon, lat - dlat], [lon + dlon, lat + dlat], [lon - dlon, lat + dlat],
            [lon - dlon, lat - dlat]]
    return {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}


def river_point(f: float, offset: float = 0.0) -> tuple[float, float]:
    """The point at fraction ``f`` along the synthetic river, ``offset`` degrees to its north-west."""
    (x0, y0), (x1, y1) = RIVER
    dx, dy = x1 - x0, y1 - y0
    norm = math.hypot(dx, dy)
    nx, ny = -dy / norm, dx / norm  # left of the direction of travel = north-west
    return round(x0 + f * dx + offset * nx, 6), round(y0 + f * dy + offset * ny, 6)


def dike_division(lon: float) -> str:
    """阳谷县 upstream (west), 东阿县 downstream (east) — the synthetic boundary at 116.1° E."""
    return "371521" if lon < 116.1 else "371524"


def _unit(session: Session, name: str) -> int | None:
    return session.scalar(select(Unit.id).where(Unit.name == name))


def plan(session: Session) -> list[DemoSource]:
    """Every demo hazard source, in a fixed order."""
    out: list[DemoSource] = []
    parks = list(session.scalars(select(Facility).where(Facility.kind == "chemical_park").order_by(Facility.name)))
    for p_i, park in enumerate(parks, start=1):
        area = float((park.capacity or {}).get("area_km2") or 4.0)
        out.append(DemoSource(f"DEMO-HS-CP{p_i}", {
            "name": park.name, "kind": "chemical_park", "division_code": park.division_code,
            "unit_id": park.unit_id, "facility_id": park.id, "address": park.address, "lon": park.lon,
            "lat": park.lat, "geometry": _square(park.lon, park.lat, math.sqrt(area) / 2), "risk_colour": "orange",
            "contact_phone": None,
        }))
        prefix = park.name.replace("化工产业园区", "").replace("化工产业园", "").replace("生态工业园", "")
        for e_i, ((name, substances, grade), (dx, dy)) in enumerate(zip(ENTERPRISES, ENTERPRISE_OFFSETS,
                                                                         strict=True), start=1):
            lon, lat = round(park.lon + dx, 6), round(park.lat + dy, 6)
            out.append(DemoSource(f"DEMO-HS-CP{p_i}-E{e_i}", {
                "name": f"{prefix}{name}（演示）", "kind": "hazmat_enterprise", "division_code": park.division_code,
                "unit_id": park.unit_id, "lon": lon, "lat": lat, "geometry": _square(lon, lat, 0.25),
                "substances": [{"name": n, "cas": cas, "quantity_t": q} for n, cas, q in substances],
                "major_hazard_grade": grade, "risk_colour": {1: "red", 2: "orange"}.get(grade, "yellow"),
                "address": f"{park.name}内",
            }))
    river_unit = _unit(session, "聊城黄河河务局")
    for s in range(DIKE_SECTIONS):
        f0, f1 = s / DIKE_SECTIONS, (s + 1) / DIKE_SECTIONS
        line = [list(river_point(f0 + (f1 - f0) * k / 4, DIKE_OFFSET)) for k in range(5)]
        mid = river_point((f0 + f1) / 2, DIKE_OFFSET)
        div = dike_division(mid[0])
        county = "阳谷" if div == "371521" else "东阿"
        out.append(DemoSource(f"DEMO-HS-DIKE{s + 1}", {
            "name": f"黄河左岸{county}段第{s + 1}堤段（演示）", "kind": "dike_sluice", "division_code": div,
            "unit_id": river_unit, "lon": mid[0], "lat": mid[1],
            "geometry": {"type": "LineString", "coordinates": line},
            "risk_colour": "orange" if s in (2, 3) else "yellow", "address": f"黄河左岸临黄堤{county}段",
        }))
    for i, (name, div, lon, lat) in enumerate((("东阿县某尾矿库（演示）", "371524", 116.205, 36.300),
                                               ("阳谷县某尾矿库（演示）", "371521", 115.905, 36.060)), start=1):
        out.append(DemoSource(f"DEMO-HS-TP{i}", {
            "name": name, "kind": "tailings_pond", "division_code": div, "lon": lon, "lat": lat,
            "geometry": _square(lon, lat, 0.4), "risk_colour": "orange",
        }))
    for i, (name, div, coords) in enumerate((
        ("西气东输聊城支线东昌府段（演示）", "371502", [[115.90, 36.40], [115.96, 36.44], [116.02, 36.47]]),
        ("高唐县城镇燃气高压管线（演示）", "371526", [[116.18, 36.84], [116.23, 36.87], [116.28, 36.89]]),
    ), start=1):
        out.append(DemoSource(f"DEMO-HS-GP{i}", {
            "name": name, "kind": "gas_pipeline", "division_code": div, "lon": coords[1][0], "lat": coords[1][1],
            "geometry": {"type": "LineString", "coordinates": coords}, "risk_colour": "yellow",
            "substances": [{"name": "天然气", "cas": "74-82-8", "quantity_t": 12.0}],
        }))
    for i, (name, div, lon, lat) in enumerate((("聊城古城景区（演示）", "371502", 115.995, 36.452),
                                               ("聊城市体育中心（演示）", "371502", 115.955, 36.470),
                                               ("临清市大众商场（演示）", "371581", 115.712, 36.842)), start=1):
        out.append(DemoSource(f"DEMO-HS-CR{i}", {
            "name": name, "kind": "crowded_place", "division_code": div, "lon": lon, "lat": lat,
            "geometry": _square(lon, lat, 0.3), "risk_colour": "blue",
        }))
    return out


def load_demo(*, session: Session, actor: Any) -> dict[str, int]:
    """Insert whatever demo hazard source is missing (matched by code); returns ``{"hazard_sources": added}``."""
    added = 0
    for src in plan(session):
        if session.scalar(select(HazardSource.id).where(HazardSource.code == src.code)) is not None:
            continue
        values = {k: v for k, v in src.values.items() if v is not None}
        data = HazardSourceCreate.model_validate({**values, "code": src.code, "notes": NOTE})
        service.create_hazard_source(session=session, user=actor, data=data)
        added += 1
    session.flush()
    return {"hazard_sources": added}
