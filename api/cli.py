"""The `credit-ledger` command line."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

from ledger.config import PROJECT_ROOT

if TYPE_CHECKING:
    from ledger.database import Server
    from ledger.intake import Author
    from ledger.tokens import TokenStore

app = typer.Typer(help="Key-sector credit ledger.", no_args_is_help=True, add_completion=False)
console = Console(stderr=True)
DEMO_FILE = PROJECT_ROOT / "demo" / "tianjin-demo.jsonl"
DEMO_AUDITOR_DEPARTMENT = "TJ-CREDIT"  # the credit-supervision division, which audits the ledger


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
    _migrated_server()
    if not _token_store(server).has_active_admin():
        console.print(
            "no admin token yet: create the first one with "
            "`credit-ledger tokens create --department YOUR-DEPT --role admin --label YOUR-NAME` "
            "(it prints the secret once; see docs/access.md)",
            markup=False,
            soft_wrap=True,  # one line, whatever the terminal width: operators grep logs for it
        )
    uvicorn.run("api.main:create_app", factory=True, host=host, port=port, workers=workers, log_level="info")


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="JSON Lines file")],
    department: Annotated[str, typer.Option(help="the department that answers for every line (AUTH-01)")],
    operator: Annotated[str | None, typer.Option(help="source.operator of every record (default cli:<user>)")] = None,
    report: Annotated[Path | None, typer.Option(help="where bad lines are written (default FILE.report.jsonl)")] = None,
    batch: Annotated[int, typer.Option(min=1, max=5000, help="records per transaction")] = 500,
) -> None:
    """Import records from a JSON Lines file as DEPARTMENT; bad lines go to a report. Safe to re-run.

    A line naming another department is rejected (AUTH-01); the operator replaces each
    line's source.operator. The department may write every record type (officer and reviewer).
    """
    import getpass

    from domain.records import DATA_MODELS
    from ledger.intake import Author

    author = Author(department, operator or f"cli:{getpass.getuser()}"[:80], frozenset(DATA_MODELS))
    _import(file, author, report or file.with_suffix(file.suffix + ".report.jsonl"), batch)


def _import(file: Path, author: Author | Callable[[Any], Author], report: Path, batch: int) -> None:
    from ledger.bulk import import_file
    from ledger.runtime import Runtime

    runtime = Runtime.open()
    try:
        with report.open("w", encoding="utf-8") as out, _progress() as progress:
            task = progress.add_task(f"importing {file.name}", total=file.stat().st_size)
            summary = import_file(
                runtime.intake,
                file,
                out,
                author=author,
                batch_size=batch,
                on_progress=lambda n: progress.advance(task, n),
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
    """Load the demo data set (about 50 Tianjin enterprises); safe to re-run.

    Then prints working tokens: an officer and a reviewer for each department of the demo and
    an auditor. Secrets are shown only once, so each run revokes the previous run's demo
    tokens and prints new ones.
    """
    from ledger.bulk import author_named_by_line

    _import(DEMO_FILE, author_named_by_line, Path(os.devnull), 500)
    lines = DEMO_FILE.read_text(encoding="utf-8").splitlines()
    departments = sorted({json.loads(line)["source"]["department"] for line in lines if line.strip()})
    store = _token_store(_migrated_server())
    wanted = [(d, r) for d in departments for r in ("officer", "reviewer")] + [(DEMO_AUDITOR_DEPARTMENT, "auditor")]
    for token in store.all_tokens(include_revoked=False):
        if token.label and token.label.startswith("demo-"):
            store.revoke(token.id)
    typer.echo("demo tokens (send as `Authorization: Bearer <token>`):")
    for department, role in wanted:
        _, secret = store.create(department, role, label=f"demo-{role}-{department}")
        typer.echo(f"{department:<12} {role:<9} {secret}")


tokens_app = typer.Typer(help="API tokens: one department and one role each (docs/access.md).", no_args_is_help=True)
app.add_typer(tokens_app, name="tokens")


@tokens_app.command("create")
def tokens_create(
    department: Annotated[str, typer.Option(help="the department the token acts for, e.g. TJ-ENF")],
    role: Annotated[str, typer.Option(help="officer, reviewer, auditor or admin")],
    label: Annotated[str | None, typer.Option(help="who holds it; becomes source.operator of its records")] = None,
) -> None:
    """Create a token and print its secret — the only time it is shown (only its hash is kept)."""
    from ledger.tokens import Role

    if role not in Role.__members__:
        console.print(f"role {role!r}: choose officer, reviewer, auditor or admin", markup=False)
        raise typer.Exit(2)
    try:
        info, secret = _token_store(_migrated_server()).create(department, role, label)
    except ValueError as exc:
        console.print(str(exc), markup=False)
        raise typer.Exit(2) from None
    console.print(
        f"created token {info.id}: {info.role.value} of {info.department}; the secret is shown only now:",
        markup=False,
        soft_wrap=True,
    )
    typer.echo(secret)


@tokens_app.command("list")
def tokens_list(
    all_: Annotated[bool, typer.Option("--all", help="include revoked tokens")] = False,
) -> None:
    """The tokens (never their secrets): id, department, role, label, created, revoked."""
    tokens = _token_store(_migrated_server()).all_tokens(include_revoked=all_)
    for t in tokens:
        revoked = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "active"
        typer.echo(f"{t.id}  {t.department:<12} {t.role.value:<9} {t.label or '-':<30} {t.created_at:%Y-%m-%d %H:%M}  {revoked}")
    if not tokens:
        console.print("no tokens", markup=False)


@tokens_app.command("revoke")
def tokens_revoke(token_id: Annotated[str, typer.Argument(help="the id shown by `tokens list`")]) -> None:
    """Revoke a token at once; requests with it get 401 from then on."""
    info = _token_store(_migrated_server()).revoke(token_id)
    if info is None:
        console.print(f"no token with id {token_id!r}", markup=False)
        raise typer.Exit(1)
    typer.echo(f"revoked {info.id} ({info.role.value} of {info.department})")


def _token_store(server: Server) -> TokenStore:
    from psycopg.rows import dict_row

    from ledger.tokens import TokenStore

    return TokenStore(lambda: server.connect(row_factory=dict_row))


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


# Read models (issue 4): the commands live in api/cli_projections.py.
from api.cli_projections import project, rebuild  # noqa: E402

app.command()(project)
app.command()(rebuild)


if __name__ == "__main__":
    app()
