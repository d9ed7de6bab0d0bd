"""Warning use cases: raise (rules, by hand, import), change level, acknowledge, lift, expire.

One active warning per (source, cause): the ``active_key`` column is unique while a warning is
active, so a second raise for the same source and cause updates the first. Every change appends a
:class:`~yingji.warnings.models.WarningEvent`, is audited, and is queued for the subscribers of
:mod:`yingji.warnings.hooks` (delivered after commit). Services never commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

import yingji.warnings.permissions  # noqa: F401  (registers the grants)
from yingji.audit import service as audit
from yingji.auth import permissions as perm
from yingji.common.geo import AREA, check_geometry
from yingji.common.schemas import is_digits
from yingji.db.base import utcnow
from yingji.errors import Conflict, InvalidField, NotFound
from yingji.registry.models import Division, Unit
from yingji.risk import service as risk_service
from yingji.warnings import hooks
from yingji.warnings.enums import LEVELS
from yingji.warnings.models import EarlyWarning, WarningEvent
from yingji.warnings.schemas import WarningCreate, WarningUpdate

RESOURCE = "warnings"
MAX_INT = 2**31 - 1


def _name(actor: Any) -> str:
    return str(getattr(actor, "username", None) or "system")


def active_key(source_type: str, source_id: str, cause: str) -> str:
    return f"{source_type}:{source_id}:{cause}"


def level_label(level: int, lang: str = "zh") -> str:
    return LEVELS[level][1] if lang.startswith("zh") else LEVELS[level][2]


def colour(level: int) -> str:
    return LEVELS[level][0]


def read_dict(w: EarlyWarning) -> dict[str, Any]:
    from yingji.warnings.schemas import WarningRead

    out = WarningRead.model_validate(w).model_dump(mode="json")
    out["colour"] = colour(w.level)
    out["incident_id"] = linked_incident(w)
    return out


def to_feature(w: EarlyWarning) -> dict[str, Any]:
    """The warning on the map: its area (else its point), styled in its level's colour."""
    props = read_dict(w)
    geometry = props.pop("area") or (None if w.lon is None else {"type": "Point", "coordinates": [w.lon, w.lat]})
    c = LEVELS[w.level][3]
    props.update(level_zh=LEVELS[w.level][1], **{"marker-color": c, "stroke": c, "fill": c, "fill-opacity": 0.3},
                 style={"color": c, "fillColor": c, "fillOpacity": 0.3, "weight": 2})
    return {"type": "Feature", "id": w.id, "geometry": geometry, "properties": props}


def _snapshot(w: EarlyWarning) -> dict[str, Any]:
    d = w.to_dict()
    d.pop("cap_xml", None)
    return d


def _record(session: Session, w: EarlyWarning, kind: str, *, actor: Any, level_from: int | None,
            note: str | None = None, at: datetime | None = None, before: dict[str, Any] | None = None) -> None:
    at = at or utcnow()
    session.add(WarningEvent(warning_id=w.id, at=at, kind=kind, level_from=level_from, level_to=w.level,
                             version=w.version, actor=_name(actor), note=note[:500] if note else None))
    audit.record(session=session, actor=actor, action="create" if kind == "raised" else "update",
                 entity_type=RESOURCE, entity_id=w.id, before=before, after=_snapshot(w))
    hooks.queue(session, hooks.WarningChange(
        warning_id=w.id, kind=kind, level=w.level, previous_level=level_from, status=w.status,
        division_code=w.division_code, headline=w.headline, source_type=w.source_type, source_id=w.source_id,
        cause=w.cause, at=at,
    ))


# ---- the state machine ---------------------------------------------------------------------------


