"""Supervision use cases: load a plan, list tasks with their derived status, progress reports with
evidence, confirmation by the lead unit. Services never commit; every write is audited."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from yingji.auth import permissions as perm
from yingji.common.schemas import is_digits
from yingji.db.base import utcnow
from yingji.errors import Conflict, Forbidden, InvalidField, NotFound, TooLarge
from yingji.registry import service as registry
from yingji.registry.models import Unit
from yingji.registry.specs import REGISTRIES
from yingji.supervision import permissions as _grants  # noqa: F401  (registers the resources)
from yingji.supervision.common import SYSTEM, audit_change, local_today
from yingji.supervision.enums import ReportStatus, TaskStatus, UnitRole
from yingji.supervision.models import (
    ActionPlan,
    ActionTask,
    Evidence,
    Indicator,
    IndicatorValue,
    MajorProject,
    Milestone,
    ProgressReport,
    TaskUnit,
)
from yingji.supervision.planfile import PlanFile, parse_plan, section_no, task_milestones
from yingji.supervision.schemas import LoadReport, ProgressCreate, ProgressUpdate

PACKAGED_PLAN = Path(__file__).resolve().parent / "data" / "liaocheng_2020_2022.json"
AT_RISK_GAP = 20.0
"""Percentage points by which reported progress may trail the time-proportional expectation
before a task counts as at risk."""
MAX_INT = 2**31 - 1


# ---- plans ----------------------------------------------------------------------------------


def _unit_index(session: Session) -> dict[str, int]:
    units = registry.all_records(
        session=session, spec=REGISTRIES["units"], user=SYSTEM, filters=registry.ListFilters()
    )
    return {u.name: u.id for u in units}


@dataclass
class _Resolver:
    """Names as written → registry unit ids, through the plan's aliases; remembers what failed."""

    index: dict[str, int]
    aliases: dict[str, list[str]]
    unmatched: list[str] = field(default_factory=list)
    missing_targets: list[str] = field(default_factory=list)
    matched: set[str] = field(default_factory=set)

    def __call__(self, name: str) -> list[int]:
        targets = self.aliases.get(name, [name])
        ids = [self.index[t] for t in targets if t in self.index]
        if ids:
            self.matched.add(name)
        elif name not in self.unmatched:
            self.unmatched.append(name)
        for t in targets:
            if t != name and t not in self.index and f"{name} → {t}" not in self.missing_targets:
                self.missing_targets.append(f"{name} → {t}")
        return ids


