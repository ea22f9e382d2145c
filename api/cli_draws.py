"""`credit-ledger inspectors|items|draw|verify-draw`: random draws (issue 20, docs/draws.md)."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from api.cli_common import console

inspectors_app = typer.Typer(help="The inspector directory (DR-02): dated data.", no_args_is_help=True)
items_app = typer.Typer(help="The random-inspection item list (DR-01): dated data.", no_args_is_help=True)
key_app = typer.Typer(help="Key-supervision plans (S-TJ28 五(八)2): dated data.", no_args_is_help=True)
draw_app = typer.Typer(help="Random draws, hashrank-v1 (DR-02 … DR-08).", no_args_is_help=True)

FileArg = Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="a JSON file: a list")]


def _fail(message: str, code: int = 2) -> typer.Exit:
    console.print(message, style="red", markup=False, soft_wrap=True)
    return typer.Exit(code)


def _read_list(file: Path) -> list[Any]:
    try:
        found = json.loads(file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise _fail(f"{file}: not a JSON file in UTF-8: {exc}") from None
    if not isinstance(found, list):
        raise _fail(f"{file}: a JSON list is expected")
    return found


def _load(kind: str, file: Path, source: str | None) -> None:
    from pydantic import BaseModel, ValidationError

    from api.bootstrap import Runtime
    from domain.draws import InspectionItem, Inspector
    from domain.errors import LedgerError
    from domain.key_supervision import KeyPlan

    models: dict[str, type[BaseModel]] = {"items": InspectionItem, "inspectors": Inspector, "plans": KeyPlan}
    model = models[kind]
    parsed = []
    for n, raw in enumerate(_read_list(file)):
        try:
            parsed.append(model.model_validate(raw))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise _fail(f"{file}[{n}].{where}: {first['msg']} (DR-01/DR-02); nothing was loaded") from None
    runtime = Runtime.open()
    try:
        loaders = {
            "items": runtime.draws.load_items,
            "inspectors": runtime.draws.load_inspectors,
            "plans": runtime.key_supervision.load,
        }
        done = loaders[kind](parsed, source or f"file: {file.name}")  # type: ignore[operator]
    except LedgerError as exc:
        raise _fail(str(exc)) from None
    finally:
        runtime.close()
    for ident, state in done:
        typer.echo(f"{state}: {ident}")


@inspectors_app.command("load")
def inspectors_load(
    file: FileArg, source: Annotated[str | None, typer.Option(help="default: the file name")] = None
) -> None:
    """Load inspectors: [{id, name, department, capacity, recusals: [USCC…], districts?,
    certificate_no?, active?, effective_from?}]. A version never changes; safe to re-run."""
    _load("inspectors", file, source)


@items_app.command("load")
def items_load(
    file: FileArg, source: Annotated[str | None, typer.Option(help="default: the file name")] = None
) -> None:
    """Load items: [{item_id, name, legal_basis, inspecting_body, object: {sector?, district?},
    ratios: {A, B, C, D}, per_enterprise, effective_from, …}]. Safe to re-run."""
    _load("items", file, source)


@key_app.command("load")
def plans_load(
    file: FileArg, source: Annotated[str | None, typer.Option(help="default: the file name")] = None
) -> None:
    """Load key-supervision plans: [{plan_id, name, department, items, criteria: [class_d,
    serious_list, special_food_producers, food_producers_c_d, special_equipment], named: [{uscc,
    reason}], procedure: {frequency_per_year, method, flow}, effective_from}]. Safe to re-run."""
    _load("plans", file, source)


@draw_app.command("run")
def draw_run(
    item: Annotated[str, typer.Option(help="the item id")],
    on: Annotated[str, typer.Option(help="YYYY-MM-DD: the draw's date")],
    task: Annotated[str, typer.Option(help="the task id (a repeat answers the draw already recorded)")],
    inspector: Annotated[
        list[str] | None, typer.Option(help="the pool (default: the item's body's inspectors)")
    ] = None,
    operator: Annotated[str | None, typer.Option(help="who runs it (default cli:<user>)")] = None,
    bundle: Annotated[Path | None, typer.Option(help="write the auditor's bundle here too")] = None,
) -> None:
    """A whole draw with this command as the only party (the bundle says so); prints the
    selection, then the task id on its last line."""
    from datetime import date

    from api.bootstrap import Runtime
    from application.draws import DrawRequest
    from domain.errors import LedgerError

    try:
        day = date.fromisoformat(on)
    except ValueError:
        raise _fail(f"--on: not a date YYYY-MM-DD: {on!r}") from None
    runtime = Runtime.open()
    try:
        with console.status("bringing the read models to the head of the log (the draw reads them)"):
            runtime.projector.catch_up()
        done = runtime.draws.run(
            DrawRequest(
                task, item, day, None, operator or f"cli:{getpass.getuser()}"[:80], inspectors=inspector or None
            )
        )
        if bundle is not None:
            bundle.write_text(json.dumps(done.bundle(), ensure_ascii=False, indent=1), encoding="utf-8")
    except LedgerError as exc:
        raise _fail(str(exc)) from None
    finally:
        runtime.close()
    for s in done.selected:
        typer.echo(f"{s['uscc']}  {' '.join(s['inspectors'])}")
    typer.echo(f"inputs_digest {done.inputs_digest}  seed {done.seed}  {len(done.selected)} selected")
    typer.echo(done.task_id)


@draw_app.command("recuse")
def draw_recuse(
    task: Annotated[str, typer.Option()],
    inspector: Annotated[str, typer.Option()],
    uscc: Annotated[str, typer.Option()],
    reason: Annotated[str, typer.Option(help="the conflict (回避, DR-07)")] = "conflict of interest",
) -> None:
    """A conflict found after the draw: the next inspector in the same order replaces this one."""
    from api.bootstrap import Runtime
    from domain.errors import LedgerError

    runtime = Runtime.open()
    try:
        entry = runtime.draws.recuse(task, inspector, uscc, reason)
    except LedgerError as exc:
        raise _fail(str(exc)) from None
    finally:
        runtime.close()
    typer.echo(f"{entry['uscc']}: {entry['inspector']} recused, {entry['replaced_by']} drawn")


@draw_app.command("bundle")
def draw_bundle(task: Annotated[str, typer.Option()], out: Annotated[Path, typer.Option()]) -> None:
    """Write the auditor's bundle of a task (re-run it anywhere with `verify-draw`)."""
    from api.bootstrap import Runtime
    from domain.errors import LedgerError

    runtime = Runtime.open()
    try:
        found = runtime.draws.bundle(task)
    except LedgerError as exc:
        raise _fail(str(exc)) from None
    finally:
        runtime.close()
    out.write_text(json.dumps(found, ensure_ascii=False, indent=1), encoding="utf-8")
    typer.echo(f"wrote {out}")


def verify_draw(
    bundle: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="a bundle JSON file")],
) -> None:
    """Re-run a draw's bundle offline (no database): exit 1 naming the first difference."""
    from domain import hashrank

    try:
        found = json.loads(bundle.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise _fail(f"{bundle}: not a JSON file in UTF-8: {exc}") from None
    if not isinstance(found, dict):
        raise _fail(f"{bundle}: a bundle is a JSON object", 1)
    try:
        again = hashrank.verify(found)
    except hashrank.VerifyMismatch as exc:
        print(f"MISMATCH {exc}", file=sys.stderr)
        raise typer.Exit(1) from None
    typer.echo(f"OK {found['inputs'].get('task_id')}: {len(again.selected)} selected, seed {again.seed}")
