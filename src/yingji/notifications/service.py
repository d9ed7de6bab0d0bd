"""Channels and subscriptions (CRUD), matching warning changes to recipients, the queue.

At import this module subscribes to :mod:`yingji.warnings.hooks`: each committed warning change is
turned into queued :class:`NotificationDelivery` rows right after the commit (in a new session of
the factory given to :func:`configure`; before that they wait in memory). Sending
happens outside the request, in :func:`yingji.notifications.delivery.deliver_pending`.

The person on duty is always told of orange and red (level ≤ 2), whatever the subscriptions.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

import yingji.notifications.permissions  # noqa: F401  (registers the grants)
from yingji.audit import service as audit
from yingji.auth import permissions as perm
from yingji.auth.enums import Role
from yingji.db.base import utcnow
from yingji.errors import Conflict, InvalidField, NotFound
from yingji.notifications.channels import ADDRESSED, public_config
from yingji.notifications.models import NotificationChannel, NotificationDelivery, NotificationSubscription
from yingji.notifications.schemas import (
    ChannelCreate,
    ChannelUpdate,
    SubscriptionCreate,
    SubscriptionUpdate,
)
from yingji.warnings import hooks
from yingji.warnings.hooks import WarningChange

log = logging.getLogger("yingji.notifications")
CHANNELS, SUBS, DELIVERIES = "notification_channels", "notification_subscriptions", "notification_deliveries"
DUTY_LEVEL = 2  # orange and red always reach the person on duty
LEVEL_NAMES = {1: "红色", 2: "橙色", 3: "黄色", 4: "蓝色"}
KIND_NAMES = {"raised": "发布", "escalated": "升级", "de_escalated": "降级", "updated": "更新",
              "acknowledged": "确认", "lifted": "解除", "expired": "过期"}
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+$")
PHONE_RE = re.compile(r"^\+?[0-9][0-9\- ]{4,30}$")


# ---------------------------------------------------------------- channels

def channel_dict(c: NotificationChannel) -> dict[str, Any]:
    d = c.to_dict()
    d["config"] = public_config(c.config or {})
    return d


def list_channels(*, session: Session, user: perm.Principal) -> list[NotificationChannel]:
    perm.require(user, CHANNELS, "read")
    return list(session.scalars(select(NotificationChannel).order_by(NotificationChannel.id)))


def get_channel(*, session: Session, user: perm.Principal, channel_id: int) -> NotificationChannel:
    perm.require(user, CHANNELS, "read")
    c = session.get(NotificationChannel, channel_id)
    if c is None:
        raise NotFound(f"notification channel {channel_id} not found")
    return c


def create_channel(*, session: Session, user: perm.Principal, data: ChannelCreate) -> NotificationChannel:
    perm.require(user, CHANNELS, "create")
    if session.scalar(select(NotificationChannel.id).where(NotificationChannel.name == data.name)):
        raise Conflict(f"name: a channel named {data.name!r} exists")
    c = NotificationChannel(name=data.name, kind=data.kind, config=dict(data.config), active=data.active)
    session.add(c)
    session.flush()
    audit.record(session=session, actor=user, action="create", entity_type=CHANNELS, entity_id=c.id,
                 before=None, after=channel_dict(c))
    return c


def update_channel(*, session: Session, user: perm.Principal, channel_id: int, data: ChannelUpdate
                   ) -> NotificationChannel:
    perm.require(user, CHANNELS, "update")
    c = get_channel(session=session, user=user, channel_id=channel_id)
    before = channel_dict(c)
    values = data.model_dump(exclude_unset=True)
    if "config" in values and values["config"] is not None:
        from yingji.notifications.schemas import _check_config
        try:
            _check_config(c.kind, values["config"])
        except ValueError as e:
            raise InvalidField("config", str(e)) from e
    for k, v in values.items():
        if v is not None:
            setattr(c, k, v)
    session.flush()
    audit.record(session=session, actor=user, action="update", entity_type=CHANNELS, entity_id=c.id,
                 before=before, after=channel_dict(c))
    return c


def delete_channel(*, session: Session, user: perm.Principal, channel_id: int) -> None:
    perm.require(user, CHANNELS, "delete")
    c = get_channel(session=session, user=user, channel_id=channel_id)
    if session.scalar(select(NotificationSubscription.id).where(NotificationSubscription.channel_id == c.id)):
        raise Conflict(f"channel {c.id} has subscriptions; delete them or set active: false")
    audit.record(session=session, actor=user, action="delete", entity_type=CHANNELS, entity_id=c.id,
                 before=channel_dict(c), after=None)
    session.delete(c)
    session.flush()


# ---------------------------------------------------------------- subscriptions

def _check_subscription(session: Session, user: perm.Principal, values: dict[str, Any], action: str) -> None:
    perm.require_row(user, SUBS, action, values)
    channel = session.get(NotificationChannel, values["channel_id"])
    if channel is None:
        raise InvalidField("channel_id", f"no notification channel {values['channel_id']}")
    recipient = values.get("recipient")
    if channel.kind == "email" and not (recipient and EMAIL_RE.match(recipient)):
        raise InvalidField("recipient", "an e-mail channel needs an e-mail address, e.g. duty@example.org")
    if channel.kind == "sms" and not (recipient and PHONE_RE.match(recipient)):
        raise InvalidField("recipient", "an SMS channel needs a phone number, e.g. 13800000000")
    if channel.kind not in ADDRESSED and recipient:
        raise InvalidField("recipient", f"a {channel.kind} channel sends to its URL; leave recipient empty")


def _sub_query(user: perm.Principal) -> Select[Any]:
    stmt = select(NotificationSubscription).where(perm.scope_clause(user, NotificationSubscription.division_code))
    if user.role == Role.department:
        stmt = stmt.where(NotificationSubscription.unit_id == user.unit_id)
    return stmt


def list_subscriptions(*, session: Session, user: perm.Principal, division: str | None = None,
                       level: int | None = None, role: str | None = None, cause: str | None = None,
                       channel_id: int | None = None, page: int = 1, size: int = 50
                       ) -> tuple[list[NotificationSubscription], int]:
    """``division``: subscriptions that would see a warning there (their division or above);
    ``level``: that would be told of a warning of this level."""
    perm.require(user, SUBS, "read")
    S = NotificationSubscription
    stmt: Select[Any] = _sub_query(user)
    if division:
        stmt = stmt.where(S.division_code.in_(_ancestors(division)))
    if level is not None:
        stmt = stmt.where(S.min_level >= level)
    if role:
        stmt = stmt.where(S.role == role)
    if cause:
        stmt = stmt.where(or_(S.cause.is_(None), S.cause == cause))
    if channel_id:
        stmt = stmt.where(S.channel_id == channel_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(S.id).offset((page - 1) * size).limit(size))
    return list(rows), total


def _ancestors(code: str) -> list[str]:
    """The division and the divisions above it (GB/T 2260): 371581 → 371581, 371500, 370000."""
    out = [code]
    if len(code) > 6:
        out.append(code[:6])
    six = code[:6]
    if not six.endswith("00"):
        out.append(six[:4] + "00")
    if not six.endswith("0000"):
        out.append(six[:2] + "0000")
    return list(dict.fromkeys(out))


def get_subscription(*, session: Session, user: perm.Principal, subscription_id: int) -> NotificationSubscription:
    perm.require(user, SUBS, "read")
    s = session.scalar(_sub_query(user).where(NotificationSubscription.id == subscription_id))
    if s is None:
        raise NotFound(f"subscription {subscription_id} not found")
    return s


def create_subscription(*, session: Session, user: perm.Principal, data: SubscriptionCreate
                        ) -> NotificationSubscription:
    perm.require(user, SUBS, "create")
    values = data.model_dump()
    if values["unit_id"] is None and user.role == Role.department:
        values["unit_id"] = user.unit_id
    values["role"] = values["role"] or str(user.role)
    _check_subscription(session, user, values, "create")
    s = NotificationSubscription(**values, created_by=user.username)
    session.add(s)
    session.flush()
    audit.record(session=session, actor=user, action="create", entity_type=SUBS, entity_id=s.id,
                 before=None, after=s.to_dict())
    return s


def update_subscription(*, session: Session, user: perm.Principal, subscription_id: int,
                        data: SubscriptionUpdate) -> NotificationSubscription:
    perm.require(user, SUBS, "update")
    s = get_subscription(session=session, user=user, subscription_id=subscription_id)
    before = s.to_dict()
    perm.require_row(user, SUBS, "update", before)
    values = {**before, **data.model_dump(exclude_unset=True)}
    for key in ("name", "division_code", "min_level", "kinds", "channel_id", "active"):
        if values.get(key) is None:
            raise InvalidField(key, "may not be null")
    _check_subscription(session, user, values, "update")
    for k in data.model_dump(exclude_unset=True):
        setattr(s, k, values[k])
    session.flush()
    audit.record(session=session, actor=user, action="update", entity_type=SUBS, entity_id=s.id,
                 before=before, after=s.to_dict())
    return s


def delete_subscription(*, session: Session, user: perm.Principal, subscription_id: int) -> None:
    perm.require(user, SUBS, "delete")
    s = get_subscription(session=session, user=user, subscription_id=subscription_id)
    perm.require_row(user, SUBS, "delete", s.to_dict())
    audit.record(session=session, actor=user, action="delete", entity_type=SUBS, entity_id=s.id,
                 before=s.to_dict(), after=None)
    session.delete(s)
    session.flush()


# ---------------------------------------------------------------- deliveries (log)

def list_deliveries(*, session: Session, user: perm.Principal, warning_id: int | None = None,
                    status: str | None = None, page: int = 1, size: int = 50
                    ) -> tuple[list[NotificationDelivery], int]:
    perm.require(user, DELIVERIES, "read")
    D = NotificationDelivery
    stmt = select(D)
    if user.division_code is not None:
        stmt = stmt.where(perm.scope_clause(user, D.division_code))
    if user.role == Role.department:
        stmt = stmt.where(D.unit_id == user.unit_id)
    if warning_id is not None:
        stmt = stmt.where(D.warning_id == warning_id)
    if status:
        stmt = stmt.where(D.status == status)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(D.id).offset((page - 1) * size).limit(size))
    return list(rows), total


# ---------------------------------------------------------------- matching and queueing

def matches(sub: NotificationSubscription, change: WarningChange) -> bool:
    return (sub.active
            and change.division_code.startswith(perm.division_prefix(sub.division_code))
            and change.level <= sub.min_level
            and change.kind in (sub.kinds or [])
            and (sub.source_type is None or sub.source_type == change.source_type)
            and (sub.cause is None or sub.cause == change.cause))


def render(change: WarningChange) -> tuple[str, str]:
    level = LEVEL_NAMES.get(change.level, str(change.level))
    subject = f"【{level}预警{KIND_NAMES.get(change.kind, change.kind)}】{change.headline}"
    lines = [f"- 级别：{level}（{change.level}级）"]
    if change.previous_level is not None and change.previous_level != change.level:
        lines.append(f"- 原级别：{LEVEL_NAMES.get(change.previous_level, change.previous_level)}")
    lines += [f"- 状态：{change.status}", f"- 区划：{change.division_code}", f"- 原因：{change.cause}",
              f"- 来源：{change.source_type} {change.source_id}", f"- 时间：{change.at.isoformat()}",
              f"- 预警编号：{change.warning_id}"]
    return subject, "\n".join(lines)


def _change_data(change: WarningChange) -> dict[str, Any]:
    return {"warning_id": change.warning_id, "kind": change.kind, "level": change.level,
            "previous_level": change.previous_level, "status": change.status, "headline": change.headline,
            "division_code": change.division_code, "source_type": change.source_type,
            "source_id": change.source_id, "cause": change.cause, "at": change.at.isoformat()}


def _delivery(change: WarningChange | None, **kw: Any) -> NotificationDelivery:
    now = kw.pop("now")
    d = NotificationDelivery(status=kw.pop("status", "pending"), attempts=0, log=[], created_at=now, **kw)
    if change is not None:
        d.warning_id, d.change_kind = change.warning_id, change.kind
    if d.status == "pending":
        d.next_attempt_at = now
    return d


def _first_channel(session: Session, kind: str) -> NotificationChannel | None:
    return session.scalar(select(NotificationChannel).where(NotificationChannel.kind == kind,
                                                            NotificationChannel.active.is_(True))
                          .order_by(NotificationChannel.id))


DutyTargets = list[tuple[Any, Any]]  # (DutyShift, Contact | None), the warning's division upwards


def _duty_targets(session: Session, division_code: str, now: datetime) -> DutyTargets:
    """The shifts on duty now in the division and above, each with its officer's contact record."""
    from yingji.incidents.models import DutyShift
    from yingji.registry.models import Contact

    shifts = list(session.scalars(select(DutyShift).where(
        DutyShift.division_code.in_(_ancestors(division_code)),
        and_(DutyShift.starts_at <= now, DutyShift.ends_at > now)).order_by(DutyShift.division_code.desc())))
    contacts: dict[tuple[str, str], Any] = {}
    if shifts:
        for c in session.scalars(select(Contact).where(Contact.name.in_({s.officer_name for s in shifts}))
                                 .order_by(Contact.id)):
            contacts.setdefault((c.name, c.division_code), c)
    return [(s, contacts.get((s.officer_name, s.division_code))) for s in shifts]


