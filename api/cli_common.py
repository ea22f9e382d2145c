"""What the command-line modules share: the console, the database, progress bars."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

if TYPE_CHECKING:
    from adapters.database import Server

console = Console(stderr=True)


def migrated_server() -> Server:
    from adapters.config import get_settings
    from adapters.database import migrate as apply
    from adapters.database import resolve_server

    server = resolve_server(get_settings())
    apply(server)
    return server


def announce_signing_key() -> None:
    """Print the checkpoints' verifier key (generated now if this is the first start)."""
    from adapters.config import get_settings
    from adapters.signing_key import key_path, load_signing_key

    settings = get_settings()
    signer, created = load_signing_key(settings)
    if created:
        console.print(
            f"generated the key that signs checkpoints: {key_path(settings)} (keep it, back it up, keep it out of "
            "the database's backups; auditors pin its public key)",
            markup=False,
            soft_wrap=True,
        )
    console.print(f"checkpoint signing key: {signer.verifier.encode()}", markup=False, soft_wrap=True)


def byte_progress() -> Progress:
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
    )
