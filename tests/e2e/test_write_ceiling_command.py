"""`python bench/write_ceiling.py` (issue 25, part 10; docs/scaling.md) runs end to end: writers in
processes of their own post batches through the intake, and each level reports its records/s,
its batch latencies and how long the event table's lock was waited for and held. A smoke run:
the figures mean nothing here, only that each was measured."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.config import PROJECT_ROOT
from adapters.database import Server

pytestmark = pytest.mark.slow


def test_the_write_ceiling_command_measures_each_number_of_writers(test_server: Server, tmp_path: Path) -> None:
    database = f"credit_ledger_ceiling_smoke_{os.getpid()}"
    command = [sys.executable, "bench/write_ceiling.py", "--writers", "1", "2", "--seconds", "3", "--batch", "50"]
    command += ["--database", database, "--results", str(tmp_path)]
    done = subprocess.run(
        command,
        cwd=PROJECT_ROOT,
        env={**os.environ, "DATABASE_URL": test_server.conninfo},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    results = json.loads((tmp_path / "write_ceiling.json").read_text(encoding="utf-8"))
    assert set(results["levels"]) == {"1", "2"}
    for level in results["levels"].values():
        assert level["records_per_s"]["median"] > 0
        assert level["batch_p50_ms"]["median"] <= level["batch_p99_ms"]["median"]
        assert 0 <= level["lock_wait_share"]["median"] <= 1
        assert 0 < level["lock_held_share"]["median"] <= 1  # every batch takes the lock
        assert level["lock_ceiling_records_per_s"]["median"] >= level["records_per_s"]["median"]
    assert results["levels"]["1"]["vs_one_writer"] == 1.0
    assert "| 2 |" in done.stdout
