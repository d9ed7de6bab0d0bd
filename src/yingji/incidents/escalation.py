"""Escalate a warning (预警) to an incident (事件) in one step — the incidents side of
:func:`yingji.warnings.hooks.set_incident_escalator`.

Registered when the ``yingji.incidents`` package is imported (its ``__init__`` imports this
module); this module imports only :mod:`yingji.warnings.hooks` at import time, the incidents and
warnings services inside the function, so there is no import cycle.

What the new incident takes from the warning:

* **category and type** — the first of: the warning's hazard source kind, its sensor kind, its CAP
  category (tables below; status U, a platform choice);
* division, point (the warning's point, else its area's centroid, else the division's seat),
  title (the headline), description (description, instruction and a line naming the warning),
  ``occurred_at`` = the warning's onset (else when it was raised), never in the future;
* **level: none.** A warning level says how likely and how near a threat is (《突发事件应对法》
  Art. 63), an incident level how grave its consequences are (casualties, loss): the incident's
  level is suggested by grading from its figures and confirmed by an officer as for any report.
  The warning's level and colour are recorded on the first timeline line.

Links both ways: the incident's ``created`` timeline line is followed by a ``note`` line whose
``data`` holds ``{"warning_id", "warning_level", "warning_colour", "source": "warning"}``; the
warning's ``details.incident_id`` (set by :func:`yingji.warnings.service.escalate_to_incident`)
names the incident.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from yingji.warnings import hooks

#: hazard source kind → (category, type)
BY_HAZARD_KIND: dict[str, tuple[str, str]] = {
    "hazmat_enterprise": ("accident", "hazmat_leak"),
    "chemical_park": ("accident", "hazmat_leak"),
    "tailings_pond": ("accident", "mine"),
    "oil_gas_well": ("accident", "work_safety"),
    "gas_pipeline": ("accident", "gas_pipeline"),
    "dike_sluice": ("natural_disaster", "flood"),
    "geological_hazard": ("natural_disaster", "geological"),
    "crowded_place": ("social_security", "mass_gathering"),
    "high_rise": ("accident", "fire"),
}
#: sensor kind → (category, type), when the warning names no hazard source
BY_SENSOR_KIND: dict[str, tuple[str, str]] = {
    "water_level": ("natural_disaster", "flood"),
    "rainfall": ("natural_disaster", "flood"),
    "gas_concentration": ("accident", "explosion"),
    "toxic_gas": ("accident", "hazmat_leak"),
    "phreatic_line": ("accident", "mine"),
    "displacement": ("natural_disaster", "geological"),
    "temperature": ("accident", "work_safety"),
    "pressure": ("accident", "work_safety"),
    "wind": ("natural_disaster", "severe_weather"),
}
#: CAP 1.2 category → (category, type), the last resort
BY_CAP_CATEGORY: dict[str, tuple[str, str]] = {
    "Met": ("natural_disaster", "severe_weather"),
    "Geo": ("natural_disaster", "geological"),
    "Fire": ("accident", "fire"),
    "CBRNE": ("accident", "hazmat_leak"),
    "Env": ("accident", "environmental"),
    "Health": ("public_health", "infectious_disease"),
    "Security": ("social_security", "mass_gathering"),
    "Transport": ("accident", "road_traffic"),
    "Infra": ("accident", "utility_outage"),
    "Safety": ("accident", "work_safety"),
    "Rescue": ("accident", "work_safety"),
    "Other": ("accident", "work_safety"),
}


def incident_type_for(*, hazard_kind: str | None, sensor_kind: str | None, cap_category: str | None
                      ) -> tuple[str, str, str]:
    """(category, type, which table decided)."""
    if hazard_kind and hazard_kind in BY_HAZARD_KIND:
        return (*BY_HAZARD_KIND[hazard_kind], "hazard_source")
    if sensor_kind and sensor_kind in BY_SENSOR_KIND:
        return (*BY_SENSOR_KIND[sensor_kind], "sensor")
    return (*BY_CAP_CATEGORY.get(cap_category or "Other", BY_CAP_CATEGORY["Other"]), "cap_category")


def _point(session: Any, warning: Any) -> tuple[float, float]:
    if warning.lon is not None and warning.lat is not None:
        return float(warning.lon), float(warning.lat)
    if warning.area:
        from shapely.geometry import shape

        c = shape(warning.area).centroid
        return float(c.x), float(c.y)
    from yingji.registry.models import Division

    div = session.get(Division, warning.division_code)
    if div is not None and div.lon is not None and div.lat is not None:
        return float(div.lon), float(div.lat)
    from yingji.errors import Conflict

    raise Conflict(f"warning {warning.id} has no location (point, area or division seat) for an incident")


def escalate(*, session: Any, warning: Any, actor: Any, data_dir: Path | None = None) -> int:
    """Create the incident for ``warning`` (which has none yet) and return its id."""
    from yingji.db.base import utcnow
    from yingji.incidents import journal
    from yingji.incidents import service as incidents
    from yingji.incidents.schemas import IncidentCreate
    from yingji.monitoring.models import Sensor
    from yingji.risk.models import HazardSource
    from yingji.warnings.enums import LEVELS

    hazard = session.get(HazardSource, warning.hazard_source_id) if warning.hazard_source_id else None
    sensor = session.get(Sensor, warning.sensor_id) if warning.sensor_id else None
    category, type_, basis = incident_type_for(hazard_kind=hazard.kind if hazard else None,
                                               sensor_kind=sensor.kind if sensor else None,
                                               cap_category=warning.category)
    lon, lat = _point(session, warning)
    now = utcnow()
    occurred: datetime = min(warning.onset or warning.raised_at, now)
    colour, level_zh = LEVELS[warning.level][0], LEVELS[warning.level][1]
    parts = [p for p in (warning.description, warning.instruction) if p]
    parts.append(f"由预警 #{warning.id}（{level_zh}，{warning.headline}）升级为事件。")
    data = IncidentCreate(
        title=warning.headline[:200], category=category, type=type_, description="\n".join(parts)[:8000],
        division_code=warning.division_code, lon=lon, lat=lat,
        address=(hazard.address if hazard and hazard.address else warning.area_desc)[:300] or None,
        occurred_at=occurred, reported_at=now,
        reporter_unit_id=warning.unit_id if actor.role != "department" else None,
    )
    incident = incidents.create_incident(session=session, data=data, actor=actor, data_dir=data_dir)
    journal.timeline(
        session, incident=incident, actor=actor, kind="note",
        summary=f"由预警 #{warning.id} 升级：{warning.headline}（{level_zh}）",
        data={"source": "warning", "warning_id": warning.id, "warning_level": warning.level,
              "warning_colour": colour, "warning_cause": warning.cause, "type_basis": basis},
    )
    return int(incident.id)


def register() -> None:
    hooks.set_incident_escalator(escalate)


register()
