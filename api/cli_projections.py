"""`credit-ledger project` and `credit-ledger rebuild` (issue 4), registered in api/cli.py."""

from __future__ import annotations

import signal
import threading
import time
from typing import Annotated

import typer
from rich.console import Console
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
    follows the event log and keeps the read models up to date; resumes where it stopped."""
    from api.bootstrap import Runtime

    runtime = Runtime.open()
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
                    break
                stop.wait(0.25)
    except KeyboardInterrupt:
        pass
    finally:
        done = runtime.projector.status()
        runtime.close()
    typer.echo(f"position={done['position']} head={done['head']} lag={done['lag']}")


def rebuild() -> None:
    """Rebuild every read model from zero beside the live one, then switch atomically: readers
    keep their answers during the build. Shows progress; safe to interrupt (nothing switches)."""
    from api.bootstrap import Runtime
    from projections.rebuild import rebuild as run

    runtime = Runtime.open()
    started = time.perf_counter()
    try:
        columns = (
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=console) as progress:
            task = progress.add_task("rebuilding read models (events)", total=None)
            report = run(
                runtime.server.conninfo,
                runtime.store.mapper,
                runtime.rules,
                on_start=lambda total: progress.update(task, total=total),
                on_progress=lambda done: progress.update(task, completed=done),
            )
    finally:
        runtime.close()
    seconds = time.perf_counter() - started
    console.print(
        f"[green]switched to slot {report.slot}[/]: {report.events} events, {report.rows} rows in {seconds:.1f} s"
    )
    steps = " ".join(f"{step}_s={spent:.2f}" for step, spent in report.seconds.items())
    typer.echo(f"events={report.events} rows={report.rows} position={report.position} slot={report.slot} {steps}")
