"""Warning → incident in one step (links both ways, scope, idempotent), and the public CAP feed
setting."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from lxml import etree

from yingji.config import Settings
from yingji.db.base import utcnow
from yingji.incidents import escalation
from yingji.warnings import hooks

NS = {"a": "http://www.w3.org/2005/Atom"}


@pytest.fixture(autouse=True)
def escalator_registered() -> Iterator[None]:
    """Other tests may swap the escalator; these run with the real one and restore what was there."""
    previous = hooks.incident_escalator()
    escalation.register()
    try:
        yield
    finally:
        hooks.set_incident_escalator(previous)


def red_gas_warning(clients: Any) -> dict[str, Any]:
    admin = clients["admin"]
    hid = admin.post("/api/v1/hazard_sources", json={
        "name": "临清化工园区甲企业", "kind": "hazmat_enterprise", "division_code": "371581",
        "lon": 115.71, "lat": 36.84, "address": "临清化工园区纬一路"}).json()["id"]
    s = admin.post("/api/v1/sensors", json={
        "code": "LQ-H2S-01", "name": "临清化工园区硫化氢1号", "kind": "toxic_gas", "division_code": "371581",
        "lon": 115.71, "lat": 36.84, "hazard_source_id": hid})
    assert s.status_code == 201, s.text
    r = admin.post("/api/v1/readings", json={"readings": [
        {"sensor": "LQ-H2S-01", "ts": utcnow().isoformat(), "value": 20.0}]})
    assert r.status_code == 200, r.text
    [w] = [w for w in r.json()["warnings"] if w["level"] == 1]
    return admin.get(f"/api/v1/warnings/{w['warning_id']}").json()  # type: ignore[no-any-return]


def test_red_reading_escalates_to_a_linked_incident(clients: Any) -> None:
    w = red_gas_warning(clients)
    assert (w["level"], w["colour"], w["incident_id"]) == (1, "red", None)
    c = clients["linqing"]
    r = c.post(f"/api/v1/warnings/{w['id']}/escalate")
    assert r.status_code == 201, r.text
    body = r.json()
    iid = body["incident_id"]
    assert body["created"] is True and body["warning"]["incident_id"] == iid
    inc = c.get(f"/api/v1/incidents/{iid}").json()
    assert (inc["category"], inc["type"], inc["division_code"], inc["status"]) == \
        ("accident", "hazmat_leak", "371581", "reported")
    assert inc["title"] == w["headline"][:200] and (inc["lon"], inc["lat"]) == (115.71, 36.84)
    assert inc["level"] is None  # the level is left to grading and the officer
    assert f"预警 #{w['id']}" in inc["description"] and inc["address"] == "临清化工园区纬一路"
    # links both ways
    timeline = c.get(f"/api/v1/incidents/{iid}/timeline").json()
    links = [e for e in timeline if (e.get("data") or {}).get("warning_id") == w["id"]]
    assert len(links) == 1 and links[0]["data"]["warning_level"] == 1 and links[0]["kind"] == "note"
    assert c.get(f"/api/v1/warnings/{w['id']}").json()["incident_id"] == iid
    kinds = [e["kind"] for e in c.get(f"/api/v1/warnings/{w['id']}/events").json()]
    assert kinds[-1] == "incident"
    # a second escalation returns the same incident and creates nothing
    again = clients["commander"].post(f"/api/v1/warnings/{w['id']}/escalate")
    assert again.status_code == 200 and again.json()["incident_id"] == iid and again.json()["created"] is False
    assert clients["admin"].get("/api/v1/incidents").json()["total"] == 1
    # the escalation is in the audit log of both
    audit = clients["admin"].get("/api/v1/audit", params={"entity_type": "incidents", "entity_id": iid}).json()
    assert audit["total"] >= 1


def test_escalation_scope_and_permissions(clients: Any, anon: Any) -> None:
    w = red_gas_warning(clients)
    path = f"/api/v1/warnings/{w['id']}/escalate"
    assert anon.post(path).status_code == 401
    assert clients["dongchangfu"].post(path).status_code == 404  # another county's warning
    assert clients["viewer"].post(path).status_code == 403
    assert clients["health"].post(path).status_code == 403  # a department changes only its unit's warnings
    assert clients["admin"].get("/api/v1/incidents").json()["total"] == 0
    iid = clients["duty"].post(path).json()["incident_id"]
    assert clients["dongchangfu"].get(f"/api/v1/incidents/{iid}").status_code == 404
    assert clients["linqing"].get(f"/api/v1/incidents/{iid}").status_code == 200


def test_unregistered_escalator_is_409(clients: Any) -> None:
    w = red_gas_warning(clients)
    hooks.set_incident_escalator(None)
    import sys

    # the package is imported already, so nothing registers it again: refused until registered
    assert "yingji.incidents" in sys.modules
    r = clients["duty"].post(f"/api/v1/warnings/{w['id']}/escalate")
    assert r.status_code == 409 and "incidents module" in r.text


def test_mapping_of_types() -> None:
    assert escalation.incident_type_for(hazard_kind="dike_sluice", sensor_kind="water_level",
                                        cap_category="Met")[:2] == ("natural_disaster", "flood")
    assert escalation.incident_type_for(hazard_kind=None, sensor_kind="wind", cap_category="Met")[:2] == \
        ("natural_disaster", "severe_weather")
    assert escalation.incident_type_for(hazard_kind=None, sensor_kind=None, cap_category="Health")[:2] == \
        ("public_health", "infectious_disease")
    from yingji.incidents.reference import load_reference

    catalogue = load_reference(None).catalogue
    for table in (escalation.BY_HAZARD_KIND, escalation.BY_SENSOR_KIND, escalation.BY_CAP_CATEGORY):
        for category, type_ in table.values():
            t = catalogue.type(type_)
            assert t is not None and t.category == category, (category, type_)


# ---- the public CAP feed setting -----------------------------------------------------------------


def test_cap_feed_requires_login_by_default(app: Any, anon: Any, clients: Any) -> None:
    assert getattr(app.state.settings, "cap_feed_public", False) is False
    clients["duty"].post("/api/v1/warnings", json={"cause": "flood", "level": 2, "headline": "洪水橙色预警",
                                                    "division_code": "371581"})
    assert anon.get("/cap/feed.xml").status_code == 401
    assert clients["viewer"].get("/cap/feed.xml").status_code == 200


def test_public_cap_feed_serves_the_whole_city_without_exercises(app: Any, anon: Any, clients: Any,
                                                                 settings: Settings) -> None:
    duty = clients["duty"]
    for division, headline, exercise in (("371581", "临清洪水橙色预警", False), ("371502", "东昌府大风黄色预警", False),
                                         ("371502", "演练：危化品泄漏红色预警", True)):
        r = duty.post("/api/v1/warnings", json={"cause": f"c{len(headline)}{int(exercise)}", "level": 2,
                                                "headline": headline, "division_code": division,
                                                "exercise": exercise})
        assert r.status_code == 201, r.text
    lifted = duty.post("/api/v1/warnings", json={"cause": "gone", "level": 3, "headline": "已解除",
                                                 "division_code": "371581"}).json()
    duty.post(f"/api/v1/warnings/{lifted['id']}/lift", json={"reason": "结束"})
    app.state.settings = settings.model_copy(update={"cap_feed_public": True})
    r = anon.get("/cap/feed.xml")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    titles = sorted(e.findtext("a:title", namespaces=NS) for e in etree.fromstring(r.content).findall("a:entry", NS))
    assert titles == sorted(["临清洪水橙色预警", "东昌府大风黄色预警"])
    # logged-in readers still get their own scope
    mine = clients["linqing"].get("/cap/feed.xml")
    assert [e.findtext("a:title", namespaces=NS) for e in etree.fromstring(mine.content).findall("a:entry", NS)] \
        == ["临清洪水橙色预警"]
    # a bad token is not silently public
    assert anon.get("/cap/feed.xml", headers={"Authorization": "Bearer nonsense"}).status_code == 401
