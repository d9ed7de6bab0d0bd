"""Risk and early warning end to end, with real components only: a reading published to a real
Mosquitto broker on loopback → the MQTT subscriber ingests and commits it → the rules raise a red
warning → its CAP 1.2 export validates against the shipped schema → the notifications reach a real
SMTP server (aiosmtpd) and a real HTTP webhook on loopback → the warning escalates to an incident,
linked both ways.

The subscriber writes through sessions and commits of its own (and runs in another thread), so the
test runs on a database of its own — a SQLite file in ``tmp_path``, or a throw-away PostgreSQL
database when ``YINGJI_TEST_POSTGRES_URL`` is set — not inside the shared rolled-back savepoint."""

from __future__ import annotations

import email
import json
import socket
import threading
from collections.abc import Iterator
from email.policy import default as default_policy
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from dbtools import own_database
from loopback import HTTPSink, SMTPSink  # the fixtures come as a plugin (tests/conftest.py)
from yingji.api.app import create_app
from yingji.auth import service as auth_service
from yingji.auth.models import User
from yingji.config import Settings
from yingji.db import migrate
from yingji.db.base import utcnow
from yingji.db.session import make_engine, make_sessionmaker
from yingji.incidents import escalation
from yingji.monitoring.ingest import IngestReport
from yingji.monitoring.models import Reading, Sensor
from yingji.monitoring.mqtt import mosquitto_binary, private_broker, run_subscriber
from yingji.notifications import delivery, service
from yingji.registry.models import Division
from yingji.warnings import cap, hooks
from yingji.warnings.models import EarlyWarning

SENSOR = "E2E-LQ-GAS-01"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ---- real servers on loopback --------------------------------------------------------------------


@pytest.fixture
def broker() -> Iterator[str]:
    """A private Mosquitto on a free loopback port (the benchmark's own, yingji.monitoring.mqtt)."""
    binary = mosquitto_binary()
    if binary is None:
        pytest.skip("mosquitto is not installed")
    with private_broker(binary) as url:
        yield url


# ---- a database of the test's own, per backend ---------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with own_database(request.param, tmp_path, "e2e") as url:
        yield url


@pytest.fixture
def factory(db_url: str) -> Iterator[sessionmaker[Session]]:
    migrate.upgrade(db_url)
    engine = make_engine(db_url)
    sm = make_sessionmaker(engine)
    with sm.begin() as s:
        s.add(Division(code="371500", name="聊城市", level="city", lon=115.985, lat=36.457))
        s.flush()
        s.add(Division(code="371581", name="临清市", level="county", parent_code="371500", lon=115.705, lat=36.838))
        s.add(User(username="admin", role="admin", password_hash=auth_service.hash_password("correct-horse-1")))
    service.clear_backlog()
    try:
        yield sm
    finally:
        service.configure(None)
        engine.dispose()


