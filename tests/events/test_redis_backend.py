"""The Redis event backend against a real ``redis-server`` on a free loopback port:

* two buses on one Redis: each delivers its own events locally once (no echo) and the other's;
* Redis restarting: both sides reconnect, and what was published meanwhile goes out afterwards;
* ``configure`` chooses the backend from the ``events_url`` setting;
* two real server processes (``uvicorn``, one SQLite file): a change made through process A reaches
  an SSE client of process B within a second, filtered by scope.

Skipped when ``redis-server`` is not installed (Debian package ``redis-server``).
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session

from yingji.events import Event, InProcessBus, ThreadQueueSink, configure, get_bus, set_bus

redis = pytest.importorskip("redis", reason="the redis package (redis-py) is not installed")

REDIS_SERVER = shutil.which("redis-server") or ("/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists()
                                                else None)
pytestmark = pytest.mark.skipif(REDIS_SERVER is None,
                                reason="redis-server not installed (apt-get install redis-server)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisServer:
    """A throw-away ``redis-server`` on 127.0.0.1 (no persistence); ``stop``/``start`` keep the port."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        assert REDIS_SERVER is not None
        self.proc = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--protected-mode", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
                client.ping()
                client.close()
                return self
            except redis.RedisError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None

    def subscribers(self, channel: str) -> int:
        client = redis.Redis.from_url(self.url)
        try:
            return int(dict(client.pubsub_numsub(channel))[channel.encode()])
        finally:
            client.close()


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer().start()
    try:
        yield server
    finally:
        server.stop()


def ev(division: str | None = "371581", **kw: Any) -> Event:
    base: dict[str, Any] = {"topic": "incident", "action": "created", "resource": "incidents",
                            "division_code": division, "data": {"title": "化工厂泄漏"}, "incident_id": 1}
    base.update(kw)
    return Event(**base)


def _get(sink: ThreadQueueSink, timeout: float = 2.0) -> Event:
    return sink.queue.get(timeout=timeout)