def raise_warning(
    *, session: Session, actor: Any, origin: str, source_type: str, source_id: str, cause: str, level: int,
    event: str, headline: str, division_code: str, category: str = "Other", description: str | None = None,
    instruction: str | None = None, unit_id: int | None = None, sensor_id: int | None = None,
    hazard_source_id: int | None = None, lon: float | None = None, lat: float | None = None,
    area: dict[str, Any] | None = None, area_desc: str | None = None, geocodes: Sequence[str] | None = None,
    details: dict[str, Any] | None = None, onset: datetime | None = None, expires_at: datetime | None = None,
    cap_status: str = "Actual", at: datetime | None = None, note: str | None = None, record: bool = True,
) -> EarlyWarning:
    """Create a new active warning (the caller has checked there is none for this key).

    ``record=False`` leaves flushing and :func:`record_raised` to the caller, so that many new
    warnings are written with one flush (rules on a large batch)."""
    at = at or utcnow()
    w = EarlyWarning(
        source_type=source_type, source_id=source_id, cause=cause,
        active_key=active_key(source_type, source_id, cause), origin=origin, level=level, peak_level=level,
        status="active", cap_status=cap_status, category=category, event=event[:200], headline=headline[:300],
        description=description, instruction=instruction, division_code=division_code, unit_id=unit_id,
        sensor_id=sensor_id, hazard_source_id=hazard_source_id, lon=lon, lat=lat, area=area,
        area_desc=(area_desc or division_code)[:300], geocodes=list(geocodes or [division_code]),
        details=details or {}, onset=onset, expires_at=expires_at, raised_at=at, updated_at=at, version=1,
        created_by=_name(actor),
    )
    session.add(w)
    if record:
        session.flush()
        record_raised(session=session, warning=w, actor=actor, note=note)
    return w


def record_raised(*, session: Session, warning: EarlyWarning, actor: Any, note: str | None = None) -> None:
    """History, audit and hook entry of a raise (the warning must have its id: flushed)."""
    _record(session, warning, "raised", actor=actor, level_from=None, note=note, at=warning.raised_at)


def change_level(*, session: Session, warning: EarlyWarning, level: int, actor: Any, note: str | None = None,
                 at: datetime | None = None) -> bool:
    """Escalate (to a smaller level number) or de-escalate; escalation needs a new acknowledgement."""
    if warning.status != "active":
        raise Conflict(f"warning {warning.id} is {warning.status}; only an active warning changes level")
    if level == warning.level:
        return False
    at = at or utcnow()
    before = _snapshot(warning)
    previous = warning.level
    warning.level = level
    warning.peak_level = min(warning.peak_level, level)
    warning.version += 1
    warning.updated_at = at
    if level < previous:
        warning.acknowledged_at = None
        warning.acknowledged_by = None
    _record(session, warning, "escalated" if level < previous else "de_escalated", actor=actor,
            level_from=previous, note=note, at=at, before=before)
    return True


def end(*, session: Session, warning: EarlyWarning, actor: Any, reason: str, kind: str = "lifted",
        at: datetime | None = None) -> None:
    """Lift (or expire) an active warning; its source and cause are free for a new warning."""
    if warning.status != "active":
        raise Conflict(f"warning {warning.id} is already {warning.status}")
    at = at or utcnow()
    before = _snapshot(warning)
    warning.status = "lifted" if kind == "lifted" else "expired"
    warning.active_key = None
    warning.version += 1
    warning.updated_at = at
    if kind == "lifted":
        warning.lifted_at = at
        warning.lifted_by = _name(actor)
        warning.lift_reason = reason[:300]
    _record(session, warning, kind, actor=actor, level_from=warning.level, note=reason[:500], at=at, before=before)


def find_active(*, session: Session, source_type: str, source_id: str, cause: str) -> EarlyWarning | None:
    return session.scalars(select(EarlyWarning).where(
        EarlyWarning.active_key == active_key(source_type, source_id, cause))).first()


def active_for_sources(*, session: Session, source_type: str, source_ids: Iterable[str]
                       ) -> dict[tuple[str, str], EarlyWarning]:
    """Active warnings of these sources, keyed by (source_id, cause)."""
    ids = list(dict.fromkeys(source_ids))
    out: dict[tuple[str, str], EarlyWarning] = {}
    for i in range(0, len(ids), 500):
        rows = session.scalars(select(EarlyWarning).where(
            EarlyWarning.status == "active", EarlyWarning.source_type == source_type,
            EarlyWarning.source_id.in_(ids[i:i + 500])))
        for w in rows:
            out[(w.source_id, w.cause)] = w
    return out


