"""Shared by the benchmarks: a scratch database, timing and reporting (median and spread)."""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ledger.config import PROJECT_ROOT, Settings
from ledger.database import Server, fresh_database, start_embedded

RESULTS = PROJECT_ROOT / "bench" / "results"


def scratch_server(name: str) -> Server:
    """A fresh, migrated database `name` on DATABASE_URL's server, or on an embedded one."""
    url = os.environ.get("DATABASE_URL") or start_embedded(PROJECT_ROOT / "var" / "bench-pg")
    return fresh_database(url, name)


def settings_for(server: Server) -> Settings:
    return Settings(DATABASE_URL=server.conninfo)


@contextmanager
def stopwatch() -> Iterator[Callable[[], float]]:
    start = time.perf_counter()
    elapsed: list[float] = []
    yield lambda: elapsed[0] if elapsed else time.perf_counter() - start
    elapsed.append(time.perf_counter() - start)


def summary(values: list[float]) -> dict[str, float]:
    """Median with its spread (min, max) over the runs."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": len(values)}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def write_results(name: str, results: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def markdown_table(rows: list[tuple[str, dict[str, float], str]]) -> str:
    lines = ["| figure | median | min – max | unit |", "| --- | --- | --- | --- |"]
    for label, s, unit in rows:
        lines.append(f"| {label} | {s['median']:,.3f} | {s['min']:,.3f} – {s['max']:,.3f} | {unit} |")
    return "\n".join(lines)