def _duty_deliveries(change: WarningChange, subject: str, body: str, now: datetime, targets: DutyTargets,
                     first_active: dict[str, NotificationChannel]) -> list[NotificationDelivery]:
    data = _change_data(change)
    base = dict(reason="duty", division_code=change.division_code, subject=subject, body=body, data=data, now=now)
    if not targets:
        return [_delivery(change, channel_kind="none", status="no_contact",
                          last_error="no duty shift covers this time in the warning's division or above", **base)]
    out: list[NotificationDelivery] = []
    for shift, contact in targets:
        email = contact.email if contact is not None else None
        phone = shift.phone or (contact.phone_mobile if contact is not None else None)
        who = f"{shift.officer_name} (shift {shift.id}, {shift.division_code})"
        found = False
        if email:
            ch = first_active.get("email")
            out.append(_delivery(change, channel_id=ch.id if ch else None, channel_kind="email", recipient=email,
                                 **{**base, "data": {**data, "duty_shift_id": shift.id, "officer": who}}))
            found = True
        if phone:
            ch = first_active.get("sms")
            if ch is not None:
                out.append(_delivery(change, channel_id=ch.id, channel_kind="sms", recipient=phone,
                                     **{**base, "data": {**data, "duty_shift_id": shift.id, "officer": who}}))
                found = True
        if not found:
            out.append(_delivery(change, channel_kind="none", status="no_contact", recipient=shift.officer_name,
                                 last_error=f"duty officer {who} has no e-mail"
                                 + (" and no SMS channel is configured" if phone else " or phone"),
                                 **{**base, "data": {**data, "duty_shift_id": shift.id}}))
    return out


