"""Stock lots and their append-only ledger.

Every change of a lot's quantity goes through :func:`apply_move`: one conditional
``UPDATE stock_lots SET quantity = quantity + :delta WHERE id = :id [AND quantity >= :q]`` and the
move row, in the caller's transaction. The condition makes a concurrent overdraw impossible on
PostgreSQL (the second writer waits for the row lock and re-checks the condition on the committed
row) and on SQLite (one writer at a time; a writer whose snapshot is stale is refused, which we
report as 409); the ``CHECK (quantity >= 0)`` constraint backs it up in the database itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from yingji.auth import permissions as perm
from yingji.db.base import utcnow
from yingji.errors import Conflict, Forbidden, InvalidField, NotFound
from yingji.registry.models import Facility
from yingji.supplies import common
from yingji.supplies.common import as_dict, local_today, page_out, record, stock_clause
from yingji.supplies.enums import MoveKind, Ownership
from yingji.supplies.models import Item, StockLot, StockMove, SupplyRequest
from yingji.supplies.schemas import LotCreate, LotRead, LotUpdate, MoveCreate, MoveRead, TransferCreate

# ---- the ledger --------------------------------------------------------------------------------


def _refused(exc: Exception, what: str) -> Exception:
    """The 409 for a constraint or a concurrent writer; any other database error goes up unchanged."""
    mapped = common.busy_or_integrity(exc, what)
    if mapped is exc:
        raise exc
    return mapped


def apply_move(
    *,
    session: Session,
    lot_id: int,
    delta: int,
    kind: MoveKind,
    actor: Any,
    reason: str | None = None,
    request_id: int | None = None,
    dispatch_order_id: int | None = None,
    peer_lot_id: int | None = None,
) -> StockMove:
    """Change a lot's quantity by ``delta`` (signed) and append the move; never below zero.

    Raises :class:`Conflict` (writing nothing) when the lot holds less than ``-delta``, or when
    the database refuses the write (a concurrent writer on SQLite, a constraint).
    """
    if delta == 0:
        raise InvalidField("quantity", "must not be zero")
    cond = [StockLot.id == lot_id]
    if delta < 0:
        cond.append(StockLot.quantity >= -delta)
    stmt = (
        update(StockLot)
        .where(*cond)
        .values(quantity=StockLot.quantity + delta, updated_at=utcnow())
        .returning(StockLot.quantity)
    )
    try:
        new_qty = session.execute(stmt, execution_options={"synchronize_session": False}).scalar_one_or_none()
    except (OperationalError, IntegrityError) as exc:
        raise _refused(exc, f"stock lot {lot_id}") from None
    if new_qty is None:
        have = session.scalar(select(StockLot.quantity).where(StockLot.id == lot_id))
        if have is None:
            raise NotFound(f"stock lot {lot_id} not found")
        raise Conflict(f"quantity: stock lot {lot_id} holds {have}; cannot take {-delta}")
    cached = session.identity_map.get(identity_key(StockLot, lot_id))
    if cached is not None:
        set_committed_value(cached, "quantity", int(new_qty))
    move = StockMove(
        lot_id=lot_id,
        kind=str(kind),
        quantity=delta,
        balance_after=int(new_qty),
        reason=reason,
        at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "username", None) or "system",
        request_id=request_id,
        dispatch_order_id=dispatch_order_id,
        peer_lot_id=peer_lot_id,
    )
    session.add(move)
    try:
        session.flush()
    except (OperationalError, IntegrityError) as exc:
        raise _refused(exc, f"stock lot {lot_id}") from None
    return move


# ---- reading -------------------------------------------------------------------------------------


def lot_out(lot: StockLot, wh: Facility, it: Item, today: date | None = None) -> LotRead:
    today = today or local_today()
    days = (lot.expires_on - today).days if lot.expires_on is not None else None
    return LotRead(
        id=lot.id, warehouse_id=wh.id, warehouse=wh.name, division_code=wh.division_code, item_id=it.id,
        item_code=it.code, item=it.name, unit=it.unit, batch=lot.batch, produced_on=lot.produced_on,
        expires_on=lot.expires_on, days_to_expiry=days, expired=days is not None and days < 0,
        ownership=lot.ownership, holder_unit_id=lot.holder_unit_id, quantity=lot.quantity, notes=lot.notes,
        updated_at=lot.updated_at,
    )


def _lots_query(user: perm.Principal) -> Any:
    return (
        select(StockLot, Facility, Item)
        .join(Facility, Facility.id == StockLot.warehouse_id)
        .join(Item, Item.id == StockLot.item_id)
        .where(stock_clause(user))
    )


def list_lots(
    *,
    session: Session,
    user: perm.Principal,
    warehouse_id: int | None = None,
    item_id: int | None = None,
    item_code: str | None = None,
    ownership: str | None = None,
    division: str | None = None,
    expiring_within_days: int | None = None,
    include_empty: bool = False,
    page: int = 1,
    size: int = 100,
) -> dict[str, Any]:
    perm.require(user, "stock", "read")
    today = local_today()
    stmt = _filtered_lots(user, warehouse_id=warehouse_id, item_id=item_id, item_code=item_code,
                          ownership=ownership, division=division, expiring_within_days=expiring_within_days,
                          include_empty=include_empty, today=today)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(stmt.order_by(*LOT_ORDER).offset((page - 1) * size).limit(size)).all()
    return page_out([lot_out(lot, wh, it, today) for lot, wh, it in rows], total, page, size)


LOT_ORDER = (Facility.name, Item.code, StockLot.expires_on.is_(None), StockLot.expires_on, StockLot.id)


def _filtered_lots(
    user: perm.Principal, *, warehouse_id: int | None, item_id: int | None, item_code: str | None,
    ownership: str | None, division: str | None, expiring_within_days: int | None, include_empty: bool,
    today: date,
) -> Any:
    """(lot, warehouse, item) rows in the user's scope with the filters of the lots list."""
    stmt = _lots_query(user)
    if warehouse_id is not None:
        stmt = stmt.where(StockLot.warehouse_id == warehouse_id)
    if item_id is not None:
        stmt = stmt.where(StockLot.item_id == item_id)
    if item_code is not None:
        stmt = stmt.where(Item.code == item_code)
    if ownership is not None:
        if ownership not in {o.value for o in Ownership}:
            raise InvalidField("ownership", f"unknown ownership {ownership!r}")
        stmt = stmt.where(StockLot.ownership == ownership)
    if division is not None:
        stmt = stmt.where(Facility.division_code.like(perm.division_prefix(division) + "%"))
    if expiring_within_days is not None:
        stmt = stmt.where(StockLot.expires_on <= today + timedelta(days=expiring_within_days))
    if not include_empty:
        stmt = stmt.where(StockLot.quantity > 0)
    return stmt


