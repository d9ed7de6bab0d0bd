"""Import external CAP 1.2 alerts: one uploaded document, or every alert of a polled Atom feed.

Mapping (``docs/cap.md``): ``Alert`` raises (or, re-sent, leaves alone), ``Update`` changes the
warning its ``references`` name (or raises when it names none we hold), ``Cancel`` lifts it;
``Ack``/``Error`` and ``Test``/``Draft``/``System`` messages are skipped. The source of an imported
warning is the sender, its cause the identifier of the first alert of the chain.
"""

from __future__ import annotations

import urllib.parse
import urllib.request
from collections.abc import Callable
from datetime import datetime
from typing import Any

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth import permissions as perm
from yingji.db.base import utcnow
from yingji.errors import InvalidField
from yingji.registry.models import Division
from yingji.warnings import cap
from yingji.warnings import service as ws
from yingji.warnings.models import EarlyWarning

MAX_FEED_BYTES = 5 * 1024 * 1024
MAX_FEED_ENTRIES = 200
Fetch = Callable[[str], bytes]


def _division_for(session: Session, user: perm.Principal, alert: cap.ParsedAlert, fallback: str | None) -> str:
    known = [c for c in sorted(set(alert.geocodes), key=len, reverse=True) if session.get(Division, c) is not None]
    code = known[0] if known else (fallback or user.division_code)
    if code is None or session.get(Division, code) is None:
        raise InvalidField("division_code", "the alert names no known GB/T 2260 geocode; give division_code")
    return code


def _referenced(session: Session, alert: cap.ParsedAlert) -> EarlyWarning | None:
    keys = [ws.active_key("external", s[:120], i[:120]) for s, i in alert.references]
    if keys:
        w = session.scalars(select(EarlyWarning).where(EarlyWarning.active_key.in_(keys))).first()
        if w is not None:
            return w
    idents = [i for _, i in alert.references]
    if not idents:
        return None
    return session.scalars(select(EarlyWarning).where(EarlyWarning.status == "active",
                                                      EarlyWarning.cap_identifier.in_(idents))).first()


def import_document(*, session: Session, user: perm.Principal, content: bytes,
                    division_code: str | None = None, now: datetime | None = None) -> dict[str, Any]:
    """Validate and import one CAP 1.2 document; malformed or invalid → InvalidField (422)."""
    perm.require(user, ws.RESOURCE, "import")
    doc = cap.parse_xml(content)
    cap.validate(doc)
    return _import_alert(session=session, user=user, doc=doc, division_code=division_code, now=now)


def _import_alert(*, session: Session, user: perm.Principal, doc: etree._Element, division_code: str | None,
                  now: datetime | None) -> dict[str, Any]:
    now = now or utcnow()
    alert = cap.parse_alert(doc)
    xml = etree.tostring(doc, encoding="unicode")
    out: dict[str, Any] = {"identifier": alert.identifier, "sender": alert.sender, "msgType": alert.msg_type}
    if alert.status not in ("Actual", "Exercise"):
        return out | {"action": "skipped", "reason": f"status {alert.status} is not imported"}
    if alert.msg_type in ("Ack", "Error"):
        return out | {"action": "skipped", "reason": f"msgType {alert.msg_type} carries no warning"}
    seen = session.scalars(select(EarlyWarning).where(EarlyWarning.cap_sender == alert.sender[:200],
                                                      EarlyWarning.cap_identifier == alert.identifier[:200])).first()
    if seen is not None:
        return out | {"action": "unchanged", "warning_id": seen.id, "reason": "already imported"}
    target = _referenced(session, alert) if alert.references else None
    if target is not None and not perm.in_scope(user, target.division_code):
        target = None
    if alert.msg_type == "Cancel":
        if target is None:
            return out | {"action": "skipped", "reason": "cancels no active warning we hold"}
        perm.require_row(user, ws.RESOURCE, "update", {"division_code": target.division_code,
                                                       "unit_id": target.unit_id})
        target.cap_identifier, target.cap_sent, target.cap_xml = alert.identifier[:200], alert.sent, xml
        ws.end(session=session, warning=target, actor=user, reason=alert.note or "cancelled by the sender", at=now)
        return out | {"action": "lifted", "warning_id": target.id, "level": target.level}
    if alert.level is None:
        raise InvalidField("body", "an Alert or Update needs an info block")
    if target is not None:
        perm.require_row(user, ws.RESOURCE, "update", {"division_code": target.division_code,
                                                       "unit_id": target.unit_id})
        ws.change_level(session=session, warning=target, level=alert.level, actor=user,
                        note=f"CAP {alert.identifier}", at=now)
        before = ws._snapshot(target)
        for k, v in (("headline", alert.headline[:300] or target.headline), ("description", alert.description),
                     ("instruction", alert.instruction), ("expires_at", alert.expires)):
            setattr(target, k, v)
        if alert.area is not None:
            target.area = alert.area
        target.cap_identifier, target.cap_sent, target.cap_xml = alert.identifier[:200], alert.sent, xml
        target.version += 1
        target.updated_at = now
        session.flush()
        ws._record(session, target, "updated", actor=user, level_from=target.level,
                   note=f"CAP update {alert.identifier}", at=now, before=before)
        return out | {"action": "updated", "warning_id": target.id, "level": target.level,
                      "level_basis": alert.level_basis}
    division = _division_for(session, user, alert, division_code)
    perm.require(user, ws.RESOURCE, "create")
    perm.require_row(user, ws.RESOURCE, "create", {"division_code": division, "unit_id": user.unit_id
                                                   if user.role == "department" else None})
    cause = (alert.references[0][1] if alert.references else alert.identifier)[:120]
    existing = ws.find_active(session=session, source_type="external", source_id=alert.sender[:120], cause=cause)
    if existing is not None:
        return out | {"action": "unchanged", "warning_id": existing.id, "reason": "already active"}
    div = session.get(Division, division)
    w = ws.raise_warning(
        session=session, actor=user, origin="cap", source_type="external", source_id=alert.sender[:120],
        cause=cause, level=alert.level, event=alert.event or alert.headline, headline=alert.headline or alert.event,
        division_code=division, category=alert.category, description=alert.description,
        instruction=alert.instruction, unit_id=user.unit_id if user.role == "department" else None,
        lon=div.lon if div else None, lat=div.lat if div else None, area=alert.area,
        area_desc=alert.area_desc or (div.name if div else division), geocodes=alert.geocodes or [division],
        details={"cap_level_basis": alert.level_basis}, onset=alert.onset or alert.effective,
        expires_at=alert.expires, cap_status=alert.status, at=now, note=f"CAP {alert.identifier}",
    )
    w.cap_sender, w.cap_identifier, w.cap_sent, w.cap_xml = alert.sender[:200], alert.identifier[:200], alert.sent, xml
    session.flush()
    if alert.expires is not None and alert.expires <= now:
        ws.end(session=session, warning=w, actor=user, reason="expired before import", kind="expired", at=now)
    return out | {"action": "raised", "warning_id": w.id, "level": w.level, "level_basis": alert.level_basis,
                  "division_code": division}


