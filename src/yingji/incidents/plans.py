"""Emergency plans (应急预案), minimal but real: what a plan applies to, its response levels with their
activation criteria, and the actions each level puts on which unit within how many minutes.

Matching suggests the plans that apply to an incident (its type, its division or one above) and the
response level whose criteria name the incident's level; activation records the response level and
creates exactly that level's actions as tasks for their units.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yingji.auth import permissions as perm
from yingji.db.base import utcnow
from yingji.errors import Conflict, Forbidden, InvalidField, NotFound
from yingji.incidents import journal
from yingji.incidents.access import load_incident
from yingji.incidents.enums import PlanKind, PlanStatus, Status
from yingji.incidents.models import Incident, Plan, PlanAction, PlanActivation, PlanLevel, Task
from yingji.incidents.permissions import PLANS, TASKS
from yingji.incidents.reference import load_reference
from yingji.incidents.schemas import ActivationIn, PlanCreate, PlanLevelIn, PlanUpdate
from yingji.incidents.tasks import add_task
from yingji.registry.models import Division, Unit

KIND_ORDER = {PlanKind.special: 0, PlanKind.department: 1, PlanKind.enterprise: 2, PlanKind.master: 3}
RESPONSE_NAMES = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}


def ancestors(code: str | None) -> list[str]:
    """Codes of the divisions above a GB/T 2260 code: 371581 → [370000, 371500]."""
    if code is None or len(code) < 6:
        return []
    out = []
    province, city = code[:2] + "0000", code[:4] + "00"
    if code != province:
        out.append(province)
    if code not in (city, province):
        out.append(city)
    return out


def _visible_clause(user: perm.Principal) -> Any:
    """Plans in the user's division and those of the divisions above it (which also apply there)."""
    above = ancestors(user.division_code)
    return or_(perm.scope_clause(user, Plan.division_code), Plan.division_code.in_(above)) if above else \
        perm.scope_clause(user, Plan.division_code)


def plan_out(plan: Plan) -> dict[str, Any]:
    d = plan.to_dict()
    d["levels"] = [
        {**lv.to_dict(), "actions": [a.to_dict() for a in lv.actions]} for lv in plan.levels
    ]
    return d


def _check_write(user: perm.Principal, plan_division: str, unit_id: int | None) -> None:
    if not perm.in_scope(user, plan_division):
        raise Forbidden(f"division_code: {plan_division} is outside your division {user.division_code}")
    if user.role == "department" and (user.unit_id is None or unit_id != user.unit_id):
        raise Forbidden(f"unit_id: a department user changes only plans of unit {user.unit_id}")


def _check_types(types: list[str], data_dir: Path | None) -> None:
    catalogue = load_reference(data_dir).catalogue
    for i, t in enumerate(types):
        if catalogue.type(t) is None:
            raise InvalidField(["incident_types", i], f"unknown incident type {t!r}")


def _build_levels(session: Session, levels: list[PlanLevelIn]) -> list[PlanLevel]:
    units = Unit
    out = []
    errors: list[tuple[list[str | int], str]] = []
    for i, lv in enumerate(levels):
        actions = []
        for j, a in enumerate(lv.actions):
            if session.get(units, a.unit_id) is None:
                errors.append((["levels", i, "actions", j, "unit_id"], f"unknown unit {a.unit_id}"))
            actions.append(PlanAction(position=j, unit_id=a.unit_id, action=a.action,
                                      deadline_minutes=a.deadline_minutes))
        out.append(PlanLevel(response_level=lv.response_level,
                             incident_levels=[x.value for x in lv.incident_levels],
                             criteria=lv.criteria, actions=actions))
    if errors:
        raise InvalidField.many(errors)
    return out


def _flush(session: Session, what: str) -> None:
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict(f"name: {what} already exists") from None


def create_plan(
    *, session: Session, user: perm.Principal, data: PlanCreate, data_dir: Path | None = None
) -> Plan:
    perm.require(user, PLANS, "create")
    unit_id = data.unit_id if data.unit_id is not None or user.role != "department" else user.unit_id
    _check_write(user, data.division_code, unit_id)
    if session.get(Division, data.division_code) is None:
        raise InvalidField("division_code", f"unknown division {data.division_code}")
    if unit_id is not None and session.get(Unit, unit_id) is None:
        raise InvalidField("unit_id", f"unknown unit {unit_id}")
    _check_types(data.incident_types, data_dir)
    if session.scalar(select(Plan.id).where(Plan.name == data.name)) is not None:
        raise Conflict(f"name: a plan named {data.name!r} already exists")
    plan = Plan(name=data.name, kind=data.kind.value, status=PlanStatus.active.value,
                division_code=data.division_code, unit_id=unit_id, incident_types=list(data.incident_types),
                description=data.description, source=data.source, levels=_build_levels(session, data.levels))
    session.add(plan)
    _flush(session, f"plan {data.name!r}")
    journal.write_audit(session, user, "create", "plans", plan.id, None, plan_out(plan))
    return plan


