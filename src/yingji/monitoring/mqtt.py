"""MQTT subscriber: readings published to ``yingji/sensors/<sensor code>/readings``.

Payload (JSON, UTF-8): one reading ``{"ts": "...", "value": 1.2}``, a list of them, or
``{"readings": [...]}``; ``ts`` is ISO 8601 with a zone or Unix seconds. The subscriber collects
messages for a short while (``batch_wait_s``, at most ``batch_max``), ingests them in one
transaction, commits, and only then acknowledges them (QoS 1, manual PUBACK). With a persistent
session (``clean_session=False`` and a fixed client id) the broker redelivers whatever was not
acknowledged when the subscriber died; redelivery is harmless because (sensor, ts) is unique.
A message that cannot be used (not JSON, unknown sensor …) is logged and acknowledged, so that it is
not redelivered forever. The subscriber runs as the system: the broker's ACL decides who may publish.
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from yingji.monitoring.ingest import MAX_BATCH, IngestReport, ingest, sweep

log = logging.getLogger("yingji.monitoring.mqtt")
TOPIC_PREFIX = "yingji/sensors"


@dataclass(frozen=True)
class Broker:
    host: str
    port: int
    tls: bool
    username: str | None
    password: str | None


def parse_broker(url: str) -> Broker:
    """``mqtt://[user:pass@]host[:1883]`` or ``mqtts://…[:8883]``."""
    u = urllib.parse.urlsplit(url)
    if u.scheme not in ("mqtt", "mqtts", "tcp", "ssl") or not u.hostname:
        raise ValueError(f"broker URL must look like mqtt://host:1883, not {url!r}")
    tls = u.scheme in ("mqtts", "ssl")
    return Broker(host=u.hostname, port=u.port or (8883 if tls else 1883), tls=tls,
                  username=urllib.parse.unquote(u.username) if u.username else None,
                  password=urllib.parse.unquote(u.password) if u.password else None)


def sensor_of(topic: str, prefix: str = TOPIC_PREFIX) -> str | None:
    parts = topic.split("/")
    pre = prefix.strip("/").split("/")
    if len(parts) == len(pre) + 2 and parts[:len(pre)] == pre and parts[-1] == "readings" and parts[-2]:
        return parts[-2]
    return None


def items_of(topic: str, payload: bytes, prefix: str = TOPIC_PREFIX) -> list[Any]:
    """The reading items of one message, each with its sensor taken from the topic."""
    code = sensor_of(topic, prefix)
    if code is None:
        return [{"__bad__": f"topic {topic!r} is not {prefix}/<sensor>/readings"}]
    try:
        data = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        return [{"__bad__": "payload is not JSON"}]
    if isinstance(data, dict) and "readings" in data:
        data = data["readings"]
    rows = data if isinstance(data, list) else [data]
    out: list[Any] = []
    for r in rows:
        if isinstance(r, dict) and r.get("sensor", code) != code:
            out.append({"__bad__": f"payload names sensor {r.get('sensor')!r}, the topic {code!r}"})
        elif isinstance(r, dict):
            out.append({**r, "sensor": code})
        else:
            out.append(r)
    return out


