"""`credit-ledger backup` and `credit-ledger restore` (issue 25, part 6), registered in api/cli.py.

Exit codes: 0 done; 1 pg_dump or pg_restore failed (nothing restored) or the restored log failed
verification; 2 a bad argument (a directory not new, not a backup, damaged, or a database not empty).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from api.cli_common import console

if TYPE_CHECKING:
    from adapters.backup import Manifest


def _run(what: str, step: Callable[[], Manifest]) -> Manifest:
    """A step with a spinner; a refusal exits 2 (bad argument) or 1 (a tool failed), saying why."""
    from domain.errors import InvalidInputError, LedgerError

    with console.status(what):
        try:
            return step()
        except LedgerError as exc:
            console.print(f"[red]{escape(str(exc))}[/]", highlight=False)
            raise typer.Exit(2 if isinstance(exc, InvalidInputError) else 1) from None


def backup(
    out: Annotated[Path, typer.Option("--out", help="a new (or empty) directory for the backup")],
) -> None:
    """Back up what cannot be derived (event store, record log, audit leaves and checkpoints,
    reference data, tokens, …) with pg_dump: one consistent snapshot while writers go on. The
    read models are left out (a restore rebuilds them); so is the signing key (docs/audit.md)."""
    from adapters import backup as backups
    from api.cli_common import migrated_server
    from projections.registry import read_models

    server = migrated_server()
    tables = [t for model in read_models() for t in model.stored_tables()]
    started = time.perf_counter()
    manifest = _run(f"pg_dump of {server.dbname} …", lambda: backups.backup(server, out, tables))
    console.print(
        f"[green]backed up[/] {server.dbname} (log head {manifest.head}) to {escape(str(out))}: "
        f"{manifest.dump_bytes / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s",
        highlight=False,
    )
    typer.echo(f"head={manifest.head} bytes={manifest.dump_bytes} sha256={manifest.dump_sha256}")


def restore(
    directory: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="a directory `backup` wrote")],
) -> None:
    """Restore a backup into the configured database (DATABASE_URL, or the embedded one), which
    must be empty; then apply newer migrations, verify the log and rebuild every read model."""
    from adapters import backup as backups
    from adapters.config import get_settings
    from adapters.database import migrate, resolve_server
    from api.cli_projections import rebuild

    server = resolve_server(get_settings())
    started = time.perf_counter()
    manifest = _run(f"pg_restore into {server.dbname} …", lambda: backups.restore(directory, server))
    console.print(
        f"[green]restored[/] the backup of {escape(manifest.created_at)} (log head {manifest.head}) into "
        f"{server.dbname} in {time.perf_counter() - started:.1f} s; now the read models",
        highlight=False,
    )
    migrate(server)
    rebuild(read_model=None, verify=True)
