"""The MQTT subscriber against a real Mosquitto broker started on a free loopback port."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from yingji.monitoring.ingest import IngestReport
from yingji.monitoring.models import Reading, Sensor
from yingji.monitoring.mqtt import items_of, mosquitto_binary, parse_broker, private_broker, run_subscriber, sensor_of


@pytest.fixture(scope="module")
def broker() -> Iterator[str]:
    """A private Mosquitto on a free loopback port (the benchmark's own, yingji.monitoring.mqtt)."""
    binary = mosquitto_binary()
    if binary is None:
        pytest.skip("mosquitto is not installed")
    with private_broker(binary) as url:
        yield url


def test_topic_and_payload_parsing() -> None:
    assert sensor_of("yingji/sensors/LQ-1/readings") == "LQ-1"
    assert sensor_of("yingji/sensors/readings") is None and sensor_of("other/LQ-1/readings") is None
    assert items_of("yingji/sensors/A/readings", b'{"ts": 1, "value": 2}') == [{"ts": 1, "value": 2, "sensor": "A"}]
    assert items_of("yingji/sensors/A/readings", b"[1]") == [1]
    assert "__bad__" in items_of("yingji/sensors/A/readings", b"{oops")[0]
    assert "__bad__" in items_of("yingji/sensors/A/readings", b'{"sensor": "B", "ts": 1, "value": 2}')[0]
    b = parse_broker("mqtt://u:p%40ss@localhost")
    assert (b.host, b.port, b.username, b.password, b.tls) == ("localhost", 1883, "u", "p@ss", False)
    with pytest.raises(ValueError):
        parse_broker("http://x")


def test_subscriber_ingests_commits_then_acknowledges(broker: str, session: Session,
                                                      session_factory: sessionmaker[Session]) -> None:
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    session.add(Sensor(code="MQ-GAS-1", name="MQTT 可燃气体", kind="gas_concentration", unit="%LEL",
                       division_code="371581", lon=115.7, lat=36.8, rules=[]))
    session.commit()
    sid = session.scalar(select(Sensor.id).where(Sensor.code == "MQ-GAS-1"))
    stop, ready, done = threading.Event(), threading.Event(), threading.Event()
    reports: list[IngestReport] = []

    def on_batch(report: IngestReport) -> None:
        reports.append(report)
        if sum(r.accepted + r.duplicates + len(r.rejected) for r in reports) >= 8:
            done.set()

    worker = threading.Thread(target=run_subscriber, args=(broker, session_factory), daemon=True, kwargs={
        "stop": stop, "ready": ready, "on_batch": on_batch, "batch_wait_s": 0.1, "sweep_every_s": 0,
        "client_id": "yingji-test"})
    worker.start()
    assert ready.wait(10), "subscriber did not subscribe"
    pub = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, client_id="pub")
    host, port = broker.removeprefix("mqtt://").split(":")
    pub.connect(host, int(port))
    pub.loop_start()
    msgs = [("yingji/sensors/MQ-GAS-1/readings", {"ts": f"2026-12-01T00:0{i}:00+08:00", "value": 5.0 + i})
            for i in range(4)]
    msgs += [("yingji/sensors/MQ-GAS-1/readings", [{"ts": "2026-12-01T00:05:00Z", "value": 30.0},
                                                     {"ts": "2026-12-01T00:05:00Z", "value": 30.0}]),  # one twice
             ("yingji/sensors/NOPE/readings", {"ts": "2026-12-01T00:00:00Z", "value": 1}),  # unknown sensor
             ("yingji/sensors/MQ-GAS-1/readings", "not json")]
    for topic, payload in msgs:
        body = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
        pub.publish(topic, body, qos=1).wait_for_publish(5)
    try:
        assert done.wait(15), f"not all readings arrived: {reports}"
    finally:
        stop.set()
        worker.join(10)
        pub.loop_stop()
        pub.disconnect()
    assert not worker.is_alive()
    total = {k: sum(getattr(r, k) for r in reports) for k in ("accepted", "duplicates")}
    assert total == {"accepted": 5, "duplicates": 1}
    assert sum(len(r.rejected) for r in reports) == 2
    assert session.scalar(select(func.count()).select_from(Reading).where(Reading.sensor_id == sid)) == 5
    # 30 %LEL ≥ 25: an orange warning raised by the rules on MQTT ingest too
    assert any(w["level"] == 2 for r in reports for w in r.warnings)
