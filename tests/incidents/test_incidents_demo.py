"""The demo loader: plans for hazmat, fire, flood and epidemic; incidents in different states;
synthetic and labelled; idempotent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.incidents.demo import LABEL, load_demo
from yingji.incidents.models import Incident, Plan, Task, TimelineEntry


@dataclass(frozen=True)
class System:
    id: int | None = None
    username: str = "system"
    role: str = "admin"
    division_code: str | None = None
    unit_id: int | None = None


def test_demo_loads_once_and_covers_the_states(session: Session, world: Any) -> None:
    counts = load_demo(session=session, actor=System())
    assert counts == {"plans": 4, "incidents": 5}
    plans = session.scalars(select(Plan).order_by(Plan.id)).all()
    assert all(p.name.endswith(LABEL) and "演示" in (p.source or "") for p in plans)
    types = {t for p in plans for t in p.incident_types}
    assert {"hazmat_leak", "fire", "flood", "infectious_disease"} <= types
    incidents = session.scalars(select(Incident).order_by(Incident.id)).all()
    assert all(LABEL in i.title for i in incidents)
    assert sorted(i.status for i in incidents) == ["closed", "false_alarm", "reported", "responding", "verified"]
    leak = next(i for i in incidents if i.type == "hazmat_leak")
    assert leak.level == "III" and leak.response_level == 3
    assert len(session.scalars(select(Task).where(Task.incident_id == leak.id)).all()) == 5
    assert session.scalars(select(TimelineEntry).where(TimelineEntry.incident_id == leak.id)).all()
    assert load_demo(session=session, actor=System()) == {"plans": 0, "incidents": 0}
