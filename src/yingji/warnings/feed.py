"""An Atom feed (RFC 4287) of active warnings, each entry carrying its CAP 1.2 alert inline
(``<content type="application/cap+xml">``) and the CAP summary elements of the OASIS CAP feed
convention, so that feed readers show it and CAP aggregators import it without further requests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from lxml import etree

from yingji.warnings import cap

_A = f"{{{cap.ATOM_NS}}}"
_C = f"{{{cap.CAP_NS}}}"


def _atom_time(dt: datetime) -> str:
    return dt.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def build(warnings: Sequence[tuple[Any, list[tuple[int, datetime]]]], *, self_url: str, base_url: str,
          now: datetime) -> bytes:
    """``warnings`` = (warning, CAP version history) pairs, newest first."""
    p = cap.profile()
    feed = etree.Element(f"{_A}feed", nsmap={None: cap.ATOM_NS, "cap": cap.CAP_NS})
    etree.SubElement(feed, f"{_A}id").text = f"urn:yingji:cap-feed:{p['identifier_prefix']}"
    etree.SubElement(feed, f"{_A}title").text = f"{p['sender_name']} 生效预警 (active warnings)"
    updated = max((w.updated_at for w, _ in warnings), default=now)
    etree.SubElement(feed, f"{_A}updated").text = _atom_time(updated)
    author = etree.SubElement(feed, f"{_A}author")
    etree.SubElement(author, f"{_A}name").text = p["sender_name"]
    etree.SubElement(feed, f"{_A}link", rel="self", href=self_url, type="application/atom+xml")
    for w, history in warnings:
        alert = cap.alert_element(w, history)
        entry = etree.SubElement(feed, f"{_A}entry")
        etree.SubElement(entry, f"{_A}id").text = f"urn:yingji:cap:{cap.identifier(w.id, w.version)}"
        etree.SubElement(entry, f"{_A}title").text = w.headline
        etree.SubElement(entry, f"{_A}updated").text = _atom_time(w.updated_at)
        etree.SubElement(entry, f"{_A}published").text = _atom_time(w.raised_at)
        etree.SubElement(entry, f"{_A}link", rel="alternate", type=cap.CAP_MEDIA,
                         href=f"{base_url.rstrip('/')}/api/v1/warnings/{w.id}/cap")
        etree.SubElement(entry, f"{_A}summary").text = w.description or w.headline
        info = alert.find(f"{_C}info")
        for tag in ("event", "urgency", "severity", "certainty", "effective", "expires"):
            el = info.find(f"{_C}{tag}") if info is not None else None
            if el is not None:
                etree.SubElement(entry, f"{_C}{tag}").text = el.text
        etree.SubElement(entry, f"{_C}status").text = w.cap_status
        etree.SubElement(entry, f"{_C}msgType").text = alert.findtext(f"{_C}msgType")
        etree.SubElement(entry, f"{_C}areaDesc").text = w.area_desc
        content = etree.SubElement(entry, f"{_A}content", type=cap.CAP_MEDIA)
        content.append(alert)
    out: bytes = etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return out
