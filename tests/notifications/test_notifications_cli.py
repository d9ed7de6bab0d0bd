"""Warnings raised outside the web server are notified too: ``yingji ingest sweep`` in its own
process raises a silence warning, and its delivery is queued in the database (the process installs
the notification hook with its sessionmaker)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from yingji.db import migrate
from yingji.db.base import utcnow
from yingji.db.session import make_engine, make_sessionmaker
from yingji.demo.load import SystemPrincipal
from yingji.monitoring.models import Sensor
from yingji.notifications import service
from yingji.notifications.models import NotificationDelivery
from yingji.notifications.schemas import ChannelCreate, SubscriptionCreate
from yingji.registry.models import Division
from yingji.warnings.models import EarlyWarning


def test_a_silence_warning_raised_by_the_sweep_process_is_queued(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'yingji.db'}"
    migrate.upgrade(url)
    factory = make_sessionmaker(make_engine(url))
    actor = SystemPrincipal()
    with factory.begin() as s:
        s.add(Division(code="371500", name="聊城市", level="city"))
        s.flush()
        s.add(Division(code="371581", name="临清市", level="county", parent_code="371500"))
        s.flush()
        s.add(Sensor(code="LQ-SILENT", name="临清静默水位计", kind="water_level", unit="m", division_code="371581",
                     lon=115.7, lat=36.8, rules=[], silence_minutes=5, created_at=utcnow() - timedelta(hours=2)))
        channel = service.create_channel(session=s, user=actor, data=ChannelCreate.model_validate(
            {"name": "值班群", "kind": "webhook", "config": {"url": "http://127.0.0.1:9/hook"}}))
        service.create_subscription(session=s, user=actor, data=SubscriptionCreate.model_validate(
            {"name": "全市", "division_code": "371500", "min_level": 4, "channel_id": channel.id}))
    env = {**os.environ, "YINGJI_DATA_DIR": str(tmp_path)}
    env.pop("YINGJI_DATABASE_URL", None)
    r = subprocess.run([str(Path(sys.executable).with_name("yingji")), "ingest", "sweep"], capture_output=True,
                       text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    with factory() as s:
        [warning] = s.scalars(select(EarlyWarning)).all()
        assert warning.cause == "silence" and warning.status == "active"
        queued = s.scalars(select(NotificationDelivery).where(NotificationDelivery.warning_id == warning.id)).all()
    assert [(d.channel_kind, d.status) for d in queued] == [("webhook", "pending")]
