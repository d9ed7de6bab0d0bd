"""Reference data of the incidents domain, held as versioned JSON files with their sources.

Shipped defaults live in ``yingji/incidents/data/``. A city overrides any of them by putting a file
of the same name in ``<data_dir>/incidents/`` (``types.json``, ``grading.json``,
``capabilities.json``, ``reporting.json``); a file that changes on disk is reloaded. Every file is
checked when loaded, so a broken configuration fails loudly with the file's name.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from yingji.engines.grading import LEVELS, CriteriaError, CriteriaSet, parse_criteria_set

DATA = Path(__file__).resolve().parent / "data"
FILES = ("types.json", "grading.json", "capabilities.json", "reporting.json")


class ReferenceDataError(ValueError):
    """A reference file that cannot be used."""


@dataclass(frozen=True)
class IncidentType:
    value: str
    zh: str
    en: str
    category: str
    source: str


@dataclass(frozen=True)
class Category:
    value: str
    zh: str
    en: str
    source: str
    status: str
    types: tuple[IncidentType, ...]


@dataclass(frozen=True)
class Catalogue:
    categories: tuple[Category, ...]

    def category(self, value: str) -> Category | None:
        return next((c for c in self.categories if c.value == value), None)

    def type(self, value: str) -> IncidentType | None:
        for c in self.categories:
            for t in c.types:
                if t.value == value:
                    return t
        return None


@dataclass(frozen=True)
class GradingTable:
    sets: dict[str, CriteriaSet]
    by_category: dict[str, str]
    by_type: dict[str, str]

    def for_incident(self, *, category: str, type_: str) -> CriteriaSet:
        key = self.by_type.get(type_) or self.by_category[category]
        return self.sets[key]


@dataclass(frozen=True)
class Capability:
    specialties: tuple[str, ...]
    vehicle_types: tuple[str, ...]


@dataclass(frozen=True)
class CapabilityTable:
    by_type: dict[str, Capability]
    detour_factor: float
    speed_kmh: float
    status: str

    def for_type(self, type_: str) -> Capability:
        return self.by_type.get(type_, Capability((), ()))


@dataclass(frozen=True)
class ReportingRule:
    levels: tuple[str, ...]
    initial_phone_minutes: int | None
    initial_written_minutes: int | None
    status: str
    source: str


@dataclass(frozen=True)
class ReportingTable:
    jurisdiction: str
    rules: tuple[ReportingRule, ...]
    follow_up_interval_minutes: int | None
    follow_up_status: str
    follow_up_source: str
    final_within_minutes_after_close: int | None
    final_status: str
    final_source: str
    accident_note: str

    def rule_for(self, level: str | None) -> ReportingRule | None:
        """The rule of a level; an ungraded incident is held to the strictest rule (level I)."""
        level = level or LEVELS[0]
        return next((r for r in self.rules if level in r.levels), None)


@dataclass(frozen=True)
class Reference:
    catalogue: Catalogue
    grading: GradingTable
    capabilities: CapabilityTable
    reporting: ReportingTable
    files: dict[str, str]
    """name -> the path it was read from (shipped default or the installation's override)."""


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReferenceDataError(f"{path}: cannot read ({exc})") from None


def _catalogue(raw: Any, where: Path) -> Catalogue:
    try:
        cats = []
        seen: set[str] = set()
        for c in raw["categories"]:
            types = []
            for t in c["types"]:
                if t["value"] in seen:
                    raise ReferenceDataError(f"{where}: type {t['value']!r} appears twice")
                seen.add(t["value"])
                types.append(IncidentType(t["value"], t["zh"], t["en"], c["value"], t.get("source", "")))
            cats.append(Category(c["value"], c["zh"], c["en"], c.get("source", ""), c.get("status", "U"),
                                 tuple(types)))
    except (KeyError, TypeError) as exc:
        raise ReferenceDataError(f"{where}: malformed ({exc!r})") from None
    from yingji.incidents.enums import Category as CategoryEnum

    values = {c.value for c in cats}
    if values != {c.value for c in CategoryEnum}:
        raise ReferenceDataError(f"{where}: categories must be exactly {sorted(c.value for c in CategoryEnum)}")
    return Catalogue(tuple(cats))


def _grading(raw: Any, where: Path, catalogue: Catalogue) -> GradingTable:
    try:
        sets = {key: parse_criteria_set(key, data) for key, data in raw["sets"].items()}
        by_category = {str(k): str(v) for k, v in raw["by_category"].items()}
        by_type = {str(k): str(v) for k, v in (raw.get("by_type") or {}).items()}
    except CriteriaError as exc:
        raise ReferenceDataError(f"{where}: {exc}") from None
    except (KeyError, TypeError, AttributeError) as exc:
        raise ReferenceDataError(f"{where}: malformed ({exc!r})") from None
    for c in catalogue.categories:
        if c.value not in by_category:
            raise ReferenceDataError(f"{where}: no criteria for category {c.value}")
    for k, v in (*by_category.items(), *by_type.items()):
        if v not in sets:
            raise ReferenceDataError(f"{where}: {k} names unknown criteria set {v!r}")
    for t in by_type:
        if catalogue.type(t) is None:
            raise ReferenceDataError(f"{where}: by_type names unknown type {t!r}")
    return GradingTable(sets, by_category, by_type)


def _capabilities(raw: Any, where: Path) -> CapabilityTable:
    try:
        by_type = {
            str(k): Capability(tuple(v.get("specialties", ())), tuple(v.get("vehicle_types", ())))
            for k, v in raw["types"].items()
        }
        sl = raw.get("straight_line", {})
        detour, speed = float(sl.get("detour_factor", 1.3)), float(sl.get("speed_kmh", 40.0))
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise ReferenceDataError(f"{where}: malformed ({exc!r})") from None
    if detour < 1 or speed <= 0:
        raise ReferenceDataError(f"{where}: straight_line needs detour_factor >= 1 and speed_kmh > 0")
    return CapabilityTable(by_type, detour, speed, str(sl.get("status", raw.get("status", "U"))))


def _minutes(v: Any, what: str, where: Path) -> int | None:
    if v is None:
        return None
    if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
        raise ReferenceDataError(f"{where}: {what} must be a positive whole number of minutes or null")
    return v


def _reporting(raw: Any, where: Path) -> ReportingTable:
    try:
        rules = []
        for i, r in enumerate(raw["rules"]):
            levels = tuple(r["levels"])
            if not levels or set(levels) - set(LEVELS):
                raise ReferenceDataError(f"{where}: rules[{i}].levels must be among {', '.join(LEVELS)}")
            rules.append(
                ReportingRule(
                    levels,
                    _minutes(r.get("initial_phone_minutes"), f"rules[{i}].initial_phone_minutes", where),
                    _minutes(r.get("initial_written_minutes"), f"rules[{i}].initial_written_minutes", where),
                    str(r.get("status", "U")),
                    str(r.get("source", "")),
                )
            )
        return ReportingTable(
            jurisdiction=str(raw.get("jurisdiction", "")),
            rules=tuple(rules),
            follow_up_interval_minutes=_minutes(
                raw.get("follow_up_interval_minutes"), "follow_up_interval_minutes", where
            ),
            follow_up_status=str(raw.get("follow_up_status", "U")),
            follow_up_source=str(raw.get("follow_up_source", "")),
            final_within_minutes_after_close=_minutes(
                raw.get("final_within_minutes_after_close"), "final_within_minutes_after_close", where
            ),
            final_status=str(raw.get("final_status", "U")),
            final_source=str(raw.get("final_source", "")),
            accident_note=str(raw.get("accident_note", "")),
        )
    except (KeyError, TypeError) as exc:
        raise ReferenceDataError(f"{where}: malformed ({exc!r})") from None


def paths(data_dir: Path | None) -> dict[str, Path]:
    """Where each reference file is read from: the installation's override, else the default."""
    out = {}
    for name in FILES:
        override = data_dir / "incidents" / name if data_dir is not None else None
        out[name] = override if override is not None and override.is_file() else DATA / name
    return out


_lock = threading.Lock()
_cache: dict[tuple[tuple[str, float, int], ...], Reference] = {}


def load_reference(data_dir: Path | None = None) -> Reference:
    """The reference data in force for an installation (cached until a file changes)."""
    where = paths(data_dir)
    stamp = tuple((str(p), p.stat().st_mtime, p.stat().st_size) for p in where.values())
    with _lock:
        hit = _cache.get(stamp)
        if hit is not None:
            return hit
    catalogue = _catalogue(_read(where["types.json"]), where["types.json"])
    ref = Reference(
        catalogue=catalogue,
        grading=_grading(_read(where["grading.json"]), where["grading.json"], catalogue),
        capabilities=_capabilities(_read(where["capabilities.json"]), where["capabilities.json"]),
        reporting=_reporting(_read(where["reporting.json"]), where["reporting.json"]),
        files={k: str(v) for k, v in where.items()},
    )
    with _lock:
        if len(_cache) > 16:
            _cache.clear()
        _cache[stamp] = ref
    return ref
