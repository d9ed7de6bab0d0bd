"""Load the synthetic Liaocheng demo city into a database (idempotent, deterministic)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth import service as auth_service
from yingji.auth.models import User
from yingji.auth.schemas import UserCreate
from yingji.registry import service
from yingji.registry.models import Team, Unit
from yingji.registry.specs import REGISTRIES


@dataclass(frozen=True)
class SystemPrincipal:
    """The actor for CLI and demo writes: unrestricted, recorded as ``system`` in the audit log."""

    id: int | None = None
    username: str = "system"
    role: str = "admin"
    division_code: str | None = None
    unit_id: int | None = None


def _resolve(session: Session, record: dict[str, Any]) -> dict[str, Any]:
    values = dict(record)
    if "unit" in values:
        name = values.pop("unit")
        values["unit_id"] = None if name is None else session.scalar(select(Unit.id).where(Unit.name == name))
        if name is not None and values["unit_id"] is None:
            raise ValueError(f"demo data: unknown unit {name!r}")
    if "team" in values:
        name = values.pop("team")
        values["team_id"] = None if name is None else session.scalar(select(Team.id).where(Team.name == name))
        if name is not None and values["team_id"] is None:
            raise ValueError(f"demo data: unknown team {name!r}")
    return values


def _upsert(session: Session, registry: str, records: list[dict[str, Any]], actor: SystemPrincipal) -> int:
    spec = REGISTRIES[registry]
    added = 0
    for record in records:
        values = _resolve(session, record)
        data = spec.create.model_validate(values)
        if (
            service.find_by_natural_key(session=session, spec=spec, values=data.model_dump(mode="json"))
            is None
        ):
            service.create_record(session=session, spec=spec, user=actor, data=data)
            added += 1
    return added


def load_demo(*, session: Session, data_dir: Path, network: bool = False) -> dict[str, int]:
    """Insert whatever of the demo city is missing; return counts of records added per registry."""
    from shapely.geometry import mapping
    from shapely.ops import unary_union

    from yingji.demo.data import demo_city
    from yingji.demo.roads import demo_division_polygons

    city = demo_city()
    actor = SystemPrincipal()
    polygons = demo_division_polygons()
    divisions = []
    for d in city.divisions:
        d = dict(d)
        poly = polygons.get(d["code"])
        if poly is None and d["level"] == "city":
            poly = unary_union(list(polygons.values()))
        if poly is not None:
            d["boundary"] = mapping(poly)
        divisions.append(d)
    counts: dict[str, int] = {}
    # the city first so that counties can name it as parent
    counts["divisions"] = _upsert(
        session, "divisions", sorted(divisions, key=lambda d: d["level"] != "city"), actor
    )
    for registry in ("units", "contacts", "facilities", "teams", "experts", "vehicles"):
        counts[registry] = _upsert(session, registry, getattr(city, registry), actor)
    added_users = 0
    for u in city.users:
        if session.scalar(select(User).where(User.username == u["username"])) is None:
            values = _resolve(session, u)
            auth_service.create_user(session=session, user_in=UserCreate.model_validate(values), actor=actor)
            added_users += 1
    counts["users"] = added_users
    from yingji.supplies.demo import load_demo as load_supplies

    counts["stock_lots"] = load_supplies(session=session, actor=actor)["lots"]
    from yingji.supervision.demo import load_demo as load_supervision_demo

    sv = load_supervision_demo(session=session, actor=actor)
    for k in ("progress_reports", "gdp_figures", "loss_statistics", "indicator_values"):
        counts[k] = sv[k]
    from yingji.monitoring.demo import load_demo as load_monitoring_demo
    from yingji.risk.demo import load_demo as load_risk_demo

    counts.update(load_risk_demo(session=session, actor=actor))
    counts.update(load_monitoring_demo(session=session, actor=actor))
    if network:
        from yingji.demo.network import ensure_demo_network

        ensure_demo_network(data_dir=data_dir)
    from yingji.incidents.demo import load_demo as load_incidents_demo

    counts.update(load_incidents_demo(session=session, actor=actor, data_dir=data_dir if network else None))
    from yingji.supplies.demo import load_demo_requests

    counts["supply_requests"] = load_demo_requests(session=session, actor=actor)
    return counts