def queue_changes(session: Session, changes: Iterable[WarningChange], now: datetime | None = None
                  ) -> list[NotificationDelivery]:
    """Queue the deliveries for warning changes (in ``session``'s transaction; not committed)."""
    now = now or utcnow()
    subs = list(session.scalars(select(NotificationSubscription).where(NotificationSubscription.active.is_(True))))
    channels = {c.id: c for c in session.scalars(select(NotificationChannel).order_by(NotificationChannel.id))}
    first_active: dict[str, NotificationChannel] = {}
    for c in channels.values():
        if c.active:
            first_active.setdefault(c.kind, c)
    duty: dict[str, DutyTargets] = {}  # by division: a batch of changes asks once per division
    out: list[NotificationDelivery] = []
    for change in changes:
        subject, body = render(change)
        if change.level <= DUTY_LEVEL and change.kind in ("raised", "escalated"):
            if change.division_code not in duty:
                duty[change.division_code] = _duty_targets(session, change.division_code, now)
            out += _duty_deliveries(change, subject, body, now, duty[change.division_code], first_active)
        for sub in subs:
            ch = channels.get(sub.channel_id)
            if ch is None or not ch.active or not matches(sub, change):
                continue
            out.append(_delivery(change, reason="subscription", subscription_id=sub.id, channel_id=ch.id,
                                 channel_kind=ch.kind, division_code=change.division_code, unit_id=sub.unit_id,
                                 recipient=sub.recipient, subject=subject, body=body, data=_change_data(change),
                                 now=now))
    session.add_all(out)
    session.flush()
    return out


