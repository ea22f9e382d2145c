"""`python bench/run.py` (issue 5's one benchmark command) runs end to end on a fresh checkout:
every figure measured, beside its baseline, written as JSON and as a table. A tiny scale, one
run: the figures themselves mean nothing here, only that each phase ran and reported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.config import PROJECT_ROOT
from adapters.database import Server, drop_database

pytestmark = pytest.mark.slow


def test_the_benchmark_command_measures_every_figure_and_writes_them(test_server: Server, tmp_path: Path) -> None:
    database = f"credit_ledger_bench_smoke_{os.getpid()}"
    command = [sys.executable, "bench/run.py", "--scale", "small", "--enterprises", "120", "--runs", "1"]
    command += ["--duration", "1", "--queries", "10", "--paths", "50", "--database", database]
    command += ["--results", str(tmp_path)]
    try:
        done = subprocess.run(
            command,
            cwd=PROJECT_ROOT,
            env={**os.environ, "DATABASE_URL": test_server.conninfo},
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        drop_database(test_server.with_database("postgres"), database)
    assert done.returncode == 0, done.stderr[-3000:]

    results = json.loads((tmp_path / "small.json").read_text(encoding="utf-8"))
    assert results["completed"] == "all"
    assert results["records"] == results["events"] > 120  # each enterprise registered, and more
    figures = results["figures"]
    from bench.run import FIGURES

    assert set(figures) == set(FIGURES)
    for name, figure in figures.items():
        assert figure["runs"] == 1 and figure["median"] > 0, name
        assert figure["min"] <= figure["median"] <= figure["max"], name
    ratio = figures["import_vs_copy"]["median"]
    assert ratio == pytest.approx(figures["import_events_per_s"]["median"] / figures["copy_rows_per_s"]["median"])
    assert figures["import_vs_copy"]["target"] in ("met (>= 0.25)", "missed (>= 0.25)")
    assert "| `rebuild_vs_scan` |" in done.stdout
    # the rebuild's own steps say what limits it: a bound above the ratio, a share below the whole
    assert figures["rebuild_vs_scan_bound"]["median"] > figures["rebuild_vs_scan"]["median"]
    assert 0 < figures["rebuild_derive_share"]["median"] < 1
    # its floor (issue 25, part 9): the same rows COPYed, vacuumed and indexed, in the same run
    floor = figures["floor_events_per_s"]["median"]
    assert figures["rebuild_vs_floor"]["median"] == pytest.approx(figures["rebuild_events_per_s"]["median"] / floor)
    assert 0 < figures["floor_copy_share"]["median"] < 1
    assert figures["rebuild_vs_floor"]["target"] in ("met (>= 0.5)", "missed (>= 0.5)")
    assert not (PROJECT_ROOT / "bench" / "results" / "small.json").samefile(tmp_path / "small.json")
