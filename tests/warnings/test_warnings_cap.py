"""CAP 1.2: every warning exports as schema-valid CAP; external alerts import with the right level
and area; malformed CAP is refused with 422 and nothing written; Atom feed out and polled in."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from lxml import etree

from yingji.db.base import utcnow
from yingji.warnings import cap

NS = {"c": cap.CAP_NS, "a": cap.ATOM_NS}
AREA = {"type": "Polygon", "coordinates": [[[115.6, 36.8], [115.8, 36.8], [115.8, 36.9], [115.6, 36.9],
                                            [115.6, 36.8]]]}


def future(hours: float = 6) -> str:
    return cap.cap_time(utcnow() + timedelta(hours=hours))


def alert(identifier: str = "CMA-371500-20261201-001", msg_type: str = "Alert", refs: str = "",
          info: str | None = None, status: str = "Actual") -> bytes:
    if info is None:
        info = f"""<info><language>zh-CN</language><category>Met</category><event>暴雨</event>
      <urgency>Expected</urgency><severity>Moderate</severity><certainty>Likely</certainty>
      <expires>{future()}</expires><senderName>聊城市气象台</senderName>
      <headline>聊城市气象台发布暴雨橙色预警信号</headline><description>预计未来3小时降雨量将达50毫米以上</description>
      <area><areaDesc>临清市</areaDesc>
        <polygon>36.80,115.60 36.80,115.80 36.90,115.80 36.90,115.60 36.80,115.60</polygon>
        <geocode><valueName>GB/T 2260</valueName><value>371581</value></geocode></area></info>"""
    references = f"<references>{refs}</references>" if refs else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>{identifier}</identifier>
  <sender>lc.weather@cma.example</sender><sent>2026-12-01T08:00:00+08:00</sent><status>{status}</status>
  <msgType>{msg_type}</msgType><scope>Public</scope>{references}{info}</alert>""".encode()


def upload(c: Any, content: bytes, **params: Any) -> Any:
    return c.post("/api/v1/warnings/import", content=content, params=params,
                  headers={"content-type": "application/cap+xml"})


def valid(xml: bytes) -> etree._Element:
    doc = etree.fromstring(xml)
    assert cap.schema().validate(doc), cap.schema().error_log
    return doc


def test_schema_rejects_what_cap_forbids() -> None:
    ok = etree.fromstring(alert())
    assert cap.schema().validate(ok)
    for broken in (alert(status="Real"), alert(msg_type="Notice"),
                   alert().replace(b"2026-12-01T08:00:00+08:00", b"2026-12-01T00:00:00Z"),
                   alert().replace(b"<category>Met</category>", b""),
                   alert().replace(b"<identifier>", b"<id>").replace(b"</identifier>", b"</id>")):
        assert not cap.schema().validate(etree.fromstring(broken))


