"""The ``yingji`` command: serve, demo, db, user, import, export, bench."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from yingji.config import get_settings

app = typer.Typer(
    help="Yingji (应急): city emergency support platform.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema migrations.", no_args_is_help=True)
user_app = typer.Typer(help="User accounts.", no_args_is_help=True)
network_app = typer.Typer(help="Road network.", no_args_is_help=True)
report_app = typer.Typer(help="Reports written to files.", no_args_is_help=True)
demo_app = typer.Typer(
    help="Load the synthetic Liaocheng demo city (idempotent, deterministic); `demo simulate` streams readings.",
    invoke_without_command=True,
)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(network_app, name="network")
app.add_typer(report_app, name="report")
app.add_typer(demo_app, name="demo")


def _domain_apps() -> None:
    """Sub-commands that live with their domain (each a Typer app in ``yingji.<domain>.cli``)."""
    from yingji.monitoring.cli import app as ingest_app
    from yingji.monitoring.simulate import simulate
    from yingji.notifications.cli import app as notify_app
    from yingji.supervision.cli import app as plan_app
    from yingji.warnings.cli import app as warnings_app

    app.add_typer(plan_app, name="plan")
    app.add_typer(ingest_app, name="ingest")
    app.add_typer(notify_app, name="notify")
    app.add_typer(warnings_app, name="warnings")
    sim_help = "Stream synthetic sensor readings so a warning rises and falls (demo)."
    demo_app.command("simulate", help=sim_help)(simulate)
    # the earlier spelling, kept working but no longer listed
    app.command("simulate", help=sim_help, hidden=True)(simulate)


_domain_apps()


class CliError(Exception):
    """A failure to report as one line without a traceback."""


def fail(message: str) -> NoReturn:
    raise CliError(message)


def _sessionmaker() -> Any:
    from yingji.db.session import make_engine, make_sessionmaker

    return make_sessionmaker(make_engine(get_settings().sqlalchemy_url))


def _upgrade() -> None:
    from yingji.db import migrate

    migrate.upgrade(get_settings().sqlalchemy_url)


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("heads", help="Target revision (default: every branch's head)")) -> None:
    """Upgrade the database schema (creates the SQLite file if needed)."""
    from yingji.db import migrate

    migrate.upgrade(get_settings().sqlalchemy_url, revision)
    typer.echo(f"database at revision {migrate.current(get_settings().sqlalchemy_url)}")


@db_app.command("downgrade")
def db_downgrade(revision: str = typer.Argument(..., help="Target revision, e.g. base or -1")) -> None:
    """Downgrade the database schema."""
    from yingji.db import migrate

    migrate.downgrade(get_settings().sqlalchemy_url, revision)
    typer.echo(f"database at revision {migrate.current(get_settings().sqlalchemy_url)}")


@db_app.command("current")
def db_current() -> None:
    """Print the current schema revision."""
    from yingji.db import migrate

    typer.echo(migrate.current(get_settings().sqlalchemy_url) or "empty")


@demo_app.callback()
def demo(
    ctx: typer.Context,
    with_network: Annotated[
        bool, typer.Option("--network/--no-network", help="Also build the demo road network")
    ] = True,
) -> None:
    """Load the synthetic Liaocheng demo city (idempotent, deterministic).

    ``yingji demo simulate`` then streams synthetic readings so a warning rises and falls."""
    if ctx.invoked_subcommand is not None:
        return
    from yingji.demo.load import load_demo

    _upgrade()
    sm = _sessionmaker()
    with sm.begin() as session:
        counts = load_demo(session=session, data_dir=get_settings().data_dir, network=with_network)
    typer.echo("demo city loaded (synthetic data): " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    if with_network:
        typer.echo(f"demo road network and population grid in {get_settings().data_dir / 'network'}")
    from yingji.demo.data import demo_city

    typer.echo("demo users (username / password):")
    for u in demo_city().users:
        typer.echo(f"  {u['username']:<10} {u['password']:<24} {u['role']}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Bind address")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
    demo_city: Annotated[
        bool, typer.Option("--demo", help="Load the demo city into an empty database")
    ] = False,
) -> None:
    """Run the web server (migrates the database first)."""
    import uvicorn

    from yingji.api.app import create_app

    _upgrade()
    if demo_city:
        from sqlalchemy import func, select

        from yingji.demo.load import load_demo
        from yingji.registry.models import Division

        sm = _sessionmaker()
        with sm.begin() as session:
            if not session.scalar(select(func.count()).select_from(Division)):
                load_demo(session=session, data_dir=get_settings().data_dir, network=True)
                typer.echo("demo city loaded (synthetic data); users: admin / Yingji-admin-2026 (see README)")
    typer.echo(f"Yingji on http://{host}:{port}")
    uvicorn.run(create_app(), host=host, port=port, log_level="info")


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="Login name")],
    role: Annotated[str, typer.Option(help="admin, commander, duty_officer, department, county, viewer")],
    division: Annotated[str | None, typer.Option(help="GB/T 2260 division code (scope)")] = None,
    unit: Annotated[int | None, typer.Option(help="Unit id")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin")
    ] = False,
    display_name: Annotated[str | None, typer.Option(help="Display name")] = None,
) -> None:
    """Add a user account."""
    from pydantic import ValidationError

    from yingji.auth import service
    from yingji.auth.schemas import UserCreate

    if not password_stdin:
        fail("give the password on standard input with --password-stdin")
    password = sys.stdin.readline().rstrip("\n")
    try:
        user_in = UserCreate(
            username=name,
            password=password,
            role=role,  # type: ignore[arg-type]
            division_code=division,
            unit_id=unit,
            display_name=display_name,
        )
    except ValidationError as exc:
        err = exc.errors()[0]
        fail(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}")
    _upgrade()
    with _sessionmaker().begin() as session:
        user = service.create_user(session=session, user_in=user_in, actor=None)
        typer.echo(f"user {user.username} ({user.role}) created with id {user.id}")


def _system_actor() -> Any:
    from yingji.demo.load import SystemPrincipal

    return SystemPrincipal()


@app.command("import")
def import_(
    registry: Annotated[
        str, typer.Argument(help="divisions, units, contacts, facilities, teams, experts, vehicles, stock")
    ],
    file: Annotated[Path, typer.Argument(help=".xlsx file (stock: .xlsx or .csv)", exists=True, dir_okay=False)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check and report, write nothing")] = False,
) -> None:
    """Import a registry, or the stock lots, from .xlsx (all or nothing; matched on natural keys)."""
    from yingji.registry import spreadsheets
    from yingji.registry.specs import REGISTRIES
    from yingji.supplies import spreadsheet as stock_sheet

    spec = REGISTRIES.get(registry)
    if spec is None and registry != "stock":
        fail(f"unknown registry {registry!r}; choose one of {', '.join(REGISTRIES)}, stock")
    _upgrade()
    with _sessionmaker().begin() as session:
        if spec is None:
            report: spreadsheets.ImportReport = stock_sheet.import_stock(
                session=session, user=_system_actor(), content=file.read_bytes(), filename=file.name,
                dry_run=dry_run)
        else:
            report = spreadsheets.import_xlsx(
                session=session, spec=spec, user=_system_actor(), content=file.read_bytes(), dry_run=dry_run
            )
    for e in report.errors:
        typer.echo(f"row {e['row']}, column {e['column']}: {e['message']}", err=True)
    d = report.as_dict()
    typer.echo(
        f"rows {d['rows']}: created {d['created']}, updated {d['updated']}, unchanged {d['unchanged']}"
        f"{', adjusted ' + str(d['adjusted']) if 'adjusted' in d else ''}"
        f"{' (dry run, nothing written)' if dry_run else ''}"
    )
    if report.errors:
        fail(f"{len(report.errors)} error(s); nothing written")


@app.command("export")
def export(
    registry: Annotated[str, typer.Argument(help="Registry name")],
    output: Annotated[Path, typer.Argument(help="Output file (.xlsx or .csv)")],
) -> None:
    """Export a registry, or the stock lots (``stock``), to .xlsx or .csv."""
    from yingji.registry import service, spreadsheets
    from yingji.registry.specs import REGISTRIES
    from yingji.supplies import spreadsheet as stock_sheet

    spec = REGISTRIES.get(registry)
    if spec is None and registry != "stock":
        fail(f"unknown registry {registry!r}; choose one of {', '.join(REGISTRIES)}, stock")
    fmt = output.suffix.lstrip(".").lower()
    if fmt not in ("xlsx", "csv"):
        fail("output must end in .xlsx or .csv")
    with _sessionmaker().begin() as session:
        if spec is None:
            content, _, n = stock_sheet.export_stock(session=session, user=_system_actor(), fmt=fmt)
        else:
            rows = service.all_records(
                session=session, spec=spec, user=_system_actor(), filters=service.ListFilters()
            )
            content, _ = spreadsheets.export_rows(spec, rows, fmt=fmt)
            n = len(rows)
    output.write_bytes(content)
    typer.echo(f"{n} rows written to {output}")


@network_app.command("import")
def network_import(
    path: Annotated[
        Path,
        typer.Argument(
            help="Road lines: GeoJSON, GeoPackage, Shapefile or OSM .osm.pbf", exists=True, dir_okay=False
        ),
    ],
    population: Annotated[
        Path | None, typer.Option(help="Population grid: CSV (lon,lat,population,division) or GeoTIFF")
    ] = None,
) -> None:
    """Import a road network (and optionally a population grid) as this installation's network."""
    from tqdm import tqdm

    from yingji.engines.network import cache
    from yingji.engines.network.errors import NetworkError
    from yingji.engines.network.graph import RoadGraph, largest_scc
    from yingji.engines.network.population import PopulationGrid

    data_dir = get_settings().data_dir
    out = data_dir / "network"
    out.mkdir(parents=True, exist_ok=True)
    bar = tqdm(total=100, unit="%", desc="import", leave=False, disable=None)
    state = {"stage": ""}

    def progress(stage: str, fraction: float) -> None:
        if stage != state["stage"]:
            state["stage"] = stage
            bar.set_description(stage)
            bar.n = 0
        bar.n = int(fraction * 100)
        bar.refresh()

    try:
        full = cache.load_or_build(path, out / "cache", strongly_connected=False, progress=progress)
        graph, dropped = largest_scc(full)
        grid = None
        if population is not None:
            if population.suffix.lower() in (".tif", ".tiff"):
                grid = PopulationGrid.from_geotiff(population)
            else:
                grid = PopulationGrid.from_csv(population)
    except NetworkError as exc:
        fail(str(exc))
    except Exception as exc:  # the readers' own errors (GDAL, osmium): one line
        fail(f"cannot import {path.name}: {str(exc).splitlines()[0]}")
    finally:
        bar.close()
    tmp = out / "graph.tmp.npz"
    graph.save_npz(
        tmp, metadata={"source": str(path.resolve()), "version": f"import-{int(path.stat().st_mtime)}"}
    )
    tmp.replace(out / "graph.npz")
    if grid is not None:
        grid.to_csv(out / "population.csv")
    elif population is None and (out / "population.csv").exists():
        typer.echo("keeping the existing population grid (network/population.csv)")
    assert isinstance(graph, RoadGraph)
    typer.echo(
        f"network imported: {graph.n_nodes} nodes, {graph.n_edges} edges "
        f"(largest strongly connected component; {dropped} nodes dropped)"
    )


