from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from ledger.database import Server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli_env(server: Server) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": server.conninfo}


def run_cli(server: Server, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        env=cli_env(server),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def live_server(clean_db: Server) -> Iterator[str]:
    """`credit-ledger serve` in its own process, as a user starts it."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
        env=cli_env(clean_db),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {process.stdout.read() if process.stdout else ''}")
    else:
        process.kill()
        raise RuntimeError("server did not become healthy in 60 s")
    yield base
    process.terminate()
    process.wait(timeout=30)
