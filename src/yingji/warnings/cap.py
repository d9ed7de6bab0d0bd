"""CAP 1.2 (OASIS Common Alerting Protocol) out and in, validated against the schema shipped in
``data/CAP-v1.2.xsd``; the mapping between our levels and CAP's severity/urgency is data in
``data/cap_profile.json`` and documented in ``docs/cap.md``."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from importlib import resources
from typing import Any

from lxml import etree

from yingji.common.schemas import is_digits
from yingji.errors import InvalidField

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
CAP_MEDIA = "application/cap+xml"
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")  # China keeps no daylight saving
_C = f"{{{CAP_NS}}}"


@lru_cache(maxsize=1)
def profile() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        resources.files("yingji.warnings").joinpath("data/cap_profile.json").read_text(encoding="utf-8"))
    return data


@lru_cache(maxsize=1)
def schema() -> etree.XMLSchema:
    with resources.as_file(resources.files("yingji.warnings").joinpath("data/CAP-v1.2.xsd")) as path:
        return etree.XMLSchema(etree.parse(str(path), parser=_parser()))


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True,
                           load_dtd=False)


def cap_time(dt: datetime) -> str:
    """CAP date-time: seconds precision with an explicit offset (CAP 1.2 forbids 'Z')."""
    return dt.astimezone(SHANGHAI).replace(microsecond=0).isoformat()


def parse_xml(content: bytes, what: str = "body") -> etree._Element:
    """Parse untrusted XML without entities, DTDs or network; refuse a DOCTYPE."""
    if not content.strip():
        raise InvalidField(what, "empty document")
    try:
        doc = etree.fromstring(content, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise InvalidField(what, f"not well-formed XML: {exc}") from None
    tree = doc.getroottree()
    if tree.docinfo.doctype:
        raise InvalidField(what, "a DOCTYPE is not accepted")
    return doc


def validate(doc: etree._Element, what: str = "body") -> None:
    """Raise InvalidField naming the first schema violation (line and message)."""
    if doc.tag != f"{_C}alert":
        ns = etree.QName(doc).namespace
        hint = " (only CAP 1.2 is accepted)" if ns and "emergency:cap" in ns else ""
        raise InvalidField(what, f"root element is {doc.tag!r}, not a CAP 1.2 alert{hint}")
    s = schema()
    if not s.validate(doc):
        err = s.error_log.last_error
        raise InvalidField(what, f"CAP 1.2 schema: line {err.line}: {err.message}")


# ---- export --------------------------------------------------------------------------------------


def identifier(warning_id: int, version: int) -> str:
    return f"{profile()['identifier_prefix']}-W{warning_id}-V{version}"


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    el = etree.SubElement(parent, f"{_C}{tag}")
    if text is not None:
        el.text = text
    return el


def _pair(parent: etree._Element, tag: str, name: str, value: str) -> None:
    el = _sub(parent, tag)
    _sub(el, "valueName", name)
    _sub(el, "value", value)


def rings(area: dict[str, Any] | None) -> list[list[list[float]]]:
    """Exterior rings (lists of [lon, lat]) of a GeoJSON Polygon/MultiPolygon (CAP has no holes)."""
    if not area:
        return []
    if area.get("type") == "Polygon":
        return [area["coordinates"][0]]
    if area.get("type") == "MultiPolygon":
        return [poly[0] for poly in area["coordinates"]]
    return []


def cap_polygon(ring: list[list[float]]) -> str:
    pts = [(float(p[1]), float(p[0])) for p in ring]
    if pts[0] != pts[-1]:
        pts.append(pts[0])
    return " ".join(f"{lat:.6f},{lon:.6f}" for lat, lon in pts)


def to_cap(warning: Any, history: list[tuple[int, datetime]]) -> bytes:
    """The CAP 1.2 document of a warning's current version. Earlier versions go to ``references``;
    a lifted warning is a ``Cancel``; an expired one keeps its last message type."""
    out: bytes = etree.tostring(alert_element(warning, history), xml_declaration=True, encoding="UTF-8",
                                pretty_print=True)
    return out


def alert_element(warning: Any, history: list[tuple[int, datetime]]) -> etree._Element:
    """The ``<alert>`` element of :func:`to_cap` (the Atom feed embeds it as it is)."""
    p = profile()
    sent_at = dict(history).get(warning.version, warning.updated_at)
    alert = etree.Element(f"{_C}alert", nsmap={None: CAP_NS})
    _sub(alert, "identifier", identifier(warning.id, warning.version))
    _sub(alert, "sender", p["sender"])
    _sub(alert, "sent", cap_time(sent_at))
    _sub(alert, "status", warning.cap_status)
    msg_type = "Cancel" if warning.status == "lifted" else "Alert" if warning.version == 1 else "Update"
    _sub(alert, "msgType", msg_type)
    _sub(alert, "source", f"yingji/{warning.origin}")
    _sub(alert, "scope", "Public")
    if warning.status == "lifted" and warning.lift_reason:
        _sub(alert, "note", warning.lift_reason)
    refs = [f"{p['sender']},{identifier(warning.id, v)},{cap_time(at)}" for v, at in history if v < warning.version]
    if refs:
        _sub(alert, "references", " ".join(refs))
    info = _sub(alert, "info")
    _sub(info, "language", p["language"])
    _sub(info, "category", warning.category)
    _sub(info, "event", warning.event)
    level_map = p["export"][str(warning.level)]
    _sub(info, "responseType", "AllClear" if msg_type == "Cancel" else level_map["responseType"])
    _sub(info, "urgency", "Past" if msg_type == "Cancel" else level_map["urgency"])
    _sub(info, "severity", level_map["severity"])
    _sub(info, "certainty", p["certainty"].get(warning.origin, "Likely"))
    from yingji.warnings.enums import LEVELS

    _pair(info, "eventCode", "yingji:warningLevel", str(warning.level))
    _sub(info, "effective", cap_time(warning.raised_at))
    if warning.onset is not None:
        _sub(info, "onset", cap_time(warning.onset))
    if warning.expires_at is not None:
        _sub(info, "expires", cap_time(warning.expires_at))
    _sub(info, "senderName", p["sender_name"])
    _sub(info, "headline", warning.headline)
    if warning.description:
        _sub(info, "description", warning.description)
    if warning.instruction:
        _sub(info, "instruction", warning.instruction)
    if p.get("web"):
        _sub(info, "web", f"{p['web'].rstrip('/')}/warnings/{warning.id}")
    if p.get("contact"):
        _sub(info, "contact", p["contact"])
    _pair(info, "parameter", "warningLevel", str(warning.level))
    _pair(info, "parameter", "warningColour", LEVELS[warning.level][0])
    _pair(info, "parameter", "预警级别", LEVELS[warning.level][1])
    area = _sub(info, "area")
    _sub(area, "areaDesc", warning.area_desc)
    polygons = rings(warning.area)
    for ring in polygons:
        _sub(area, "polygon", cap_polygon(ring))
    if not polygons and warning.lon is not None and warning.lat is not None:
        _sub(area, "circle", f"{warning.lat:.6f},{warning.lon:.6f} {float(p['circle_km_for_points']):g}")
    for code in warning.geocodes or []:
        _pair(area, "geocode", p["geocode_value_name"], code)
    return alert


# ---- import --------------------------------------------------------------------------------------


@dataclass
class ParsedAlert:
    identifier: str
    sender: str
    sent: datetime
    status: str
    msg_type: str
    references: list[tuple[str, str]] = field(default_factory=list)  # (sender, identifier)
    note: str | None = None
    level: int | None = None
    level_basis: str = ""
    category: str = "Other"
    event: str = ""
    headline: str = ""
    description: str | None = None
    instruction: str | None = None
    onset: datetime | None = None
    effective: datetime | None = None
    expires: datetime | None = None
    area_desc: str = ""
    area: dict[str, Any] | None = None
    geocodes: list[str] = field(default_factory=list)


def _text(el: etree._Element | None, tag: str) -> str | None:
    if el is None:
        return None
    child = el.find(f"{_C}{tag}")
    return None if child is None or child.text is None else child.text.strip()


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text).astimezone(UTC)


def _circle_polygon(text: str, n: int = 32) -> list[list[float]]:
    centre, radius = text.split()
    lat, lon = (float(x) for x in centre.split(","))
    r_km = float(radius)
    ring = []
    for k in range(n + 1):
        a = 2 * math.pi * k / n
        dlat = r_km / 111.32 * math.cos(a)
        dlon = r_km / (111.32 * max(math.cos(math.radians(lat)), 1e-6)) * math.sin(a)
        ring.append([round(lon + dlon, 6), round(lat + dlat, 6)])
    ring[-1] = ring[0]
    return ring


def _cap_ring(text: str) -> list[list[float]]:
    ring = []
    for pair in text.split():
        lat, lon = (float(x) for x in pair.split(","))
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError(f"coordinate {pair} out of range")
        ring.append([lon, lat])
    if len(ring) < 4 or ring[0] != ring[-1]:
        raise ValueError("a CAP polygon needs at least four pairs, the first equal to the last")
    return ring


def level_of(info: etree._Element) -> tuple[int, str]:
    """Our level for an info block: a colour word in event/headline/parameters first (Chinese
    national warning messages name the colour), else CAP severity, else urgency."""
    p = profile()
    texts = [_text(info, "event") or "", _text(info, "headline") or ""]
    texts += [(pv.findtext(f"{_C}value") or "") for pv in info.findall(f"{_C}parameter")]
    for word, lvl in sorted(p["import_colour_words"].items(), key=lambda kv: kv[1]):
        if any(word in t for t in texts):
            return int(lvl), f"colour word {word}"
    severity = _text(info, "severity") or "Unknown"
    if severity in p["import_severity"]:
        return int(p["import_severity"][severity]), f"severity {severity}"
    urgency = _text(info, "urgency") or "Unknown"
    return int(p["import_unknown_severity_by_urgency"].get(urgency, 4)), f"severity Unknown, urgency {urgency}"


def parse_alert(doc: etree._Element) -> ParsedAlert:
    """Read a schema-valid CAP 1.2 alert (call :func:`validate` first)."""
    p = profile()
    refs: list[tuple[str, str]] = []
    for triple in (_text(doc, "references") or "").split():
        parts = triple.split(",")
        if len(parts) >= 2:
            refs.append((parts[0], parts[1]))
    sent = _time(_text(doc, "sent"))
    assert sent is not None  # the schema requires it
    alert = ParsedAlert(identifier=_text(doc, "identifier") or "", sender=_text(doc, "sender") or "",
                        sent=sent, status=_text(doc, "status") or "", msg_type=_text(doc, "msgType") or "",
                        references=refs, note=_text(doc, "note"))
    infos = doc.findall(f"{_C}info")
    if not infos:
        return alert
    info = next((i for i in infos if (_text(i, "language") or "").lower().startswith("zh")), infos[0])
    alert.level, alert.level_basis = level_of(info)
    alert.category = _text(info, "category") or "Other"
    alert.event = _text(info, "event") or ""
    alert.headline = _text(info, "headline") or alert.event
    alert.description = _text(info, "description")
    alert.instruction = _text(info, "instruction")
    alert.onset = _time(_text(info, "onset"))
    alert.effective = _time(_text(info, "effective"))
    alert.expires = _time(_text(info, "expires"))
    names = set(p["geocode_value_names_read"])
    descs, polys = [], []
    for i, area in enumerate(info.findall(f"{_C}area")):
        descs.append(_text(area, "areaDesc") or "")
        try:
            polys += [_cap_ring(el.text or "") for el in area.findall(f"{_C}polygon")]
            polys += [_circle_polygon(el.text or "") for el in area.findall(f"{_C}circle")]
        except ValueError as exc:
            raise InvalidField(["body", "info", "area", i], f"bad polygon or circle: {exc}") from None
        for g in area.findall(f"{_C}geocode"):
            if (g.findtext(f"{_C}valueName") or "").strip() in names:
                value = (g.findtext(f"{_C}value") or "").strip()
                if is_digits(value) and len(value) in (6, 9, 12):
                    alert.geocodes.append(value)
    alert.area_desc = "；".join(d for d in descs if d)[:300]
    if len(polys) == 1:
        alert.area = {"type": "Polygon", "coordinates": [polys[0]]}
    elif polys:
        alert.area = {"type": "MultiPolygon", "coordinates": [[r] for r in polys]}
    return alert