def _wait_subscribers(server: RedisServer, channel: str, n: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while server.subscribers(channel) < n:
        assert time.monotonic() < deadline, f"{channel}: fewer than {n} subscribers"
        time.sleep(0.02)


# ---- the bus --------------------------------------------------------------------------------------


def test_two_buses_share_events_without_echoes(redis_server: RedisServer) -> None:
    from yingji.events.redis_backend import RedisBus

    channel = "yingji:test:share"
    a, b = RedisBus(redis_server.url, channel=channel), RedisBus(redis_server.url, channel=channel)
    try:
        assert a.wait_connected() and b.wait_connected()
        sa, sb = ThreadQueueSink(), ThreadQueueSink()
        a.subscribe(sa)
        b.subscribe(sb)
        sent = a.publish(ev(unit_ids=(3, 4), departments=True))
        assert sent.id == 1 and _get(sa) == sent  # delivered locally at once
        got = _get(sb)
        assert got.id == 1  # numbered by the receiving process
        assert got == sent  # every field survives the trip
        b.publish(ev(action="status", data={"status": "verified"}))
        assert _get(sb).action == "status"
        other = _get(sa)
        assert (other.action, other.id) == ("status", 2)
        time.sleep(0.3)
        assert sa.queue.empty() and sb.queue.empty()  # nobody hears its own event twice
        assert [e.id for e in a.replay(0)] == [1, 2] and [e.id for e in b.replay(1)] == [2]
        assert (a.received, b.received, a.dropped) == (1, 1, 0)
    finally:
        a.close()
        b.close()
    assert not a.connected


def test_reconnects_after_redis_restarts() -> None:
    from yingji.events.redis_backend import RedisBus

    server = RedisServer().start()
    a = RedisBus(server.url, socket_timeout=1.0)
    b = RedisBus(server.url, socket_timeout=1.0)
    try:
        assert a.wait_connected() and b.wait_connected()
        sink = ThreadQueueSink()
        b.subscribe(sink)
        a.publish(ev(action="before"))
        assert _get(sink).action == "before"
        server.stop()
        deadline = time.monotonic() + 5
        while a.connected or b.connected:
            assert time.monotonic() < deadline, "the subscribers did not notice Redis going away"
            time.sleep(0.05)
        local = ThreadQueueSink()
        a.subscribe(local)
        a.publish(ev(action="while-down"))  # local subscribers still hear it; it waits in the outbox
        assert _get(local).action == "while-down"
        server.start()
        assert a.wait_connected(10) and b.wait_connected(10)
        _wait_subscribers(server, "yingji:events", 2)
        a.publish(ev(action="after"))
        actions = [_get(sink, timeout=10).action]
        while actions[-1] != "after":
            actions.append(_get(sink, timeout=10).action)
        # "while-down" went out from the outbox after reconnecting; B hears it when it had already
        # re-subscribed by then (pub/sub keeps nothing for absent subscribers)
        assert set(actions) <= {"while-down", "after"} and a.dropped == 0
    finally:
        a.close()
        b.close()
        server.stop()


def test_configure_chooses_the_backend(redis_server: RedisServer) -> None:
    from yingji.events.redis_backend import RedisBus

    previous = get_bus()
    try:
        fresh = InProcessBus()
        set_bus(fresh)
        assert configure("") is fresh and configure(None) is fresh  # in-process stays as it is
        bus = configure(redis_server.url)
        assert isinstance(bus, RedisBus) and get_bus() is bus
        assert configure(redis_server.url) is bus  # idempotent: create_app may call it again
        back = configure("")
        assert isinstance(back, InProcessBus) and get_bus() is back
        bus._subscriber.join(timeout=5)
        assert not bus._subscriber.is_alive()  # the replaced Redis bus was closed
        with pytest.raises(ValueError, match="nats"):
            configure("nats://127.0.0.1:4222")
    finally:
        set_bus(previous)


# ---- two real server processes ----------------------------------------------------------------------

SERVER = """
import os, sys
import uvicorn
import yingji.events.views as views
from yingji.api.app import create_app
from yingji.events import configure

views.KEEPALIVE_S = 0.2
configure(os.environ["YINGJI_EVENTS_URL"])
uvicorn.run(create_app(), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", timeout_keep_alive=1)
"""

USERS = {  # username: role, division, unit
    "commander": ("commander", "371500", None),
    "duty": ("duty_officer", "371500", None),
    "linqing": ("county", "371581", "linqing_bureau"),
    "dongchangfu": ("county", "371502", "dcf_bureau"),
}
SECRET = "redis-live-secret-" + "x" * 32


def _seed(url: str) -> dict[str, int]:
    from yingji.auth.models import User
    from yingji.db.session import make_engine
    from yingji.registry.models import Division, Unit

    engine = make_engine(url)
    users: dict[str, int] = {}
    try:
        with Session(engine) as s, s.begin():
            s.add(Division(code="371500", name="聊城市", level="city"))
            s.flush()
            s.add_all([Division(code="371581", name="临清市", level="county", parent_code="371500"),
                       Division(code="371502", name="东昌府区", level="county", parent_code="371500")])
            s.flush()
            units = {"linqing_bureau": Unit(name="临清市应急管理局", kind="department", division_code="371581"),
                     "dcf_bureau": Unit(name="东昌府区应急管理局", kind="department", division_code="371502")}
            s.add_all(units.values())
            s.flush()
            for username, (role, division, unit) in USERS.items():
                user = User(username=username, role=role, division_code=division, password_hash="x",
                            unit_id=units[unit].id if unit else None)
                s.add(user)
                s.flush()
                users[username] = user.id
    finally:
        engine.dispose()
    return users


@dataclass
class Cluster:
    a: str
    b: str
    tokens: dict[str, str]

    def headers(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]}"}