# ---- rule signals (from monitoring) --------------------------------------------------------------


@dataclass
class RuleSignal:
    """What the rules engine concluded for one sensor and one rule over a batch.

    Levels are warning levels (1 red … 4 blue; None = no warning). ``peak_level`` is the worst
    level reached on the new readings, ``final_level`` the level after the last one."""

    sensor_id: int
    sensor_code: str
    sensor_name: str
    kind_zh: str
    unit: str
    category: str
    division_code: str
    unit_id: int | None
    hazard_source_id: int | None
    lon: float
    lat: float
    cause: str
    rule_type: str
    final_level: int | None
    peak_level: int | None
    value: float | None
    at: datetime
    auto_lift: bool = True
    details: dict[str, Any] = field(default_factory=dict)


_RULE_ZH = {"threshold": "超阈值", "rate": "变化速率超限", "sustained": "持续超阈值", "silence": "数据中断"}


def _raise_for(session: Session, signal: RuleSignal, now: datetime) -> EarlyWarning:
    assert signal.peak_level is not None
    what = _RULE_ZH.get(signal.rule_type, signal.rule_type)
    value_txt = "" if signal.value is None else f"，监测值 {signal.value:.4g} {signal.unit}"
    area = risk_service.area_of(session=session, hazard_id=signal.hazard_source_id) \
        if signal.hazard_source_id else None
    return raise_warning(
        session=session, actor=None, origin="rule", source_type="sensor", source_id=str(signal.sensor_id),
        cause=signal.cause, level=signal.peak_level, event=f"{signal.kind_zh}{what}",
        headline=f"{signal.sensor_name}{signal.kind_zh}{what}：{level_label(signal.peak_level)}{value_txt}",
        division_code=signal.division_code, category=signal.category, unit_id=signal.unit_id,
        sensor_id=signal.sensor_id, hazard_source_id=signal.hazard_source_id, lon=signal.lon, lat=signal.lat,
        area=area, area_desc=signal.sensor_name,
        details={"rule": signal.rule_type, "value": signal.value, "unit": signal.unit,
                 "sensor": signal.sensor_code, **signal.details},
        onset=signal.at, at=now, record=False,
    )


def apply_signals(*, session: Session, signals: Sequence[tuple[RuleSignal, EarlyWarning | None]],
                  now: datetime | None = None) -> list[EarlyWarning | None]:
    """Raise, escalate, de-escalate or lift each sensor's warning for its rule. New warnings of
    the whole batch are written with one flush."""
    now = now or utcnow()
    warnings_: list[EarlyWarning | None] = []
    fresh: list[EarlyWarning] = []
    for signal, active in signals:
        if active is None and signal.peak_level is not None:
            active = _raise_for(session, signal, now)
            fresh.append(active)
        warnings_.append(active)
    if fresh:
        session.flush()
        for new in fresh:
            record_raised(session=session, warning=new, actor=None, note=f"rule {new.cause}")
    for (signal, _), current in zip(signals, warnings_, strict=True):
        if current is not None:
            _follow(session, signal, current, now)
    return warnings_


def apply_signal(*, session: Session, signal: RuleSignal, active: EarlyWarning | None,
                 now: datetime | None = None) -> EarlyWarning | None:
    """One signal (see :func:`apply_signals`)."""
    return apply_signals(session=session, signals=[(signal, active)], now=now)[0]


def _follow(session: Session, signal: RuleSignal, w: EarlyWarning, now: datetime) -> None:
    peak, final = signal.peak_level, signal.final_level
    if peak is not None and peak < w.level and w.status == "active":
        change_level(session=session, warning=w, level=peak, actor=None, note=f"rule {signal.cause}", at=now)
    if final is None:
        if signal.auto_lift and w.status == "active":
            end(session=session, warning=w, actor=None, reason="condition cleared (rule)", at=now)
        return
    if w.status == "active" and final != w.level:
        change_level(session=session, warning=w, level=final, actor=None, note=f"rule {signal.cause}", at=now)
    if signal.value is not None and w.status == "active":
        w.details = {**(w.details or {}), "value": signal.value, "at": signal.at.isoformat()}


