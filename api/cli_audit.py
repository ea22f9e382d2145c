"""`credit-ledger verify` and `credit-ledger audit …` (issue 22, docs/audit.md), registered in api/cli.py.

Exit codes: 0 verified; 1 the log or a checkpoint was refused (the row and the kind are printed);
2 a usage error.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from api.cli_common import console

if TYPE_CHECKING:
    from domain.audit import VerificationReport
    from domain.errors import VerificationError
    from domain.signed_note import VerifierKey

audit_app = typer.Typer(
    help="The audit log: signed checkpoints, bundles for auditors, witnessing.", no_args_is_help=True
)

KeyOption = Annotated[
    str | None,
    typer.Option(
        "--key",
        help="the verifier key to trust (name+id+base64, or a file holding it); default: the bundle's key.txt, "
        "or with --database this ledger's own key",
    ),
]
WitnessOption = Annotated[
    Path | None,
    typer.Option(
        "--witness",
        help="witness state file: the last checkpoint accepted; a log that does not extend it is refused, "
        "and the newest checkpoint verified replaces it",
    ),
]


def _key(text: str | None) -> VerifierKey | None:
    from domain.signed_note import VerifierKey

    if text is None:
        return None
    path = Path(text)
    return VerifierKey.parse(path.read_text(encoding="utf-8") if path.is_file() else text)


def _failed(exc: VerificationError) -> typer.Exit:
    console.print(f"[red]verification failed[/]: {escape(exc.detail)}", soft_wrap=True, highlight=False)
    # One line for scripts: kind=… notification_id=… uscc=… record=… (and what else names the change)
    typer.echo("FAILED " + " ".join(f"{k}={v}" for k, v in exc.extra.items()))
    return typer.Exit(1)


def _passed(report: VerificationReport) -> None:
    console.print(f"[green]verified[/]: {report.summary()}", highlight=False)
    typer.echo(
        f"OK leaves={report.size} rows={report.entries} checkpoints={report.checkpoints} "
        f"signed={report.signed_size} unsigned={report.unsigned}"
    )


def verify(
    directory: Annotated[
        Path | None, typer.Argument(help="an audit bundle (`credit-ledger audit bundle`): no database, no network")
    ] = None,
    database: Annotated[bool, typer.Option("--database", help="verify the live database instead")] = False,
    key: KeyOption = None,
    witness: WitnessOption = None,
) -> None:
    """Recompute every leaf from the stored events and record_log rows, and every root from the
    leaves; check each checkpoint's signature and root. On a mismatch, name the first changed row
    (notification id, enterprise, record) and the kind of change, and exit 1."""
    from adapters.witness import WitnessState, load_state, save_state
    from domain.errors import VerificationError

    if (directory is None) == (not database):
        console.print("give either a bundle DIRECTORY or --database", markup=False)
        raise typer.Exit(2)
    try:
        trusted = _key(key)
        state: WitnessState | None = load_state(witness, trusted) if witness else None
        if state is not None:
            trusted = state.key
        witnessed = state.checkpoint if state else None
        if directory is not None:
            from adapters.audit_bundle import bundle_key, verify_bundle

            if trusted is None:
                trusted = bundle_key(directory)
                console.print(
                    "trusting the bundle's own key.txt: this proves the bundle consistent with itself; pass --key "
                    "with the key the ledger publishes (GET /v1/audit/key) to prove it is the ledger's",
                    markup=False,
                    soft_wrap=True,
                )
            report, checkpoints = verify_bundle(directory, trusted, witnessed)
            latest = directory / "checkpoints" / f"{checkpoints[-1].size}.txt" if checkpoints else None
            latest_note = latest.read_text(encoding="utf-8") if latest else None
        else:
            from adapters.audit_log import verify_database
            from adapters.config import get_settings
            from adapters.signing_key import load_signing_key
            from api.cli_common import migrated_server

            server = migrated_server()
            trusted = trusted or load_signing_key(get_settings())[0].verifier
            report, notes = verify_database(server.conninfo, trusted, None, witnessed)
            latest_note = notes[-1] if notes else None
    except VerificationError as exc:
        raise _failed(exc) from None
    if witness is not None and latest_note is not None and trusted is not None:
        save_state(witness, trusted, latest_note)
    _passed(report)


@audit_app.command("bundle")
def bundle(
    out: Annotated[Path, typer.Option("--out", help="directory to write (created if missing)")],
    from_size: Annotated[
        int,
        typer.Option("--from", min=0, help="start at the largest checkpoint of at most this size (0: the whole log)"),
    ] = 0,
) -> None:
    """Write what an auditor needs to verify the log offline: the events and record_log rows,
    their leaves, the signed checkpoints and the public key (a checkpoint is signed first)."""
    from adapters.audit_bundle import write_bundle
    from api.bootstrap import Runtime

    runtime = Runtime.open()
    try:
        runtime.checkpointer.step(now=True)
        manifest = write_bundle(
            runtime.server.conninfo, out, runtime.signer.verifier, runtime.settings.log_origin, from_size
        )
    finally:
        runtime.close()
    typer.echo(
        f"bundle={out} from={manifest['from']} leaves={manifest['leaves']} rows={manifest['rows']} "
        f"checkpoints={manifest['checkpoints']} latest={manifest['latest_checkpoint']}"
    )


@audit_app.command("checkpoint")
def checkpoint() -> None:
    """Sign a checkpoint of the log as it is now (the server signs every 1,000 events and at
    most 5 minutes apart by itself)."""
    from api.bootstrap import Runtime

    runtime = Runtime.open()
    try:
        signed = runtime.checkpointer.step(now=True)
    finally:
        runtime.close()
    typer.echo(f"signed={','.join(map(str, signed)) or 'none (nothing new)'}")


@audit_app.command("key")
def key_() -> None:
    """Print the verifier key of the checkpoints' signer (what auditors pin)."""
    from adapters.config import get_settings
    from adapters.signing_key import load_signing_key

    typer.echo(load_signing_key(get_settings())[0].verifier.encode())


@audit_app.command("witness")
def witness_(
    url: Annotated[str, typer.Option("--url", help="the ledger's base URL, e.g. https://ledger.example")],
    state: Annotated[Path, typer.Option("--state", help="this witness's state file (created on first use)")],
    key: KeyOption = None,
) -> None:
    """Fetch the ledger's latest checkpoint and the proof that it extends the last one this
    witness accepted; remember it if so, refuse it (exit 1) if not."""
    from adapters.witness import load_state, save_state, witness_server
    from domain.errors import VerificationError

    try:
        current = load_state(state, _key(key))
        accepted, note = witness_server(url, current)
    except VerificationError as exc:
        raise _failed(exc) from None
    save_state(state, current.key, note)
    typer.echo(f"OK witnessed size={accepted.size}")