def fetch_url(url: str, timeout: float = 10.0) -> bytes:
    """GET a URL (http/https only), at most MAX_FEED_BYTES."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise InvalidField("url", "only http and https URLs are polled")
    req = urllib.request.Request(url, headers={"Accept": "application/atom+xml, application/cap+xml, */*"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 (scheme checked above)
            data: bytes = resp.read(MAX_FEED_BYTES + 1)
    except OSError as exc:
        raise InvalidField("url", f"could not fetch {url}: {exc}") from None
    if len(data) > MAX_FEED_BYTES:
        raise InvalidField("url", f"document larger than {MAX_FEED_BYTES} bytes")
    return data


def import_feed(*, session: Session, user: perm.Principal, url: str, division_code: str | None = None,
                fetch: Fetch = fetch_url) -> dict[str, Any]:
    """Poll an Atom feed of CAP alerts (or one CAP document) and import each alert. Each alert is
    imported in its own savepoint: a bad entry is reported and skipped, the others land."""
    perm.require(user, ws.RESOURCE, "import")
    doc = cap.parse_xml(fetch(url), what="url")
    results: list[dict[str, Any]] = []
    if doc.tag == f"{{{cap.CAP_NS}}}alert":
        alerts: list[tuple[str, etree._Element | None]] = [(url, doc)]
    elif doc.tag == f"{{{cap.ATOM_NS}}}feed":
        alerts = []
        for entry in doc.findall(f"{{{cap.ATOM_NS}}}entry")[:MAX_FEED_ENTRIES]:
            inline = entry.find(f"{{{cap.ATOM_NS}}}content/{{{cap.CAP_NS}}}alert")
            if inline is not None:
                alerts.append((url, inline))
                continue
            links = entry.findall(f"{{{cap.ATOM_NS}}}link")
            chosen = next((lk for lk in links if "cap" in (lk.get("type") or "")), links[0] if links else None)
            if chosen is not None and chosen.get("href"):
                try:
                    alerts.append((urllib.parse.urljoin(url, chosen.get("href", "")), None))
                except ValueError as exc:  # e.g. a malformed IPv6 host: that entry is reported, the others land
                    results.append({"url": chosen.get("href", "")[:200], "action": "error",
                                    "reason": f"malformed link: {exc}"[:200]})
    else:
        raise InvalidField("url", f"neither an Atom feed nor a CAP 1.2 alert (root {doc.tag})")
    for where, el in alerts:
        try:
            with session.begin_nested():
                if el is None:
                    el = cap.parse_xml(fetch(where), what="url")
                alert_doc = etree.fromstring(etree.tostring(el))
                cap.validate(alert_doc)
                results.append(_import_alert(session=session, user=user, doc=alert_doc,
                                             division_code=division_code, now=None) | {"url": where})
        except InvalidField as exc:
            results.append({"url": where, "action": "error", "reason": exc.message})
    counts: dict[str, int] = {}
    for r in results:
        counts[r["action"]] = counts.get(r["action"], 0) + 1
    return {"url": url, "entries": len(results), "counts": counts, "results": results}