def queue_message(session: Session, *, channel_kind: str, recipient: str | None, subject: str, body: str,
                  reason: str = "direct", division_code: str | None = None, unit_id: int | None = None,
                  data: dict[str, Any] | None = None, now: datetime | None = None) -> NotificationDelivery:
    """Queue one message through the first active channel of ``channel_kind`` (e-mail falls back
    to the SMTP environment settings); without a recipient it is logged as ``no_contact``."""
    now = now or utcnow()
    ch = _first_channel(session, channel_kind)
    needs_address = channel_kind in ADDRESSED
    status = "no_contact" if (needs_address and not recipient) or (ch is None and channel_kind != "email") \
        else "pending"
    d = _delivery(None, reason=reason, channel_id=ch.id if ch else None, channel_kind=channel_kind,
                  division_code=division_code, unit_id=unit_id, recipient=recipient, subject=subject[:300],
                  body=body, data=data or {}, status=status,
                  last_error=None if status == "pending" else "no recipient address or channel", now=now)
    session.add(d)
    session.flush()
    return d


# ---------------------------------------------------------------- the warnings hook

_factory: list[Callable[[], Session]] = []
_backlog: list[WarningChange] = []
_lock = threading.Lock()
BACKLOG_MAX = 10_000


def configure(session_factory: Callable[[], Session] | None) -> None:
    """Which sessions the hook queues deliveries with. Every process that writes warnings calls it
    with its sessionmaker — the app factory, and the CLI processes (``yingji ingest mqtt|sweep``,
    ``yingji warnings poll``, ``yingji demo simulate``) through :func:`install_for_cli`; tests with
    theirs. Until then changes wait in memory (see :func:`drain_backlog`)."""
    with _lock:
        _factory.clear()
        if session_factory is not None:
            _factory.append(session_factory)


