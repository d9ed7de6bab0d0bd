"""The chemicals table: typed records loaded from ``data/chemicals.json`` (each value sourced;
unverified values listed per entry in ``uncertain``)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

CAS_RE = re.compile(r"^(\d{2,7})-(\d{2})-(\d)$")
UN_RE = re.compile(r"^UN\d{4}$")


def cas_valid(cas: str) -> bool:
    """CAS registry number format and check digit (weighted sum of the other digits mod 10)."""
    m = CAS_RE.match(cas)
    if not m:
        return False
    digits = (m.group(1) + m.group(2))[::-1]
    return sum((i + 1) * int(d) for i, d in enumerate(digits)) % 10 == int(m.group(3))


@dataclass(frozen=True)
class Chemical:
    cas: str
    un: str
    zh: str
    en: str
    formula: str
    mw: float | None
    state: str
    bp_c: float | None
    flash_c: float | None
    lel_pct: float | None
    uel_pct: float | None
    idlh_ppm: float | None
    erpg: dict[str, float | None] | None
    critical_t: float | None
    hazard_class: str
    uncertain: tuple[str, ...]
    notes: str
    sources: tuple[str, ...]

    def as_dict(self, source_texts: dict[str, str] | None = None) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out["class"] = out.pop("hazard_class")
        out["uncertain"] = list(self.uncertain)
        out["sources"] = [source_texts.get(s, s) for s in self.sources] if source_texts else list(self.sources)
        return out


@lru_cache(maxsize=1)
def _load() -> tuple[dict[str, Chemical], dict[str, str]]:
    raw = json.loads(resources.files("yingji.risk").joinpath("data/chemicals.json").read_text(encoding="utf-8"))
    table: dict[str, Chemical] = {}
    for c in raw["chemicals"]:
        chem = Chemical(
            cas=c["cas"], un=c["un"], zh=c["zh"], en=c["en"], formula=c["formula"], mw=c["mw"], state=c["state"],
            bp_c=c["bp_c"], flash_c=c["flash_c"], lel_pct=c["lel_pct"], uel_pct=c["uel_pct"],
            idlh_ppm=c["idlh_ppm"], erpg=c["erpg"], critical_t=c["critical_t"], hazard_class=c["class"],
            uncertain=tuple(c["uncertain"]), notes=c["notes"], sources=tuple(c["sources"]),
        )
        table[chem.cas] = chem
    return table, dict(raw["sources"])


def chemicals() -> list[Chemical]:
    return list(_load()[0].values())


def sources() -> dict[str, str]:
    return _load()[1]


def find(key: str) -> Chemical | None:
    """By CAS number (``7782-50-5``), UN number (``UN1017``) or exact Chinese/English name."""
    table = _load()[0]
    key = key.strip()
    if key in table:
        return table[key]
    upper = key.upper().replace(" ", "")
    for c in table.values():
        if upper == c.un or key == c.zh or key.lower() == c.en.lower():
            return c
    return None
