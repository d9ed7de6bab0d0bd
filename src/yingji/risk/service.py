"""Risk use cases: hazard sources (CRUD, map layer), risk assessments (history), chemicals.

Services never commit: the request or CLI command that calls them owns the transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import yingji.risk.permissions  # noqa: F401  (registers the grants)
from yingji.audit import service as audit
from yingji.auth import permissions as perm
from yingji.common.geo import check_geometry, feature_collection
from yingji.common.persist import flush_or_conflict, text_search
from yingji.errors import Conflict, InvalidField, NotFound
from yingji.registry.models import Division, Facility, Unit
from yingji.risk import chemicals as chem
from yingji.risk.enums import MAJOR_HAZARD_GRADES, HazardKind, RiskColour, colour_hex
from yingji.risk.models import HazardSource, RiskAssessment
from yingji.risk.schemas import AssessmentCreate, HazardSourceCreate, HazardSourceUpdate

MAX_INT = 2**31 - 1
RESOURCE = "hazard_sources"


# ---- geometry ------------------------------------------------------------------------------------


# ---- risk matrix and critical quantities ---------------------------------------------------------


@lru_cache(maxsize=1)
def risk_matrix() -> dict[str, Any]:
    text = resources.files("yingji.risk").joinpath("data/risk_matrix.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def colour_for_score(score: int) -> str:
    for band in risk_matrix()["bands"]:
        if score >= band["min_score"]:
            return str(band["colour"])
    return "blue"


def critical_ratio(substances: list[dict[str, Any]]) -> float | None:
    """Σ q_i / Q_i over the substances whose GB 18218 critical quantity Q is in the chemicals table
    (None when none is). A sum ≥ 1 identifies a major hazard source (GB 18218-2018 §4.2)."""
    total, known = 0.0, False
    for s in substances:
        c = chem.find(s["cas"]) if s.get("cas") else chem.find(s.get("name", ""))
        if c is not None and c.critical_t:
            total += float(s.get("quantity_t") or 0) / c.critical_t
            known = True
    return round(total, 4) if known else None


# ---- hazard sources ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    division: str | None = None
    kind: str | None = None
    colour: str | None = None
    grade: int | None = None
    status: str | None = None
    unit_id: int | None = None
    q: str | None = None
    bbox: tuple[float, float, float, float] | None = None


def _query(user: perm.Principal, f: Filters) -> Select[Any]:
    stmt = select(HazardSource).where(perm.scope_clause(user, HazardSource.division_code))
    if f.division:
        stmt = stmt.where(HazardSource.division_code.like(perm.division_prefix(f.division) + "%"))
    if f.kind:
        if f.kind not in {k.value for k in HazardKind}:
            raise InvalidField("kind", f"unknown kind {f.kind!r}; one of {', '.join(k.value for k in HazardKind)}")
        stmt = stmt.where(HazardSource.kind == f.kind)
    if f.colour:
        if f.colour not in {c.value for c in RiskColour}:
            raise InvalidField("colour", "one of red, orange, yellow, blue")
        stmt = stmt.where(HazardSource.risk_colour == f.colour)
    if f.grade is not None:
        stmt = stmt.where(HazardSource.major_hazard_grade == f.grade)
    if f.status:
        stmt = stmt.where(HazardSource.status == f.status)
    if f.unit_id is not None:
        stmt = stmt.where(HazardSource.unit_id == f.unit_id)
    if f.q:
        stmt = stmt.where(text_search(f.q, HazardSource.name, HazardSource.code, HazardSource.address))
    if f.bbox:
        a, b, c, d = f.bbox
        stmt = stmt.where(and_(HazardSource.lon >= a, HazardSource.lon <= c,
                               HazardSource.lat >= b, HazardSource.lat <= d))
    return stmt


def list_hazard_sources(
    *, session: Session, user: perm.Principal, filters: Filters, page: int = 1, size: int = 50
) -> tuple[list[HazardSource], int]:
    perm.require(user, RESOURCE, "read")
    stmt = _query(user, filters)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(HazardSource.id).offset((page - 1) * size).limit(size))
    return list(rows), total


def all_hazard_sources(*, session: Session, user: perm.Principal, filters: Filters,
                       limit: int = 100_000) -> list[HazardSource]:
    perm.require(user, RESOURCE, "read")
    return list(session.scalars(_query(user, filters).order_by(HazardSource.id).limit(limit)))


def get_hazard_source(*, session: Session, user: perm.Principal, hazard_id: int) -> HazardSource:
    """Load one; one outside the user's scope is reported as not found."""
    perm.require(user, RESOURCE, "read")
    obj = session.get(HazardSource, hazard_id) if 0 < hazard_id <= MAX_INT else None
    if obj is None or not perm.in_scope(user, obj.division_code):
        raise NotFound(f"hazard source {hazard_id} not found")
    return obj


