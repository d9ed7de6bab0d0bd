"""Synthetic demo stock for the demo city (演示数据为合成数据): the default catalogue, relief profile and
reserve standards, and lots in the demo's warehouses — some short of the standard, some expiring soon,
one expired — so the gap report, rotation plan, allocation and 12-hour check have something to show.

Warehouses are found in the database by kind and name (``…救灾物资储备库``, ``…防汛物资储备库``), so
this module does not depend on the demo generator. Deterministic (seeded) and idempotent.
"""

from __future__ import annotations

import math
import random
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.registry.models import Division, Facility
from yingji.supplies import service
from yingji.supplies.common import local_today
from yingji.supplies.models import Item, ReserveLevel, StockLot, SupplyNorm
from yingji.supplies.schemas import LotCreate

NOTE = "合成演示数据：数量、批次与日期均为虚构，非真实库存台账。"
SEED = 20_260_704

# items a relief depot holds beyond the norms: (code, low, high) quantity ranges per level
_EXTRA = {
    "city": (("sleeping_bag", 2000, 4000), ("rice", 20_000, 40_000), ("mobile_toilet", 60, 120),
             ("protective_suit", 5000, 10_000), ("n95_mask", 50_000, 100_000), ("disinfectant", 2000, 4000),
             ("first_aid_kit", 500, 1000), ("generator", 10, 20), ("light_tower", 6, 12),
             ("satellite_phone", 20, 40), ("radio", 100, 200), ("life_detector", 4, 8), ("hydraulic_tools", 6, 12),
             ("deicing_salt", 50_000, 100_000)),
    "county": (("rice", 3000, 8000), ("life_jacket", 300, 800), ("woven_bag", 20_000, 50_000),
               ("helmet", 200, 500), ("first_aid_kit", 100, 300), ("rescue_rope", 20, 60)),
}
_FLOOD = (("life_jacket", 3000, 6000), ("life_buoy", 800, 1500), ("assault_boat", 20, 40),
          ("woven_bag", 200_000, 400_000), ("drainage_pump", 30, 60), ("generator", 20, 40),
          ("light_tower", 10, 20), ("rescue_rope", 200, 400))


def _level(f: Facility) -> str:
    return "city" if (f.capacity or {}).get("level") == "city" else "county"