def list_plans(
    *, session: Session, user: perm.Principal, kind: str | None = None, incident_type: str | None = None,
    status: str | None = None, page: int = 1, size: int = 50,
) -> tuple[list[Plan], int]:
    perm.require(user, PLANS, "read")
    stmt = select(Plan).where(_visible_clause(user))
    if kind:
        if kind not in {k.value for k in PlanKind}:
            raise InvalidField("kind", f"unknown kind {kind!r}; one of {', '.join(k.value for k in PlanKind)}")
        stmt = stmt.where(Plan.kind == kind)
    if status:
        stmt = stmt.where(Plan.status == status)
    rows = list(session.scalars(stmt.order_by(Plan.id)))
    if incident_type:
        rows = [p for p in rows if not p.incident_types or incident_type in p.incident_types]
    return rows[(page - 1) * size: page * size], len(rows)


def get_plan(*, session: Session, user: perm.Principal, plan_id: int) -> Plan:
    perm.require(user, PLANS, "read")
    plan = session.get(Plan, plan_id) if 0 < plan_id <= 2**31 - 1 else None
    if plan is None or not (perm.in_scope(user, plan.division_code) or plan.division_code in ancestors(
            user.division_code)):
        raise NotFound(f"plan {plan_id} not found")
    return plan


def update_plan(
    *, session: Session, user: perm.Principal, plan_id: int, data: PlanUpdate, data_dir: Path | None = None
) -> Plan:
    plan = get_plan(session=session, user=user, plan_id=plan_id)
    perm.require(user, PLANS, "update")
    _check_write(user, plan.division_code, plan.unit_id)
    before = plan_out(plan)
    changes = data.model_dump(exclude_unset=True, exclude={"levels"})
    for key in ("name", "status", "incident_types"):
        if key in changes and changes[key] is None:
            raise InvalidField(key, "must not be null")
    if "incident_types" in changes:
        _check_types(changes["incident_types"], data_dir)
    if "name" in changes and changes["name"] != plan.name and session.scalar(
            select(Plan.id).where(Plan.name == changes["name"])) is not None:
        raise Conflict(f"name: a plan named {changes['name']!r} already exists")
    for k, v in changes.items():
        setattr(plan, k, getattr(v, "value", v))
    if data.levels is not None:
        used = session.scalar(select(func.count()).select_from(PlanActivation).where(PlanActivation.plan_id == plan.id))
        if used:
            raise Conflict("levels: the plan has been activated; its levels are kept as they were "
                           "(create a new plan version instead)")
        plan.levels.clear()
        session.flush()
        plan.levels.extend(_build_levels(session, data.levels))
    _flush(session, f"plan {plan.name!r}")
    journal.write_audit(session, user, "update", "plans", plan.id, before, plan_out(plan))
    return plan


# ---- matching and activation ----------------------------------------------------------------


def _applies(plan: Plan, incident: Incident) -> bool:
    if plan.status != PlanStatus.active.value:
        return False
    if plan.incident_types and incident.type not in plan.incident_types:
        return False
    return incident.division_code.startswith(perm.division_prefix(plan.division_code))


def _level_for(plan: Plan, incident: Incident) -> PlanLevel | None:
    level = incident.effective_level
    return next((lv for lv in plan.levels if level in (lv.incident_levels or [])), None)


def suggest_plans(*, session: Session, user: perm.Principal, incident_id: int) -> list[dict[str, Any]]:
    """Plans that apply to the incident, most specific first, with the suggested response level."""
    incident = load_incident(session, user, incident_id)
    perm.require(user, PLANS, "read")
    plans = [p for p in session.scalars(select(Plan).where(_visible_clause(user)).order_by(Plan.id))
             if _applies(p, incident)]
    plans.sort(key=lambda p: (not p.incident_types, -len(perm.division_prefix(p.division_code)),
                              KIND_ORDER.get(PlanKind(p.kind), 9), p.id))
    out = []
    for p in plans:
        lv = _level_for(p, incident)
        why = ("适用类型 " + incident.type) if p.incident_types else "总体预案，适用各类事件"
        if lv is not None:
            reason = (f"{why}；事件等级 {incident.effective_level} 满足{RESPONSE_NAMES[lv.response_level]}响应"
                      f"启动条件：{lv.criteria}")
        else:
            reason = f"{why}；事件等级 {incident.effective_level or '未定'} 未对应任何响应级别，请研判"
        out.append({"plan": plan_out(p), "response_level": lv.response_level if lv else None, "reason": reason})
    return out


