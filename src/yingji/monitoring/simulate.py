"""``yingji demo simulate``: stream synthetic readings so that a warning rises and falls while
you watch the board.

For each scenario sensor (default: a toxic-gas detector in the first demo chemical park and a
water-level gauge on the third Yellow River dike section) the readings follow a smooth bump from
the sensor's normal value to 1.4 × its red threshold and back (:func:`bump_series`); the rules
raise a warning, escalate it to red, de-escalate and lift it. Every other demo sensor gets its
normal value at each step, so the board stays online. Readings carry the real clock time.

Transports:

* ``--url http://127.0.0.1:8000 --username commander --password …`` — HTTP ``POST /api/v1/readings``
  with a bearer token from ``/api/v1/auth/token`` (the user needs ``readings:create``);
* ``--mqtt mqtt://host:1883`` — publish to ``yingji/sensors/<code>/readings`` (QoS 1) for a running
  ``yingji ingest mqtt``;
* neither — straight into the configured database through the ingest service (system actor).

The series are pure functions (:func:`bump_series`, :func:`plan_steps`), tested without a run.
"""

from __future__ import annotations

import json
import math
import random
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Annotated, Any, Protocol

import typer

DEFAULT_SENSORS = ("DEMO-CP1-E1-TOXICGAS-01", "DEMO-DIKE3-WATERLEVEL-01")
OVERSHOOT = 1.4
"""The peak lies this far beyond the red threshold, measured from the normal value."""


@dataclass(frozen=True)
class Scenario:
    code: str
    baseline: float
    red: float
    direction: str = "above"  # "below": the quantity falls towards the threshold (phreatic line)