def clear_backlog() -> int:
    """Forget the changes waiting in memory (tests; a process that will not configure a factory)."""
    with _lock:
        n = len(_backlog)
        _backlog.clear()
    return n


def drain_backlog(session: Session) -> int:
    """Queue the changes that arrived while no session factory was configured (in ``session``)."""
    with _lock:
        changes = list(_backlog)
        _backlog.clear()
    if changes:
        queue_changes(session, changes)
    return len(changes)


def on_warning_changes(changes: list[WarningChange]) -> None:
    """Hook subscriber: queue deliveries in a new transaction right after the warning commit."""
    with _lock:
        factory = _factory[0] if _factory else None
        if factory is None:
            if len(_backlog) < BACKLOG_MAX:
                _backlog.extend(changes[: BACKLOG_MAX - len(_backlog)])
            else:
                log.warning("notification backlog full; %d warning change(s) not queued", len(changes))
            return
    with factory() as session:
        try:
            queue_changes(session, changes)
            session.commit()
        except Exception:
            session.rollback()
            log.exception("could not queue notifications for %d warning change(s)", len(changes))


hooks.subscribe(on_warning_changes)


def install_for_cli(session_factory: Callable[[], Session]) -> None:
    """A CLI process that raises or changes warnings: importing this module subscribes the hook,
    and the factory lets it queue the deliveries (sent by ``yingji notify deliver``)."""
    configure(session_factory)
