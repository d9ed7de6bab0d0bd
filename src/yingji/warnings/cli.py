"""``yingji warnings poll URL``: import a CAP feed (an Atom feed of CAP 1.2 alerts, or one alert)
once or every so many seconds — e.g. the meteorological bureau's warning feed.

Registered by the platform CLI as ``app.add_typer(yingji.warnings.cli.app, name="warnings")``. Runs
as the system actor (the audit log names it); each poll is one transaction, each alert in it its own
savepoint (a bad alert is reported and skipped). Importing is idempotent: an alert already imported
is ``unchanged``, an update or cancellation of it changes its warning.
"""

from __future__ import annotations

import json
import time
from typing import Annotated

import typer

app = typer.Typer(help="Early warnings: poll external CAP feeds.", no_args_is_help=True)


@app.command("poll")
def poll(
    url: Annotated[str, typer.Argument(help="http(s) URL of an Atom feed of CAP alerts, or of one CAP alert")],
    division: Annotated[str | None, typer.Option(
        "--division", help="GB/T 2260 code for alerts without a known geocode")] = None,
    every: Annotated[float, typer.Option("--every", min=0, help="Repeat every so many seconds (0 = once)")] = 0.0,
) -> None:
    """Import the feed's alerts (mapped to our levels and divisions); print the counts as JSON."""
    from yingji.config import get_settings
    from yingji.db import migrate
    from yingji.db.session import make_engine, make_sessionmaker
    from yingji.demo.load import SystemPrincipal
    from yingji.errors import YingjiError
    from yingji.warnings import imports

    if not url.lower().startswith(("http://", "https://")):
        raise typer.BadParameter("only http:// or https:// feeds can be polled", param_hint="URL")
    settings = get_settings()
    migrate.upgrade(settings.sqlalchemy_url)
    factory = make_sessionmaker(make_engine(settings.sqlalchemy_url))
    from yingji.notifications.service import install_for_cli

    install_for_cli(factory)  # imported warnings are notified like any other
    while True:
        try:
            with factory.begin() as session:
                out = imports.import_feed(session=session, user=SystemPrincipal(), url=url, division_code=division)
            typer.echo(json.dumps({"url": url, "entries": out["entries"], "counts": out["counts"]},
                                  ensure_ascii=False))
        except Exception as exc:  # noqa: BLE001  (a schedule must survive a bad feed or a dropped connection)
            if every <= 0:
                raise
            message = exc.message if isinstance(exc, YingjiError) else f"{type(exc).__name__}: {exc}"
            typer.echo(f"error: {message}"[:500], err=True)  # keep polling: the feed may come back
        if every <= 0:
            return
        time.sleep(every)