@pytest.fixture
def admin(factory: sessionmaker[Session], tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(env="test", data_dir=tmp_path, secret_key="test-secret-" + "x" * 32)
    app = create_app(settings, factory)  # also points the notifications hook at this database
    with factory() as s:
        user = s.scalars(select(User).where(User.username == "admin")).one()
        token, _ = auth_service.create_token(settings=settings, user=user)
    with TestClient(app) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


@pytest.fixture(autouse=True)
def escalator_registered() -> Iterator[None]:
    """Other tests may swap the escalator; this one runs with the real one and restores what was there."""
    previous = hooks.incident_escalator()
    escalation.register()
    try:
        yield
    finally:
        hooks.set_incident_escalator(previous)


# ---- the chain -----------------------------------------------------------------------------------


def test_mqtt_reading_to_red_warning_cap_notifications_and_incident(
        broker: str, factory: sessionmaker[Session], admin: TestClient, smtp_server: tuple[str, int, SMTPSink],
        http_server: tuple[str, HTTPSink]) -> None:
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    _, smtp_port, mailbox = smtp_server
    hook_url, hook_sink = http_server
    posted = hook_sink.requests
    # a gas sensor (red ≥ 50 %LEL by default) and who is to be told of red warnings in 临清
    r = admin.post("/api/v1/sensors", json={"code": SENSOR, "name": "临清化工园区可燃气体1号",
                                            "kind": "gas_concentration", "division_code": "371581",
                                            "lon": 115.71, "lat": 36.84})
    assert r.status_code == 201, r.text
    sensor_id = r.json()["id"]
    channels = {}
    for body in ({"name": "mail", "kind": "email",
                  "config": {"host": "127.0.0.1", "port": smtp_port, "sender": "yingji@example.org"}},
                 {"name": "hook", "kind": "webhook", "config": {"url": f"{hook_url}/yingji"}}):
        r = admin.post("/api/v1/notifications/channels", json=body)
        assert r.status_code == 201, r.text
        channels[body["kind"]] = r.json()["id"]
    for body in ({"name": "防汛办邮件", "division_code": "371581", "min_level": 1, "channel_id": channels["email"],
                  "recipient": "duty-lq@example.org"},
                 {"name": "值班群", "division_code": "371500", "min_level": 2, "channel_id": channels["webhook"]}):
        r = admin.post("/api/v1/notifications/subscriptions", json=body)
        assert r.status_code == 201, r.text

    # 1. the subscriber, on its own sessions; a red reading published with QoS 1
    stop, ready, done = threading.Event(), threading.Event(), threading.Event()
    reports: list[IngestReport] = []

    def on_batch(report: IngestReport) -> None:
        reports.append(report)
        if sum(x.accepted for x in reports) >= 1:
            done.set()

    worker = threading.Thread(target=run_subscriber, args=(broker, factory), daemon=True, kwargs={
        "stop": stop, "ready": ready, "on_batch": on_batch, "batch_wait_s": 0.05, "sweep_every_s": 0,
        "client_id": "yingji-e2e"})
    worker.start()
    pub = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, client_id="yingji-e2e-pub")
    try:
        assert ready.wait(10), "subscriber did not subscribe"
        host, port = broker.removeprefix("mqtt://").split(":")
        pub.connect(host, int(port))
        pub.loop_start()
        at = utcnow().replace(microsecond=0)
        info = pub.publish(f"yingji/sensors/{SENSOR}/readings",
                           json.dumps({"ts": at.isoformat(), "value": 62.5}).encode(), qos=1)
        info.wait_for_publish(5)
        assert done.wait(15), f"the reading was not ingested: {reports}"
    finally:
        stop.set()
        worker.join(10)
        pub.loop_stop()
        pub.disconnect()
    assert not worker.is_alive()
    assert sum(x.accepted for x in reports) == 1 and not any(x.rejected for x in reports)
    [raised] = [w for x in reports for w in x.warnings]
    assert (raised["sensor"], raised["level"], raised["status"]) == (SENSOR, 1, "active")
    wid = raised["warning_id"]

    # 2. committed: another session sees the reading, the sensor's last value and the red warning
    with factory() as s:
        stored = s.execute(select(Reading.ts, Reading.value).where(Reading.sensor_id == sensor_id)).all()
        assert [(ts, v) for ts, v in stored] == [(at, 62.5)]
        sensor = s.get(Sensor, sensor_id)
        assert sensor is not None and sensor.last_value == 62.5
        w = s.get(EarlyWarning, wid)
        assert w is not None and (w.level, w.status, w.origin, w.sensor_id) == (1, "active", "rule", sensor_id)
        assert s.scalar(select(func.count()).select_from(EarlyWarning)) == 1
    warning = admin.get(f"/api/v1/warnings/{wid}").json()
    assert (warning["level"], warning["colour"], warning["division_code"], warning["incident_id"]) == \
        (1, "red", "371581", None)

    # 3. CAP 1.2, valid against the shipped schema, naming the warning's level and area
    r = admin.get(f"/api/v1/warnings/{wid}/cap")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/cap+xml")
    doc = etree.fromstring(r.content)
    assert cap.schema().validate(doc), cap.schema().error_log
    ns = {"c": cap.CAP_NS}
    assert doc.findtext("c:msgType", namespaces=ns) == "Alert"
    assert doc.findtext("c:info/c:severity", namespaces=ns) == "Extreme"
    assert warning["headline"] in doc.findtext("c:info/c:headline", namespaces=ns)

    # 4. the queued notifications, delivered to the real SMTP server and webhook
    counts = delivery.deliver_pending(factory)
    assert counts["sent"] == 2 and counts["failed"] == 0, counts
    [mail] = [m for m in mailbox.messages if m["to"] == ["duty-lq@example.org"]]
    msg = email.message_from_bytes(mail["data"], policy=default_policy)
    assert "红色预警发布" in str(msg["Subject"]) and warning["headline"] in str(msg["Subject"])
    body = msg.get_body(preferencelist=("plain",))
    assert body is not None and f"预警编号：{wid}" in body.get_content()
    [hook] = [p for p in posted if p["path"] == "/yingji"]
    assert hook["json"]["data"]["warning_id"] == wid and hook["json"]["data"]["level"] == 1
    assert "红色" in hook["json"]["subject"] and warning["headline"] in hook["json"]["subject"]
    sent = admin.get("/api/v1/notifications/deliveries", params={"warning_id": wid}).json()["items"]
    assert {(d["reason"], d["status"]) for d in sent if d["reason"] == "subscription"} == {("subscription", "sent")}
    assert sum(d["status"] == "sent" for d in sent) == 2

    # 5. escalation: an incident linked both ways
    r = admin.post(f"/api/v1/warnings/{wid}/escalate")
    assert r.status_code == 201, r.text
    iid = r.json()["incident_id"]
    assert r.json()["created"] is True and r.json()["warning"]["incident_id"] == iid
    incident = admin.get(f"/api/v1/incidents/{iid}")
    assert incident.status_code == 200, incident.text
    inc = incident.json()
    assert (inc["division_code"], inc["status"], inc["title"]) == ("371581", "reported", warning["headline"][:200])
    assert f"预警 #{wid}" in inc["description"]
    timeline = admin.get(f"/api/v1/incidents/{iid}/timeline").json()
    assert [e["data"]["warning_level"] for e in timeline if (e.get("data") or {}).get("warning_id") == wid] == [1]
    assert admin.get(f"/api/v1/warnings/{wid}").json()["incident_id"] == iid
    assert [e["kind"] for e in admin.get(f"/api/v1/warnings/{wid}/events").json()][-1] == "incident"
