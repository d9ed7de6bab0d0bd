"""Demo data of the incidents domain: a handful of plans (hazmat, fire, flood, epidemic) and a few
incidents in different states. Everything is synthetic and labelled （演示）; loading is idempotent
(plans by name, incidents by title) and goes through the services, so it is audited and timed like
real work. Units and divisions are looked up by name/code; what the database lacks is skipped or
falls back to the city, so the loader also runs on a small test world.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth import permissions as perm
from yingji.db.base import utcnow
from yingji.errors import YingjiError
from yingji.incidents import dispatch as dispatch_service
from yingji.incidents import plans as plan_service
from yingji.incidents import reporting, service
from yingji.incidents import tasks as task_service
from yingji.incidents.enums import ReportChannel, ReportKind, ResourceType, Status
from yingji.incidents.models import Incident, Plan
from yingji.incidents.schemas import (
    ActivationIn,
    DispatchCreate,
    IncidentCreate,
    LevelDecision,
    NoteIn,
    PlanCreate,
    ReportCreate,
    TaskCreate,
    TransitionIn,
)
from yingji.registry.models import Division, Team, Unit

CITY = "371500"
LEAD = "市应急局"
LABEL = "（演示）"

# (name, kind, types, {response level: (incident levels, criteria, [(unit, action, minutes)])})
PLANS: list[tuple[str, str, list[str], dict[int, tuple[list[str], str, list[tuple[str, str, int]]]]]] = [
    ("聊城市危险化学品事故应急预案", "special", ["hazmat_leak", "explosion", "hazmat_transport", "gas_pipeline"], {
        1: (["I"], "特别重大危险化学品事故，或超出市级处置能力", [
            (LEAD, "市委市政府主要负责同志赶赴现场，成立现场指挥部", 60),
            ("市消防救援支队", "调集全市危化品处置力量和重型装备", 30),
            ("市生态环境局", "开展大气、水体环境应急监测", 60)]),
        2: (["II"], "重大危险化学品事故", [
            (LEAD, "分管副市长赶赴现场指挥", 60),
            ("市消防救援支队", "调派危化品专业救援力量", 30),
            ("市卫生健康委", "组织伤员救治和中毒救治专家", 45)]),
        3: (["III"], "较大危险化学品事故", [
            (LEAD, "成立现场指挥部，划定警戒区", 30),
            ("市消防救援支队", "堵漏、稀释、洗消", 30),
            ("市生态环境局", "下风向环境监测", 60),
            ("市卫生健康委", "组织医疗救治", 45),
            ("市公安局", "交通管制和人员疏散", 30)]),
        4: (["IV"], "一般危险化学品事故，由县级为主处置", [
            (LEAD, "指导县级开展处置", 60)]),
    }),
    ("聊城市火灾事故应急预案", "special", ["fire"], {
        2: (["I", "II"], "重大及以上火灾", [
            ("市消防救援支队", "启动跨区域增援", 30),
            ("市卫生健康委", "组织伤员救治", 45),
            (LEAD, "成立现场指挥部", 60)]),
        3: (["III"], "较大火灾", [
            ("市消防救援支队", "调派辖区及邻近消防站力量", 15),
            ("市公安局", "现场警戒和交通疏导", 30)]),
        4: (["IV"], "一般火灾", [("市消防救援支队", "辖区消防站处置", 10)]),
    }),
    ("聊城市防汛应急预案", "special", ["flood", "severe_weather"], {
        1: (["I"], "流域性大洪水或特大暴雨", [
            ("市水利局", "启动防洪工程调度，加密河道巡查", 60),
            (LEAD, "组织转移安置受威胁群众", 120),
            ("聊城黄河河务局", "黄河堤防巡查防守", 60)]),
        2: (["II"], "重大洪涝", [
            ("市水利局", "水库河道调度", 60),
            ("市气象局", "逐小时雨情预报", 30)]),
        3: (["III", "IV"], "较大及一般洪涝、城市内涝", [
            ("市住房城乡建设局", "城区积水点排涝", 60),
            ("市交通运输局", "积水路段交通管制和抢通", 60),
            ("市气象局", "逐小时雨情预报", 30)]),
    }),
    ("聊城市突发公共卫生事件应急预案", "special", ["infectious_disease", "unexplained_illness", "food_safety"], {
        2: (["I", "II"], "重大及以上突发公共卫生事件", [
            ("市卫生健康委", "启动应急指挥部，调集医疗资源", 60),
            ("市公安局", "配合开展流行病学调查和管控", 120)]),
        3: (["III"], "较大突发公共卫生事件", [
            ("市卫生健康委", "流行病学调查和病例救治", 60),
            ("市市场监管局", "涉事食品或药品溯源封存", 120)]),
        4: (["IV"], "一般突发公共卫生事件", [("市卫生健康委", "指导县级疾控处置", 120)]),
    }),
]


def _unit(session: Session, name: str) -> int | None:
    return session.scalar(select(Unit.id).where(Unit.name == name))


def _division(session: Session, code: str) -> str | None:
    if session.get(Division, code) is not None:
        return code
    return CITY if session.get(Division, CITY) is not None else None


def _plans(session: Session, actor: perm.Principal) -> int:
    lead = _unit(session, LEAD)
    if lead is None or session.get(Division, CITY) is None:
        return 0
    added = 0
    for name, kind, types, levels in PLANS:
        full = name + LABEL
        if session.scalar(select(Plan.id).where(Plan.name == full)) is not None:
            continue
        body = {
            "name": full, "kind": kind, "division_code": CITY, "unit_id": lead, "incident_types": types,
            "source": "合成演示数据，非真实预案", "description": "演示用最小预案：响应级别、启动条件和各单位行动。",
            "levels": [
                {"response_level": rl, "incident_levels": ils, "criteria": crit,
                 "actions": [{"unit_id": _unit(session, u) or lead, "action": a, "deadline_minutes": m}
                             for u, a, m in actions]}
                for rl, (ils, crit, actions) in sorted(levels.items())
            ],
        }
        plan_service.create_plan(session=session, user=actor, data=PlanCreate.model_validate(body))
        added += 1
    return added


def _incident(session: Session, actor: perm.Principal, **values: Any) -> Incident | None:
    title = values["title"]
    if session.scalar(select(Incident.id).where(Incident.title == title)) is not None:
        return None
    code = _division(session, values.pop("county"))
    if code is None:
        return None
    values["division_code"] = code
    return service.create_incident(session=session, data=IncidentCreate.model_validate(values), actor=actor)


def _move(session: Session, actor: perm.Principal, incident: Incident, *states: str, **extra: Any) -> None:
    for s in states:
        service.transition(session=session, user=actor, incident_id=incident.id,
                           data=TransitionIn.model_validate({"to": s, **extra}))


def _report(session: Session, actor: perm.Principal, incident: Incident, kind: ReportKind, text: str) -> None:
    reporting.submit(session=session, user=actor, incident_id=incident.id, data=ReportCreate(
        kind=kind, channel=ReportChannel.written, recipient="聊城市委市政府总值班室", content=text))


def load_demo(*, session: Session, actor: perm.Principal, data_dir: Path | None = None) -> dict[str, int]:
    """Insert the demo plans and incidents that are missing; return what was added.

    With ``data_dir`` (the installation's, holding the road network) dispatch ETAs are by road.
    """
    now = utcnow()
    counts = {"plans": _plans(session, actor), "incidents": 0}

    def at(minutes: int) -> str:
        return (now - timedelta(minutes=minutes)).isoformat()

    # 1. a chlorine leak in a chemical park: responding, plan activated, a team dispatched
    leak = _incident(session, actor, title="茌平区化工园区液氯储罐阀门泄漏" + LABEL, category="accident",
                     type="hazmat_leak", county="371503", lon=116.255, lat=36.595, address="聊城化工产业园区（演示）",
                     occurred_at=at(95), reported_at=at(88), reporter_name="园区值班室（演示）", injured=6,
                     seriously_injured=1, dead=3, direct_loss_wan=260.0, affected_people=1500,
                     description="合成演示数据：储罐区阀门泄漏，下风向有异味，已组织园区内人员撤离。")
    if leak is not None:
        counts["incidents"] += 1
        _move(session, actor, leak, "verified")
        service.decide_level(session=session, user=actor, incident_id=leak.id, data=LevelDecision(level="III"))
        plan = session.scalar(select(Plan).where(Plan.name == PLANS[0][0] + LABEL))
        if plan is not None:
            plan_service.activate(session=session, user=actor, incident_id=leak.id,
                                  data=ActivationIn(plan_id=plan.id, response_level=3, reason="较大事故（演示）"))
        team = session.scalar(select(Team).where(Team.specialty == "hazmat", Team.status == "available")
                              .order_by(Team.id))
        if team is not None:
            with contextlib.suppress(YingjiError):
                dispatch_service.dispatch(session=session, user=actor, incident_id=leak.id, data_dir=data_dir,
                                          data=DispatchCreate(resource_type=ResourceType.team, resource_id=team.id))
        service.add_note(session=session, user=actor, incident_id=leak.id,
                         data=NoteIn(kind="decision", text="下风向500米范围人员疏散（演示）"))
        _report(session, actor, leak, ReportKind.initial, "首报（演示）：化工园区液氯泄漏，3人死亡，已启动三级响应。")
    # 2. urban flooding after a rainstorm: verified
    flood = _incident(session, actor, title="东昌府区城区暴雨内涝" + LABEL, category="natural_disaster", type="flood",
                      county="371502", lon=115.99, lat=36.46, occurred_at=at(240), affected_people=1200,
                      address="东昌府区柳园街道（演示）", description="合成演示数据：短时强降雨致多处积水。")
    if flood is not None:
        counts["incidents"] += 1
        _move(session, actor, flood, "verified")
    # 3. a residential fire: handled and closed, reports sent
    fire = _incident(session, actor, title="临清市居民楼火灾" + LABEL, category="accident", type="fire",
                     county="371581", lon=115.71, lat=36.84, occurred_at=at(60 * 26), reported_at=at(60 * 26 - 3),
                     injured=2, direct_loss_wan=35.0, address="临清市新华路街道（演示）")
    if fire is not None:
        counts["incidents"] += 1
        _move(session, actor, fire, "verified")
        _report(session, actor, fire, ReportKind.initial, "首报（演示）：居民楼火灾，2人受伤。")
        _move(session, actor, fire, "closed")
        _report(session, actor, fire, ReportKind.final, "终报（演示）：明火已扑灭，无人员死亡。")
    # 4. a cluster of fever cases: just reported
    fever = _incident(session, actor, title="冠县某学校聚集性发热病例" + LABEL, category="public_health",
                      type="infectious_disease", county="371525", lon=115.44, lat=36.48, occurred_at=at(30),
                      injured=14, affected_people=80, reporter_name="冠县疾控中心（演示）")
    if fever is not None:
        counts["incidents"] += 1
        health = _unit(session, "市卫生健康委")
        if health is not None:
            task_service.create_task(session=session, user=actor, incident_id=fever.id, data=TaskCreate(
                title="开展流行病学调查（演示）", assignee_type="unit", unit_id=health, deadline_minutes=120))
    # 5. a suspected gas leak that was a false alarm
    gas = _incident(session, actor, title="高唐县疑似燃气泄漏" + LABEL, category="accident", type="gas_pipeline",
                    county="371526", lon=116.23, lat=36.86, occurred_at=at(180))
    if gas is not None:
        counts["incidents"] += 1
        _move(session, actor, gas, Status.false_alarm.value, reason="现场检测无泄漏，系下水道异味（演示）")
    return counts