def expire_due(*, session: Session, now: datetime | None = None) -> list[EarlyWarning]:
    """Expire every active warning whose ``expires_at`` has passed."""
    now = now or utcnow()
    due = list(session.scalars(select(EarlyWarning).where(
        EarlyWarning.status == "active", EarlyWarning.expires_at.is_not(None), EarlyWarning.expires_at <= now)))
    for w in due:
        end(session=session, warning=w, actor=None, reason="expired", kind="expired", at=now)
    return due


# ---- the API's use cases -------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    status: str | None = None
    level: int | None = None
    division: str | None = None
    origin: str | None = None
    source_type: str | None = None
    source_id: str | None = None
    sensor_id: int | None = None
    hazard_source_id: int | None = None
    cause: str | None = None
    since: datetime | None = None


def _query(user: perm.Principal, f: Filters) -> Select[Any]:
    stmt = select(EarlyWarning).where(perm.scope_clause(user, EarlyWarning.division_code))
    if f.status:
        if f.status not in ("active", "lifted", "expired"):
            raise InvalidField("status", "one of active, lifted, expired")
        stmt = stmt.where(EarlyWarning.status == f.status)
    if f.level is not None:
        stmt = stmt.where(EarlyWarning.level == f.level)
    if f.division:
        stmt = stmt.where(EarlyWarning.division_code.like(perm.division_prefix(f.division) + "%"))
    for col, val in ((EarlyWarning.origin, f.origin), (EarlyWarning.source_type, f.source_type),
                     (EarlyWarning.source_id, f.source_id), (EarlyWarning.cause, f.cause),
                     (EarlyWarning.sensor_id, f.sensor_id), (EarlyWarning.hazard_source_id, f.hazard_source_id)):
        if val is not None:
            stmt = stmt.where(col == val)
    if f.since is not None:
        stmt = stmt.where(EarlyWarning.updated_at >= f.since)
    return stmt


def list_warnings(*, session: Session, user: perm.Principal, filters: Filters, page: int = 1, size: int = 50
                  ) -> tuple[list[EarlyWarning], int]:
    perm.require(user, RESOURCE, "read")
    stmt = _query(user, filters)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(EarlyWarning.level, EarlyWarning.updated_at.desc(), EarlyWarning.id.desc())
                           .offset((page - 1) * size).limit(size))
    return list(rows), total


def active_in_scope(*, session: Session, user: perm.Principal, limit: int = 1000) -> list[EarlyWarning]:
    perm.require(user, RESOURCE, "read")
    stmt = _query(user, Filters(status="active")).where(EarlyWarning.cap_status == "Actual")
    return list(session.scalars(stmt.order_by(EarlyWarning.updated_at.desc()).limit(limit)))


def get_warning(*, session: Session, user: perm.Principal, warning_id: int) -> EarlyWarning:
    perm.require(user, RESOURCE, "read")
    w = session.get(EarlyWarning, warning_id) if 0 < warning_id <= MAX_INT else None
    if w is None or not perm.in_scope(user, w.division_code):
        raise NotFound(f"warning {warning_id} not found")
    return w


def events(*, session: Session, user: perm.Principal, warning_id: int) -> list[WarningEvent]:
    w = get_warning(session=session, user=user, warning_id=warning_id)
    return list(session.scalars(select(WarningEvent).where(WarningEvent.warning_id == w.id)
                                .order_by(WarningEvent.at, WarningEvent.id)))


def _writable(session: Session, user: perm.Principal, warning_id: int, action: str = "update") -> EarlyWarning:
    w = get_warning(session=session, user=user, warning_id=warning_id)
    perm.require(user, RESOURCE, action)
    perm.require_row(user, RESOURCE, action, {"division_code": w.division_code, "unit_id": w.unit_id})
    return w


def _check_times(onset: datetime | None, expires: datetime | None, now: datetime) -> None:
    if expires is not None and expires <= now:
        raise InvalidField("expires_at", "must lie in the future")
    if onset is not None and expires is not None and expires <= onset:
        raise InvalidField("expires_at", "must be after onset")