def test_every_warning_exports_schema_valid_cap(clients: Any) -> None:
    c = clients["admin"]
    s = c.post("/api/v1/sensors", json={"code": "CAP-GAS", "name": "园区可燃气体", "kind": "gas_concentration",
                                        "division_code": "371581", "lon": 115.71, "lat": 36.84}).json()
    now = utcnow()
    c.post("/api/v1/readings", json={"readings": [{"sensor": "CAP-GAS", "ts": now.isoformat(), "value": 55}]})
    rule_w = c.get("/api/v1/warnings", params={"sensor_id": s["id"]}).json()["items"][0]
    manual = c.post("/api/v1/warnings", json={"cause": "flood", "level": 2, "headline": "洪水橙色预警",
                                              "division_code": "371581", "area": AREA, "category": "Met",
                                              "expires_at": (now + timedelta(hours=3)).isoformat()}).json()
    imported = upload(c, alert()).json()
    ids = [rule_w["id"], manual["id"], imported["warning_id"]]
    for wid in ids:
        r = c.get(f"/api/v1/warnings/{wid}/cap")
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/cap+xml")
        valid(r.content)
    # the rule warning (a point sensor): a circle around the sensor, geocode of its county
    doc = valid(c.get(f"/api/v1/warnings/{rule_w['id']}/cap").content)
    assert doc.findtext("c:info/c:severity", namespaces=NS) == "Extreme"  # red: 55 ≥ 50 %LEL
    assert doc.findtext("c:info/c:area/c:circle", namespaces=NS).startswith("36.840000,115.710000 ")
    assert doc.findtext("c:info/c:area/c:geocode/c:value", namespaces=NS) == "371581"
    assert doc.findtext("c:info/c:area/c:geocode/c:valueName", namespaces=NS) == "GB/T 2260"
    # the manual warning: its polygon, lat,lon order, closed
    doc = valid(c.get(f"/api/v1/warnings/{manual['id']}/cap").content)
    poly = doc.findtext("c:info/c:area/c:polygon", namespaces=NS).split()
    assert poly[0] == "36.800000,115.600000" and poly[0] == poly[-1] and len(poly) == 5
    assert doc.findtext("c:msgType", namespaces=NS) == "Alert"
    assert doc.findtext("c:info/c:parameter[c:valueName='warningColour']/c:value", namespaces=NS) == "orange"
    # an update references the earlier version; a lift is a Cancel referencing both
    c.patch(f"/api/v1/warnings/{manual['id']}", json={"level": 1})
    doc = valid(c.get(f"/api/v1/warnings/{manual['id']}/cap").content)
    assert doc.findtext("c:msgType", namespaces=NS) == "Update"
    assert doc.findtext("c:identifier", namespaces=NS).endswith(f"-W{manual['id']}-V2")
    assert doc.findtext("c:references", namespaces=NS).split(",")[1].endswith("-V1")
    c.post(f"/api/v1/warnings/{manual['id']}/lift", json={"reason": "解除"})
    doc = valid(c.get(f"/api/v1/warnings/{manual['id']}/cap").content)
    assert doc.findtext("c:msgType", namespaces=NS) == "Cancel"
    assert len(doc.findtext("c:references", namespaces=NS).split()) == 2
    assert doc.findtext("c:info/c:responseType", namespaces=NS) == "AllClear"


def test_import_maps_level_and_area_then_update_and_cancel(clients: Any) -> None:
    c = clients["duty"]
    r = upload(c, alert())
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["action"] == "raised" and out["division_code"] == "371581"
    assert out["level"] == 2 and out["level_basis"] == "colour word 橙色"  # the colour word beats Moderate
    w = c.get(f"/api/v1/warnings/{out['warning_id']}").json()
    assert w["origin"] == "cap" and w["area"]["type"] == "Polygon" and w["geocodes"] == ["371581"]
    assert w["area"]["coordinates"][0][0] == [115.6, 36.8]  # CAP lat,lon → GeoJSON lon,lat
    assert w["cap_identifier"] == "CMA-371500-20261201-001"
    assert upload(c, alert()).json()["action"] == "unchanged"  # re-sent: nothing new
    refs = "lc.weather@cma.example,CMA-371500-20261201-001,2026-12-01T08:00:00+08:00"
    upd = upload(c, alert("CMA-371500-20261201-002", "Update", refs,
                          info=f"""<info><category>Met</category><event>Heavy rain</event><urgency>Immediate</urgency>
          <severity>Extreme</severity><certainty>Observed</certainty><expires>{future()}</expires>
          <headline>Rainstorm upgraded</headline><area><areaDesc>Linqing</areaDesc>
          <circle>36.84,115.71 5</circle></area></info>""")).json()
    assert upd["action"] == "updated" and upd["warning_id"] == out["warning_id"] and upd["level"] == 1
    w = c.get(f"/api/v1/warnings/{out['warning_id']}").json()
    assert w["area"]["type"] == "Polygon" and len(w["area"]["coordinates"][0]) == 33  # circle → 32-gon
    refs2 = refs + " lc.weather@cma.example,CMA-371500-20261201-002,2026-12-01T09:00:00+08:00"
    cancel = upload(c, alert("CMA-371500-20261201-003", "Cancel", refs2, info="")).json()
    assert cancel["action"] == "lifted"
    assert c.get(f"/api/v1/warnings/{out['warning_id']}").json()["status"] == "lifted"