def _check_refs(session: Session, values: dict[str, Any]) -> None:
    errors: list[tuple[list[str | int], str]] = []
    if "division_code" in values and session.get(Division, values["division_code"]) is None:
        errors.append((["division_code"], f"unknown division {values['division_code']}"))
    if values.get("unit_id") is not None and session.get(Unit, values["unit_id"]) is None:
        errors.append((["unit_id"], f"unknown unit {values['unit_id']}"))
    if values.get("facility_id") is not None and session.get(Facility, values["facility_id"]) is None:
        errors.append((["facility_id"], f"unknown facility {values['facility_id']}"))
    if errors:
        raise InvalidField.many(errors)


def _flush(session: Session) -> None:
    flush_or_conflict(session, "hazard source")


def create_hazard_source(*, session: Session, user: perm.Principal, data: HazardSourceCreate) -> HazardSource:
    perm.require(user, RESOURCE, "create")
    values = data.model_dump(mode="json")
    if user.role == "department" and values.get("unit_id") is None:
        values["unit_id"] = user.unit_id
    perm.require_row(user, RESOURCE, "create", values)
    _check_refs(session, values)
    values["geometry"] = check_geometry(values.get("geometry"), "geometry")
    if values.get("code") and session.scalar(select(HazardSource.id).where(HazardSource.code == values["code"])):
        raise Conflict(f"hazard source code {values['code']} already exists")
    obj = HazardSource(**values)
    session.add(obj)
    _flush(session)
    audit.record(session=session, actor=user, action="create", entity_type=RESOURCE, entity_id=obj.id,
                 before=None, after=obj.to_dict())
    return obj


def update_hazard_source(
    *, session: Session, user: perm.Principal, hazard_id: int, data: HazardSourceUpdate
) -> HazardSource:
    obj = get_hazard_source(session=session, user=user, hazard_id=hazard_id)
    perm.require(user, RESOURCE, "update")
    before = obj.to_dict()
    perm.require_row(user, RESOURCE, "update", before)
    changes = data.model_dump(mode="json", exclude_unset=True)
    not_null = [k for k in ("name", "kind", "status", "division_code", "lon", "lat", "substances")
                if k in changes and changes[k] is None]
    if not_null:
        raise InvalidField.many([([k], "may not be null") for k in not_null])
    perm.require_row(user, RESOURCE, "update", {**before, **changes})
    _check_refs(session, changes)
    if "geometry" in changes:
        changes["geometry"] = check_geometry(changes["geometry"], "geometry")
    for k, v in changes.items():
        setattr(obj, k, v)
    _flush(session)
    after = obj.to_dict()
    if after != before:
        audit.record(session=session, actor=user, action="update", entity_type=RESOURCE, entity_id=obj.id,
                     before=before, after=after)
    return obj


def delete_hazard_source(*, session: Session, user: perm.Principal, hazard_id: int) -> None:
    obj = get_hazard_source(session=session, user=user, hazard_id=hazard_id)
    perm.require(user, RESOURCE, "delete")
    before = obj.to_dict()
    perm.require_row(user, RESOURCE, "delete", before)
    for a in session.scalars(select(RiskAssessment).where(RiskAssessment.hazard_source_id == obj.id)):
        session.delete(a)
    session.delete(obj)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(f"hazard source {hazard_id} is still referenced (sensors or warnings)") from None
    audit.record(session=session, actor=user, action="delete", entity_type=RESOURCE, entity_id=hazard_id,
                 before=before, after=None)


def read_dict(obj: HazardSource) -> dict[str, Any]:
    """The read shape, with the computed critical-quantity ratio."""
    from yingji.risk.schemas import HazardSourceRead

    out = HazardSourceRead.model_validate(obj).model_dump(mode="json")
    out["critical_ratio"] = critical_ratio(obj.substances or [])
    return out