def run_subscriber(
    broker_url: str,
    session_factory: sessionmaker[Session],
    *,
    topic_prefix: str = TOPIC_PREFIX,
    client_id: str = "yingji-ingest",
    qos: int = 1,
    stop: threading.Event | None = None,
    ready: threading.Event | None = None,
    batch_max: int = 1000,
    batch_wait_s: float = 0.2,
    sweep_every_s: float = 60.0,
    on_batch: Callable[[IngestReport], None] | None = None,
) -> None:
    """Subscribe and ingest until ``stop`` is set (or forever)."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    broker = parse_broker(broker_url)
    stop = stop or threading.Event()
    inbox: queue.Queue[tuple[str, bytes, int, int]] = queue.Queue()
    client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, client_id=client_id,
                         clean_session=False, protocol=mqtt.MQTTv311, manual_ack=True)
    if broker.username:
        client.username_pw_set(broker.username, broker.password)
    if broker.tls:
        client.tls_set()
    topic = f"{topic_prefix.strip('/')}/+/readings"

    def on_connect(c: Any, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if getattr(reason, "is_failure", False):
            log.error("MQTT connection refused: %s", reason)
            return
        c.subscribe(topic, qos=qos)

    def on_subscribe(_c: Any, _u: Any, _mid: Any, _codes: Any, _p: Any) -> None:
        log.info("subscribed to %s", topic)
        if ready is not None:
            ready.set()

    def on_message(_c: Any, _u: Any, msg: Any) -> None:
        inbox.put((msg.topic, bytes(msg.payload), msg.mid, msg.qos))

    client.on_connect = on_connect
    client.on_subscribe = on_subscribe
    client.on_message = on_message
    client.connect(broker.host, broker.port, keepalive=30)
    client.loop_start()
    last_sweep = time.monotonic()
    try:
        while not stop.is_set():
            batch = _collect(inbox, stop, batch_max, batch_wait_s)
            if batch:
                _ingest_batch(client, session_factory, batch, topic_prefix, on_batch)
            if sweep_every_s and time.monotonic() - last_sweep >= sweep_every_s:
                last_sweep = time.monotonic()
                with session_factory() as session:
                    result = sweep(session=session)
                    session.commit()
                log.info("sweep: %s", result)
    finally:
        client.loop_stop()
        client.disconnect()


def _collect(inbox: queue.Queue[tuple[str, bytes, int, int]], stop: threading.Event, batch_max: int,
             wait_s: float) -> list[tuple[str, bytes, int, int]]:
    batch: list[tuple[str, bytes, int, int]] = []
    try:
        batch.append(inbox.get(timeout=0.2))
    except queue.Empty:
        return batch
    deadline = time.monotonic() + wait_s
    while len(batch) < batch_max and not stop.is_set():
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            batch.append(inbox.get(timeout=left))
        except queue.Empty:
            break
    return batch


def _ingest_batch(client: Any, session_factory: sessionmaker[Session], batch: list[tuple[str, bytes, int, int]],
                  prefix: str, on_batch: Callable[[IngestReport], None] | None) -> None:
    items: list[Any] = []
    for topic, payload, _mid, _qos in batch:
        items.extend(items_of(topic, payload, prefix))
    try:
        with session_factory() as session:
            report = IngestReport()
            for i in range(0, len(items), MAX_BATCH):
                part = ingest(session=session, actor=None, items=items[i:i + MAX_BATCH])
                report.received += part.received
                report.accepted += part.accepted
                report.duplicates += part.duplicates
                report.rejected += [r | {"index": r["index"] + i} for r in part.rejected]
                report.warnings += part.warnings
            session.commit()  # durable first …
    except Exception:
        log.exception("ingest failed; %d messages left unacknowledged for redelivery", len(batch))
        time.sleep(1.0)
        client.reconnect()  # the broker redelivers the unacknowledged messages of a persistent session
        return
    for _topic, _payload, mid, qos in batch:  # … then acknowledged
        if qos > 0:
            client.ack(mid, qos)
    if report.rejected:
        log.warning("%d readings rejected: %s", len(report.rejected), report.rejected[:5])
    if on_batch is not None:
        on_batch(report)


# ---- a private broker (the ingest benchmark, tests) ----------------------------------------------


def mosquitto_binary() -> str | None:
    return shutil.which("mosquitto") or next(
        (p for p in ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto") if Path(p).exists()), None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def private_broker(binary: str) -> Iterator[str]:
    """A Mosquitto of our own on a free loopback port (anonymous, no persistence); its URL."""
    with tempfile.TemporaryDirectory(prefix="yingji-mqtt-") as tmp:
        port = _free_port()
        conf = Path(tmp) / "mosquitto.conf"
        conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n")
        proc = subprocess.Popen([binary, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(200):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    if proc.poll() is not None:
                        raise RuntimeError(f"mosquitto exited with {proc.returncode}") from None
                    time.sleep(0.025)
            else:
                raise RuntimeError("mosquitto did not start listening")
            yield f"mqtt://127.0.0.1:{port}"
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
