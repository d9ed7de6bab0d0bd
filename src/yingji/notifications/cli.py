"""``yingji notify …``: send the queued notifications (once, or in a loop).

Registered by the platform CLI as ``app.add_typer(yingji.notifications.cli.app, name="notify")``.
"""

from __future__ import annotations

import json
import time
from typing import Annotated

import typer
from sqlalchemy.orm import Session, sessionmaker

app = typer.Typer(help="Notifications: send the delivery queue.", no_args_is_help=True)


def _sessionmaker() -> sessionmaker[Session]:
    from yingji.config import get_settings
    from yingji.db.session import make_engine, make_sessionmaker

    return make_sessionmaker(make_engine(get_settings().sqlalchemy_url))


@app.command("deliver")
def deliver(
    loop: Annotated[float, typer.Option(help="Repeat every so many seconds (0 = once)")] = 0.0,
    limit: Annotated[int, typer.Option(help="At most this many deliveries per round")] = 200,
) -> None:
    """Try every due delivery once (retries follow their backoff); print the counts as JSON."""
    from yingji.notifications import delivery, service

    factory = _sessionmaker()
    service.configure(factory)
    while True:
        typer.echo(json.dumps(delivery.deliver_pending(factory, limit=limit)))
        if loop <= 0:
            return
        time.sleep(loop)
