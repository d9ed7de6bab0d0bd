"""Reserve standards as data (norms, levels, planned relief populations), the gap report and rotation."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.auth import permissions as perm
from yingji.errors import Conflict, InvalidField, NotFound
from yingji.registry.models import Division, Facility
from yingji.supplies import common
from yingji.supplies.common import as_dict, local_today, record, stock_clause
from yingji.supplies.enums import NormProfile, Ownership, RotationAction
from yingji.supplies.models import Item, ReliefPopulation, ReserveLevel, StockLot, SupplyNorm
from yingji.supplies.schemas import (
    LevelRead,
    LevelUpdate,
    NormCreate,
    NormRead,
    NormUpdate,
    ReliefPopulationRead,
    ReliefPopulationSet,
)
from yingji.supplies.stock import lot_out

RESERVE_LEVELS = ("city", "county")


# ---- norms ---------------------------------------------------------------------------------------


def norm_out(n: SupplyNorm, it: Item) -> NormRead:
    return NormRead(
        id=n.id, profile=n.profile, item_id=it.id, item_code=it.code, item=it.name, unit=it.unit,
        quantity=n.quantity, per_persons=n.per_persons, per_day=n.per_day, days=n.days, source=n.source,
        source_status=n.source_status, notes=n.notes,
    )


def list_norms(*, session: Session, user: perm.Principal, profile: str | None = None) -> list[NormRead]:
    perm.require(user, "supply_norms", "read")
    stmt = select(SupplyNorm, Item).join(Item, Item.id == SupplyNorm.item_id)
    if profile is not None:
        if profile not in {p.value for p in NormProfile}:
            raise InvalidField("profile", f"unknown profile {profile!r}")
        stmt = stmt.where(SupplyNorm.profile == profile)
    rows = session.execute(stmt.order_by(SupplyNorm.profile, Item.category, Item.code))
    return [norm_out(n, it) for n, it in rows]


def _norm(session: Session, norm_id: int) -> tuple[SupplyNorm, Item]:
    row = session.execute(
        select(SupplyNorm, Item).join(Item, Item.id == SupplyNorm.item_id).where(SupplyNorm.id == norm_id)
    ).first()
    if row is None:
        raise NotFound(f"norm {norm_id} not found")
    return row[0], row[1]


def create_norm(*, session: Session, user: perm.Principal, data: NormCreate) -> NormRead:
    perm.require(user, "supply_norms", "create")
    it = common.item(session, data.item_id)
    if session.scalar(select(SupplyNorm.id).where(SupplyNorm.profile == data.profile,
                                                  SupplyNorm.item_id == it.id)) is not None:
        raise Conflict(f"item_id: profile {data.profile} already has a norm for {it.code}")
    n = SupplyNorm(**data.model_dump(mode="json"))
    session.add(n)
    session.flush()
    record(session, user, "create", "supply_norms", n.id, None, as_dict(n))
    return norm_out(n, it)


def update_norm(*, session: Session, user: perm.Principal, norm_id: int, data: NormUpdate) -> NormRead:
    perm.require(user, "supply_norms", "read")
    n, it = _norm(session, norm_id)
    perm.require(user, "supply_norms", "update")
    changes = data.model_dump(mode="json", exclude_unset=True)
    nulled = [k for k, v in changes.items() if v is None and k != "notes"]
    if nulled:
        raise InvalidField.many([([k], "may not be null") for k in nulled])
    before = as_dict(n)
    for k, v in changes.items():
        setattr(n, k, v)
    session.flush()
    record(session, user, "update", "supply_norms", n.id, before, as_dict(n))
    return norm_out(n, it)


def delete_norm(*, session: Session, user: perm.Principal, norm_id: int) -> None:
    perm.require(user, "supply_norms", "read")
    n, _ = _norm(session, norm_id)
    perm.require(user, "supply_norms", "delete")
    before = as_dict(n)
    session.delete(n)
    session.flush()
    record(session, user, "delete", "supply_norms", norm_id, before, None)


def relief_profile(session: Session) -> list[tuple[Item, SupplyNorm]]:
    """The ``relief`` norms: the needs of one affected person."""
    rows = session.execute(
        select(Item, SupplyNorm).join(SupplyNorm, SupplyNorm.item_id == Item.id)
        .where(SupplyNorm.profile == NormProfile.relief).order_by(Item.code)
    )
    return [(it, n) for it, n in rows]


def need_per_person(n: SupplyNorm, days: int) -> float:
    """Units of the item one person needs over ``days`` days (daily items) or at all (one-off items)."""
    return n.quantity / n.per_persons * (days if n.per_day else 1)


def required_units(persons: int, n: SupplyNorm) -> int:
    """Whole units a reserve standard asks for ``persons`` planned relief persons (rounded up)."""
    exact = persons * n.quantity * (n.days if n.per_day else 1) / n.per_persons
    return int(math.ceil(exact - 1e-9))


# ---- levels and planned relief populations ------------------------------------------------------


def list_levels(*, session: Session, user: perm.Principal) -> list[LevelRead]:
    perm.require(user, "supply_norms", "read")
    return [LevelRead.model_validate(lv) for lv in session.scalars(select(ReserveLevel).order_by(ReserveLevel.level))]


def set_level(*, session: Session, user: perm.Principal, level: str, data: LevelUpdate) -> LevelRead:
    perm.require(user, "supply_norms", "update")
    if level not in RESERVE_LEVELS:
        raise NotFound(f"reserve level {level!r} not found (city, county)")
    lv = session.get(ReserveLevel, level)
    before = as_dict(lv) if lv is not None else None
    if lv is None:
        lv = ReserveLevel(level=level, **data.model_dump(mode="json"))
        session.add(lv)
    else:
        for k, v in data.model_dump(mode="json").items():
            setattr(lv, k, v)
    session.flush()
    record(session, user, "update" if before else "create", "reserve_levels", level, before, as_dict(lv))
    return LevelRead.model_validate(lv)


def _reserve_divisions(session: Session, user: perm.Principal) -> list[Division]:
    rows = session.scalars(
        select(Division).where(Division.level.in_(RESERVE_LEVELS), perm.scope_clause(user, Division.code))
        .order_by(Division.level != "city", Division.code)
    )
    return list(rows)


def _relief_rows(session: Session, divisions: list[Division]) -> list[ReliefPopulationRead]:
    levels = {lv.level: lv for lv in session.scalars(select(ReserveLevel))}
    overrides = {r.division_code: r for r in session.scalars(select(ReliefPopulation))}
    out = []
    for d in divisions:
        o = overrides.get(d.code)
        if o is not None:
            out.append(ReliefPopulationRead(division_code=d.code, division=d.name, level=d.level,
                                            population=d.population, persons=o.persons, default=False,
                                            source=o.source))
            continue
        lv = levels.get(d.level)
        share = lv.population_share if lv is not None else 0.0
        persons = int(round((d.population or 0) * share))
        source = (f"default: {share:.2%} of the population ({lv.source})" if lv is not None
                  else "no reserve level configured: 0")
        out.append(ReliefPopulationRead(division_code=d.code, division=d.name, level=d.level,
                                        population=d.population, persons=persons, default=True, source=source))
    return out


def relief_populations(*, session: Session, user: perm.Principal) -> list[ReliefPopulationRead]:
    perm.require(user, "supply_norms", "read")
    return _relief_rows(session, _reserve_divisions(session, user))


def set_relief_population(
    *, session: Session, user: perm.Principal, division_code: str, data: ReliefPopulationSet
) -> ReliefPopulationRead:
    perm.require(user, "supply_norms", "read")
    d = session.get(Division, division_code)
    if d is None or not perm.in_scope(user, division_code):
        raise NotFound(f"division {division_code} not found")
    perm.require(user, "supply_norms", "update")
    if d.level not in RESERVE_LEVELS:
        raise InvalidField("division_code", f"a {d.level} holds no reserve (city or county only)")
    row = session.get(ReliefPopulation, division_code)
    before = as_dict(row) if row is not None else None
    if row is None:
        row = ReliefPopulation(division_code=division_code, persons=data.persons, source=data.source)
        session.add(row)
    else:
        row.persons, row.source = data.persons, data.source
    session.flush()
    record(session, user, "update" if before else "create", "relief_populations", division_code, before,
           as_dict(row))
    return _relief_rows(session, [d])[0]


# ---- gap report ----------------------------------------------------------------------------------


def _warehouse_level(f: Facility) -> str:
    level = (f.capacity or {}).get("level")
    return "city" if level == "city" else "county"


def gap_report(*, session: Session, user: perm.Principal, division: str | None = None) -> dict[str, Any]:
    """Per division (city and counties in scope): each norm item's required quantity (the level's
    norms over the planned relief population), the quantity held by ownership (non-expired lots of
    the warehouses of that level in that division), the gap and the share met; and per warehouse."""
    perm.require(user, "stock", "read")
    today = local_today()
    divisions = _reserve_divisions(session, user)
    if division is not None:
        divisions = [d for d in divisions if d.code == division]
        if not divisions:
            raise NotFound(f"division {division} not found")
    relief = {r.division_code: r for r in _relief_rows(session, divisions)}
    norms: dict[str, list[tuple[SupplyNorm, Item]]] = defaultdict(list)
    for n, it in session.execute(
        select(SupplyNorm, Item).join(Item, Item.id == SupplyNorm.item_id)
        .where(SupplyNorm.profile.in_(RESERVE_LEVELS)).order_by(Item.category, Item.code)
    ):
        norms[n.profile].append((n, it))
    warehouses = list(session.scalars(select(Facility).where(Facility.kind == "warehouse").order_by(Facility.id)))
    held: dict[tuple[int, int, str], int] = defaultdict(int)
    expired: dict[tuple[int, int], int] = defaultdict(int)
    for wid, iid, own, expires_on, qty in session.execute(
        select(StockLot.warehouse_id, StockLot.item_id, StockLot.ownership, StockLot.expires_on,
               func.sum(StockLot.quantity))
        .where(StockLot.quantity > 0)
        .group_by(StockLot.warehouse_id, StockLot.item_id, StockLot.ownership, StockLot.expires_on)
    ):
        if expires_on is not None and expires_on < today:
            expired[(wid, iid)] += int(qty)
        else:
            held[(wid, iid, own)] += int(qty)
    rows = []
    for d in divisions:
        level = "city" if d.level == "city" else "county"
        prefix = perm.division_prefix(d.code)
        mine = [w for w in warehouses if _warehouse_level(w) == level and w.division_code.startswith(prefix)]
        persons = relief[d.code].persons
        items: list[dict[str, Any]] = []
        for n, it in norms.get(level, []):
            required = required_units(persons, n)
            by_own = {o.value: sum(held[(w.id, it.id, o.value)] for w in mine) for o in Ownership}
            total = sum(by_own.values())
            gov = by_own[Ownership.government]
            items.append({
                "item_id": it.id, "item_code": it.code, "item": it.name, "unit": it.unit,
                "norm": {"quantity": n.quantity, "per_persons": n.per_persons, "per_day": n.per_day,
                         "days": n.days, "source": n.source, "source_status": n.source_status},
                "required": required, "held": by_own, "held_total": total,
                "expired": sum(expired[(w.id, it.id)] for w in mine),
                "gap": max(0, required - total),
                "share_met": min(1.0, total / required) if required else 1.0,
                "government_share_met": min(1.0, gov / required) if required else 1.0,
            })
        wh_rows = []
        for w in mine:
            if common.is_department(user) and w.unit_id != user.unit_id:
                continue
            wh_rows.append({
                "warehouse_id": w.id, "warehouse": w.name, "division_code": w.division_code,
                "items": [{"item_code": it.code, "held": {o.value: held[(w.id, it.id, o.value)] for o in Ownership}}
                          for _, it in norms.get(level, [])],
            })
        shares: list[float] = [float(x["share_met"]) for x in items]
        rows.append({
            "division_code": d.code, "division": d.name, "level": level, "population": d.population,
            "relief_population": persons, "relief_population_default": relief[d.code].default,
            "relief_population_source": relief[d.code].source,
            "items": items, "warehouses": wh_rows,
            "share_met": min(shares) if shares else None,
            "items_met": sum(1 for s in shares if s >= 1.0), "items_total": len(shares),
        })
    return {"as_of": today.isoformat(), "divisions": rows,
            "note": "held = non-expired lots of the level's warehouses in the division (capacity.level); "
                    "share_met counts every ownership, government_share_met government stock only"}


# ---- rotation ------------------------------------------------------------------------------------


def rotation_plan(
    *, session: Session, user: perm.Principal, within_days: int = 90, replace_lead_days: int = 30
) -> dict[str, Any]:
    """Lots expiring within ``within_days`` (and expired ones) with a rotation action each:
    ``write_off`` (expired), ``replace`` (expires within ``replace_lead_days``: order the same
    quantity now so the reserve stays whole) or ``issue_first`` (dispatches take it first, FEFO;
    replace it when issued). Plus the replacement quantity per warehouse and item."""
    perm.require(user, "stock", "read")
    if within_days < 0 or replace_lead_days < 0:
        raise InvalidField("within_days", "must be >= 0")
    today = local_today()
    horizon = today + timedelta(days=within_days)
    rows = session.execute(
        select(StockLot, Facility, Item)
        .join(Facility, Facility.id == StockLot.warehouse_id)
        .join(Item, Item.id == StockLot.item_id)
        .where(stock_clause(user), StockLot.quantity > 0, StockLot.expires_on.is_not(None),
               StockLot.expires_on <= horizon)
        .order_by(StockLot.expires_on, StockLot.id)
    ).all()
    lots = []
    replace: dict[tuple[int, int], dict[str, Any]] = {}
    for lot, wh, it in rows:
        out = lot_out(lot, wh, it, today).model_dump(mode="json")
        days = out["days_to_expiry"]
        if days < 0:
            action = RotationAction.write_off
        elif days <= replace_lead_days:
            action = RotationAction.replace_now
        else:
            action = RotationAction.issue_first
        out["action"] = action.value
        out["action_label"] = action.label()
        out["replace_by"] = lot.expires_on.isoformat() if lot.expires_on else None
        lots.append(out)
        assert lot.expires_on is not None
        key = (wh.id, it.id)
        r = replace.setdefault(key, {"warehouse_id": wh.id, "warehouse": wh.name, "item_code": it.code,
                                     "item": it.name, "unit": it.unit, "quantity": 0,
                                     "needed_by": lot.expires_on.isoformat()})
        r["quantity"] += lot.quantity
    return {"as_of": today.isoformat(), "within_days": within_days, "replace_lead_days": replace_lead_days,
            "lots": lots, "replacements": list(replace.values())}
