"""`python bench/soak.py` (issue 25, part 8) runs end to end: a real server with its projector on,
readers and writers at a steady rate, a row per period with throughput, latencies, freshness,
lag, RSS and connections, and a verdict. A smoke run of a few seconds: the figures mean nothing
here, only that each was measured and written."""

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


def test_the_soak_command_reports_every_period_and_a_verdict_that_nothing_grew(
    test_server: Server, tmp_path: Path
) -> None:
    database = f"credit_ledger_soak_smoke_{os.getpid()}"
    command = [sys.executable, "bench/soak.py", "--minutes", "0.2", "--readers", "4", "--writers", "2"]
    command += ["--seed", "50", "--sample", "0.5", "--database", database, "--results", str(tmp_path)]
    done = subprocess.run(
        command,
        cwd=PROJECT_ROOT,
        env={**os.environ, "DATABASE_URL": test_server.conninfo},
        capture_output=True,
        text=True,
        timeout=300,
    )
    # exit status 1 means "grew": a few seconds cannot tell growth from warming up, so only a crash fails here
    assert done.returncode in (0, 1), done.stdout[-3000:] + done.stderr[-3000:]

    results = json.loads((tmp_path / "soak.json").read_text(encoding="utf-8"))
    rows = results["rows"]
    assert len(rows) == 4  # a run under two minutes is cut in quarters
    for row in rows:
        assert row["reads_per_s"] > 0 and row["records_per_s"] > 0, row
        assert row["read_p50_ms"] <= row["read_p99_ms"], row
        assert row["rss_total_mb"] > 0 and row["connections_max"] > 0, row
        assert row["failed"] == 0, row
    assert results["totals"]["records"] == sum(round(r["records_per_s"] * r["seconds"]) for r in rows)
    assert results["freshness_samples"] > 0 and results["freshness_timeouts"] == 0
    assert 0 < results["freshness_p50_ms"] <= results["freshness_p99_ms"]
    verdict = results["verdict"]
    assert set(verdict["checks"]) == {"rss", "connections", "lag", "no_failures"}
    assert verdict["checks"]["no_failures"] is True
    assert verdict["bounded"] == all(verdict["checks"].values())
    assert "| 4 |" in done.stdout and "verdict: " in done.stdout
    assert not (PROJECT_ROOT / "bench" / "results" / "soak.json").exists() or not (
        PROJECT_ROOT / "bench" / "results" / "soak.json"
    ).samefile(tmp_path / "soak.json")
