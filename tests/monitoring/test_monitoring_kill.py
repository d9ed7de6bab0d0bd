"""Kill safety: a real server (uvicorn in a subprocess) is SIGKILLed during sustained ingest and
restarted; every acknowledged reading is there, none twice, and the batch in flight is all or
nothing."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dbtools import own_database
from yingji.auth import service as auth_service
from yingji.auth.models import User
from yingji.config import Settings
from yingji.db import migrate
from yingji.db.session import make_engine
from yingji.monitoring.models import Reading, Sensor
from yingji.registry.models import Division

SECRET = "kill-test-secret-" + "k" * 32
BATCH = 200


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with own_database(request.param, tmp_path, "kill") as url:
        yield url


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(url: str, data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "YINGJI_DATABASE_URL": url, "YINGJI_SECRET_KEY": SECRET, "YINGJI_ENV": "test",
           "YINGJI_DATA_DIR": str(data_dir)}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "yingji.api.app:create_app",
                             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    pytest.fail("server did not start")


def test_sigkill_during_ingest_loses_no_acknowledged_reading(db: str, tmp_path: Path) -> None:
    migrate.upgrade(db)
    engine = make_engine(db)
    with Session(engine) as s, s.begin():
        s.add(Division(code="371500", name="聊城市", level="city"))
        s.flush()
        s.add(Sensor(code="KILL-1", name="k", kind="gas_concentration", unit="%LEL", division_code="371500",
                     lon=116.0, lat=36.4, rules=[]))
        user = User(username="feeder", role="admin", password_hash=auth_service.hash_password("x-very-long-1"))
        s.add(user)
        s.flush()
        token, _ = auth_service.create_token(settings=Settings(env="test", secret_key=SECRET), user=user)
    t0 = datetime(2026, 11, 1, tzinfo=UTC)

    def batch(k: int) -> list[dict[str, object]]:
        return [{"sensor": "KILL-1", "ts": (t0 + timedelta(seconds=k * BATCH + i)).isoformat(), "value": 1.0 + i % 7}
                for i in range(BATCH)]

    port = _port()
    server = _serve(db, tmp_path, port)
    acked: list[int] = []
    in_flight: int | None = None
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"},
                          timeout=10)
    killed_at = time.monotonic() + 1.5
    k = 0
    try:
        while True:
            if time.monotonic() >= killed_at and server.poll() is None:
                server.send_signal(signal.SIGKILL)  # mid-stream: requests may be in flight
            try:
                r = client.post("/api/v1/readings", json={"readings": batch(k)})
            except httpx.HTTPError:
                in_flight = k
                break
            assert r.status_code == 200, r.text
            acked.append(k)
            k += 1
    finally:
        server.kill()
        server.wait(10)
    assert len(acked) >= 2, "the server was killed before it acknowledged anything"
    server = _serve(db, tmp_path, port)  # restart on the same database
    try:
        with Session(engine) as s:
            stored = s.scalar(select(func.count()).select_from(Reading)) or 0
            distinct = s.scalar(select(func.count(func.distinct(Reading.ts))).select_from(Reading)) or 0
        assert stored == distinct  # none twice
        expected = len(acked) * BATCH
        assert stored in (expected, expected + BATCH)  # the batch in flight: all or nothing
        if in_flight is not None:  # the client resends what was not acknowledged; harmless
            r = client.post("/api/v1/readings", json={"readings": batch(in_flight)})
            assert r.status_code == 200 and r.json()["accepted"] + r.json()["duplicates"] == BATCH
        with Session(engine) as s:
            for kk in acked:
                n = s.scalar(select(func.count()).select_from(Reading).where(
                    Reading.ts >= t0 + timedelta(seconds=kk * BATCH),
                    Reading.ts < t0 + timedelta(seconds=(kk + 1) * BATCH))) or 0
                assert n == BATCH, kk
            assert s.scalar(select(func.count()).select_from(Reading)) == (len(acked) + (in_flight is not None)) * BATCH
    finally:
        client.close()
        server.kill()
        server.wait(10)
        engine.dispose()
