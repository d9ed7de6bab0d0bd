"""Registry use cases: list, read, create, update, delete — scoped, authorised and audited.

Services never commit: the request or CLI command that calls them owns the transaction.
"""

from __future__ import annotations

import enum
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Select, and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.auth import permissions as perm
from yingji.common.persist import flush_or_conflict, text_search
from yingji.errors import Conflict, InvalidField, NotFound
from yingji.registry.models import Division, Team, Unit
from yingji.registry.schemas import MAX_INT
from yingji.registry.specs import RegistrySpec


@dataclass(frozen=True)
class ListFilters:
    division: str | None = None
    kind: str | None = None
    status: str | None = None
    q: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    unit_id: int | None = None


def _base_query(spec: RegistrySpec, user: perm.Principal) -> Select[Any]:
    model = spec.model
    return select(model).where(perm.scope_clause(user, getattr(model, spec.division_attr)))


def _db_int(value: Any) -> bool:
    """Whether ``value`` can be compared with an INTEGER column (larger ints crash the driver)."""
    return isinstance(value, int) and -MAX_INT - 1 <= value <= MAX_INT


def _choices(spec: RegistrySpec, field: str) -> list[str]:
    """The allowed values of an enum field of the registry's create schema ([] when not an enum)."""
    annotation = spec.create.model_fields[field].annotation
    for cand in (annotation, *typing.get_args(annotation)):
        if isinstance(cand, type) and issubclass(cand, enum.Enum):
            return [str(m.value) for m in cand]
    return []


def check_filter_values(spec: RegistrySpec, filters: ListFilters) -> None:
    """Refuse a kind or status filter that no record can have (a typo would otherwise list nothing)."""
    checks = (("kind", spec.kind_field, filters.kind), ("status", spec.status_field, filters.status))
    for param, field, value in checks:
        choices = _choices(spec, field) if field and value else []
        if choices and value not in choices:
            raise InvalidField(param, f"unknown {field} {value!r}; one of {', '.join(choices)}")


def _apply_filters(stmt: Select[Any], spec: RegistrySpec, f: ListFilters) -> Select[Any]:
    model = spec.model
    if f.division:
        stmt = stmt.where(getattr(model, spec.division_attr).like(perm.division_prefix(f.division) + "%"))
    if f.kind:
        if spec.kind_field is None:
            raise InvalidField("kind", f"{spec.name} have no kind")
        stmt = stmt.where(getattr(model, spec.kind_field) == f.kind)
    if f.status:
        if spec.status_field is None:
            raise InvalidField("status", f"{spec.name} have no status")
        stmt = stmt.where(getattr(model, spec.status_field) == f.status)
    if f.unit_id is not None and hasattr(model, "unit_id"):
        if not _db_int(f.unit_id):
            raise InvalidField("unit_id", f"unknown unit {f.unit_id}")
        stmt = stmt.where(model.unit_id == f.unit_id)  # type: ignore[attr-defined]
    if f.q:
        stmt = stmt.where(text_search(f.q, *(getattr(model, c) for c in spec.search)))
    if f.bbox:
        if not spec.located:
            raise InvalidField("bbox", f"{spec.name} are not located")
        a, b, c, d = f.bbox
        lon, lat = model.lon, model.lat  # type: ignore[attr-defined]
        stmt = stmt.where(and_(lon >= a, lon <= c, lat >= b, lat <= d))
    return stmt


def list_records(
    *, session: Session, spec: RegistrySpec, user: perm.Principal, filters: ListFilters,
    page: int = 1, size: int = 50,
) -> tuple[list[Any], int]:
    perm.require(user, spec.name, "read")
    stmt = _apply_filters(_base_query(spec, user), spec, filters)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    pk = getattr(spec.model, spec.pk)
    rows = session.scalars(stmt.order_by(pk).offset((page - 1) * size).limit(size))
    return list(rows), total


def all_records(
    *, session: Session, spec: RegistrySpec, user: perm.Principal, filters: ListFilters, limit: int = 100_000
) -> list[Any]:
    """Every matching record (for exports and map layers), in key order."""
    perm.require(user, spec.name, "read")
    stmt = _apply_filters(_base_query(spec, user), spec, filters)
    return list(session.scalars(stmt.order_by(getattr(spec.model, spec.pk)).limit(limit)))


def _coerce_pk(spec: RegistrySpec, key: Any) -> Any:
    if spec.pk == "id":
        try:
            key = int(key)
        except (TypeError, ValueError):
            raise NotFound(f"{spec.name} {key!r} not found") from None
        if not _db_int(key):
            raise NotFound(f"{spec.name} {key} not found")
        return key
    return str(key)


def get_record(*, session: Session, spec: RegistrySpec, user: perm.Principal, key: Any) -> Any:
    """Load one record; a record outside the user's scope is reported as not found."""
    perm.require(user, spec.name, "read")
    obj = session.get(spec.model, _coerce_pk(spec, key))
    if obj is None or not perm.in_scope(user, getattr(obj, spec.division_attr)):
        raise NotFound(f"{spec.name} {key} not found")
    return obj


