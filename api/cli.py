"""The `credit-ledger` command line."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

from ledger.config import PROJECT_ROOT

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
