"""The `credit-ledger` command line."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

from ledger.config import PROJECT_ROOT

if TYPE_CHECKING:
    from ledger.database import Server

app = typer.Typer(help="Key-sector credit ledger.", no_args_is_help=True, add_completion=False)
console = Console(stderr=True)
DEMO_FILE = PROJECT_ROOT / "demo" / "tianjin-demo.jsonl"


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(help="server worker processes")] = 1,
) -> None:
    """Serve the HTTP API (OpenAPI at /docs)."""
    import uvicorn

    from ledger.config import get_settings
    from ledger.database import resolve_server

    # Start (or join) the database in this process first, so workers find it ready.
    server = resolve_server(get_settings())
    console.print(f"database: {server.dbname} on {server.params.get('host')}")
    uvicorn.run("api.main:create_app", factory=True, host=host, port=port, workers=workers, log_level="info")


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="JSON Lines file")],
    report: Annotated[Path | None, typer.Option(help="where bad lines are written (default FILE.report.jsonl)")] = None,
    batch: Annotated[int, typer.Option(min=1, max=5000, help="records per transaction")] = 500,
) -> None:
    """Import records from a JSON Lines file; bad lines go to a report. Safe to re-run."""
    from ledger.bulk import import_file
    from ledger.runtime import Runtime

    report = report or file.with_suffix(file.suffix + ".report.jsonl")
    runtime = Runtime.open()
    try:
        with report.open("w", encoding="utf-8") as out, _progress() as progress:
            task = progress.add_task(f"importing {file.name}", total=file.stat().st_size)
            summary = import_file(
                runtime.intake, file, out, batch_size=batch, on_progress=lambda n: progress.advance(task, n)
            )
    finally:
        runtime.close()
    console.print(
        f"{summary.lines} lines: [green]{summary.recorded} recorded[/], {summary.duplicate} duplicate, "
        f"[red]{summary.rejected} rejected[/]"
    )
    if summary.rejected:
        console.print(f"rejected lines {summary.rejected_lines[:20]}{' …' if summary.rejected > 20 else ''}; see {report}")
    typer.echo(f"recorded={summary.recorded} duplicate={summary.duplicate} rejected={summary.rejected}")


@app.command()
def demo() -> None:
    """Load the demo data set (about 50 Tianjin enterprises); safe to re-run."""
    import_(DEMO_FILE, report=Path(os.devnull), batch=500)


@app.command()
def migrate() -> None:
    """Create the database if needed and apply pending migrations."""
    from ledger.config import get_settings
    from ledger.database import migrate as apply, resolve_server

    applied = apply(resolve_server(get_settings()))
    typer.echo(f"applied {len(applied)} migration(s): {', '.join(applied) or 'none pending'}")


calendar_app = typer.Typer(help="Official holiday schedules (rulebook TIME-01).", no_args_is_help=True)
reference_app = typer.Typer(help="Reference values the rulebook marks UNCONFIRMED.", no_args_is_help=True)
app.add_typer(calendar_app, name="calendar")
app.add_typer(reference_app, name="reference")


@calendar_app.command("load")
def calendar_load(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSON: year, holidays, make_up_working_days, source")],
) -> None:
    """Load a year's official schedule; later answers for that year are firm, not provisional.

    Restart running servers to apply it there."""
    import json
    from datetime import date

    from domain.calendar import YearSchedule
    from ledger import reference

    try:
        body = json.loads(file.read_text(encoding="utf-8"))
        schedule = YearSchedule(
            int(body["year"]),
            frozenset(date.fromisoformat(d) for d in body["holidays"]),
            frozenset(date.fromisoformat(d) for d in body["make_up_working_days"]),
        )
        source = str(body["source"])
    except (ValueError, KeyError, TypeError) as exc:
        console.print(f"[red]{file}: {type(exc).__name__}: {exc}[/] (expected year, holidays, make_up_working_days, source)")
        raise typer.Exit(2) from None
    server = _migrated_server()
    reference.save_schedule(server, schedule, source)
    typer.echo(f"loaded {schedule.year}: {len(schedule.holidays)} holidays, {len(schedule.make_up_working_days)} make-up working days")


@reference_app.command("set")
def reference_set(
    name: Annotated[str, typer.Argument(help="e.g. lower_fine_threshold_organisation, key_list_adjustment")],
    value: Annotated[str, typer.Argument(help="an amount in yuan, 'none', or a period such as '3 WD'")],
    effective_from: Annotated[str, typer.Option("--from", help="YYYY-MM-DD: applies to facts from this date")],
    source: Annotated[str, typer.Option(help="the document that sets the value")],
) -> None:
    """Set a reference value from a date on (the earlier value keeps applying before it)."""
    from datetime import date

    from ledger import reference

    try:
        day = date.fromisoformat(effective_from)
        reference.parse_value(name, value)
    except ValueError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    server = _migrated_server()
    reference.save_value(server, name, day, value, source)
    typer.echo(f"{name} = {value} from {day}")


@reference_app.command("list")
def reference_list() -> None:
    """The reference values in force, with their dated versions."""
    from ledger import reference

    server = _migrated_server()
    context = reference.load(server)
    for name in sorted(reference.configurable_names()):
        versions = getattr(context.reference, name).versions
        shown = "; ".join(f"{'always' if d.year == 1 else 'from ' + d.isoformat()}: {v}" for d, v in versions)
        typer.echo(f"{name}: {shown}")


def _migrated_server() -> Server:
    from ledger.config import get_settings
    from ledger.database import migrate as apply, resolve_server

    server = resolve_server(get_settings())
    apply(server)
    return server


def _progress() -> Progress:
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
    )


if __name__ == "__main__":
    app()