def load_demo(*, session: Session, actor: Any) -> dict[str, int]:
    """Load the defaults and the demo lots that are missing; return counts added."""
    counts = dict(service.load_defaults(session=session, user=actor))
    items = {i.code: i for i in session.scalars(select(Item))}
    by_id = {i.id: i for i in items.values()}
    norms: dict[str, list[tuple[Item, SupplyNorm]]] = {"city": [], "county": []}
    for n in session.scalars(select(SupplyNorm).where(SupplyNorm.profile.in_(("city", "county")))):
        norms[n.profile].append((by_id[n.item_id], n))
    shares = {lv.level: lv.population_share for lv in session.scalars(select(ReserveLevel))}
    city_pop = sum(d.population or 0 for d in session.scalars(select(Division).where(Division.level == "city")))
    today = local_today()
    added = 0
    warehouses = session.scalars(select(Facility).where(Facility.kind == "warehouse").order_by(Facility.name))
    for f in warehouses:
        rng = random.Random(f"{SEED}:{f.name}")
        level = _level(f)
        lots: list[tuple[str, int, str, int | None]] = []  # item, quantity, ownership, days to expiry
        if "防汛" in f.name:
            lots += [(code, rng.randrange(lo, hi), "government", None) for code, lo, hi in _FLOOD]
        elif "救灾" in f.name:
            division = session.get(Division, f.division_code)
            population = city_pop if level == "city" else (division.population or 0) if division else 0
            persons = population * shares.get(level, 0.0)
            for it, n in norms[level]:
                required = persons * n.quantity * (n.days if n.per_day else 1) / n.per_persons
                fill = rng.uniform(0.45, 1.15)
                total = int(math.ceil(required * fill))
                shelf = it.shelf_life_days
                if it.code in ("instant_food", "drinking_water"):
                    # part held by agreement with enterprises; part of the government stock expires soon
                    agreed = total // 3
                    soon = total // 5
                    lots.append((it.code, agreed, "enterprise_agreement", rng.randrange(200, 330)))
                    lots.append((it.code, soon, "government", rng.randrange(12, 80)))
                    lots.append((it.code, total - agreed - soon, "government", rng.randrange(150, 360)))
                elif it.code == "tent" and level == "city":
                    lots.append((it.code, int(total * 0.8), "government", None))
                    lots.append((it.code, int(total * 0.5), "production_capacity", None))
                else:
                    lots.append((it.code, total, "government", rng.randrange(300, shelf) if shelf else None))
            lots += [(code, rng.randrange(lo, hi), "government",
                      rng.randrange(120, items[code].shelf_life_days or 121) if items[code].shelf_life_days else None)
                     for code, lo, hi in _EXTRA[level] if code in items]
            if f.division_code == "371525":  # one county holds an expired batch, to be written off
                lots.append(("instant_food", 1200, "government", -5))
        for k, (code, quantity, ownership, days) in enumerate(lots):
            item = items.get(code)
            if item is None or quantity <= 0:
                continue
            batch = f"DEMO-{today.year}-{f.id:03d}-{k:02d}"
            if session.scalar(select(StockLot.id).where(StockLot.warehouse_id == f.id, StockLot.item_id == item.id,
                                                        StockLot.batch == batch,
                                                        StockLot.ownership == ownership)) is not None:
                continue
            expires = today + timedelta(days=days) if days is not None else None
            produced = None
            if expires is not None and item.shelf_life_days:
                produced = expires - timedelta(days=item.shelf_life_days)
            data = LotCreate.model_validate({
                "warehouse_id": f.id, "item_id": item.id, "batch": batch, "produced_on": produced,
                "expires_on": expires, "ownership": ownership, "holder_unit_id": f.unit_id, "quantity": quantity,
                "reason": "演示数据入库", "notes": NOTE,
            })
            service.create_lot(session=session, user=actor, data=data)
            added += 1
    counts["lots"] = added
    return counts


REQUEST_LINES = (("drinking_water", 3000), ("instant_food", 3600), ("quilt", 600), ("family_kit", 300),
                 ("woven_bag", 20_000))


def load_demo_requests(*, session: Session, actor: Any) -> int:
    """One submitted request of 东昌府区 for the demo's urban flooding (the incidents demo must have run):
    the requests page and the approval have something to show. Stock is not touched. Idempotent."""
    from yingji.incidents.models import Incident
    from yingji.registry.models import Unit
    from yingji.supplies.models import SupplyRequest
    from yingji.supplies.schemas import RequestCreate

    flood = session.scalars(select(Incident).where(Incident.title.like("东昌府区城区暴雨内涝%"))).first()
    if flood is None:
        return 0
    ref = f"#{flood.id} {flood.title}"
    if session.scalar(select(SupplyRequest.id).where(SupplyRequest.incident_ref == ref)) is not None:
        return 0
    items = {it.code: it.id for it in session.scalars(select(Item))}
    unit = session.scalars(select(Unit).where(Unit.name == "东昌府区应急管理局")).first()
    service.create_request(session=session, user=actor, data=RequestCreate.model_validate({
        "division_code": flood.division_code, "unit_id": unit.id if unit else None, "incident_ref": ref,
        "reason": "合成演示数据：柳园街道转移安置群众，申请基本生活物资。", "destination": flood.address or flood.title,
        "lon": flood.lon, "lat": flood.lat, "people": flood.affected_people,
        "lines": [{"item_id": items[code], "quantity": q} for code, q in REQUEST_LINES if code in items],
    }))
    return 1
