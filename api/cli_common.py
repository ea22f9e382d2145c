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


def byte_progress() -> Progress:
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
    )
