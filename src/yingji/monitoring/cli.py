"""``yingji ingest …``: the MQTT subscriber, the silence/expiry sweep and the ingest benchmark.

Registered by the platform CLI as ``app.add_typer(yingji.monitoring.cli.app, name="ingest")``.
"""

from __future__ import annotations

import json
import logging
from typing import Annotated

import typer

app = typer.Typer(help="Sensor readings: MQTT subscriber, sweep, benchmark.", no_args_is_help=True)


def _sessionmaker():  # type: ignore[no-untyped-def]
    """The database's sessions, with warning notifications queued from this process too."""
    from yingji.config import get_settings
    from yingji.db.session import make_engine, make_sessionmaker
    from yingji.notifications.service import install_for_cli

    factory = make_sessionmaker(make_engine(get_settings().sqlalchemy_url))
    install_for_cli(factory)
    return factory


@app.command("mqtt")
def mqtt(
    broker: Annotated[str, typer.Option("--broker", help="mqtt://[user:pass@]host:1883 or mqtts://…")],
    topic_prefix: Annotated[str, typer.Option(help="Topics <prefix>/<sensor code>/readings")] = "yingji/sensors",
    client_id: Annotated[str, typer.Option(help="Fixed id: the broker keeps unacknowledged messages for it")]
    = "yingji-ingest",
    sweep_every: Annotated[float, typer.Option(help="Seconds between silence/expiry sweeps (0 = never)")] = 60.0,
) -> None:
    """Subscribe to sensor topics and ingest readings until interrupted (Ctrl-C)."""
    from yingji.monitoring.mqtt import run_subscriber

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    typer.echo(f"ingesting {topic_prefix}/+/readings from {broker}")
    try:
        run_subscriber(broker, _sessionmaker(), topic_prefix=topic_prefix, client_id=client_id,
                       sweep_every_s=sweep_every)
    except KeyboardInterrupt:
        typer.echo("stopped")


@app.command("sweep")
def sweep_cmd() -> None:
    """Raise silence warnings for sensors that stopped reporting; expire warnings past their end."""
    from yingji.monitoring.ingest import sweep

    sm = _sessionmaker()
    with sm() as session:
        result = sweep(session=session)
        session.commit()
    typer.echo(json.dumps(result))


@app.command("bench")
def bench_cmd(
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
    readings: Annotated[int, typer.Option(help="Readings to ingest")] = 50_000,
    url: Annotated[str | None, typer.Option(help="Database URL to run on (default: a temporary SQLite file); "
                                            "it gets the bench's sensors and readings")] = None,
    mqtt: Annotated[bool | None, typer.Option("--mqtt/--no-mqtt", help="Also time MQTT publish → warning "
                                              "(default: when mosquitto is on PATH)")] = None,
) -> None:
    """Ingest throughput (service path, rules, commit) against a bare executemany insert."""
    from yingji.monitoring import bench

    result = bench.run(readings=readings, url=url, mqtt=mqtt)
    typer.echo(json.dumps(result, ensure_ascii=False) if json_out else bench.format_table(result))
