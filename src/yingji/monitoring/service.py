"""Sensor use cases: CRUD (scoped, authorised, audited), status, series.

Services never commit: the request or CLI command that calls them owns the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

import yingji.monitoring.permissions  # noqa: F401  (registers the grants)
from yingji.audit import service as audit
from yingji.auth import permissions as perm
from yingji.common.persist import flush_or_conflict, text_search
from yingji.common.schemas import is_digits
from yingji.db.base import utcnow
from yingji.engines.rules import RuleError, effective_rules, kind_defaults, rule_to_dict, silence_rule
from yingji.errors import Conflict, InvalidField, NotFound
from yingji.monitoring.enums import SensorKind
from yingji.monitoring.models import Reading, Sensor
from yingji.monitoring.schemas import SensorCreate, SensorRead, SensorUpdate
from yingji.registry.models import Division, Facility, Unit
from yingji.risk import service as risk_service

RESOURCE = "sensors"
MAX_INT = 2**31 - 1


def silence_s(*, kind: str, rules: list[dict[str, Any]] | None, silence_minutes: int | None) -> float | None:
    """Seconds of silence after which the sensor is offline (None: never judged) — the limit of the
    silence rule the sweep applies (:func:`yingji.engines.rules.silence_rule`)."""
    rule = silence_rule(kind, rules, silence_minutes)
    return rule.silence_s if rule is not None else None


def status_of(sensor: Sensor, now: datetime | None = None) -> str:
    if not sensor.active:
        return "inactive"
    if sensor.last_reading_at is None:
        return "offline"
    limit = silence_s(kind=sensor.kind, rules=sensor.rules, silence_minutes=sensor.silence_minutes)
    now = now or utcnow()
    if limit is None or now - sensor.last_reading_at <= timedelta(seconds=limit):
        return "online"
    return "offline"


def read_dict(sensor: Sensor, now: datetime | None = None) -> dict[str, Any]:
    out = SensorRead.model_validate(sensor).model_dump(mode="json")
    out["status"] = status_of(sensor, now)
    return out


def check_rules(kind: str, rules: list[dict[str, Any]] | None) -> None:
    try:
        effective_rules(kind, rules)
    except RuleError as exc:
        loc: list[str | int] = [int(p) if is_digits(p) else p for p in exc.field.split(".")]
        raise InvalidField(loc, exc.message) from None


def effective(sensor: Sensor) -> list[dict[str, Any]]:
    return [rule_to_dict(r) | {"cause": r.cause} for r in effective_rules(sensor.kind, sensor.rules)]


@dataclass(frozen=True)
class Filters:
    division: str | None = None
    kind: str | None = None
    hazard_source_id: int | None = None
    active: bool | None = None
    q: str | None = None


def _query(user: perm.Principal, f: Filters) -> Select[Any]:
    stmt = select(Sensor).where(perm.scope_clause(user, Sensor.division_code))
    if f.division:
        stmt = stmt.where(Sensor.division_code.like(perm.division_prefix(f.division) + "%"))
    if f.kind:
        if f.kind not in {k.value for k in SensorKind}:
            raise InvalidField("kind", f"unknown kind {f.kind!r}; one of {', '.join(k.value for k in SensorKind)}")
        stmt = stmt.where(Sensor.kind == f.kind)
    if f.hazard_source_id is not None:
        stmt = stmt.where(Sensor.hazard_source_id == f.hazard_source_id)
    if f.active is not None:
        stmt = stmt.where(Sensor.active == f.active)
    if f.q:
        stmt = stmt.where(text_search(f.q, Sensor.name, Sensor.code))
    return stmt


def list_sensors(*, session: Session, user: perm.Principal, filters: Filters, page: int = 1, size: int = 50
                 ) -> tuple[list[Sensor], int]:
    perm.require(user, RESOURCE, "read")
    stmt = _query(user, filters)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    return list(session.scalars(stmt.order_by(Sensor.id).offset((page - 1) * size).limit(size))), total


def all_sensors(*, session: Session, user: perm.Principal, filters: Filters) -> list[Sensor]:
    perm.require(user, RESOURCE, "read")
    return list(session.scalars(_query(user, filters).order_by(Sensor.id).limit(100_000)))


def get_sensor(*, session: Session, user: perm.Principal, sensor_id: int) -> Sensor:
    perm.require(user, RESOURCE, "read")
    s = session.get(Sensor, sensor_id) if 0 < sensor_id <= MAX_INT else None
    if s is None or not perm.in_scope(user, s.division_code):
        raise NotFound(f"sensor {sensor_id} not found")
    return s


def _check_refs(session: Session, user: perm.Principal, values: dict[str, Any]) -> None:
    errors: list[tuple[list[str | int], str]] = []
    if "division_code" in values and session.get(Division, values["division_code"]) is None:
        errors.append((["division_code"], f"unknown division {values['division_code']}"))
    if values.get("unit_id") is not None and session.get(Unit, values["unit_id"]) is None:
        errors.append((["unit_id"], f"unknown unit {values['unit_id']}"))
    if values.get("facility_id") is not None and session.get(Facility, values["facility_id"]) is None:
        errors.append((["facility_id"], f"unknown facility {values['facility_id']}"))
    if values.get("hazard_source_id") is not None:
        where = risk_service.located(session=session, hazard_id=values["hazard_source_id"])
        if where is None or not perm.in_scope(user, where[0]):
            errors.append((["hazard_source_id"], f"unknown hazard source {values['hazard_source_id']}"))
    if errors:
        raise InvalidField.many(errors)


def _flush(session: Session) -> None:
    flush_or_conflict(session, "sensor")


def create_sensor(*, session: Session, user: perm.Principal, data: SensorCreate) -> Sensor:
    perm.require(user, RESOURCE, "create")
    values = data.model_dump(mode="json")
    if user.role == "department" and values.get("unit_id") is None:
        values["unit_id"] = user.unit_id
    perm.require_row(user, RESOURCE, "create", values)
    _check_refs(session, user, values)
    check_rules(values["kind"], values["rules"])
    values["unit"] = values.get("unit") or kind_defaults()[values["kind"]].unit
    if session.scalar(select(Sensor.id).where(Sensor.code == values["code"])) is not None:
        raise Conflict(f"sensor code {values['code']} already exists")
    s = Sensor(**values)
    session.add(s)
    _flush(session)
    audit.record(session=session, actor=user, action="create", entity_type=RESOURCE, entity_id=s.id,
                 before=None, after=s.to_dict())
    return s


def update_sensor(*, session: Session, user: perm.Principal, sensor_id: int, data: SensorUpdate) -> Sensor:
    s = get_sensor(session=session, user=user, sensor_id=sensor_id)
    perm.require(user, RESOURCE, "update")
    before = s.to_dict()
    perm.require_row(user, RESOURCE, "update", before)
    changes = data.model_dump(mode="json", exclude_unset=True)
    nulled = [k for k in ("name", "kind", "unit", "division_code", "lon", "lat", "rules", "active")
              if k in changes and changes[k] is None]
    if nulled:
        raise InvalidField.many([([k], "may not be null") for k in nulled])
    perm.require_row(user, RESOURCE, "update", {**before, **changes})
    _check_refs(session, user, changes)
    check_rules(changes.get("kind", s.kind), changes.get("rules", s.rules))
    for k, v in changes.items():
        setattr(s, k, v)
    _flush(session)
    after = s.to_dict()
    if after != before:
        audit.record(session=session, actor=user, action="update", entity_type=RESOURCE, entity_id=s.id,
                     before=before, after=after)
    return s


def delete_sensor(*, session: Session, user: perm.Principal, sensor_id: int) -> None:
    s = get_sensor(session=session, user=user, sensor_id=sensor_id)
    perm.require(user, RESOURCE, "delete")
    before = s.to_dict()
    perm.require_row(user, RESOURCE, "delete", before)
    if session.scalar(select(Reading.id).where(Reading.sensor_id == s.id).limit(1)) is not None:
        raise Conflict(f"sensor {sensor_id} has readings; set active=false instead of deleting it")
    session.delete(s)
    _flush(session)
    audit.record(session=session, actor=user, action="delete", entity_type=RESOURCE, entity_id=sensor_id,
                 before=before, after=None)


def readings(*, session: Session, user: perm.Principal, sensor_id: int, since: datetime | None,
             until: datetime | None, limit: int = 1000) -> list[Reading]:
    """Readings of a sensor, oldest first, at most ``limit`` (the latest ones when cut)."""
    s = get_sensor(session=session, user=user, sensor_id=sensor_id)
    perm.require(user, "readings", "read")
    stmt = select(Reading).where(Reading.sensor_id == s.id)
    if since is not None:
        stmt = stmt.where(Reading.ts >= since)
    if until is not None:
        stmt = stmt.where(Reading.ts < until)
    rows = list(session.scalars(stmt.order_by(Reading.ts.desc()).limit(limit)))
    return rows[::-1]


def to_feature(sensor: Sensor, now: datetime | None = None) -> dict[str, Any]:
    props = read_dict(sensor, now)
    props.pop("lon")
    props.pop("lat")
    colour = {"online": "#2ca02c", "offline": "#d62728", "inactive": "#7f7f7f"}[props["status"]]
    props.update(kind_zh=SensorKind(sensor.kind).label("zh"), **{"marker-color": colour},
                 style={"color": colour, "fillColor": colour})
    return {"type": "Feature", "id": sensor.id, "geometry": {"type": "Point", "coordinates": [sensor.lon, sensor.lat]},
            "properties": props}