def load_plan(*, session: Session, path: Path, actor: perm.Principal) -> LoadReport:
    """Load (or reload) a plan file; idempotent: a second load of the same file changes nothing."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidField("file", f"cannot read {path}: {exc.strerror}") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidField("file", f"{path.name} is not UTF-8 JSON: {exc}") from None
    return load_plan_data(session=session, data=data, actor=actor, sha256=hashlib.sha256(raw).hexdigest())


def load_plan_data(
    *, session: Session, data: Any, actor: perm.Principal, sha256: str | None = None
) -> LoadReport:
    """Validate a plan document and upsert it: plan, tasks (units resolved by name, milestones),
    indicators and projects. Names that match no unit are kept as written and reported."""
    perm.require(actor, "action_tasks", "import")
    pf = parse_plan(data)
    from yingji.supervision.indicators import METHODS

    for i, ind in enumerate(pf.indicators):
        if ind.method not in METHODS:
            raise InvalidField(
                ["indicators", i, "method"], f"unknown method {ind.method!r}; one of {', '.join(METHODS)}"
            )
    sha = sha256 or hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    resolve = _Resolver(_unit_index(session), {k: list(v) for k, v in pf.aliases.items()})

    plan = session.scalar(select(ActionPlan).where(ActionPlan.code == pf.code))
    created = plan is None
    values = {
        "title": pf.title,
        "issuer": pf.issuer,
        "issued_on": pf.issued,
        "period_start": pf.period.start,
        "period_end": pf.period.end,
        "schedule_start": pf.schedule_from(),
        "division_code": pf.division_code,
        "overall_text": pf.overall,
        "sections": [{"number": s.number, "no": section_no(s.number), "title": s.title} for s in pf.sections],
        "targets": [t.text for t in pf.targets],
        "aliases": {k: list(v) for k, v in pf.aliases.items()},
        "annex_note": pf.annex_note,
        "source": pf.source,
        "file_sha256": sha,
    }
    if plan is None:
        plan = ActionPlan(code=pf.code, **values)
        session.add(plan)
        session.flush()
        audit_change(session, actor, "create", "action_plans", plan.id, None, plan.to_dict())
    else:
        before = plan.to_dict()
        _assign(plan, values)
        session.flush()
        if plan.to_dict() != before:
            audit_change(session, actor, "update", "action_plans", plan.id, before, plan.to_dict())

    t_created, t_updated = _load_tasks(session, plan, pf, resolve, actor)
    i_created, i_updated = _load_indicators(session, plan, pf, actor)
    p_created, p_updated = _load_projects(session, plan, pf, resolve, actor)
    return LoadReport(
        plan_id=plan.id,
        code=plan.code,
        created=created,
        tasks_created=t_created,
        tasks_updated=t_updated,
        indicators_created=i_created,
        indicators_updated=i_updated,
        projects_created=p_created,
        projects_updated=p_updated,
        matched_units=len(resolve.matched),
        unmatched_units=resolve.unmatched,
        alias_targets_missing=resolve.missing_targets,
    )


def _assign(obj: Any, values: dict[str, Any]) -> None:
    for k, v in values.items():
        if getattr(obj, k) != v:
            setattr(obj, k, v)


def _task_state_dict(task: ActionTask) -> dict[str, Any]:
    out = task.to_dict()
    out["units"] = [(u.role, u.name, u.unit_id) for u in task.units]
    out["milestones"] = [(m.seq, m.due_on.isoformat(), m.text, m.source) for m in task.milestones]
    return out


def _load_tasks(
    session: Session, plan: ActionPlan, pf: PlanFile, resolve: _Resolver, actor: perm.Principal
) -> tuple[int, int]:
    sections = {s.number: s.title for s in pf.sections}
    existing = {
        t.number: t
        for t in session.scalars(
            select(ActionTask)
            .where(ActionTask.plan_id == plan.id)
            .options(selectinload(ActionTask.units), selectinload(ActionTask.milestones))
        )
    }
    created = updated = 0
    pending: list[tuple[ActionTask, dict[str, Any] | None]] = []
    for t_in in pf.tasks:
        values = {
            "section": t_in.section,
            "section_no": section_no(t_in.section),
            "section_title": sections[t_in.section],
            "title": t_in.title,
            "text": t_in.text,
            "parts": [p.model_dump() for p in t_in.parts],
            "lead_units": list(t_in.lead_units),
            "responsible_units": list(t_in.responsible_units),
        }
        units: list[tuple[str, str, int | None]] = []
        for role, names in ((UnitRole.lead, t_in.lead_units), (UnitRole.responsible, t_in.responsible_units)):
            for name in names:
                ids = resolve(name)
                units += [(role.value, name, uid) for uid in ids] or [(role.value, name, None)]
        milestones = [(n + 1, m.due, m.text, m.source) for n, m in enumerate(task_milestones(t_in))]
        task = existing.pop(t_in.number, None)
        before = _task_state_dict(task) if task is not None else None
        if task is None:
            task = ActionTask(plan_id=plan.id, number=t_in.number, **values)
            session.add(task)
        else:
            _assign(task, values)
        if [(u.role, u.name, u.unit_id) for u in task.units] != units:
            task.units = [
                TaskUnit(role=r, name=n, unit_id=uid, position=i) for i, (r, n, uid) in enumerate(units)
            ]
        by_seq = {m.seq: m for m in task.milestones}
        keep = []
        for seq, due, text, source in milestones:
            m = by_seq.get(seq)
            if m is None:
                m = Milestone(seq=seq, due_on=due, text=text, source=source)
            else:
                _assign(m, {"due_on": due, "text": text, "source": source})
            keep.append(m)
        if keep != list(task.milestones):
            task.milestones = keep
        pending.append((task, before))
    session.flush()  # one flush for the whole plan: inserts go in batches
    for task, before in pending:
        after = _task_state_dict(task)
        if before is None:
            created += 1
            audit_change(session, actor, "create", "action_tasks", task.id, None, after)
        elif after != before:
            updated += 1
            audit_change(session, actor, "update", "action_tasks", task.id, before, after)
    for number, task in sorted(existing.items()):
        has_reports = session.scalar(
            select(func.count()).select_from(ProgressReport).where(ProgressReport.task_id == task.id)
        )
        if has_reports:
            raise Conflict(f"task {number} is not in the file but has progress reports; keep it in the file")
        before = _task_state_dict(task)
        session.delete(task)
        session.flush()
        audit_change(session, actor, "delete", "action_tasks", task.id, before, None)
    return created, updated


def _load_indicators(
    session: Session, plan: ActionPlan, pf: PlanFile, actor: perm.Principal
) -> tuple[int, int]:
    existing = {i.key: i for i in session.scalars(select(Indicator).where(Indicator.plan_id == plan.id))}
    created = updated = 0
    pending: list[tuple[Indicator, dict[str, Any] | None]] = []
    for seq, i_in in enumerate(pf.indicators, start=1):
        values = {
            "seq": seq,
            "name": i_in.name,
            "name_en": i_in.name_en,
            "method": i_in.method,
            "target": i_in.target,
            "comparator": i_in.comparator.value,
            "unit": i_in.unit,
            "source": i_in.source,
            "due_on": i_in.due,
            "overall": i_in.overall,
            "tasks": list(i_in.tasks),
            "params": dict(i_in.params),
            "note": i_in.note,
        }
        ind = existing.pop(i_in.key, None)
        if ind is None:
            ind = Indicator(plan_id=plan.id, key=i_in.key, **values)
            session.add(ind)
            pending.append((ind, None))
        else:
            pending.append((ind, ind.to_dict()))
            _assign(ind, values)
    session.flush()
    for ind, before in pending:
        if before is None:
            created += 1
            audit_change(session, actor, "create", "indicators", ind.id, None, ind.to_dict())
        elif ind.to_dict() != before:
            updated += 1
            audit_change(session, actor, "update", "indicators", ind.id, before, ind.to_dict())
    for key, ind in sorted(existing.items()):
        if session.scalar(
            select(func.count()).select_from(IndicatorValue).where(IndicatorValue.indicator_id == ind.id)
        ):
            raise Conflict(f"indicator {key} is not in the file but has recorded values; keep it in the file")
        before = ind.to_dict()
        session.delete(ind)
        session.flush()
        audit_change(session, actor, "delete", "indicators", ind.id, before, None)
    return created, updated


def _load_projects(
    session: Session, plan: ActionPlan, pf: PlanFile, resolve: _Resolver, actor: perm.Principal
) -> tuple[int, int]:
    existing = {
        p.seq: p for p in session.scalars(select(MajorProject).where(MajorProject.plan_id == plan.id))
    }
    created = updated = 0
    for seq, p_in in enumerate(pf.projects, start=1):
        ids: list[int] = []
        unmatched: list[str] = []
        for name in p_in.owners:
            got = resolve(name)
            ids += [i for i in got if i not in ids]
            if not got:
                unmatched.append(name)
        values = {
            "category_no": p_in.category_no,
            "category": p_in.category,
            "name": p_in.name,
            "owners": list(p_in.owners),
            "owner_unit_ids": ids,
            "unmatched_owners": unmatched,
        }
        proj = existing.pop(seq, None)
        if proj is None:
            proj = MajorProject(plan_id=plan.id, seq=seq, **values)
            session.add(proj)
            session.flush()
            created += 1
            audit_change(session, actor, "create", "major_projects", proj.id, None, proj.to_dict())
        else:
            before = proj.to_dict()
            _assign(proj, values)
            session.flush()
            if proj.to_dict() != before:
                updated += 1
                audit_change(session, actor, "update", "major_projects", proj.id, before, proj.to_dict())
    for proj in existing.values():
        before = proj.to_dict()
        session.delete(proj)
        session.flush()
        audit_change(session, actor, "delete", "major_projects", proj.id, before, None)
    return created, updated


def get_plan(*, session: Session, user: perm.Principal, code: str | None = None) -> ActionPlan:
    """The plan with ``code``, or the most recently issued one."""
    perm.require(user, "action_tasks", "read")
    stmt = select(ActionPlan)
    if code:
        stmt = stmt.where(ActionPlan.code == code)
    plan = session.scalar(stmt.order_by(ActionPlan.issued_on.desc(), ActionPlan.id.desc()).limit(1))
    if plan is None:
        raise NotFound(
            f"action plan {code} not found" if code else "no action plan is loaded (yingji plan load FILE)"
        )
    return plan


def list_plans(*, session: Session, user: perm.Principal) -> list[dict[str, Any]]:
    perm.require(user, "action_tasks", "read")
    plans = list(session.scalars(select(ActionPlan).order_by(ActionPlan.id)))
    return [plan_out(session=session, plan=p) for p in plans]


def unmatched_units(*, session: Session, plan: ActionPlan) -> list[str]:
    """Unit names (as written) of tasks and projects that match no registry unit."""
    names = session.scalars(
        select(TaskUnit.name)
        .join(ActionTask, ActionTask.id == TaskUnit.task_id)
        .where(ActionTask.plan_id == plan.id, TaskUnit.unit_id.is_(None))
        .order_by(TaskUnit.task_id, TaskUnit.position)
    )
    out: list[str] = []
    for n in names:
        if n not in out:
            out.append(n)
    for p in session.scalars(
        select(MajorProject).where(MajorProject.plan_id == plan.id).order_by(MajorProject.seq)
    ):
        out += [n for n in p.unmatched_owners if n not in out]
    return out


def plan_out(*, session: Session, plan: ActionPlan) -> dict[str, Any]:
    d = {
        c: getattr(plan, c)
        for c in (
            "id",
            "code",
            "title",
            "issuer",
            "issued_on",
            "period_start",
            "period_end",
            "schedule_start",
            "division_code",
            "source",
            "overall_text",
            "targets",
            "sections",
            "annex_note",
        )
    }
    d["tasks"] = session.scalar(
        select(func.count()).select_from(ActionTask).where(ActionTask.plan_id == plan.id)
    )
    d["indicators"] = session.scalar(
        select(func.count()).select_from(Indicator).where(Indicator.plan_id == plan.id)
    )
    d["unmatched_units"] = unmatched_units(session=session, plan=plan)
    return d


def list_projects(*, session: Session, user: perm.Principal, plan: ActionPlan) -> list[MajorProject]:
    perm.require(user, "action_tasks", "read")
    return list(
        session.scalars(
            select(MajorProject).where(MajorProject.plan_id == plan.id).order_by(MajorProject.seq)
        )
    )


# ---- task status ----------------------------------------------------------------------------


@dataclass
class TaskState:
    status: TaskStatus
    percent: int | None
    expected: float
    deadline: date
    achieved: dict[int, date]
    overdue: list[Milestone]
    next_milestone: Milestone | None
    last_report_on: date | None
    reason: str


def task_state(
    *, task: ActionTask, plan: ActionPlan, reports: Sequence[ProgressReport], as_of: date
) -> TaskState:
    """The task's status on ``as_of`` (a local day), from its milestones and the reports of that day.

    * Reports count from the day they speak for (``reported_on``); a returned report never counts.
      A confirmation certifies the facts of the report, so it counts from the report's day too (the
      audit log keeps when it was given): the plan is shown as it stood in fact on ``as_of``.
    * A milestone is achieved on the day of the first confirmed report that lists it; a confirmed
      report of 100 % achieves them all and makes the task **done**.
    * **overdue**: a milestone due before ``as_of`` is not achieved, or the task's deadline (its
      last milestone, at the latest the end of the plan period) has passed without it being done.
    * **not started**: no report yet, while less than ``AT_RISK_GAP`` % of the time has passed.
    * **at risk**: reported progress trails the time-proportional expectation (from the plan's
      schedule start to the deadline) by more than ``AT_RISK_GAP`` points, or no report although
      more than that share of the time has passed.
    * **on track**: otherwise.
    """
    milestones = list(task.milestones)
    deadline = max([plan.period_end, *(m.due_on for m in milestones)])
    seen = sorted(
        (r for r in reports if r.reported_on <= as_of and r.status != ReportStatus.returned),
        key=lambda r: (r.reported_on, r.id),
    )
    confirmed = [r for r in seen if r.status == ReportStatus.confirmed]
    achieved: dict[int, date] = {}
    done_on: date | None = None
    for r in confirmed:
        seqs = [m.seq for m in milestones] if r.percent >= 100 else r.milestones_done
        for seq in seqs:
            achieved.setdefault(seq, r.reported_on)
        if r.percent >= 100 and done_on is None:
            done_on = r.reported_on
    latest = seen[-1] if seen else None
    percent = latest.percent if latest is not None else None
    span = (deadline - plan.schedule_start).days
    elapsed = (as_of - plan.schedule_start).days
    expected = 100.0 if span <= 0 else max(0.0, min(100.0, 100.0 * elapsed / span))
    overdue = [m for m in milestones if m.due_on < as_of and m.seq not in achieved]
    upcoming = [m for m in milestones if m.seq not in achieved and m.due_on >= as_of]
    next_m = min(upcoming, key=lambda m: (m.due_on, m.seq)) if upcoming else None
    if done_on is not None:
        status, reason = TaskStatus.done, f"{done_on.isoformat()} 确认完成"
    elif overdue:
        m = overdue[0]
        status, reason = TaskStatus.overdue, f"节点{m.seq}（{m.due_on.isoformat()}前）未完成：{m.text}"
    elif as_of > deadline:
        status, reason = TaskStatus.overdue, f"已超过完成时限 {deadline.isoformat()}，未确认完成"
    elif latest is None:
        if expected <= AT_RISK_GAP:
            status, reason = TaskStatus.not_started, "尚无进展报告"
        else:
            status, reason = TaskStatus.at_risk, f"时序进度已达 {expected:.0f}%，尚无进展报告"
    elif percent is not None and percent + AT_RISK_GAP < expected:
        status, reason = TaskStatus.at_risk, f"报告进度 {percent}% 落后于时序进度 {expected:.0f}%"
    else:
        status, reason = TaskStatus.on_track, f"报告进度 {percent}%，时序进度 {expected:.0f}%"
    return TaskState(
        status=status,
        percent=percent,
        expected=round(expected, 1),
        deadline=deadline,
        achieved=achieved,
        overdue=overdue,
        next_milestone=next_m,
        last_report_on=latest.reported_on if latest is not None else None,
        reason=reason,
    )


def _milestone_out(m: Milestone, state: TaskState, as_of: date) -> dict[str, Any]:
    return {
        "seq": m.seq,
        "due_on": m.due_on,
        "text": m.text,
        "source": m.source,
        "achieved_on": state.achieved.get(m.seq),
        "overdue": m.seq not in state.achieved and m.due_on < as_of,
    }


def task_summary(task: ActionTask, state: TaskState, as_of: date) -> dict[str, Any]:
    return {
        "id": task.id,
        "plan_id": task.plan_id,
        "number": task.number,
        "section": task.section,
        "section_no": task.section_no,
        "section_title": task.section_title,
        "title": task.title,
        "lead_units": task.lead_units,
        "responsible_units": task.responsible_units,
        "status": state.status,
        "percent": state.percent,
        "expected_percent": state.expected,
        "deadline": state.deadline,
        "next_milestone": _milestone_out(state.next_milestone, state, as_of)
        if state.next_milestone
        else None,
        "last_report_on": state.last_report_on,
        "status_reason": state.reason,
    }


def _reports_by_task(session: Session, task_ids: Iterable[int]) -> dict[int, list[ProgressReport]]:
    ids = list(task_ids)
    out: dict[int, list[ProgressReport]] = defaultdict(list)
    if not ids:
        return out
    stmt = select(ProgressReport).where(ProgressReport.task_id.in_(ids)).options(selectinload(ProgressReport.evidence))
    for r in session.scalars(stmt):
        out[r.task_id].append(r)
    return out


def _section_filter(value: str) -> int:
    value = value.strip()
    if is_digits(value):
        return int(value)
    return section_no(value)


def plan_states(*, session: Session, plan: ActionPlan, as_of: date) -> list[tuple[ActionTask, TaskState]]:
    """Every task of the plan with its state on ``as_of`` (three queries, whatever the size)."""
    tasks = list(
        session.scalars(
            select(ActionTask)
            .where(ActionTask.plan_id == plan.id)
            .options(selectinload(ActionTask.units), selectinload(ActionTask.milestones))
            .order_by(ActionTask.number)
        )
    )
    reports = _reports_by_task(session, (t.id for t in tasks))
    return [(t, task_state(task=t, plan=plan, reports=reports.get(t.id, []), as_of=as_of)) for t in tasks]


def list_tasks(
    *,
    session: Session,
    user: perm.Principal,
    plan: ActionPlan,
    as_of: date,
    section: str | None = None,
    unit_id: int | None = None,
    role: UnitRole | None = None,
    status: TaskStatus | None = None,
    q: str | None = None,
    page: int = 1,
    size: int = 50,
) -> tuple[list[dict[str, Any]], int]:
    perm.require(user, "action_tasks", "read")
    sec = _section_filter(section) if section else None
    rows = []
    for task, state in plan_states(session=session, plan=plan, as_of=as_of):
        if sec is not None and task.section_no != sec:
            continue
        if unit_id is not None and not any(
            u.unit_id == unit_id and (role is None or u.role == role) for u in task.units
        ):
            continue
        if status is not None and state.status != status:
            continue
        if q and q not in task.title and q not in task.text:
            continue
        rows.append(task_summary(task, state, as_of))
    return rows[(page - 1) * size : page * size], len(rows)


def get_task(*, session: Session, user: perm.Principal, task_id: int) -> ActionTask:
    perm.require(user, "action_tasks", "read")
    task = session.get(ActionTask, task_id) if 0 < task_id <= MAX_INT else None
    if task is None:
        raise NotFound(f"task {task_id} not found")
    return task


def task_detail(*, session: Session, user: perm.Principal, task_id: int, as_of: date) -> dict[str, Any]:
    task = get_task(session=session, user=user, task_id=task_id)
    plan = task.plan
    reports = _reports_by_task(session, [task.id]).get(task.id, [])
    state = task_state(task=task, plan=plan, reports=reports, as_of=as_of)
    out = task_summary(task, state, as_of)
    names = _unit_names(session, {r.unit_id for r in reports})
    out.update(
        text=task.text,
        parts=task.parts,
        units=[{"role": u.role, "name": u.name, "unit_id": u.unit_id} for u in task.units],
        milestones=[_milestone_out(m, state, as_of) for m in task.milestones],
        reports=[
            report_out(r, task_number=task.number, unit_name=names.get(r.unit_id))
            for r in sorted(reports, key=lambda r: (r.reported_on, r.id), reverse=True)
            if r.reported_on <= as_of
        ],
        indicators=[
            i.key
            for i in session.scalars(
                select(Indicator).where(Indicator.plan_id == plan.id).order_by(Indicator.seq)
            )
            if task.number in (i.tasks or [])
        ],
    )
    return out


def _unit_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {int(i): str(n) for i, n in session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(wanted)))}


# ---- progress reports -----------------------------------------------------------------------


def report_out(
    r: ProgressReport, *, task_number: int | None = None, unit_name: str | None = None
) -> dict[str, Any]:
    d = {c.key: getattr(r, c.key) for c in ProgressReport.__table__.columns}
    d["task_number"] = task_number
    d["unit_name"] = unit_name
    d["evidence"] = list(r.evidence)
    return d


def _owner_ids(task: ActionTask, role: UnitRole | None = None) -> set[int]:
    return {u.unit_id for u in task.units if u.unit_id is not None and (role is None or u.role == role)}


def _check_milestones(task: ActionTask, seqs: list[int]) -> list[int]:
    known = {m.seq for m in task.milestones}
    bad = [s for s in seqs if s not in known]
    if bad:
        raise InvalidField(
            "milestones_done",
            f"task {task.number} has no milestone {bad[0]} (its milestones: {sorted(known) or 'none'})",
        )
    return sorted(set(seqs))


def _check_day(task: ActionTask, day: date, today: date) -> None:
    if day > today:
        raise InvalidField("reported_on", f"{day.isoformat()} is in the future")
    if day < task.plan.period_start:
        raise InvalidField(
            "reported_on",
            f"{day.isoformat()} is before the plan period ({task.plan.period_start.isoformat()})",
        )


def create_report(
    *, session: Session, user: perm.Principal, task_id: int, data: ProgressCreate, today: date | None = None
) -> ProgressReport:
    """A unit reports on a task it owns (lead or responsible). A department user reports for its own
    unit only; an administrator names the unit."""
    perm.require(user, "progress_reports", "create")
    task = get_task(session=session, user=user, task_id=task_id)
    today = today or local_today()
    if user.role == "department":
        if user.unit_id is None:
            raise Forbidden("unit_id: your account belongs to no unit")
        if data.unit_id is not None and data.unit_id != user.unit_id:
            raise Forbidden(f"unit_id: a department user reports only for its own unit {user.unit_id}")
        unit_id = user.unit_id
        if unit_id not in _owner_ids(task):
            raise Forbidden(
                f"task {task.number}: your unit is neither a lead nor a responsible unit of this task"
            )
    else:
        if data.unit_id is None:
            raise InvalidField("unit_id", "name the reporting unit")
        unit_id = data.unit_id
        if unit_id not in _owner_ids(task):
            raise InvalidField(
                "unit_id", f"unit {unit_id} is neither a lead nor a responsible unit of task {task.number}"
            )
    day = data.reported_on or today
    _check_day(task, day, today)
    report = ProgressReport(
        task_id=task.id,
        unit_id=unit_id,
        reported_on=day,
        percent=data.percent,
        narrative=data.narrative,
        milestones_done=_check_milestones(task, data.milestones_done),
        status=ReportStatus.submitted.value,
        reported_by=user.username,
    )
    session.add(report)
    session.flush()
    audit_change(session, user, "create", "progress_reports", report.id, None, report.to_dict())
    return report


def get_report(*, session: Session, user: perm.Principal, report_id: int) -> ProgressReport:
    perm.require(user, "progress_reports", "read")
    report = session.get(ProgressReport, report_id) if 0 < report_id <= MAX_INT else None
    if report is None:
        raise NotFound(f"progress report {report_id} not found")
    return report


def report_read(*, session: Session, report: ProgressReport) -> dict[str, Any]:
    task = session.get(ActionTask, report.task_id)
    return report_out(
        report,
        task_number=task.number if task else None,
        unit_name=_unit_names(session, [report.unit_id]).get(report.unit_id),
    )


def list_reports(
    *,
    session: Session,
    user: perm.Principal,
    plan: ActionPlan,
    as_of: date | None = None,
    task_id: int | None = None,
    unit_id: int | None = None,
    status: ReportStatus | None = None,
    since: date | None = None,
    page: int = 1,
    size: int = 50,
) -> tuple[list[dict[str, Any]], int]:
    perm.require(user, "progress_reports", "read")
    stmt = (
        select(ProgressReport, ActionTask.number)
        .join(ActionTask, ActionTask.id == ProgressReport.task_id)
        .where(ActionTask.plan_id == plan.id)
    )
    if as_of is not None:
        stmt = stmt.where(ProgressReport.reported_on <= as_of)
    if since is not None:
        stmt = stmt.where(ProgressReport.reported_on >= since)
    if task_id is not None:
        stmt = stmt.where(ProgressReport.task_id == task_id)
    if unit_id is not None:
        stmt = stmt.where(ProgressReport.unit_id == unit_id)
    if status is not None:
        stmt = stmt.where(ProgressReport.status == status.value)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = list(
        session.execute(
            stmt.options(selectinload(ProgressReport.evidence))
            .order_by(ProgressReport.reported_on.desc(), ProgressReport.id.desc())
            .offset((page - 1) * size)
            .limit(size)
        )
    )
    names = _unit_names(session, {r.unit_id for r, _ in rows})
    return [report_out(r, task_number=n, unit_name=names.get(r.unit_id)) for r, n in rows], total


def _check_own_report(user: perm.Principal, report: ProgressReport, what: str) -> None:
    if user.role == "admin":
        return
    if user.role != "department" or user.unit_id is None or user.unit_id != report.unit_id:
        raise Forbidden(f"only the reporting unit may {what} this report")


def _check_open(report: ProgressReport) -> None:
    if report.status != ReportStatus.submitted:
        raise Conflict(f"progress report {report.id} is {report.status}; it can no longer change")


def update_report(
    *, session: Session, user: perm.Principal, report_id: int, data: ProgressUpdate, today: date | None = None
) -> ProgressReport:
    report = get_report(session=session, user=user, report_id=report_id)
    perm.require(user, "progress_reports", "update")
    _check_own_report(user, report, "change")
    _check_open(report)
    task = get_task(session=session, user=user, task_id=report.task_id)
    before = report.to_dict()
    changes = data.model_dump(exclude_unset=True)
    for key in ("percent", "narrative", "reported_on", "milestones_done"):
        if key in changes and changes[key] is None:
            raise InvalidField(key, "must not be null")
    if "reported_on" in changes:
        _check_day(task, changes["reported_on"], today or local_today())
    if "milestones_done" in changes:
        changes["milestones_done"] = _check_milestones(task, changes["milestones_done"])
    for k, v in changes.items():
        setattr(report, k, v)
    session.flush()
    audit_change(session, user, "update", "progress_reports", report.id, before, report.to_dict())
    return report


def review_report(
    *, session: Session, user: perm.Principal, report_id: int, confirm: bool, note: str | None
) -> ProgressReport:
    """Confirm (or return) a submitted report: a lead unit of the task, or an administrator."""
    report = get_report(session=session, user=user, report_id=report_id)
    perm.require(user, "progress_reports", "update")
    task = get_task(session=session, user=user, task_id=report.task_id)
    if user.role != "admin" and (
        user.role != "department"
        or user.unit_id is None
        or user.unit_id not in _owner_ids(task, UnitRole.lead)
    ):
        raise Forbidden(f"only a lead unit of task {task.number} may confirm or return its reports")
    _check_open(report)
    if not confirm and not note:
        raise InvalidField("note", "say why the report is returned")
    before = report.to_dict()
    report.status = (ReportStatus.confirmed if confirm else ReportStatus.returned).value
    report.reviewed_by = user.username
    report.reviewed_at = utcnow()
    report.review_note = note
    session.flush()
    audit_change(
        session,
        user,
        "confirm" if confirm else "return",
        "progress_reports",
        report.id,
        before,
        report.to_dict(),
    )
    return report


# ---- evidence -------------------------------------------------------------------------------

_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")


def evidence_dir(data_dir: Path) -> Path:
    return data_dir / "supervision" / "evidence"


def evidence_path(data_dir: Path, sha256: str) -> Path:
    return evidence_dir(data_dir) / sha256[:2] / sha256


def _clean_filename(name: str | None) -> str:
    base = os.path.basename((name or "").replace("\\", "/"))
    base = _UNSAFE.sub("_", base).strip(" .")
    return base[:255] or "evidence"


def add_evidence(
    *,
    session: Session,
    user: perm.Principal,
    report_id: int,
    data_dir: Path,
    filename: str | None,
    content_type: str | None,
    content: bytes,
    max_bytes: int,
) -> Evidence:
    """Store an uploaded file (content-addressed by sha256 under the data directory) on a report."""
    report = get_report(session=session, user=user, report_id=report_id)
    perm.require(user, "progress_reports", "update")
    _check_own_report(user, report, "add evidence to")
    _check_open(report)
    if not content:
        raise InvalidField("file", "the file is empty")
    if len(content) > max_bytes:
        raise TooLarge(f"file: {len(content)} bytes exceeds the upload limit of {max_bytes} bytes")
    sha = hashlib.sha256(content).hexdigest()
    target = evidence_path(data_dir, sha)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    ev = Evidence(
        report_id=report.id,
        filename=_clean_filename(filename),
        content_type=(content_type or "application/octet-stream")[:120],
        size=len(content),
        sha256=sha,
        uploaded_by=user.username,
    )
    session.add(ev)
    session.flush()
    audit_change(session, user, "create", "progress_evidence", ev.id, None, ev.to_dict())
    return ev


def get_evidence(
    *, session: Session, user: perm.Principal, report_id: int, evidence_id: int, data_dir: Path
) -> tuple[Evidence, Path]:
    report = get_report(session=session, user=user, report_id=report_id)
    ev = session.get(Evidence, evidence_id) if 0 < evidence_id <= MAX_INT else None
    if ev is None or ev.report_id != report.id:
        raise NotFound(f"evidence {evidence_id} of report {report_id} not found")
    path = evidence_path(data_dir, ev.sha256)
    if not path.exists():
        raise NotFound(f"the file of evidence {evidence_id} is missing from the data directory")
    return ev, path


# ---- helpers for the dashboard and reports ---------------------------------------------------


def month_bounds(month: str, today: date) -> tuple[date, date]:
    """``YYYY-MM`` → (first day, the day the month is reviewed as of: its last day, or today)."""
    m = re.fullmatch(r"(\d{4})-(\d{2})", month or "")
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise InvalidField("month", "expected YYYY-MM")
    first = date(int(m.group(1)), int(m.group(2)), 1)
    if first > today:
        raise InvalidField("month", f"{month} has not begun yet")
    nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, min(nxt - timedelta(days=1), today)
