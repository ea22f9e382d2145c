"""`credit-ledger risk …`: risk models and runs (issue 19, docs/risk.md)."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Annotated

import typer

from api.cli_common import console

risk_app = typer.Typer(help="Risk classes A-D (rulebook §9): models and runs.", no_args_is_help=True)
model_app = typer.Typer(help="Risk models: dated reference data.", no_args_is_help=True)
risk_app.add_typer(model_app, name="model")


@model_app.command("load")
def model_load(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="a model JSON file (see risk-models/)")],
    source: Annotated[str | None, typer.Option(help="who or what set it (default: the file name)")] = None,
) -> None:
    """Load a model version (immutable: loading it again is a no-op; other content under the same
    version is refused). It takes effect from its effective_from date."""
    from api.bootstrap import Runtime
    from domain.errors import LedgerError

    runtime = Runtime.open()
    try:
        known, created = runtime.risk.load_model(file.read_bytes(), source or f"file: {file.name}")
    except LedgerError as exc:
        console.print(str(exc), style="red", markup=False, soft_wrap=True)
        raise typer.Exit(2) from None
    finally:
        runtime.close()
    m = known.model
    state = "loaded" if created else "already loaded"
    typer.echo(f"{state}: {m.version} (effective from {m.effective_from}, digest {m.digest[:16]}…)")


@model_app.command("list")
def model_list() -> None:
    """Every model version known, oldest effective date first."""
    from api.bootstrap import Runtime

    runtime = Runtime.open()
    try:
        book = runtime.risk.book()
    finally:
        runtime.close()
    for known in sorted(book.models, key=lambda k: k.model.effective_from):
        m = known.model
        loaded = "shipped" if known.loaded_at is None else f"loaded {known.loaded_at.isoformat()}"
        flag = " provisional" if m.provisional else ""
        typer.echo(f"{m.version}: from {m.effective_from}{flag}, {len(m.indicators)} indicators, {loaded}")


@risk_app.command("run")
def run(
    kind: Annotated[str, typer.Option(help="trial (a distribution report, changes nothing) or effective")],
    on: Annotated[str, typer.Option(help="YYYY-MM-DD: the run's date; classes hold from it")],
    model: Annotated[str | None, typer.Option(help="a model version (default: the one in force on --on)")] = None,
    workers: Annotated[int | None, typer.Option(min=1, max=32, help="scoring processes (default: cores)")] = None,
    operator: Annotated[str | None, typer.Option(help="who runs it (default cli:<user>)")] = None,
) -> None:
    """Classify every enterprise on a date: a trial run reports; an effective run is recorded in
    the ledger as a record of the credit division (TJ-CREDIT). Safe to re-run."""
    from datetime import date

    from api.bootstrap import Runtime
    from application.risk import RunRequest
    from domain.errors import LedgerError

    try:
        day = date.fromisoformat(on)
    except ValueError:
        console.print(f"[red]--on: not a date YYYY-MM-DD: {on!r}[/]")
        raise typer.Exit(2) from None
    runtime = Runtime.open()
    try:
        with console.status(f"{kind} run on {day}: reading and scoring every enterprise"):
            report = runtime.risk.run(
                RunRequest(kind, day, model, operator or f"cli:{getpass.getuser()}"[:80]), workers=workers
            )
    except LedgerError as exc:
        console.print(str(exc), style="red", markup=False, soft_wrap=True)
        raise typer.Exit(2) from None
    finally:
        runtime.close()
    c = report["by_class"]
    state = (
        "repeated (the same inputs: nothing new recorded)"
        if report.get("repeated")
        else ("recorded" if report.get("recorded") else "reported")
    )
    console.print(
        f"{report['kind']} run {report['run_id']} on {report['on']} with {report['model_version']}: "
        f"{report['enterprises']} enterprises, A {c['A']}, B {c['B']}, C {c['C']}, D {c['D']}; {state}",
        markup=False,
        soft_wrap=True,
    )
    typer.echo(json.dumps(report, ensure_ascii=False, sort_keys=True))