def test_import_severity_without_colour_and_division_fallback(clients: Any) -> None:
    info = f"""<info><language>en-US</language><category>Env</category><event>Chemical release</event>
      <urgency>Immediate</urgency><severity>Severe</severity><certainty>Likely</certainty>
      <expires>{future()}</expires><headline>Toxic plume</headline>
      <area><areaDesc>Downwind</areaDesc><geocode><valueName>FIPS6</valueName><value>006113</value></geocode></area>
      </info>"""
    c = clients["commander"]
    r = upload(c, alert("X-1", info=info))
    assert r.status_code == 200 and r.json()["level"] == 2 and r.json()["division_code"] == "371500"
    r = upload(c, alert("X-2", info=info.replace("Severe", "Unknown").replace("Immediate", "Future")),
               division_code="371502")
    assert r.json()["level"] == 4 and r.json()["division_code"] == "371502"
    assert upload(c, alert("X-3", status="Test")).json()["action"] == "skipped"


def test_malformed_cap_is_422_and_writes_nothing(clients: Any) -> None:
    c = clients["commander"]
    bad = [b"", b"<alert", b"<?xml version='1.0'?><foo/>",
           alert().replace(b"<status>Actual</status>", b"<status>Real</status>"),
           alert().replace(b"cap:1.2", b"cap:1.1"),
           b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>',
           alert().replace(b"36.80,115.60 36.80,115.80", b"36.80,115.60 36.80,915.80")]
    for body in bad:
        r = upload(c, body)
        assert r.status_code == 422, (body[:60], r.text)
        assert r.json()["detail"][0]["msg"]
    assert "1.2" in upload(c, alert().replace(b"cap:1.2", b"cap:1.1")).text
    assert c.post("/api/v1/warnings/import", json={"x": 1}).status_code == 422
    assert c.get("/api/v1/warnings").json()["total"] == 0
    r = c.post("/api/v1/warnings/import", files={"file": ("a.xml", alert(), "application/xml")})
    assert r.status_code == 200 and r.json()["action"] == "raised"
    assert clients["viewer"].post("/api/v1/warnings/import", content=alert(),
                                  headers={"content-type": "application/xml"}).status_code == 403


