"""The write ceiling of one PostgreSQL server (issue 25, part 10; docs/scaling.md).

    python bench/write_ceiling.py                       # 1, 2, 4, 8 writers, 20 s each, batches of 100
    python bench/write_ceiling.py --writers 1 2 --seconds 5 --batch 10

Every writer is a process of its own with its own Runtime (as `serve` workers and import
workers are), posting batches of new registrations through the ordinary intake
(`runtime.intake.submit`: validation, the aggregate, the event store's insert under
`LOCK TABLE ledger_events IN EXCLUSIVE MODE`, the record log and the audit leaves, commit).
No projector runs. For each number of writers: records/s over the level, the batch's
p50/p99 latency, the share of samples (every 10 ms) in which a writer waited for the event
table's lock, and the share in which the lock was held: records/s divided by that share is what
the lock would let through if it were held all the time (the ceiling that more cores would meet). A fresh database per run; results in
bench/results/write_ceiling.json.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.database import Server, drop_database  # noqa: E402
from api.bootstrap import Runtime  # noqa: E402
from bench.common import RESULTS, percentile, scratch_server, settings_for, summary, write_results  # noqa: E402
from bench.soak import registration, uscc_of  # noqa: E402
from domain.access import Author  # noqa: E402
from domain.records import DATA_MODELS  # noqa: E402

DATABASE = "credit_ledger_bench_ceiling"


def writer(server: Server, first: int, batch: int, start_at: float, seconds: float, out: Any) -> None:
    runtime = Runtime.open(settings_for(server))
    author = Author("TJ-LIC", "bench", frozenset(DATA_MODELS))
    latencies: list[float] = []
    recorded = 0
    n = first
    try:
        body = [registration(uscc_of(n + k), n + k, "TJ-LIC") for k in range(batch)]
        while time.time() < start_at:
            time.sleep(0.001)
        end = start_at + seconds
        while time.time() < end:
            t = time.perf_counter()
            outcomes = runtime.intake.submit(body, author=author)
            latencies.append(time.perf_counter() - t)
            recorded += sum(o.status == "recorded" for o in outcomes)
            n += batch
            body = [registration(uscc_of(n + k), n + k, "TJ-LIC") for k in range(batch)]
        out.put((recorded, latencies, time.time() - start_at))
    finally:
        runtime.close()


def lock_waits(server: Server, stop: threading.Event, counts: list[int]) -> None:
    """Samples: [samples, samples with a writer waiting for the event table's lock, samples with
    the lock held]."""
    with server.connect(autocommit=True) as conn:
        while not stop.wait(0.01):
            row = conn.execute(
                "SELECT count(*) FILTER (WHERE NOT granted), "
                "count(*) FILTER (WHERE granted AND mode = 'ExclusiveLock') "
                "FROM pg_locks WHERE relation = 'ledger_events'::regclass"
            ).fetchone()
            counts[0] += 1
            counts[1] += bool(row and row[0])
            counts[2] += bool(row and row[1])


def level(server: Server, writers: int, batch: int, seconds: float, offset: int) -> dict[str, float]:
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    start_at = time.time() + 3 + writers * 0.5  # every process opened before the clock starts
    procs = [
        context.Process(target=writer, args=(server, offset + w * 1_000_000, batch, start_at, seconds, out))
        for w in range(writers)
    ]
    for p in procs:
        p.start()
    stop, counts = threading.Event(), [0, 0, 0]
    sampler = threading.Thread(target=lock_waits, args=(server, stop, counts))
    while time.time() < start_at:
        time.sleep(0.01)
    sampler.start()
    results = [out.get(timeout=seconds + 120) for _ in procs]
    stop.set()
    sampler.join()
    for p in procs:
        p.join(30)
    recorded = sum(r[0] for r in results)
    latencies = [x for r in results for x in r[1]]
    elapsed = max(r[2] for r in results)
    return {
        "records_per_s": recorded / elapsed,
        "batch_p50_ms": percentile(latencies, 0.5) * 1000,
        "batch_p99_ms": percentile(latencies, 0.99) * 1000,
        "lock_wait_share": counts[1] / max(1, counts[0]),
        "lock_held_share": counts[2] / max(1, counts[0]),
        # records/s if the lock were held all the time at this level's records per second of holding it
        "lock_ceiling_records_per_s": recorded / elapsed / max(counts[2] / max(1, counts[0]), 1e-9),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--writers", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--seconds", type=float, default=20.0, help="per level")
    parser.add_argument("--batch", type=int, default=100, help="records per batch")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    values: dict[int, dict[str, list[float]]] = {w: {} for w in args.writers}
    for run in range(args.runs):
        server = scratch_server(args.database)
        try:
            for i, writers in enumerate(args.writers):
                figures = level(server, writers, args.batch, args.seconds, (run * 100 + i) * 10_000_000)
                for name, value in figures.items():
                    values[writers].setdefault(name, []).append(value)
                print(
                    f"run {run + 1}, {writers} writer(s): {figures['records_per_s']:,.0f} records/s, "
                    f"batch p50/p99 {figures['batch_p50_ms']:.0f}/{figures['batch_p99_ms']:.0f} ms, "
                    f"waiting for the lock in {figures['lock_wait_share']:.0%} of samples, "
                    f"the lock held in {figures['lock_held_share']:.0%}",
                    flush=True,
                )
        finally:
            drop_database(server.with_database("postgres"), args.database)
    one = statistics.median(values[args.writers[0]]["records_per_s"])
    result = {
        "batch": args.batch,
        "seconds_per_level": args.seconds,
        "runs": args.runs,
        "levels": {
            str(w): {
                **{name: summary(v) for name, v in figs.items()},
                "vs_one_writer": statistics.median(figs["records_per_s"]) / one,
            }
            for w, figs in values.items()
        },
    }
    path = write_results("write_ceiling", result, args.results)
    print(
        "\n| writers | records/s | × one writer | batch p50 / p99 ms | waiting for the lock | lock held | records/s at 100 % held |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for w, lv in result["levels"].items():
        print(
            f"| {w} | {lv['records_per_s']['median']:,.0f} | {lv['vs_one_writer']:.2f} "
            f"| {lv['batch_p50_ms']['median']:.0f} / {lv['batch_p99_ms']['median']:.0f} "
            f"| {lv['lock_wait_share']['median']:.0%} | {lv['lock_held_share']['median']:.0%} "
            f"| {lv['lock_ceiling_records_per_s']['median']:,.0f} |"
        )
    print(f"written {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
