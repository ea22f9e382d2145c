from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx
import pytest

from adapters.database import Server


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


@contextmanager
def serving(server: Server, *args: str, code: Path | None = None, **env: str) -> Iterator[str]:
    """`credit-ledger serve ARGS` in its own process, as a user starts it; yields its base URL.
    `code`: another checkout's code to run (its packages first on the path); `env`: more settings."""
    port = _free_port()
    with tempfile.TemporaryFile("w+") as log:  # a file, not a pipe: a full pipe would stall the server
        process = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--port", str(port), *args],
            cwd=code,
            env={**cli_env(server), **({"PYTHONPATH": str(code)} if code else {}), **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(base, process, log)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=30)


def _wait_healthy(base: str, process: subprocess.Popen[str], log: IO[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"server exited: {log.read()}")
    raise RuntimeError("server did not become healthy in 60 s")


@pytest.fixture
def live_server(clean_db: Server) -> Iterator[str]:
    with serving(clean_db) as base:
        yield base