def activate(
    *, session: Session, user: perm.Principal, incident_id: int, data: ActivationIn
) -> tuple[PlanActivation, list[Task]]:
    """Activate a plan at a response level: record it and create that level's tasks for their units."""
    incident = load_incident(session, user, incident_id, "update")
    perm.require(user, TASKS, "create")
    if incident.status == Status.reported:
        raise Conflict(f"status: incident {incident.id} is reported; verify it before activating a plan")
    if incident.status not in (Status.verified, Status.responding, Status.recovering):
        raise Conflict(f"status: incident {incident.id} is {incident.status}; no plan can be activated")
    try:
        plan = get_plan(session=session, user=user, plan_id=data.plan_id)
    except NotFound:
        raise InvalidField("plan_id", f"unknown plan {data.plan_id}") from None
    if not perm.in_scope(user, plan.division_code):
        raise Forbidden(f"plan_id: plan {plan.id} belongs to {plan.division_code}, outside your division")
    if not _applies(plan, incident):
        raise InvalidField("plan_id", f"plan {plan.id} ({plan.name}) does not apply to a {incident.type} incident "
                           f"in {incident.division_code} (or is retired)")
    level = next((lv for lv in plan.levels if lv.response_level == data.response_level), None)
    if level is None:
        have = ", ".join(str(lv.response_level) for lv in plan.levels)
        raise InvalidField("response_level", f"plan {plan.id} has no response level {data.response_level}; "
                           f"it has {have}")
    exists = session.scalar(select(PlanActivation.id).where(
        PlanActivation.incident_id == incident.id, PlanActivation.plan_id == plan.id,
        PlanActivation.response_level == data.response_level))
    if exists is not None:
        raise Conflict(f"plan {plan.id} is already activated at response level {data.response_level} "
                       f"for incident {incident.id}")
    activation = PlanActivation(incident_id=incident.id, plan_id=plan.id, response_level=data.response_level,
                                activated_by=user.username, reason=data.reason)
    session.add(activation)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict(f"plan {plan.id} is already activated at response level {data.response_level}") from None
    journal.write_audit(session, user, "create", "plan_activations", activation.id, None, activation.to_dict())
    before = incident.to_dict()
    previous_status = incident.status
    if incident.response_level is None or data.response_level < incident.response_level:
        incident.response_level = data.response_level
    if incident.status == Status.verified:
        incident.status = Status.responding.value
    session.flush()
    journal.write_audit(session, user, "update", "incidents", incident.id, before, incident.to_dict())
    journal.timeline(
        session, incident=incident, actor=user, kind="plan",
        summary=f"启动《{plan.name}》{RESPONSE_NAMES[data.response_level]}响应，下达 {len(level.actions)} 项任务"
        + (f"；{data.reason}" if data.reason else ""),
        data={"plan_id": plan.id, "activation_id": activation.id, "response_level": data.response_level,
              "criteria": level.criteria},
    )
    if previous_status != incident.status:
        journal.timeline(session, incident=incident, actor=user, kind="status",
                         summary=f"状态：{Status(previous_status).label()} → {Status.responding.label()}（预案启动）",
                         data={"from": previous_status, "to": incident.status})
    now = utcnow()
    origin = f"《{plan.name}》{RESPONSE_NAMES[data.response_level]}响应"
    tasks = [
        add_task(session, user, incident, title=a.action, description=origin, assignee_type="unit",
                 unit_id=a.unit_id, deadline=now + timedelta(minutes=a.deadline_minutes),
                 activation_id=activation.id, plan_action_id=a.id)
        for a in level.actions
    ]
    journal.emit(session, topic="incident", action="plan", incident=incident,
                 data={**journal.incident_summary(incident), "plan_id": plan.id,
                       "activation_id": activation.id})
    return activation, tasks


def activations(*, session: Session, user: perm.Principal, incident_id: int) -> list[dict[str, Any]]:
    incident = load_incident(session, user, incident_id)
    rows = session.scalars(select(PlanActivation).where(PlanActivation.incident_id == incident.id)
                           .order_by(PlanActivation.id))
    out = []
    for a in rows:
        task_ids = list(session.scalars(select(Task.id).where(Task.activation_id == a.id).order_by(Task.id)))
        out.append({**a.to_dict(), "task_ids": task_ids})
    return out