def all_lots(
    *,
    session: Session,
    user: perm.Principal,
    warehouse_id: int | None = None,
    item_id: int | None = None,
    item_code: str | None = None,
    ownership: str | None = None,
    division: str | None = None,
    expiring_within_days: int | None = None,
    include_empty: bool = False,
) -> list[tuple[StockLot, Facility, Item]]:
    """Every lot the lots list would show (no paging), in its order: the rows of the stock export."""
    perm.require(user, "stock", "read")
    stmt = _filtered_lots(user, warehouse_id=warehouse_id, item_id=item_id, item_code=item_code,
                          ownership=ownership, division=division, expiring_within_days=expiring_within_days,
                          include_empty=include_empty, today=local_today())
    return [(lot, wh, it) for lot, wh, it in session.execute(stmt.order_by(*LOT_ORDER))]


def get_lot(*, session: Session, user: perm.Principal, lot_id: int) -> LotRead:
    perm.require(user, "stock", "read")
    return lot_out(*common.visible_lot(session, user, lot_id))


def list_moves(
    *, session: Session, user: perm.Principal, lot_id: int, page: int = 1, size: int = 100
) -> dict[str, Any]:
    perm.require(user, "stock", "read")
    common.visible_lot(session, user, lot_id)
    stmt = select(StockMove).where(StockMove.lot_id == lot_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(StockMove.id).offset((page - 1) * size).limit(size))
    return page_out([MoveRead.model_validate(m) for m in rows], total, page, size)


