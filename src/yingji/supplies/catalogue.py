"""The item catalogue and the default data files (catalogue, norms, reserve levels)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.auth import permissions as perm
from yingji.common.persist import flush_or_conflict, text_search
from yingji.errors import Conflict, InvalidField, NotFound
from yingji.supplies.common import as_dict, page_out, record
from yingji.supplies.enums import ItemCategory
from yingji.supplies.models import Item, ReserveLevel, StockLot, SupplyNorm, SupplyRequestLine
from yingji.supplies.schemas import ItemCreate, ItemRead, ItemUpdate, LevelUpdate, NormCreate

DATA_DIR = Path(__file__).resolve().parent / "data"


@lru_cache
def default_catalogue() -> dict[str, Any]:
    """``data/catalogue.json``: the default item catalogue."""
    data: dict[str, Any] = json.loads((DATA_DIR / "catalogue.json").read_text(encoding="utf-8"))
    return data


@lru_cache
def default_norms() -> dict[str, Any]:
    """``data/norms.json``: the default relief profile, reserve standards and levels, with sources."""
    data: dict[str, Any] = json.loads((DATA_DIR / "norms.json").read_text(encoding="utf-8"))
    return data


def default_deadline_s() -> float:
    return float(default_norms()["deadline_hours"]) * 3600.0


def _flush(session: Session, what: str) -> None:
    flush_or_conflict(session, what)


def list_items(
    *, session: Session, user: perm.Principal, category: str | None = None, q: str | None = None,
    page: int = 1, size: int = 100,
) -> dict[str, Any]:
    perm.require(user, "supply_items", "read")
    stmt = select(Item)
    if category is not None:
        if category not in {c.value for c in ItemCategory}:
            raise InvalidField("category", f"unknown category {category!r}")
        stmt = stmt.where(Item.category == category)
    if q:
        stmt = stmt.where(text_search(q, Item.name, Item.code, Item.name_en))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Item.category, Item.code).offset((page - 1) * size).limit(size))
    return page_out([ItemRead.model_validate(r) for r in rows], total, page, size)


def get_item(*, session: Session, user: perm.Principal, item_id: int) -> Item:
    perm.require(user, "supply_items", "read")
    it = session.get(Item, item_id)
    if it is None:
        raise NotFound(f"item {item_id} not found")
    return it


def create_item(*, session: Session, user: perm.Principal, data: ItemCreate) -> Item:
    perm.require(user, "supply_items", "create")
    for field in ("code", "name"):
        value = getattr(data, field)
        if session.scalar(select(Item.id).where(getattr(Item, field) == value)) is not None:
            raise Conflict(f"{field}: an item {value!r} already exists")
    it = Item(**data.model_dump(mode="json"))
    session.add(it)
    _flush(session, "item")
    record(session, user, "create", "supply_items", it.id, None, as_dict(it))
    return it


def update_item(*, session: Session, user: perm.Principal, item_id: int, data: ItemUpdate) -> Item:
    it = get_item(session=session, user=user, item_id=item_id)
    perm.require(user, "supply_items", "update")
    changes = data.model_dump(mode="json", exclude_unset=True)
    for k in ("name", "category", "unit"):
        if k in changes and changes[k] is None:
            raise InvalidField(k, "may not be null")
    before = as_dict(it)
    for k, v in changes.items():
        setattr(it, k, v)
    _flush(session, "item")
    after = as_dict(it)
    if after != before:
        record(session, user, "update", "supply_items", it.id, before, after)
    return it


def delete_item(*, session: Session, user: perm.Principal, item_id: int) -> None:
    it = get_item(session=session, user=user, item_id=item_id)
    perm.require(user, "supply_items", "delete")
    for model in (StockLot, SupplyNorm, SupplyRequestLine):
        if session.scalar(select(model.id).where(model.item_id == item_id).limit(1)) is not None:
            raise Conflict(f"item {item_id} is still used by stock lots, norms or requests")
    before = as_dict(it)
    session.delete(it)
    _flush(session, "item")
    record(session, user, "delete", "supply_items", item_id, before, None)


def load_defaults(*, session: Session, user: perm.Principal) -> dict[str, int]:
    """Insert the default catalogue, norms and reserve levels that are missing (by item code,
    profile + item, level); never overwrites what the city has edited. Returns counts added."""
    perm.require(user, "supply_items", "create")
    perm.require(user, "supply_norms", "create")
    added = {"items": 0, "norms": 0, "levels": 0}
    by_code = {i.code: i for i in session.scalars(select(Item))}
    names = {i.name for i in by_code.values()}
    for raw in default_catalogue()["items"]:
        if raw["code"] in by_code or raw["name"] in names:
            continue
        it = Item(**ItemCreate.model_validate(raw).model_dump(mode="json"))
        session.add(it)
        session.flush()
        by_code[it.code] = it
        added["items"] += 1
        record(session, user, "create", "supply_items", it.id, None, as_dict(it))
    data = default_norms()
    have = {(n.profile, n.item_id) for n in session.scalars(select(SupplyNorm))}
    for raw in data["norms"]:
        target = by_code.get(raw["item"])
        if target is None or (raw["profile"], target.id) in have:
            continue
        values = {k: v for k, v in raw.items() if k != "item"}
        norm_in = NormCreate.model_validate({**values, "item_id": target.id})
        norm = SupplyNorm(**norm_in.model_dump(mode="json"))
        session.add(norm)
        session.flush()
        added["norms"] += 1
        record(session, user, "create", "supply_norms", norm.id, None, as_dict(norm))
    for raw in data["levels"]:
        if session.get(ReserveLevel, raw["level"]) is None:
            lv_in = LevelUpdate.model_validate({k: v for k, v in raw.items() if k != "level"})
            lv = ReserveLevel(level=raw["level"], **lv_in.model_dump(mode="json"))
            session.add(lv)
            session.flush()
            added["levels"] += 1
            record(session, user, "create", "reserve_levels", lv.level, None, as_dict(lv))
    return added