def to_feature(obj: HazardSource) -> dict[str, Any]:
    """A GeoJSON Feature with the four-colour style (simplestyle-spec and Leaflet path options)."""
    props = read_dict(obj)
    geometry = props.pop("geometry") or {"type": "Point", "coordinates": [obj.lon, obj.lat]}
    colour = colour_hex(obj.risk_colour)
    kind = HazardKind(obj.kind)
    props.update(
        kind_zh=kind.label("zh"), kind_en=kind.label("en"),
        risk_colour_zh=RiskColour(obj.risk_colour).label("zh") if obj.risk_colour else "未评估",
        major_hazard_grade_zh=MAJOR_HAZARD_GRADES[obj.major_hazard_grade][0] if obj.major_hazard_grade else None,
        **{"marker-color": colour, "stroke": colour, "fill": colour, "fill-opacity": 0.35},
        style={"color": colour, "fillColor": colour, "fillOpacity": 0.35, "weight": 2},
    )
    return {"type": "Feature", "id": obj.id, "geometry": geometry, "properties": props}


def layer(*, session: Session, user: perm.Principal, filters: Filters) -> dict[str, Any]:
    return feature_collection(to_feature(h) for h in all_hazard_sources(session=session, user=user, filters=filters))


def located(*, session: Session, hazard_id: int) -> tuple[str, float, float] | None:
    """(division, lon, lat) of a hazard source, for other domains linking to it (no permission check)."""
    row = session.execute(select(HazardSource.division_code, HazardSource.lon, HazardSource.lat)
                          .where(HazardSource.id == hazard_id)).first()
    return None if row is None else (row[0], row[1], row[2])


def area_of(*, session: Session, hazard_id: int) -> dict[str, Any] | None:
    """The polygon of a hazard source, if it has one (for warning areas)."""
    obj = session.get(HazardSource, hazard_id)
    if obj is None or not obj.geometry or obj.geometry.get("type") not in ("Polygon", "MultiPolygon"):
        return None
    return obj.geometry


# ---- risk assessments ----------------------------------------------------------------------------


def add_assessment(
    *, session: Session, user: perm.Principal, hazard_id: int, data: AssessmentCreate
) -> RiskAssessment:
    """Record an assessment; the newest (by date, then entry) sets the source's risk colour."""
    src = get_hazard_source(session=session, user=user, hazard_id=hazard_id)
    perm.require(user, RESOURCE, "update")
    perm.require_row(user, RESOURCE, "update", src.to_dict())
    score = data.likelihood * data.consequence
    colour = data.colour.value if data.colour else colour_for_score(score)
    a = RiskAssessment(
        hazard_source_id=src.id, assessed_on=data.assessed_on, likelihood=data.likelihood,
        consequence=data.consequence, score=score, colour=colour, method=data.method,
        assessor=data.assessor, notes=data.notes, created_by=getattr(user, "username", "system"),
    )
    session.add(a)
    session.flush()
    latest = session.scalars(select(RiskAssessment).where(RiskAssessment.hazard_source_id == src.id)
                             .order_by(RiskAssessment.assessed_on.desc(), RiskAssessment.id.desc()).limit(1)).first()
    audit.record(session=session, actor=user, action="create", entity_type="risk_assessments", entity_id=a.id,
                 before=None, after=a.to_dict() | {"assessed_on": a.assessed_on.isoformat()})
    if latest is not None and latest.colour != src.risk_colour:
        before = src.to_dict()
        src.risk_colour = latest.colour
        session.flush()
        audit.record(session=session, actor=user, action="update", entity_type=RESOURCE, entity_id=src.id,
                     before=before, after=src.to_dict())
    return a


def list_assessments(*, session: Session, user: perm.Principal, hazard_id: int) -> list[RiskAssessment]:
    src = get_hazard_source(session=session, user=user, hazard_id=hazard_id)
    return list(session.scalars(select(RiskAssessment).where(RiskAssessment.hazard_source_id == src.id)
                                .order_by(RiskAssessment.assessed_on.desc(), RiskAssessment.id.desc())))


# ---- chemicals -----------------------------------------------------------------------------------


def list_chemicals(*, user: perm.Principal, q: str | None = None) -> list[dict[str, Any]]:
    perm.require(user, "chemicals", "read")
    texts = chem.sources()
    rows = chem.chemicals()
    if q:
        ql = q.strip().lower()
        rows = [c for c in rows if ql in c.zh.lower() or ql in c.en.lower() or ql in c.cas or ql in c.un.lower()]
    return [c.as_dict(texts) for c in rows]


def get_chemical(*, user: perm.Principal, key: str) -> dict[str, Any]:
    perm.require(user, "chemicals", "read")
    c = chem.find(key)
    if c is None:
        raise NotFound(f"chemical {key!r} not in the table")
    return c.as_dict(chem.sources())