def stock_summary(
    *, session: Session, user: perm.Principal, division: str | None = None, item_code: str | None = None
) -> list[dict[str, Any]]:
    """Quantity per warehouse, item and ownership (non-expired and expired apart)."""
    perm.require(user, "stock", "read")
    today = local_today()
    expired = func.coalesce(func.sum(StockLot.quantity).filter(StockLot.expires_on < today), 0)
    stmt = (
        select(Facility.id, Facility.name, Facility.division_code, Item.code, Item.name, Item.unit,
               StockLot.ownership, func.sum(StockLot.quantity), expired)
        .select_from(StockLot)
        .join(Facility, Facility.id == StockLot.warehouse_id)
        .join(Item, Item.id == StockLot.item_id)
        .where(stock_clause(user))
        .group_by(Facility.id, Facility.name, Facility.division_code, Item.code, Item.name, Item.unit,
                  StockLot.ownership)
        .order_by(Facility.name, Item.code, StockLot.ownership)
    )
    if division is not None:
        stmt = stmt.where(Facility.division_code.like(perm.division_prefix(division) + "%"))
    if item_code is not None:
        stmt = stmt.where(Item.code == item_code)
    return [
        {"warehouse_id": w, "warehouse": wn, "division_code": dc, "item_code": ic, "item": iname, "unit": unit,
         "ownership": own, "quantity": int(q or 0), "expired": int(ex or 0)}
        for w, wn, dc, ic, iname, unit, own, q, ex in session.execute(stmt)
    ]


# ---- writing -------------------------------------------------------------------------------------


def _check_write(user: perm.Principal, action: str, wh: Facility, holder_unit_id: int | None) -> None:
    perm.require(user, "stock", action)
    if not common.stock_row_allowed(user, wh, holder_unit_id):
        if not perm.in_scope(user, wh.division_code):
            raise Forbidden(f"warehouse_id: warehouse {wh.id} is outside your division {user.division_code}")
        raise Forbidden(f"warehouse_id: a department user changes only stock of unit {user.unit_id}")


def create_lot(*, session: Session, user: perm.Principal, data: LotCreate) -> StockLot:
    """A new lot with its first receipt (one transaction: both or neither)."""
    perm.require(user, "stock", "create")
    wh = common.warehouse(session, data.warehouse_id)
    it = common.item(session, data.item_id)
    holder = data.holder_unit_id
    if holder is None and common.is_department(user):
        holder = user.unit_id
    common.unit_exists(session, holder, "holder_unit_id")
    _check_write(user, "create", wh, holder)
    expires = data.expires_on
    if expires is None and data.produced_on is not None and it.shelf_life_days:
        expires = data.produced_on + timedelta(days=it.shelf_life_days)
    dup = session.scalar(
        select(StockLot.id).where(StockLot.warehouse_id == wh.id, StockLot.item_id == it.id,
                                  StockLot.batch == data.batch, StockLot.ownership == data.ownership)
    )
    if dup is not None:
        raise Conflict(f"batch: lot {dup} already holds batch {data.batch!r} of this item here; "
                       "post a receipt to it instead")
    with session.begin_nested():
        lot = StockLot(
            warehouse_id=wh.id, item_id=it.id, batch=data.batch, produced_on=data.produced_on,
            expires_on=expires, ownership=str(data.ownership), holder_unit_id=holder, quantity=0,
            notes=data.notes,
        )
        session.add(lot)
        session.flush()
        apply_move(session=session, lot_id=lot.id, delta=data.quantity, kind=MoveKind.receipt, actor=user,
                   reason=data.reason or "入库（新批次）")
        record(session, user, "create", "stock_lots", lot.id, None, as_dict(lot))
    return lot