@pytest.fixture
def http_server() -> Iterator[tuple[str, dict[str, bytes]]]:
    pages: dict[str, bytes] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = pages.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "application/xml")
            self.end_headers()
            self.wfile.write(body or b"not found")

        def log_message(self, *_args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", pages
    finally:
        server.shutdown()
        server.server_close()


def test_atom_feed_out_and_polled_in(clients: Any, http_server: tuple[str, dict[str, bytes]]) -> None:
    base, pages = http_server
    c = clients["admin"]
    c.post("/api/v1/warnings", json={"cause": "flood", "level": 2, "headline": "洪水橙色预警",
                                     "division_code": "371581", "area": AREA})
    c.post("/api/v1/warnings", json={"cause": "wind", "level": 4, "headline": "大风蓝色预警",
                                     "division_code": "371502"})
    assert clients["admin"].get("/cap/feed.xml").status_code == 200
    from fastapi.testclient import TestClient

    anon = TestClient(clients.app)
    assert anon.get("/cap/feed.xml").status_code == 401  # login required unless made public
    r = clients["linqing"].get("/cap/feed.xml")
    assert r.headers["content-type"].startswith("application/atom+xml")
    feed = etree.fromstring(r.content)
    entries = feed.findall("a:entry", NS)
    assert [e.findtext("a:title", namespaces=NS) for e in entries] == ["洪水橙色预警"]  # its county only
    assert entries[0].findtext("c:severity", namespaces=NS) == "Severe"
    inline = entries[0].find("a:content/c:alert", NS)
    valid(etree.tostring(inline))
    # poll: our own feed (inline CAP) plus a feed of links, one broken
    pages["/ours.xml"] = clients["admin"].get("/cap/feed.xml").content
    pages["/a1.xml"] = alert("LINKED-1")
    pages["/links.xml"] = b"""<feed xmlns="http://www.w3.org/2005/Atom"><id>x</id><title>t</title>
      <updated>2026-12-01T00:00:00Z</updated>
      <entry><id>1</id><title>a</title><updated>2026-12-01T00:00:00Z</updated>
        <link rel="alternate" type="application/cap+xml" href="/a1.xml"/></entry>
      <entry><id>2</id><title>b</title><updated>2026-12-01T00:00:00Z</updated>
        <link rel="alternate" type="application/cap+xml" href="/missing.xml"/></entry></feed>"""
    r = clients["duty"].post("/api/v1/warnings/import/feed", json={"url": f"{base}/links.xml"})
    assert r.status_code == 200, r.text
    assert r.json()["counts"] == {"raised": 1, "error": 1}
    r = clients["duty"].post("/api/v1/warnings/import/feed", json={"url": f"{base}/ours.xml"}).json()
    assert r["counts"] == {"raised": 2}
    again = clients["duty"].post("/api/v1/warnings/import/feed", json={"url": f"{base}/ours.xml"}).json()
    assert again["counts"] == {"unchanged": 2}
    bad = clients["duty"].post("/api/v1/warnings/import/feed", json={"url": f"{base}/nothing"})
    assert bad.status_code == 422
    assert clients["duty"].post("/api/v1/warnings/import/feed", json={"url": "file:///etc/passwd"}).status_code \
        == 422


def test_import_refused_before_the_body_is_read(clients: Any) -> None:
    for path in ("/api/v1/warnings/import", "/api/v1/warnings/import/feed"):
        r = clients["linqing"].post(path, json={"username": "x"})
        assert r.status_code == 403, (path, r.text)


def test_cli_polls_a_feed_once_and_again_unchanged(tmp_path: Any, http_server: tuple[str, dict[str, bytes]]) -> None:
    """``yingji warnings poll URL``: the meteorological bureau's alert lands as a warning of 临清市 at
    the orange level; polling again changes nothing; a bad URL is one line without a traceback."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from sqlalchemy import select

    from yingji.db import migrate
    from yingji.db.session import make_engine, make_sessionmaker
    from yingji.registry.models import Division
    from yingji.warnings.models import EarlyWarning

    url = f"sqlite:///{tmp_path / 'yingji.db'}"
    migrate.upgrade(url)
    factory = make_sessionmaker(make_engine(url))
    with factory.begin() as s:
        s.add(Division(code="371500", name="聊城市", level="city"))
        s.flush()
        s.add(Division(code="371581", name="临清市", level="county", parent_code="371500"))
    base, pages = http_server
    pages["/cma.xml"] = alert(identifier="CMA-371500-POLL-001")
    yingji = str(Path(sys.executable).with_name("yingji"))
    env = {**os.environ, "YINGJI_DATA_DIR": str(tmp_path)}
    env.pop("YINGJI_DATABASE_URL", None)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([yingji, "warnings", "poll", *args], capture_output=True, text=True, env=env,
                              timeout=120)

    first = run(f"{base}/cma.xml")
    assert first.returncode == 0, first.stderr
    assert '"raised": 1' in first.stdout
    with factory() as s:
        w = s.scalars(select(EarlyWarning).where(EarlyWarning.cap_identifier == "CMA-371500-POLL-001")).one()
        assert (w.division_code, w.level, w.status) == ("371581", 2, "active")  # Moderate → 橙色 (2)
    again = run(f"{base}/cma.xml")
    assert again.returncode == 0 and '"unchanged": 1' in again.stdout, again.stdout
    for bad in (f"{base}/missing.xml", "file:///etc/passwd"):
        r = run(bad)
        assert r.returncode != 0 and "Traceback" not in r.stderr and r.stderr.strip(), r.stderr


def test_a_malformed_link_in_a_feed_is_one_error_the_rest_lands(
    clients: Any, http_server: tuple[str, dict[str, bytes]]
) -> None:
    base, pages = http_server
    inline = alert(identifier="CMA-371500-V6-001").decode().split("?>", 1)[1]
    pages["/v6.xml"] = f"""<feed xmlns="http://www.w3.org/2005/Atom"><id>x</id><title>t</title>
      <entry><id>a</id><title>bad</title><link rel="alternate" type="application/cap+xml" href="http://[::1/x"/></entry>
      <entry><id>b</id><title>ok</title><content type="application/cap+xml">{inline}</content></entry>
    </feed>""".encode()
    r = clients["duty"].post("/api/v1/warnings/import/feed", json={"url": f"{base}/v6.xml"})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["counts"] == {"error": 1, "raised": 1}, out
    assert any("malformed link" in x.get("reason", "") for x in out["results"])
