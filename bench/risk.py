"""Risk classes at scale (issue 19): an effective run over the scale's enterprises, its
projection, and the class lookup and class-list page in the database.

An effective run reads every history (one snapshot, a worker per core, as a rebuild reads),
scores it, and records itself (one `RiskRun` aggregate: a chunk event per 5,000 enterprises);
the read model then copies its classes. Each run of the benchmark is dated a day later than the
last, so that its inputs differ and it is recorded (the same inputs would be a repeat).
Baseline: the raw sequential read of the event table of the same run (`scan_rows_per_s`).
"""

from __future__ import annotations

import random
import time
from datetime import date, datetime, timedelta
from typing import Any

from api.bootstrap import Runtime
from application.risk import RunRequest
from bench.common import percentile
from projections import risk_classes

DESIGN_ENTERPRISES = 1_000_000


def run_once(runtime: Runtime, on: date, enterprises: int, events: int, scan_rate: float) -> dict[str, float]:
    started = time.perf_counter()
    report = runtime.risk.run(RunRequest("effective", on, None, "bench"))
    ran = time.perf_counter() - started
    assert report["recorded"], "each benchmark run is dated anew: it must record a new run"
    started = time.perf_counter()
    runtime.projector.catch_up()
    projected = time.perf_counter() - started
    per_s = report["enterprises"] / ran
    return {
        "risk_run_s": ran,
        "risk_run_scan_s": report["seconds"]["scan"],
        "risk_run_record_s": report["seconds"]["record"],
        "risk_project_s": projected,
        "risk_run_enterprises_per_s": per_s,
        "risk_run_events_per_s": events / ran,
        "risk_run_vs_scan": (events / ran) / scan_rate,
        # the run's time at the design point if it grows with the enterprises as it does here
        "risk_run_design_point_s": DESIGN_ENTERPRISES / per_s + projected * DESIGN_ENTERPRISES / max(1, enterprises),
        "risk_class_d_share": report["by_class"]["D"] / max(1, report["enterprises"]),
        "risk_class_a_share": report["by_class"]["A"] / max(1, report["enterprises"]),
    }


def lookups(
    runtime: Runtime, usccs: list[str], recorded: list[datetime], rng: random.Random, n: int
) -> dict[str, float]:
    """The class of a random enterprise on a random date as known at a random moment (before and
    after the runs), and a page of a random class, in the database."""
    lookup: list[float] = []
    page: list[float] = []
    with runtime.server.connect() as conn:
        conn.autocommit = True
        for _ in range(n):
            uscc, known_at = rng.choice(usccs), rng.choice(recorded)
            as_of = date(2021, 11, 1) + timedelta(days=rng.randrange(1900))
            t = time.perf_counter()
            risk_classes.class_at(conn, uscc, as_of, known_at)
            lookup.append(time.perf_counter() - t)
            t = time.perf_counter()
            risk_classes.members(conn, as_of, known_at, risk_class=rng.choice("ABCD"), limit=100)
            page.append(time.perf_counter() - t)
    return {
        "risk_lookup_p50_ms": percentile(lookup, 0.50) * 1000,
        "risk_lookup_p99_ms": percentile(lookup, 0.99) * 1000,
        "risk_list_page_p99_ms": percentile(page, 0.99) * 1000,
    }


def run_moments(runtime: Runtime) -> list[Any]:
    with runtime.server.connect() as conn:
        return [at for (at,) in conn.execute("SELECT recorded_at FROM risk_runs")]