def bump_series(*, baseline: float, red: float, start: datetime, minutes: float, step_s: float, seed: str,
                overshoot: float = OVERSHOOT) -> list[tuple[datetime, float]]:
    """Readings every ``step_s`` seconds over ``minutes``: normal for the first 10 %, a raised-cosine
    bump to ``baseline + overshoot × (red − baseline)`` at 40 %, back to normal by 75 %, normal to the
    end. A small deterministic jitter (seeded by ``seed``) never moves the normal part across a
    threshold. Works for falling quantities too (``red`` < ``baseline``)."""
    rng = random.Random(seed)
    n = max(2, int(minutes * 60 // step_s) + 1)
    amp = overshoot * (red - baseline)
    noise = 0.01 * abs(red - baseline)
    out = []
    for i in range(n):
        f = i / (n - 1)
        if 0.10 <= f <= 0.40:
            shape = 0.5 - 0.5 * math.cos(math.pi * (f - 0.10) / 0.30)
        elif 0.40 < f <= 0.75:
            shape = 0.5 + 0.5 * math.cos(math.pi * (f - 0.40) / 0.35)
        else:
            shape = 0.0
        value = baseline + amp * shape + noise * (rng.random() * 2 - 1) * (1 - shape)
        out.append((start + timedelta(seconds=i * step_s), round(value, 4)))
    return out


def plan_steps(scenarios: Sequence[Scenario], background: Sequence[Any], *, start: datetime, minutes: float,
               step_s: float) -> Iterator[tuple[datetime, list[dict[str, Any]]]]:
    """(time, readings) per step: the scenarios' bump values and the background sensors' normal values."""
    from yingji.monitoring.demo import normal_value

    series = {s.code: bump_series(baseline=s.baseline, red=s.red, start=start, minutes=minutes, step_s=step_s,
                                  seed=s.code) for s in scenarios}
    steps = len(next(iter(series.values()))) if series else max(2, int(minutes * 60 // step_s) + 1)
    codes = set(series)
    for i in range(steps):
        at = start + timedelta(seconds=i * step_s)
        items = [{"sensor": code, "ts": at.isoformat(), "value": s[i][1]} for code, s in series.items()]
        items += [{"sensor": b.code, "ts": at.isoformat(), "value": normal_value(b, at)}
                  for b in background if b.code not in codes]
        yield at, items


def red_of(rules: Sequence[dict[str, Any]]) -> tuple[float, str] | None:
    """The red threshold and direction of the first threshold rule that has one."""
    for r in rules:
        th = r.get("thresholds") or []
        if r.get("type") == "threshold" and len(th) == 4 and th[3] is not None:
            return float(th[3]), str(r.get("direction") or "above")
    return None


# ---- transports -----------------------------------------------------------------------------------


class Sink(Protocol):
    def sensors(self) -> list[Any]: ...

    def rules(self, sensor: Any) -> list[dict[str, Any]]: ...

    def send(self, items: list[dict[str, Any]]) -> dict[str, Any]: ...


class HttpSink:
    def __init__(self, url: str, username: str, password: str) -> None:
        self.base = url.rstrip("/")
        body = urllib.parse.urlencode({"username": username, "password": password}).encode()
        got = self._call("POST", "/api/v1/auth/token", body, "application/x-www-form-urlencoded", auth=False)
        self.token = got["access_token"]

    def _call(self, method: str, path: str, body: bytes | None = None, ctype: str = "application/json",
              auth: bool = True) -> Any:
        req = urllib.request.Request(self.base + path, data=body, method=method)
        if body is not None:
            req.add_header("Content-Type", ctype)
        if auth:
            req.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310 (the operator's own server)
                return json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:300]
            raise typer.BadParameter(f"{method} {path}: HTTP {exc.code} {detail}") from None

    def sensors(self) -> list[Any]:
        out: list[Any] = []
        page = 1
        while True:
            got = self._call("GET", f"/api/v1/sensors?q=DEMO-&size=500&page={page}")
            out += [SimpleNamespace(**s) for s in got["items"]]
            if len(out) >= got["total"] or not got["items"]:
                return out
            page += 1

    def rules(self, sensor: Any) -> list[dict[str, Any]]:
        got: list[dict[str, Any]] = self._call("GET", f"/api/v1/sensors/{sensor.id}/rules")
        return got

    def send(self, items: list[dict[str, Any]]) -> dict[str, Any]:
        got: dict[str, Any] = self._call("POST", "/api/v1/readings", json.dumps({"readings": items}).encode())
        return got


class DirectSink:
    """Through the ingest service into the configured database (the system actor)."""

    def __init__(self, sessionmaker: Callable[[], Any]) -> None:
        self.sessionmaker = sessionmaker

    def sensors(self) -> list[Any]:
        from sqlalchemy import select

        from yingji.monitoring.models import Sensor

        with self.sessionmaker() as s:
            return [SimpleNamespace(id=x.id, code=x.code, kind=x.kind, rules=x.rules, last_value=x.last_value)
                    for x in s.scalars(select(Sensor).where(Sensor.code.like("DEMO-%"), Sensor.active.is_(True)))]

    def rules(self, sensor: Any) -> list[dict[str, Any]]:
        from yingji.engines.rules import effective_rules, rule_to_dict

        return [rule_to_dict(r) for r in effective_rules(sensor.kind, sensor.rules)]

    def send(self, items: list[dict[str, Any]]) -> dict[str, Any]:
        from yingji.monitoring.ingest import ingest

        with self.sessionmaker() as s:
            report = ingest(session=s, actor=None, items=items)
            s.commit()
            return report.as_dict()


class MqttSink(DirectSink):
    """Publishes to the broker; reads the sensors and rules from the database (for the scenario)."""

    def __init__(self, broker_url: str, sessionmaker: Callable[[], Any]) -> None:
        super().__init__(sessionmaker)
        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion

        from yingji.monitoring.mqtt import parse_broker

        b = parse_broker(broker_url)
        self.client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, client_id="yingji-simulate")
        if b.username:
            self.client.username_pw_set(b.username, b.password)
        if b.tls:
            self.client.tls_set()
        self.client.connect(b.host, b.port)
        self.client.loop_start()

    def send(self, items: list[dict[str, Any]]) -> dict[str, Any]:
        from yingji.monitoring.mqtt import TOPIC_PREFIX

        for it in items:
            self.client.publish(f"{TOPIC_PREFIX}/{it['sensor']}/readings",
                                json.dumps({"ts": it["ts"], "value": it["value"]}), qos=1)
        return {"received": len(items), "published": len(items), "warnings": []}


def scenarios_for(sink: Sink, codes: Sequence[str]) -> tuple[list[Scenario], list[Any]]:
    from yingji.monitoring.demo import normal_value

    known = {s.code: s for s in sink.sensors()}
    missing = [c for c in codes if c not in known]
    if missing:
        raise typer.BadParameter(f"unknown sensors {', '.join(missing)}: load the demo first (yingji demo)")
    out = []
    for code in codes:
        s = known[code]
        red = red_of(sink.rules(s))
        if red is None:
            raise typer.BadParameter(f"sensor {code} has no threshold rule with a red level")
        out.append(Scenario(code=code, baseline=normal_value(s, datetime.now(UTC)), red=red[0], direction=red[1]))
    return out, list(known.values())


def run(sink: Sink, *, codes: Sequence[str], minutes: float, step_s: float,
        echo: Callable[[str], None] = print, sleep: Callable[[float], None] = time.sleep) -> int:
    """Stream the scenario in real time; returns the number of readings sent."""
    scenarios, background = scenarios_for(sink, codes)
    start = datetime.now(UTC).replace(microsecond=0)
    sent = 0
    for at, items in plan_steps(scenarios, background, start=start, minutes=minutes, step_s=step_s):
        delay = (at - datetime.now(UTC)).total_seconds()
        if delay > 0:
            sleep(delay)
        report = sink.send(items)
        sent += len(items)
        shown = ", ".join(f"{it['sensor']}={it['value']}" for it in items if it["sensor"] in codes)
        changes = "; ".join(f"#{w['warning_id']} {w['cause']} level {w['level']} {w['status']}"
                            for w in report.get("warnings", []))
        echo(f"{at.astimezone().strftime('%H:%M:%S')} {shown}" + (f"  → {changes}" if changes else ""))
    return sent


def simulate(
    url: Annotated[str | None, typer.Option("--url", help="A running server, e.g. http://127.0.0.1:8000")] = None,
    username: Annotated[str, typer.Option("--username", help="With --url: a user with readings:create")]
    = "commander",
    password: Annotated[str | None, typer.Option("--password", help="With --url", envvar="YINGJI_SIM_PASSWORD")]
    = None,
    minutes: Annotated[float, typer.Option("--minutes", min=0.5, max=24 * 60, help="Length of the scenario")] = 10.0,
    step: Annotated[float, typer.Option("--step", min=1, max=600, help="Seconds between readings")] = 15.0,
    mqtt: Annotated[str | None, typer.Option("--mqtt", help="Publish to mqtt://host:1883 instead")] = None,
    sensor: Annotated[list[str] | None, typer.Option("--sensor", help="Scenario sensor code (repeatable)")] = None,
) -> None:
    """Stream synthetic readings of the demo sensors: a warning rises to red and falls while you watch."""
    codes = list(sensor or DEFAULT_SENSORS)
    sink: Sink
    if url:
        if not password:
            raise typer.BadParameter("--password is required with --url")
        sink = HttpSink(url, username, password)
    else:
        from yingji.config import get_settings
        from yingji.db.session import make_engine, make_sessionmaker
        from yingji.notifications.service import install_for_cli

        sm = make_sessionmaker(make_engine(get_settings().sqlalchemy_url))
        install_for_cli(sm)  # warnings raised here are notified (yingji notify deliver sends them)
        sink = MqttSink(mqtt, sm) if mqtt else DirectSink(sm)
    typer.echo(f"simulating {', '.join(codes)} for {minutes:g} min, a reading every {step:g} s (Ctrl-C stops)")
    try:
        n = run(sink, codes=codes, minutes=minutes, step_s=step, echo=typer.echo)
    except KeyboardInterrupt:
        typer.echo("stopped")
        return
    typer.echo(f"done: {n} readings")