def create_manual(*, session: Session, user: perm.Principal, data: WarningCreate) -> tuple[EarlyWarning, bool]:
    """Issue a warning by hand; returns (warning, created). An active warning of the same source
    (hazard source, else division) and cause is updated instead (level and texts)."""
    perm.require(user, RESOURCE, "create")
    unit_id = data.unit_id if data.unit_id is not None else (user.unit_id if user.role == "department" else None)
    perm.require_row(user, RESOURCE, "create", {"division_code": data.division_code, "unit_id": unit_id})
    errors: list[tuple[list[str | int], str]] = []
    if session.get(Division, data.division_code) is None:
        errors.append((["division_code"], f"unknown division {data.division_code}"))
    if unit_id is not None and session.get(Unit, unit_id) is None:
        errors.append((["unit_id"], f"unknown unit {unit_id}"))
    lonlat = None
    if data.hazard_source_id is not None:
        lonlat = risk_service.located(session=session, hazard_id=data.hazard_source_id)
        if lonlat is None or not perm.in_scope(user, lonlat[0]):
            errors.append((["hazard_source_id"], f"unknown hazard source {data.hazard_source_id}"))
    for i, code in enumerate(data.geocodes or []):
        if not is_digits(code) or len(code) not in (6, 9, 12):
            errors.append((["geocodes", i], "a GB/T 2260 code of 6, 9 or 12 digits"))
    if errors:
        raise InvalidField.many(errors)
    area = check_geometry(data.area, "area", AREA)
    if area is None and data.hazard_source_id is not None:
        area = risk_service.area_of(session=session, hazard_id=data.hazard_source_id)
    now = utcnow()
    _check_times(data.onset, data.expires_at, now)
    source_type, source_id = (("hazard_source", str(data.hazard_source_id)) if data.hazard_source_id is not None
                              else ("division", data.division_code))
    existing = find_active(session=session, source_type=source_type, source_id=source_id, cause=data.cause)
    if existing is not None:
        upd = WarningUpdate(level=data.level, headline=data.headline, description=data.description,
                            instruction=data.instruction, area=area, expires_at=data.expires_at,
                            note="re-issued")
        return update_warning(session=session, user=user, warning_id=existing.id, data=upd), False
    div = session.get(Division, data.division_code)
    w = raise_warning(
        session=session, actor=user, origin="manual", source_type=source_type, source_id=source_id,
        cause=data.cause, level=data.level, event=data.event or data.headline, headline=data.headline,
        division_code=data.division_code, category=data.category, description=data.description,
        instruction=data.instruction, unit_id=unit_id, hazard_source_id=data.hazard_source_id,
        lon=lonlat[1] if lonlat else (div.lon if div else None),
        lat=lonlat[2] if lonlat else (div.lat if div else None),
        area=area, area_desc=data.area_desc or (div.name if div else data.division_code),
        geocodes=data.geocodes or [data.division_code], onset=data.onset, expires_at=data.expires_at,
        cap_status="Exercise" if data.exercise else "Actual", at=now,
    )
    return w, True


def update_warning(*, session: Session, user: perm.Principal, warning_id: int, data: WarningUpdate) -> EarlyWarning:
    w = _writable(session, user, warning_id)
    if w.status != "active":
        raise Conflict(f"warning {warning_id} is {w.status}; lifted and expired warnings are history")
    changes = data.model_dump(exclude_unset=True)
    note = changes.pop("note", None)
    level = changes.pop("level", None)
    if "area" in changes:
        changes["area"] = check_geometry(changes["area"], "area", AREA)
    if changes.get("expires_at") is not None:
        _check_times(w.onset, changes["expires_at"], utcnow())
    if "headline" in changes and changes["headline"] is None:
        raise InvalidField("headline", "may not be null")
    now = utcnow()
    if level is not None:
        change_level(session=session, warning=w, level=level, actor=user, note=note, at=now)
    texts = {k: v for k, v in changes.items() if getattr(w, k) != v}
    if texts:
        before = _snapshot(w)
        for k, v in texts.items():
            setattr(w, k, v)
        w.version += 1
        w.updated_at = now
        session.flush()
        _record(session, w, "updated", actor=user, level_from=w.level, note=note or ", ".join(sorted(texts)),
                at=now, before=before)
    return w