@report_app.command("supervision")
def report_supervision(
    month: Annotated[str, typer.Option(help="Month, YYYY-MM")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File (.docx or .xlsx)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="docx or xlsx (default: from --output, else docx)")] = "",
    plan: Annotated[str | None, typer.Option(help="Plan code (default: the latest loaded plan)")] = None,
) -> None:
    """The monthly supervision report (tasks, progress, indicators, overdue items by unit)."""
    import re

    from yingji.supervision import reports
    from yingji.supervision import service as sv
    from yingji.supervision.common import local_today

    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        fail("--month must be YYYY-MM")
    fmt = fmt or (output.suffix.lstrip(".").lower() if output else "docx")
    if fmt not in ("docx", "xlsx"):
        fail("--format must be docx or xlsx")
    settings = get_settings()
    with _sessionmaker().begin() as session:
        actor = _system_actor()
        content, name, _ = reports.monthly_report(
            session=session, user=actor, plan=sv.get_plan(session=session, user=actor, code=plan), month=month,
            fmt=fmt, today=local_today(settings.timezone), data_dir=settings.data_dir, tz=settings.timezone,
        )
    target = output or Path(name)
    target.write_bytes(content)
    typer.echo(f"report written to {target}")


@app.command()
def bench(
    name: Annotated[str, typer.Argument(help="Benchmark name: routing, allocation, ingest")],
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
    mqtt: Annotated[bool | None, typer.Option(
        "--mqtt/--no-mqtt", help="ingest: also time MQTT publish → warning (default: when mosquitto is on PATH)")
    ] = None,
) -> None:
    """Run a side-by-side benchmark (engine beside its reference, same data, one process)."""
    import json
    from typing import Any as _Any

    result: dict[str, _Any]
    if name == "routing":
        from yingji.demo.roads import demo_bench_data
        from yingji.engines.network import bench as routing_bench

        result, table = routing_bench.run(data=demo_bench_data), routing_bench.format_table
    elif name == "allocation":
        from yingji.engines.allocation import bench as allocation_bench

        result, table = allocation_bench.run(), allocation_bench.format_table
    elif name == "ingest":
        from yingji.monitoring import bench as ingest_bench

        result, table = ingest_bench.run(mqtt=mqtt), ingest_bench.format_table
    else:
        fail(f"unknown benchmark {name!r}; available: routing, allocation, ingest")
    typer.echo(json.dumps(result, ensure_ascii=False) if json_out else table(result))


def main() -> None:
    from sqlalchemy.exc import OperationalError

    from yingji.errors import YingjiError

    try:
        app(standalone_mode=False)
    except CliError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except YingjiError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        sys.exit(1)
    except OperationalError as exc:
        typer.echo(f"error: database: {str(exc.orig).splitlines()[0]}", err=True)
        sys.exit(1)
    except Exception as exc:  # usage errors and the like: one line, no traceback
        format_message = getattr(exc, "format_message", None)
        if callable(format_message):
            typer.echo(f"error: {format_message()}", err=True)
            sys.exit(getattr(exc, "exit_code", 2) or 2)
        if type(exc).__name__ == "Abort":
            typer.echo("aborted", err=True)
            sys.exit(1)
        typer.echo(f"error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