@pytest.fixture(scope="module")
def cluster(redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    from yingji.auth import service as auth_service
    from yingji.auth.models import User
    from yingji.config import Settings
    from yingji.db import migrate
    from yingji.db.session import make_engine

    tmp = tmp_path_factory.mktemp("redis-live")
    url = f"sqlite:///{tmp / 'shared.db'}"
    migrate.upgrade(url)  # once, before either server starts
    ids = _seed(url)
    settings = Settings(env="test", data_dir=tmp, database_url=url, secret_key=SECRET)
    engine = make_engine(url)
    tokens = {}
    with Session(engine) as s:
        for username, uid in ids.items():
            user = s.get(User, uid)
            assert user is not None
            tokens[username] = auth_service.create_token(settings=settings, user=user)[0]
    engine.dispose()
    env = {**os.environ, "YINGJI_ENV": "test", "YINGJI_DATA_DIR": str(tmp), "YINGJI_DATABASE_URL": url,
           "YINGJI_SECRET_KEY": SECRET, "YINGJI_EVENTS_URL": redis_server.url}
    ports = [_free_port(), _free_port()]
    procs = [subprocess.Popen([sys.executable, "-c", SERVER, str(p)], env=env, cwd=tmp,
                              stdout=subprocess.DEVNULL, stderr=(tmp / f"server-{p}.log").open("wb"))
             for p in ports]
    try:
        deadline = time.monotonic() + 60
        for port, proc in zip(ports, procs, strict=True):
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    log = (tmp / f"server-{port}.log").read_text(errors="replace")
                    raise RuntimeError(f"server on {port} did not start:\n{log}")
                time.sleep(0.1)
        _wait_subscribers(redis_server, "yingji:events", 2)  # both processes listen on the channel
        yield Cluster(a=f"http://127.0.0.1:{ports[0]}", b=f"http://127.0.0.1:{ports[1]}", tokens=tokens)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@dataclass
class Listener:
    """A client following ``/api/v1/events`` of one server in a thread."""

    base: str
    headers: dict[str, str]
    events: queue.Queue[tuple[float, dict[str, Any]]] = field(default_factory=queue.Queue)
    ready: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)
    error: list[BaseException] = field(default_factory=list)

    def run(self) -> None:
        try:
            with httpx.Client(timeout=httpx.Timeout(30.0, read=30.0)) as c, c.stream(
                "GET", f"{self.base}/api/v1/events", headers=self.headers
            ) as r:
                assert r.status_code == 200
                for line in r.iter_lines():
                    if line.startswith(": connected"):
                        self.ready.set()
                    elif line.startswith("data: "):
                        self.events.put((time.monotonic(), json.loads(line[6:])))
                    if self.stop.is_set():
                        return
        except BaseException as exc:  # noqa: BLE001 - reported through ``error``
            if not self.stop.is_set():
                self.error.append(exc)
            self.ready.set()

    def next(self, timeout: float = 5.0) -> tuple[float, dict[str, Any]]:
        return self.events.get(timeout=timeout)

    def ids(self, wait: float = 0.5) -> list[int]:
        """Incident ids of what arrives within ``wait`` seconds."""
        out = []
        deadline = time.monotonic() + wait
        while (left := deadline - time.monotonic()) > 0:
            try:
                out.append(self.next(timeout=left)[1]["incident_id"])
            except queue.Empty:
                break
        return out


def _incident(division: str) -> dict[str, Any]:
    from yingji.db.base import utcnow

    lon, lat = (115.705, 36.838) if division == "371581" else (115.985, 36.457)
    return {"title": f"跨进程事件{division}", "category": "accident", "type": "fire", "division_code": division,
            "lon": lon, "lat": lat, "occurred_at": (utcnow() - timedelta(minutes=5)).isoformat()}


def test_a_change_on_process_a_reaches_an_sse_client_of_process_b(cluster: Cluster) -> None:
    listeners = {
        "b_commander": Listener(cluster.b, cluster.headers("commander")),
        "b_linqing": Listener(cluster.b, cluster.headers("linqing")),
        "b_dongchangfu": Listener(cluster.b, cluster.headers("dongchangfu")),
        "a_commander": Listener(cluster.a, cluster.headers("commander")),
    }
    threads = [threading.Thread(target=lst.run, daemon=True) for lst in listeners.values()]
    for t in threads:
        t.start()
    try:
        for name, lst in listeners.items():
            assert lst.ready.wait(10), f"{name}: stream did not open"
            assert not lst.error, lst.error
        with httpx.Client(base_url=cluster.a, headers=cluster.headers("duty"), timeout=30) as c:
            r = c.post("/api/v1/incidents", json=_incident("371581"))
            done = time.monotonic()
            assert r.status_code == 201, r.text
            inc = r.json()
            for name in ("b_commander", "b_linqing", "a_commander"):
                arrived, event = listeners[name].next(timeout=5)
                assert arrived - done < 1.0, f"{name}: event arrived {arrived - done:.3f} s after the response"
                assert (event["topic"], event["action"], event["incident_id"]) == ("incident", "created", inc["id"])
                assert event["data"]["title"] == inc["title"]
            # scope still holds on B: 东昌府区 does not hear of 临清's incident, but hears of its own
            r2 = c.post("/api/v1/incidents", json=_incident("371502"))
            assert r2.status_code == 201, r2.text
            other = r2.json()["id"]
            arrived, event = listeners["b_dongchangfu"].next(timeout=5)
            assert event["incident_id"] == other and arrived - time.monotonic() < 1.0
            assert inc["id"] not in listeners["b_dongchangfu"].ids()
            assert other not in listeners["b_linqing"].ids()
            # A's own client hears each change once (no echo through Redis)
            assert listeners["a_commander"].ids() == [other]
            assert listeners["b_commander"].ids() == [other]
    finally:
        for lst in listeners.values():
            lst.stop.set()
        for t in threads:
            t.join(timeout=5)