def acknowledge(*, session: Session, user: perm.Principal, warning_id: int, note: str | None = None) -> EarlyWarning:
    w = _writable(session, user, warning_id)
    if w.status != "active":
        raise Conflict(f"warning {warning_id} is {w.status}")
    if w.acknowledged_at is not None:
        return w
    before = _snapshot(w)
    w.acknowledged_at = utcnow()
    w.acknowledged_by = _name(user)
    session.flush()
    _record(session, w, "acknowledged", actor=user, level_from=w.level, note=note, before=before)
    return w


def lift(*, session: Session, user: perm.Principal, warning_id: int, reason: str | None) -> EarlyWarning:
    w = _writable(session, user, warning_id)
    if not reason:
        raise InvalidField("reason", "give the reason for lifting the warning")
    end(session=session, warning=w, actor=user, reason=reason)
    return w


def linked_incident(warning: EarlyWarning) -> int | None:
    """The incident this warning was escalated to (``details.incident_id``), if any."""
    value = (warning.details or {}).get("incident_id")
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else None


def _escalator() -> hooks.IncidentEscalator | None:
    fn = hooks.incident_escalator()
    if fn is None:
        # A process that has not imported the incidents package yet (a CLI command, a worker):
        # importing it registers the escalator. Absent package: refused below.
        import importlib

        try:
            importlib.import_module("yingji.incidents")
        except ImportError:
            return None
        fn = hooks.incident_escalator()
    return fn


def escalate_to_incident(*, session: Session, user: perm.Principal, warning_id: int,
                         data_dir: Any = None) -> Any:
    """Escalate a warning to an incident in one step (see :mod:`yingji.incidents.escalation`).

    Returns the incident id. A warning already escalated returns its incident (nothing new is
    created); the link is kept both ways — ``details.incident_id`` here, a timeline line naming
    the warning there. Refused (409) when no escalator is registered (no incidents module)."""
    w = _writable(session, user, warning_id)
    fn = _escalator()
    if fn is None:
        raise Conflict("escalation to an incident needs the incidents module, which is not installed")
    # lock the warning row (PostgreSQL) so that two concurrent escalations create one incident
    session.refresh(w, with_for_update=True)
    existing = linked_incident(w)
    if existing is not None:
        return existing
    kwargs: dict[str, Any] = {"session": session, "warning": w, "actor": user}
    if data_dir is not None:
        kwargs["data_dir"] = data_dir
    incident_id = fn(**kwargs)
    if isinstance(incident_id, int) and not isinstance(incident_id, bool):
        before = _snapshot(w)
        w.details = {**(w.details or {}), "incident_id": incident_id}
        session.flush()
        session.add(WarningEvent(warning_id=w.id, at=utcnow(), kind="incident", level_from=w.level,
                                 level_to=w.level, version=w.version, actor=_name(user),
                                 note=f"升级为事件 #{incident_id}"))
        audit.record(session=session, actor=user, action="update", entity_type=RESOURCE, entity_id=w.id,
                     before=before, after=_snapshot(w))
    return incident_id


def cap_history(*, session: Session, warning: EarlyWarning) -> list[tuple[int, datetime]]:
    """(version, time) of each published version, oldest first (for CAP ``references``)."""
    return cap_histories(session=session, warning_ids=[warning.id]).get(warning.id, [])


def cap_histories(*, session: Session, warning_ids: list[int]) -> dict[int, list[tuple[int, datetime]]]:
    """:func:`cap_history` of several warnings in one query (the Atom feed)."""
    out: dict[int, list[tuple[int, datetime]]] = {}
    if not warning_ids:
        return out
    rows = session.execute(
        select(WarningEvent.warning_id, WarningEvent.version, func.min(WarningEvent.at))
        .where(WarningEvent.warning_id.in_(warning_ids))
        .group_by(WarningEvent.warning_id, WarningEvent.version)
        .order_by(WarningEvent.warning_id, WarningEvent.version))
    for wid, v, at in rows:
        out.setdefault(int(wid), []).append((int(v), at))
    return out

