"""``yingji plan …``: load an action plan file, record indicator snapshots, list reminders.

Registered by the main CLI as a sub-app: ``app.add_typer(plan_app, name="plan")``. Self-contained
(it imports neither ``yingji.cli`` nor ``yingji.api``); domain errors propagate to the main CLI,
which prints them as one line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(
    help="Action plan supervision (督办): plan files, indicator snapshots, reminders.", no_args_is_help=True
)


def _sessionmaker() -> Any:
    from yingji.config import get_settings
    from yingji.db import migrate
    from yingji.db.session import make_engine, make_sessionmaker

    url = get_settings().sqlalchemy_url
    migrate.upgrade(url)
    return make_sessionmaker(make_engine(url))


@app.command("load")
def load(
    file: Annotated[
        Path,
        typer.Argument(help="Plan file (.json, format yingji.action-plan/1)", exists=True, dir_okay=False),
    ],
) -> None:
    """Load or reload an action plan (idempotent); report unit names that match no unit."""
    from yingji.supervision.common import SYSTEM
    from yingji.supervision.service import load_plan

    with _sessionmaker().begin() as session:
        report = load_plan(session=session, path=file, actor=SYSTEM)
    typer.echo(
        f"plan {report.code} {'loaded' if report.created else 'reloaded'}: "
        f"tasks +{report.tasks_created} ~{report.tasks_updated}, "
        f"indicators +{report.indicators_created} ~{report.indicators_updated}, "
        f"projects +{report.projects_created} ~{report.projects_updated}; "
        f"{report.matched_units} unit names matched"
    )
    if report.unmatched_units:
        typer.echo(f"{len(report.unmatched_units)} unit name(s) match no unit (kept as written):", err=True)
        for name in report.unmatched_units:
            typer.echo(f"  {name}", err=True)


@app.command("snapshot")
def snapshot(
    plan: Annotated[str | None, typer.Option(help="Plan code (default: the latest plan)")] = None,
) -> None:
    """Compute every computed indicator and record today's snapshot (run daily, e.g. from cron)."""
    from yingji.config import get_settings
    from yingji.supervision.common import SYSTEM, local_today
    from yingji.supervision.indicators import snapshot_all
    from yingji.supervision.service import get_plan

    settings = get_settings()
    with _sessionmaker().begin() as session:
        p = get_plan(session=session, user=SYSTEM, code=plan)
        out = snapshot_all(
            session=session,
            user=SYSTEM,
            plan=p,
            data_dir=settings.data_dir,
            today=local_today(settings.timezone),
            tz=settings.timezone,
        )
    typer.echo(f"{out['recorded']} indicator snapshot(s) recorded for {out['on_date']}")
    for line in out["skipped"]:
        typer.echo(f"  skipped {line}")


@app.command("remind")
def remind(
    plan: Annotated[str | None, typer.Option(help="Plan code (default: the latest plan)")] = None,
    days: Annotated[int, typer.Option(help="Remind of milestones due within this many days")] = 30,
    channel: Annotated[str, typer.Option(help="Channel kind to queue on: email or sms")] = "email",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List the reminders, queue nothing")] = False,
) -> None:
    """Queue today's reminders (milestones near or past) as notifications to each unit's contact.

    Queued deliveries are sent by ``yingji notify deliver`` (with retries); a unit without a contact
    address is logged as ``no_contact``.
    """
    from yingji.config import get_settings
    from yingji.supervision.common import SYSTEM, local_today
    from yingji.supervision.notify import QueueNotifier
    from yingji.supervision.reminders import LogNotifier, send_reminders
    from yingji.supervision.service import get_plan

    if channel not in ("email", "sms"):
        raise typer.BadParameter("must be email or sms", param_hint="--channel")
    settings = get_settings()
    with _sessionmaker().begin() as session:
        p = get_plan(session=session, user=SYSTEM, code=plan)
        notifier: Any = LogNotifier() if dry_run else QueueNotifier(session, channel_kind=channel)
        items = send_reminders(
            session=session, user=SYSTEM, plan=p, as_of=local_today(settings.timezone), horizon_days=days,
            notifier=notifier,
        )
    for r in items:
        typer.echo(f"{r['unit_name']}\t任务{r['task_number']}\t{r['kind']}\t{r['due_on'] or ''}\t{r['body']}")
    queued = 0 if dry_run else len(notifier.queued)
    typer.echo(f"{len(items)} reminder(s); {queued} notification(s) queued", err=True)
