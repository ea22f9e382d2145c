"""`credit-ledger project` and `credit-ledger rebuild` (issue 4), registered in api/cli.py."""

from __future__ import annotations

import signal
import threading
import time
from typing import Annotated

import psycopg
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

console = Console(stderr=True)


def project(
    once: Annotated[bool, typer.Option("--once", help="catch up to the head of the log, then exit")] = False,
    page: Annotated[int, typer.Option(min=1, max=100_000, help="log positions per transaction")] = 2000,
) -> None:
    """Run the projection runner alone (the server runs one too unless CREDIT_LEDGER_PROJECTOR=0):
    follows the event log and keeps the read models up to date; resumes where it stopped. Signs
    checkpoints of the audit log too (unless CREDIT_LEDGER_SIGNER=0)."""
    from api.bootstrap import Runtime
    from api.cli_common import announce_signing_key

    announce_signing_key()
    runtime = Runtime.open()
    if runtime.settings.run_signer and not once:
        runtime.checkpointer.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        projector = runtime.projector
        projector.page = page
        started = projector.status()
        console.print(f"position {started['position']} of {started['head']} (lag {started['lag']})")
        while not stop.is_set():
            consumed = projector.step()
            if not consumed:
                if once:
                    if runtime.settings.run_signer:
                        runtime.checkpointer.step()
                    break
                stop.wait(0.25)
    except KeyboardInterrupt:
        pass
    finally:
        done = runtime.projector.status()
        runtime.close()
    typer.echo(f"position={done['position']} head={done['head']} lag={done['lag']}")


def rebuild(
    read_model: Annotated[
        list[str] | None,
        typer.Option("--read-model", help="rebuild only this read model (repeatable); default: every one"),
    ] = None,
    verify: Annotated[
        bool,
        typer.Option(
            "--verify/--no-verify",
            help="first verify the log against its leaves and signed checkpoints (docs/audit.md); a changed log "
            "stops the rebuild (exit 1) before it reads anything",
        ),
    ] = True,
) -> None:
    """Rebuild read models from zero beside the live ones, then switch each atomically: readers
    keep their answers during the build. Shows progress; safe to interrupt (nothing switches).
    Prints one line per read model: its events, rows, position, slot and each step's seconds."""
    from adapters.audit_log import verify_database
    from api.bootstrap import Runtime
    from domain.errors import VerificationError

    runtime = Runtime.open()
    try:
        known = {m.name: m for m in runtime.read_models}
        unknown = sorted(set(read_model or ()) - set(known))
        if unknown:
            console.print(f"[red]no read model {', '.join(unknown)}[/]; read models: {', '.join(known)}")
            raise typer.Exit(2)
        chosen = [known[name] for name in read_model] if read_model else list(known.values())
        if verify:
            started = time.perf_counter()
            try:
                checked, _ = verify_database(runtime.server.conninfo, runtime.signer.verifier)
            except VerificationError as exc:
                console.print(
                    f"[red]the log failed verification; nothing rebuilt[/]: {escape(exc.detail)}", highlight=False
                )
                typer.echo("FAILED " + " ".join(f"{k}={v}" for k, v in exc.extra.items()))
                raise typer.Exit(1) from None
            console.print(f"verified: {checked.summary()} ({time.perf_counter() - started:.1f} s)", highlight=False)
        columns = (
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        )
        for model in chosen:
            started = time.perf_counter()
            with Progress(*columns, console=console) as progress:
                task = progress.add_task(f"rebuilding {model.name} (events)", total=None)
                try:
                    report = model.rebuild(
                        runtime.server.conninfo,
                        runtime.store.mapper,
                        runtime.rules,
                        on_start=lambda total: progress.update(task, total=total),  # noqa: B023  (called within the loop)
                        on_progress=lambda done: progress.update(task, completed=done),  # noqa: B023
                    )
                except (RuntimeError, psycopg.Error) as exc:
                    # The database went away (a restart) or a worker failed: nothing switched.
                    console.print(
                        f"[red]rebuilding {model.name} failed, nothing switched[/]: {escape(str(exc).strip())}; "
                        "run `credit-ledger rebuild` again once the database answers",
                        highlight=False,
                        soft_wrap=True,
                    )
                    raise typer.Exit(1) from None
            seconds = time.perf_counter() - started
            console.print(
                f"[green]{model.name}: switched to slot {report.slot}[/]: "
                f"{report.events} events, {report.rows} rows in {seconds:.1f} s"
            )
            steps = " ".join(f"{step}_s={spent:.2f}" for step, spent in report.seconds.items())
            typer.echo(
                f"read_model={report.model} events={report.events} rows={report.rows} "
                f"position={report.position} slot={report.slot} {steps}".rstrip()
            )
    finally:
        runtime.close()
