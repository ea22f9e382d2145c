"""The `credit-ledger` command line."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from adapters.config import PROJECT_ROOT
from api.cli_common import announce_signing_key, byte_progress, console, migrated_server
from api.cli_tokens import token_store

if TYPE_CHECKING:
    from domain.access import Author

app = typer.Typer(help="Key-sector credit ledger.", no_args_is_help=True, add_completion=False)
DEMO_FILE = PROJECT_ROOT / "demo" / "tianjin-demo.jsonl"
REPAIR_DEMO_FILE = PROJECT_ROOT / "demo" / "repair-cases-demo.jsonl"  # issue 21: the reviewer's workbench
DEMO_AUDITOR_DEPARTMENT = "TJ-CREDIT"  # the credit-supervision division, which audits the ledger


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="server worker processes")] = 1,
) -> None:
    """Serve the HTTP API (OpenAPI at /docs)."""
    from adapters.config import get_settings
    from adapters.database import resolve_server
    from api import serving

    # Start (or join) the database in this process first, so workers find it ready.
    server = resolve_server(get_settings())
    console.print(f"database: {server.dbname} on {server.params.get('host')}")
    migrated_server()
    announce_signing_key()
    if not token_store(server).has_active_admin():
        console.print(
            "no admin token yet: create the first one with "
            "`credit-ledger tokens create --department YOUR-DEPT --role admin --label YOUR-NAME` "
            "(it prints the secret once; see docs/access.md)",
            markup=False,
            soft_wrap=True,  # one line, whatever the terminal width: operators grep logs for it
        )
    serving.run(host, port, workers)


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="JSON Lines file")],
    department: Annotated[str, typer.Option(help="the department that answers for every line (AUTH-01)")],
    operator: Annotated[str | None, typer.Option(help="source.operator of every record (default cli:<user>)")] = None,
    report: Annotated[
        Path | None, typer.Option(help="where bad lines are written (default FILE.jsonl.report.jsonl)")
    ] = None,
    batch: Annotated[int, typer.Option(min=1, max=5000, help="records per transaction")] = 500,
    workers: Annotated[
        int,
        typer.Option(min=1, max=32, help="processes judging records (one enterprise's always in one, in file order)"),
    ] = 1,
) -> None:
    """Import records from a JSON Lines file as DEPARTMENT; bad lines go to a report. Safe to re-run.

    A line naming another department is rejected (AUTH-01); the operator replaces each
    line's source.operator. The department may write every record type (officer and reviewer).
    """
    import getpass

    from domain.access import EVERY_TYPE, Author

    author = Author(department, operator or f"cli:{getpass.getuser()}"[:80], EVERY_TYPE)
    _import(file, author, report or file.with_suffix(file.suffix + ".report.jsonl"), batch, workers)


def _import(file: Path, author: Author | Callable[[Any], Author], report: Path, batch: int, workers: int = 1) -> None:
    import psycopg
    from eventsourcing.persistence import OperationalError as EventStoreOperationalError
    from rich.markup import escape

    from adapters import gc_policy
    from api.bootstrap import Runtime, import_with
    from application.parallel_import import AFTER_FAILURE

    # Every connection of this import, its workers' too (they inherit the environment), says
    # whose it is in pg_stat_activity (libpq's PGAPPNAME; a DATABASE_URL naming one wins).
    os.environ.setdefault("PGAPPNAME", f"credit-ledger import {os.getpid()}")
    runtime = Runtime.open()  # also keeps an embedded server up for the workers
    gc_policy.for_bulk_work()  # with --workers 1 this process does the work
    try:
        with report.open("w", encoding="utf-8") as out, byte_progress() as progress:
            task = progress.add_task(f"importing {file.name}", total=file.stat().st_size)
            try:
                summary = import_with(
                    runtime,
                    file,
                    out,
                    author=author,
                    workers=workers,
                    batch_size=batch,
                    on_progress=lambda n: progress.advance(task, n),
                )
            except RuntimeError as exc:  # a worker of `--workers N` failed: its reason, no traceback
                console.print(f"[red]{escape(str(exc))}[/]", highlight=False, soft_wrap=True)
                raise typer.Exit(1) from None
            except (psycopg.OperationalError, EventStoreOperationalError) as exc:  # a restart, a lost server
                console.print(
                    f"[red]the database went away: {escape(str(exc).strip())}[/]; {AFTER_FAILURE}",
                    highlight=False,
                    soft_wrap=True,
                )
                raise typer.Exit(1) from None
    finally:
        runtime.close()
    console.print(
        f"{summary.lines} lines: [green]{summary.recorded} recorded[/], {summary.duplicate} duplicate, "
        f"[red]{summary.rejected} rejected[/]"
    )
    if summary.rejected:
        console.print(
            f"rejected lines {summary.rejected_lines[:20]}{' …' if summary.rejected > 20 else ''}; see {report}"
        )
    typer.echo(f"recorded={summary.recorded} duplicate={summary.duplicate} rejected={summary.rejected}")


@app.command()
def demo() -> None:
    """Load the demo data set (about 50 Tianjin enterprises); safe to re-run.

    Then prints working tokens: an officer and a reviewer for each department of the demo and
    an auditor. Secrets are shown only once, so each run revokes the previous run's demo
    tokens and prints new ones.
    """
    from application.imports import author_named_by_line

    _import(DEMO_FILE, author_named_by_line, Path(os.devnull), 500)
    _import(REPAIR_DEMO_FILE, author_named_by_line, Path(os.devnull), 500)
    lines = [
        *DEMO_FILE.read_text(encoding="utf-8").splitlines(),
        *REPAIR_DEMO_FILE.read_text(encoding="utf-8").splitlines(),
    ]
    departments = sorted({json.loads(line)["source"]["department"] for line in lines if line.strip()})
    store = token_store(migrated_server())
    wanted = [(d, r) for d in departments for r in ("officer", "reviewer")] + [(DEMO_AUDITOR_DEPARTMENT, "auditor")]
    wanted += [(d, "officer") for d, _ in DEMO_FEED_DEPARTMENTS]  # the feed's consumers (issue 23)
    for token in store.all_tokens(include_revoked=False):
        if token.label and token.label.startswith("demo-"):
            store.revoke(token.id)
    typer.echo("demo tokens (send as `Authorization: Bearer <token>`):")
    for department, role in wanted:
        _, secret = store.create(department, role, label=f"demo-{role}-{department}")
        typer.echo(f"{department:<12} {role:<9} {secret}")
    _feeds_demo()  # before the risk runs, whose inputs then hold its records: a re-run repeats them
    _risk_demo()
    typer.echo(
        "repair cases (docs/repair-cases.md): with the TJ-ENF reviewer token, GET /v1/repair-cases (its queue, "
        "nearest deadline first) and GET /v1/repair-cases/津和信修〔2026〕4号 (a penalty repair with its preview); "
        "with the TJ-CREDIT reviewer token, the risk-class repair 津信风修〔2026〕2号; "
        "GET /v1/commitment-templates (public)"
    )
    _draw_demo()
    typer.echo(
        "portal (docs/portal.md): open http://127.0.0.1:8000/ while `./dev serve` runs — search 东丽嘉新 or "
        "91120101MA0002102K, its page as of any date, the lists, the exposure board, typical cases, the rules; "
        "the workbench http://127.0.0.1:8000/workbench signs in with the TJ-ENF reviewer token above (the case "
        "津和信修〔2026〕4号) or the TJ-CREDIT auditor token (each enterprise's timeline picture)"
    )


DEMO_FEED_DEPARTMENTS = (
    ("TJ-FIN", "天津市财政局: government procurement (SDL-22, AOL-22)"),
    ("TJ-PRTC", "天津市公共资源交易中心: bidding (SDL-22, AOL-22)"),
)


def _feeds_demo() -> None:
    """Joint punishment (issue 23, docs/feeds.md): the departments that apply the measures
    subscribe to the change feed, the enforcement corps publishes a typical case, and the
    finance bureau reports back the procurement restriction it applied; safe to repeat."""
    from adapters import subscriptions
    from api.bootstrap import Runtime
    from domain.access import WRITABLE, Author, Role
    from projections import change_feed

    listed = [f"{change_feed.TYPE_PREFIX}{t}" for t in ("serious.listed", "serious.removed", "abnormal.listed")]
    listed += [f"{change_feed.TYPE_PREFIX}measure.{v}" for v in ("imposed", "lifted")]
    lines = [json.loads(line) for line in DEMO_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
    runtime = Runtime.open()
    try:
        with runtime.server.connect(autocommit=True) as conn:
            for department, _ in DEMO_FEED_DEPARTMENTS:
                subscriptions.create(conn, department, None, listed, None)
        heaviest = max(
            (r for r in lines if r["type"] == "penalty.decided" and r["data"].get("heavier_fine")),
            key=lambda r: float(r["data"].get("fine_yuan") or 0),
        )
        case = {
            "type": "case.published",
            "uscc": heaviest["uscc"],
            "effective_on": heaviest["data"].get("published_on") or heaviest["effective_on"],
            "source": {"department": "TJ-ENF", "record_id": "典型案例-2025-001"},
            "data": {
                "case_id": "津市监典型〔2025〕1号",
                "title": f"{heaviest['data']['violation']}案",
                "summary": f"当事人{heaviest['data']['violation']}，依据{heaviest['data']['legal_basis']}"
                f"被处以罚款{heaviest['data'].get('fine_yuan')}元。",
                "lessons": "经营者应依法诚信经营；屡禁不止、屡罚不改的，依法从重处罚并实施联合惩戒。",
                "links": [{"kind": "penalty", "ref": heaviest["data"]["decision_no"]}],
            },
        }
        [outcome] = runtime.intake.submit([case], author=Author("TJ-ENF", "demo", WRITABLE[Role.officer]))
        runtime.projector.catch_up()
        with runtime.read_connection() as conn:
            page, watermark = change_feed.read_page(conn, listed, None, 1000)
        trigger = next(
            (
                e
                for _, e in page
                if e["type"].endswith("measure.imposed")
                and any(m["id"] == "sdl-22-procurement" for m in e["data"]["measures"])
            ),
            None,
        )
        fed = "none"
        if trigger is not None:
            feedback = {
                "type": "measure.applied",
                "uscc": trigger["subject"],
                "effective_on": trigger["data"]["from"],
                "source": {"department": "TJ-FIN", "record_id": "FIN-JP-2025-0001"},
                "data": {
                    "item_id": trigger["id"],
                    "measure_id": "sdl-22-procurement",
                    "note": "政府采购资格审查中予以限制",
                },
            }
            [given] = runtime.intake.submit([feedback], author=Author("TJ-FIN", "demo", WRITABLE[Role.officer]))
            fed = f"{given.status} for {trigger['subject']}"
        typer.echo(
            f"change feed: {len(page)} items for TJ-FIN and TJ-PRTC up to position {watermark} "
            f"(GET /v1/feeds/TJ-FIN with TJ-FIN's officer token); typical case {case['data']['case_id']} "
            f"{outcome.status} for {heaviest['uscc']} (public view `typical_cases`, GET /v1/lists/exposure); "
            f"TJ-FIN feedback sdl-22-procurement: {fed} (GET /v1/enterprises/<uscc>/measures)"
        )
    finally:
        runtime.close()


DEMO_RISK_RUN_ON = "2026-01-01"  # the yearly adjustment at the start of the year (S-TJ28 五(七)2)


def _risk_demo() -> None:
    """A trial run (带量测试) and the effective yearly run on the demo's enterprises (issue 19);
    safe to repeat: the same inputs give the run already recorded."""
    from datetime import date

    from api.bootstrap import Runtime
    from application.risk import RunRequest

    runtime = Runtime.open()
    try:
        for kind in ("trial", "effective"):
            report = runtime.risk.run(RunRequest(kind, date.fromisoformat(DEMO_RISK_RUN_ON), None, "demo"))
            c = report["by_class"]
            state = "repeated" if report.get("repeated") else ("recorded" if report.get("recorded") else "reported")
            typer.echo(
                f"risk {kind} run on {report['on']} ({report['model_version']}): {report['enterprises']} enterprises, "
                f"A {c['A']} B {c['B']} C {c['C']} D {c['D']}, {state}; GET /v1/risk/runs/{report['run_id']}"
            )
    finally:
        runtime.close()


DEMO_DRAWS = PROJECT_ROOT / "demo" / "draws"
DEMO_DRAW_ON = "2026-03-02"


def _draw_demo() -> None:
    """Random draws and key-supervision plans on the demo's enterprises (issue 20,
    docs/draws.md): the item list, the inspector directory and two plans loaded as dated data,
    then one draw per item as the only party; safe to repeat (a task id names one draw)."""
    from datetime import date

    from api.bootstrap import Runtime
    from application.draws import DrawRequest
    from domain.draws import InspectionItem, Inspector
    from domain.key_supervision import KeyPlan

    def read(name: str) -> list[Any]:
        found: list[Any] = json.loads((DEMO_DRAWS / name).read_text(encoding="utf-8"))
        return found

    runtime = Runtime.open()
    try:
        runtime.draws.load_items([InspectionItem.model_validate(i) for i in read("inspection-items.json")], "demo")
        runtime.draws.load_inspectors([Inspector.model_validate(i) for i in read("inspectors.json")], "demo")
        runtime.key_supervision.load([KeyPlan.model_validate(p) for p in read("key-supervision-plans.json")], "demo")
        runtime.projector.catch_up()
        on = date.fromisoformat(DEMO_DRAW_ON)
        for task_id, item in (("TJ-SJ-2026-0001", "TJ-SJ-FP-2026-01"), ("TJ-SJ-2026-0002", "TJ-SJ-SE-2026-01")):
            task = runtime.draws.run(DrawRequest(task_id, item, on, None, "demo"))
            seed = (task.seed or "")[:16]
            typer.echo(
                f"draw {task_id} ({item}) on {DEMO_DRAW_ON}: {len(task.selected)} selected, seed {seed}…; "
                f"GET /v1/draws/{task_id} (public), /v1/draws/{task_id}/bundle (auditor), then "
                "`credit-ledger verify-draw BUNDLE.json`"
            )
        for plan in ("TJ-ZD-2026-SFOOD", "TJ-ZD-2026-SE"):
            listed = runtime.key_supervision.enterprises(plan, on, None)["enterprises"]
            overdue = sum(1 for e in listed if e["overdue"])
            typer.echo(
                f"key-supervision plan {plan}: {len(listed)} enterprises on {DEMO_DRAW_ON}, {overdue} overdue; "
                f"GET /v1/key-supervision/plans/{plan}/enterprises?as_of={DEMO_DRAW_ON} (auditor)"
            )
    finally:
        runtime.close()


@app.command()
def migrate() -> None:
    """Apply pending migrations (the embedded server's database is created if needed; a
    DATABASE_URL must name a database that exists)."""
    from adapters.config import get_settings
    from adapters.database import migrate as apply
    from adapters.database import resolve_server

    applied = apply(resolve_server(get_settings()))
    typer.echo(f"applied {len(applied)} migration(s): {', '.join(applied) or 'none pending'}")


# Command groups live in their own modules.
from api.cli_audit import audit_app, verify  # noqa: E402
from api.cli_backup import backup, restore  # noqa: E402
from api.cli_draws import draw_app, inspectors_app, items_app, key_app, verify_draw  # noqa: E402
from api.cli_feeds import relay  # noqa: E402
from api.cli_projections import project, rebuild  # noqa: E402
from api.cli_reference import calendar_app, reference_app  # noqa: E402
from api.cli_risk import risk_app  # noqa: E402
from api.cli_tokens import tokens_app  # noqa: E402

app.command()(project)
app.command()(backup)
app.command()(restore)
app.command()(rebuild)
app.command()(verify)
app.command()(relay)
app.add_typer(audit_app, name="audit")
app.add_typer(tokens_app, name="tokens")
app.add_typer(calendar_app, name="calendar")
app.add_typer(reference_app, name="reference")
app.add_typer(risk_app, name="risk")
app.add_typer(inspectors_app, name="inspectors")
app.add_typer(items_app, name="items")
app.add_typer(draw_app, name="draw")
app.add_typer(key_app, name="key-supervision")
app.command("verify-draw")(verify_draw)


if __name__ == "__main__":
    app()