def update_lot(*, session: Session, user: perm.Principal, lot_id: int, data: LotUpdate) -> LotRead:
    perm.require(user, "stock", "read")
    lot, wh, it = common.visible_lot(session, user, lot_id)
    changes = data.model_dump(exclude_unset=True)
    if "batch" in changes and changes["batch"] is None:
        raise InvalidField("batch", "may not be null")
    _check_write(user, "update", wh, changes.get("holder_unit_id", lot.holder_unit_id))
    common.unit_exists(session, changes.get("holder_unit_id"), "holder_unit_id")
    produced = changes.get("produced_on", lot.produced_on)
    expires = changes.get("expires_on", lot.expires_on)
    if produced is not None and expires is not None and expires < produced:
        raise InvalidField("expires_on", f"must not be before produced_on ({produced.isoformat()})")
    before = as_dict(lot)
    for k, v in changes.items():
        setattr(lot, k, v)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise _refused(exc, f"stock lot {lot_id}") from None
    record(session, user, "update", "stock_lots", lot.id, before, as_dict(lot))
    return lot_out(lot, wh, it)


def _request_ref(session: Session, request_id: int | None) -> None:
    if request_id is not None and session.get(SupplyRequest, request_id) is None:
        raise InvalidField("request_id", f"unknown request {request_id}")


def post_move(*, session: Session, user: perm.Principal, lot_id: int, data: MoveCreate) -> StockMove:
    """A receipt, issue, adjustment or write-off on one lot, by the user, with its reason."""
    perm.require(user, "stock", "read")
    lot, wh, _ = common.visible_lot(session, user, lot_id)
    _check_write(user, "update", wh, lot.holder_unit_id)
    kind = MoveKind(data.kind)
    if kind in (MoveKind.adjustment, MoveKind.write_off) and not data.reason:
        raise InvalidField("reason", f"a {kind.value} needs a reason")
    if kind == MoveKind.issue and lot.expires_on is not None and lot.expires_on < local_today():
        raise Conflict(f"stock lot {lot_id} expired on {lot.expires_on.isoformat()}: write it off instead")
    _request_ref(session, data.request_id)
    delta = data.quantity if kind in (MoveKind.receipt, MoveKind.adjustment) else -data.quantity
    with session.begin_nested():
        move = apply_move(session=session, lot_id=lot.id, delta=delta, kind=kind, actor=user, reason=data.reason,
                          request_id=data.request_id)
        record(session, user, "create", "stock_moves", move.id, None, as_dict(move))
    return move


def transfer(*, session: Session, user: perm.Principal, lot_id: int, data: TransferCreate) -> list[StockMove]:
    """Move goods to another warehouse: out of this lot, into the destination's lot of the same item,
    batch and ownership (created when missing). Returns the two moves."""
    perm.require(user, "stock", "read")
    lot, wh, _ = common.visible_lot(session, user, lot_id)
    _check_write(user, "update", wh, lot.holder_unit_id)
    dest = common.warehouse(session, data.to_warehouse_id, "to_warehouse_id")
    if dest.id == wh.id:
        raise InvalidField("to_warehouse_id", "is the lot's own warehouse")
    if not perm.in_scope(user, dest.division_code):
        raise Forbidden(f"to_warehouse_id: warehouse {dest.id} is outside your division {user.division_code}")
    with session.begin_nested():
        target = session.scalar(
            select(StockLot).where(StockLot.warehouse_id == dest.id, StockLot.item_id == lot.item_id,
                                   StockLot.batch == lot.batch, StockLot.ownership == lot.ownership)
        )
        if target is None:
            target = StockLot(
                warehouse_id=dest.id, item_id=lot.item_id, batch=lot.batch, produced_on=lot.produced_on,
                expires_on=lot.expires_on, ownership=lot.ownership, holder_unit_id=lot.holder_unit_id,
                quantity=0, notes=f"调入自批次 {lot.id}",
            )
            session.add(target)
            session.flush()
            record(session, user, "create", "stock_lots", target.id, None, as_dict(target))
        out = apply_move(session=session, lot_id=lot.id, delta=-data.quantity, kind=MoveKind.transfer_out,
                         actor=user, reason=data.reason, peer_lot_id=target.id)
        inn = apply_move(session=session, lot_id=target.id, delta=data.quantity, kind=MoveKind.transfer_in,
                         actor=user, reason=data.reason, peer_lot_id=lot.id)
        for m in (out, inn):
            record(session, user, "create", "stock_moves", m.id, None, as_dict(m))
    return [out, inn]