def _check_references(session: Session, values: dict[str, Any]) -> None:
    errors: list[tuple[list[str | int], str]] = []
    code = values.get("division_code")
    if code is not None and session.get(Division, code) is None:
        errors.append((["division_code"], f"unknown division {code}"))
    parent = values.get("parent_code")
    if parent is not None and session.get(Division, parent) is None:
        errors.append((["parent_code"], f"unknown division {parent}"))
    unit_id = values.get("unit_id")
    if unit_id is not None and (not _db_int(unit_id) or session.get(Unit, unit_id) is None):
        errors.append((["unit_id"], f"unknown unit {unit_id}"))
    team_id = values.get("team_id")
    if team_id is not None and (not _db_int(team_id) or session.get(Team, team_id) is None):
        errors.append((["team_id"], f"unknown team {team_id}"))
    if errors:
        raise InvalidField.many(errors)


def _flush(session: Session, what: str) -> None:
    flush_or_conflict(session, what)


def prepare_create(
    *, session: Session, spec: RegistrySpec, user: perm.Principal, data: BaseModel
) -> dict[str, Any]:
    """Authorise and validate values for a new record (without writing)."""
    perm.require(user, spec.name, "create")
    values = data.model_dump(mode="json")
    if user.role == "department" and "unit_id" in values and values.get("unit_id") is None:
        values["unit_id"] = user.unit_id
    if spec.name == "divisions":
        values["division_code"] = values["code"]
    perm.require_row(user, spec.name, "create", values)
    values.pop("division_code", None) if spec.name == "divisions" else None
    _check_references(session, values)
    if spec.validate:
        values = spec.validate(values)
    return values


def create_record(*, session: Session, spec: RegistrySpec, user: perm.Principal, data: BaseModel) -> Any:
    values = prepare_create(session=session, spec=spec, user=user, data=data)
    if spec.pk != "id" and session.get(spec.model, values[spec.pk]) is not None:
        raise Conflict(f"{spec.name} {values[spec.pk]} already exists")
    obj = spec.model(**values)
    session.add(obj)
    _flush(session, spec.name)
    audit.record(session=session, actor=user, action="create", entity_type=spec.name,
                 entity_id=getattr(obj, spec.pk), before=None, after=obj.to_dict())
    return obj


def _row_values(spec: RegistrySpec, obj: Any) -> dict[str, Any]:
    values = obj.to_dict()
    if spec.name == "divisions":
        values["division_code"] = values["code"]
    return values


def update_record(
    *, session: Session, spec: RegistrySpec, user: perm.Principal, key: Any, data: BaseModel
) -> Any:
    obj = get_record(session=session, spec=spec, user=user, key=key)
    perm.require(user, spec.name, "update")
    before = obj.to_dict()
    perm.require_row(user, spec.name, "update", _row_values(spec, obj))
    changes = data.model_dump(mode="json", exclude_unset=True)
    columns = spec.model.__table__.columns
    nulled = [k for k, v in changes.items() if v is None and k in columns and not columns[k].nullable]
    if nulled:  # "field": null in a PATCH would otherwise reach the database as a NOT NULL violation
        raise InvalidField.many([([k], "may not be null") for k in nulled])
    merged = {**before, **changes}
    if spec.name == "divisions":
        merged["division_code"] = merged["code"]
    perm.require_row(user, spec.name, "update", merged)
    if spec.name == "divisions":
        merged.pop("division_code")
    _check_references(session, {k: v for k, v in changes.items()})
    if spec.validate:
        merged = spec.validate(merged)
    for k in changes:
        setattr(obj, k, merged[k])
    if spec.validate:
        for k, v in merged.items():
            if k in before and before[k] != v and k not in changes:
                setattr(obj, k, v)
    _flush(session, spec.name)
    after = obj.to_dict()
    if after != before:
        audit.record(session=session, actor=user, action="update", entity_type=spec.name,
                     entity_id=getattr(obj, spec.pk), before=before, after=after)
    return obj


def delete_record(*, session: Session, spec: RegistrySpec, user: perm.Principal, key: Any) -> None:
    obj = get_record(session=session, spec=spec, user=user, key=key)
    perm.require(user, spec.name, "delete")
    perm.require_row(user, spec.name, "delete", _row_values(spec, obj))
    before = obj.to_dict()
    entity_id = getattr(obj, spec.pk)
    session.delete(obj)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(f"{spec.name} {entity_id} is still referenced by other records") from None
    audit.record(session=session, actor=user, action="delete", entity_type=spec.name,
                 entity_id=entity_id, before=before, after=None)


def find_by_natural_key(
    *, session: Session, spec: RegistrySpec, values: dict[str, Any], user: perm.Principal | None = None
) -> Any | None:
    """The record with these natural-key values; with ``user``, only among the records in its scope
    (so that another county's record with the same key is neither revealed nor matched)."""
    conds = [getattr(spec.model, k) == values.get(k) if values.get(k) is not None
             else getattr(spec.model, k).is_(None) for k in spec.natural_key]
    stmt = _base_query(spec, user) if user is not None else select(spec.model)
    return session.scalars(stmt.where(*conds).order_by(getattr(spec.model, spec.pk)).limit(1)).first()


def to_feature(spec: RegistrySpec, obj: Any) -> dict[str, Any]:
    from yingji.common.geo import point_feature

    props = spec.read.model_validate(obj).model_dump(mode="json")
    props.pop("lon", None)
    props.pop("lat", None)
    props["registry"] = spec.name
    return point_feature(lon=obj.lon, lat=obj.lat, properties=props, fid=getattr(obj, spec.pk))