def issue_fefo(
    *,
    session: Session,
    actor: Any,
    warehouse_id: int,
    item_id: int,
    quantity: int,
    ownerships: Sequence[str],
    dispatch_order_id: int | None = None,
    request_id: int | None = None,
    reason: str | None = None,
) -> list[tuple[StockLot, int]]:
    """Issue ``quantity`` of an item from a warehouse's lots, first expiry first out (lots without an
    expiry last; expired lots never). Returns (lot, quantity) per lot used; Conflict when short."""
    today = local_today()
    lots = list(
        session.scalars(
            select(StockLot)
            .where(StockLot.warehouse_id == warehouse_id, StockLot.item_id == item_id, StockLot.quantity > 0,
                   StockLot.ownership.in_(list(ownerships)),
                   or_(StockLot.expires_on.is_(None), StockLot.expires_on >= today))
            .order_by(StockLot.expires_on.is_(None), StockLot.expires_on, StockLot.id)
        )
    )
    left = quantity
    used: list[tuple[StockLot, int]] = []
    for lot in lots:
        if left == 0:
            break
        take = min(left, lot.quantity)
        try:
            apply_move(session=session, lot_id=lot.id, delta=-take, kind=MoveKind.issue, actor=actor, reason=reason,
                       request_id=request_id, dispatch_order_id=dispatch_order_id)
        except Conflict:
            # someone issued from this lot meanwhile: take what it holds now
            fresh = session.scalar(select(StockLot.quantity).where(StockLot.id == lot.id)) or 0
            take = min(left, int(fresh))
            if take == 0:
                continue
            apply_move(session=session, lot_id=lot.id, delta=-take, kind=MoveKind.issue, actor=actor, reason=reason,
                       request_id=request_id, dispatch_order_id=dispatch_order_id)
        used.append((lot, take))
        left -= take
    if left > 0:
        raise Conflict(f"quantity: warehouse {warehouse_id} holds only {quantity - left} of item {item_id} "
                       f"that can be issued; {quantity} asked")
    return used


def available(
    *, session: Session, ownerships: Sequence[str], item_ids: Sequence[int] | None = None
) -> dict[tuple[int, int], int]:
    """Issuable quantity per (warehouse id, item id): non-expired lots of the given ownerships in
    in-service warehouses (the whole city: allocation plans from every warehouse)."""
    today = local_today()
    stmt = (
        select(StockLot.warehouse_id, StockLot.item_id, func.sum(StockLot.quantity))
        .join(Facility, Facility.id == StockLot.warehouse_id)
        .where(Facility.status == "in_service", StockLot.quantity > 0, StockLot.ownership.in_(list(ownerships)),
               or_(StockLot.expires_on.is_(None), StockLot.expires_on >= today))
        .group_by(StockLot.warehouse_id, StockLot.item_id)
    )
    if item_ids is not None:
        stmt = stmt.where(StockLot.item_id.in_(list(item_ids)))
    return {(int(w), int(i)): int(q) for w, i, q in session.execute(stmt)}
