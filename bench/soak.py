"""The soak of issue 25 (part 8): a bounded run of steady load against a real server.

    python bench/soak.py                  # 10 minutes, 32 readers, 8 writers
    python bench/soak.py --minutes 0.2    # a smoke run (the test suite's)

On a fresh database (the benchmarks' embedded PostgreSQL, or DATABASE_URL's server, as
bench/run.py), `--seed` enterprises are registered first, then `credit-ledger serve --workers 2`
runs with its projector on while:

- `--readers` threads each GET at `--read-rate` requests/s (a steady schedule, not as fast as
  they can): public views of random enterprises (today, or a random date), a list page, the
  changes of a list;
- `--writers` threads each POST at `--write-rate` batches/s of `--batch` new registrations, and
  after each answer poll the public view of the batch's first registration (no `min_position`)
  every 5 ms until it answers 200: the time from the write's answer to its visibility in the
  public view is `freshness` (its p99 is `freshness_p99_ms`; goal < 1,000 ms);
- a monitor samples every `--sample` seconds the RSS of serve's processes (the sum, and the
  largest), the open PostgreSQL connections to the database, and the projector's lag (the head
  of the log less the lowest read model position, in records).

Per minute (`--bucket`): throughput, p50/p99 of reads and writes, failures, freshness, lag, RSS
and connections, printed as it goes. At the end a verdict: nothing grew without bound (the last
minute's RSS, connections and lag against the first full minute's, with a tolerance; see
`verdict`). Results in bench/results/soak.json (--results elsewhere).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
import psutil  # noqa: E402
from psycopg.rows import dict_row  # noqa: E402

from adapters.database import Server, drop_database  # noqa: E402
from adapters.tokens import TokenStore  # noqa: E402
from bench.common import RESULTS, percentile, scratch_server, write_results  # noqa: E402
from bench.run import Serve  # noqa: E402
from bench.synthetic.identifiers import make_uscc  # noqa: E402

DATABASE = "credit_ledger_bench_soak"
DISTRICTS = ("120101", "120102", "120103", "120104", "120105", "120106", "120110", "120116")
# tolerances of the verdict: the last minute against the first full one
RSS_GROWTH = 0.25  # the last minute's RSS at most 25 % (and 30 MB) above the first's
RSS_SLACK_MB = 30.0
LAG_BOUND = 2_000  # records: the projector's lag at the end, or no more than at the start


def registration(uscc: str, n: int, department: str) -> dict[str, Any]:
    district = uscc[2:8]
    return {
        "type": "enterprise.registered",
        "uscc": uscc,
        "effective_on": (date(2019, 1, 2) + timedelta(days=n % 2500)).isoformat(),
        "source": {"department": department, "record_id": f"SOAK-{uscc}", "operator": "soak"},
        "data": {
            "name": f"天津市浸泡测试第{n}号贸易有限公司",
            "district_code": district,
            "entity_kind": "enterprise",
            "established_on": "2018-12-28",
            "address": f"天津市和平区南京路{n % 900 + 1}号",
            "legal_representative": "张伟",
        },
    }


def uscc_of(n: int) -> str:
    return make_uscc("91", DISTRICTS[n % len(DISTRICTS)], f"{n % 10**8:08d}")


@dataclass
class Bucket:
    """What one minute saw."""

    reads: list[float] = field(default_factory=list)  # seconds
    writes: list[float] = field(default_factory=list)
    records: int = 0
    failed: int = 0
    freshness: list[float] = field(default_factory=list)
    rss_total: list[float] = field(default_factory=list)  # MB
    rss_largest: list[float] = field(default_factory=list)
    connections: list[int] = field(default_factory=list)
    lag: list[int] = field(default_factory=list)


class Soak:
    def __init__(self, base: str, bucket_s: float, seconds: float) -> None:
        self.base, self.bucket_s, self.seconds = base, bucket_s, seconds
        self.start = time.monotonic()
        self.deadline = self.start + seconds
        self.buckets = [Bucket() for _ in range(max(1, int(seconds / bucket_s + 0.999)))]
        self.lock = threading.Lock()
        self.usccs: list[str] = []
        self.freshness_timeouts = 0

    def bucket(self) -> Bucket:
        i = int((time.monotonic() - self.start) / self.bucket_s)
        return self.buckets[min(i, len(self.buckets) - 1)]

    def reader(self, seed: int, rate: float) -> None:
        rng = random.Random(seed)
        interval = 1.0 / rate
        due = time.monotonic() + rng.random() * interval
        with httpx.Client(base_url=self.base, timeout=30) as client:
            while (now := time.monotonic()) < self.deadline:
                if due > now:
                    time.sleep(due - now)
                due += interval
                path = self.read_path(rng)
                t = time.perf_counter()
                try:
                    ok = client.get(path).status_code in (200, 404)  # 404: a date before a registration
                except httpx.HTTPError:
                    ok = False
                elapsed = time.perf_counter() - t
                with self.lock:
                    b = self.bucket()
                    b.reads.append(elapsed)
                    b.failed += not ok

    def read_path(self, rng: random.Random) -> str:
        roll = rng.random()
        if roll < 0.8:
            with self.lock:
                uscc = rng.choice(self.usccs)
            if roll < 0.4:
                return f"/v1/enterprises/{uscc}/public-view"
            on = date(2019, 1, 1) + timedelta(days=rng.randrange(2900))
            return f"/v1/enterprises/{uscc}/public-view?as_of={on.isoformat()}"
        if roll < 0.95:
            return f"/v1/lists/abnormal?as_of=2026-0{rng.randrange(1, 10)}-01"
        return "/v1/lists/serious/changes?from=2026-01-01&to=2026-12-31"

    def writer(self, number: int, rate: float, batch: int, token: str, first: int) -> None:
        interval = 1.0 / rate
        headers = {"Authorization": f"Bearer {token}"}
        n = first + number * 10_000_000
        due = time.monotonic() + number * interval / 8
        with httpx.Client(base_url=self.base, timeout=30, headers=headers) as client:
            while (now := time.monotonic()) < self.deadline:
                if due > now:
                    time.sleep(due - now)
                due += interval
                body = [registration(uscc_of(n + k), n + k, "TJ-LIC") for k in range(batch)]
                n += batch
                t = time.perf_counter()
                try:
                    answer = client.post("/v1/records", json=body)
                    ok = answer.status_code == 200 and answer.json()["summary"]["recorded"] == batch
                except httpx.HTTPError:
                    ok = False
                elapsed = time.perf_counter() - t
                with self.lock:
                    b = self.bucket()
                    b.writes.append(elapsed)
                    b.records += batch if ok else 0
                    b.failed += not ok
                if ok:
                    self.freshness(client, body[0]["uscc"])
                    with self.lock:
                        self.usccs.extend(r["uscc"] for r in body)

    def freshness(self, client: httpx.Client, uscc: str) -> None:
        """From the write's answer to a 200 of its public view, polled every 5 ms (at most 10 s)."""
        answered = time.perf_counter()
        while time.perf_counter() - answered < 10:
            try:
                if client.get(f"/v1/enterprises/{uscc}/public-view").status_code == 200:
                    seen = time.perf_counter() - answered
                    with self.lock:
                        self.bucket().freshness.append(seen)
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.005)
        with self.lock:
            self.freshness_timeouts += 1

    def monitor(self, pid: int, server: Server, every: float) -> None:
        with server.connect() as conn:
            conn.autocommit = True
            while time.monotonic() < self.deadline:
                rss = []
                try:
                    procs = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
                except psutil.Error:
                    procs = []
                for proc in procs:
                    try:
                        rss.append(proc.memory_info().rss / 2**20)
                    except psutil.Error:
                        pass
                row = conn.execute(
                    "SELECT (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()) - 1, "
                    "(SELECT coalesce(max(notification_id), 0) FROM ledger_events) "
                    "- (SELECT coalesce(min(position), 0) FROM projection_state)"
                ).fetchone()
                assert row is not None
                with self.lock:
                    b = self.bucket()
                    if rss:
                        b.rss_total.append(sum(rss))
                        b.rss_largest.append(max(rss))
                    b.connections.append(int(row[0]))
                    b.lag.append(int(row[1]))
                time.sleep(every)


def seed_enterprises(base: str, token: str, count: int) -> list[str]:
    usccs: list[str] = []
    with httpx.Client(base_url=base, timeout=120, headers={"Authorization": f"Bearer {token}"}) as client:
        for start in range(0, count, 500):
            body = [registration(uscc_of(n), n, "TJ-LIC") for n in range(start, min(count, start + 500))]
            answer = client.post("/v1/records", json=body)
            if answer.status_code != 200 or answer.json()["summary"]["recorded"] != len(body):
                raise RuntimeError(f"seeding refused: {answer.status_code} {answer.text[:300]}")
            usccs.extend(r["uscc"] for r in body)
    return usccs


def ms(values: list[float], q: float) -> float | None:
    return round(percentile(values, q) * 1000, 1) if values else None


def mean(values: list[float] | list[int]) -> float | None:
    return round(statistics.fmean(values), 1) if values else None


def row_of(i: int, b: Bucket, seconds: float) -> dict[str, Any]:
    return {
        "minute": i + 1,
        "seconds": round(seconds, 1),
        "reads_per_s": round(len(b.reads) / seconds, 1),
        "read_p50_ms": ms(b.reads, 0.5),
        "read_p99_ms": ms(b.reads, 0.99),
        "writes_per_s": round(len(b.writes) / seconds, 2),
        "records_per_s": round(b.records / seconds, 1),
        "write_p50_ms": ms(b.writes, 0.5),
        "write_p99_ms": ms(b.writes, 0.99),
        "failed": b.failed,
        "freshness_p50_ms": ms(b.freshness, 0.5),
        "freshness_p99_ms": ms(b.freshness, 0.99),
        "lag_mean": mean(b.lag),
        "lag_max": max(b.lag) if b.lag else None,
        "rss_total_mb": mean(b.rss_total),
        "rss_largest_mb": mean(b.rss_largest),
        "connections_max": max(b.connections) if b.connections else None,
    }


def verdict(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Bounded if, in the last row: RSS is within RSS_GROWTH (and RSS_SLACK_MB) of the first full
    row's (the first is a warm-up when there are three or more); connections are no more than the
    most any row of the first half saw (pools open their connections as they are needed, up to
    their size: a bound, not a trend); the lag is under LAG_BOUND or no more than the first half's
    most; and nothing failed. Also the RSS trend (MB per row, a least-squares slope over the
    second half): a figure, for a longer run to tell whether it levels off."""
    first = rows[1] if len(rows) >= 3 else rows[0]
    last = rows[-1]
    half = rows[: max(1, len(rows) // 2)]
    checks = {
        "rss": (last["rss_total_mb"] or 0) <= (first["rss_total_mb"] or 0) * (1 + RSS_GROWTH) + RSS_SLACK_MB,
        "connections": (last["connections_max"] or 0) <= max(r["connections_max"] or 0 for r in half),
        "lag": (last["lag_max"] or 0) <= max(LAG_BOUND, *(r["lag_max"] or 0 for r in half)),
        "no_failures": all(r["failed"] == 0 for r in rows),
    }
    tail = [(r["minute"], r["rss_total_mb"]) for r in rows[len(rows) // 2 :] if r["rss_total_mb"] is not None]
    slope = None
    if len(tail) >= 2:
        mx = statistics.fmean(x for x, _ in tail)
        my = statistics.fmean(y for _, y in tail)
        slope = sum((x - mx) * (y - my) for x, y in tail) / sum((x - mx) ** 2 for x, _ in tail)
    return {
        "bounded": all(checks.values()),
        "checks": checks,
        "compared": {"first_row": first["minute"], "last_row": last["minute"], "first_half_rows": len(half)},
        "rss_total_mb": {"first": first["rss_total_mb"], "last": last["rss_total_mb"]},
        "rss_largest_mb": {"first": first["rss_largest_mb"], "last": last["rss_largest_mb"]},
        "rss_mb_per_row_second_half": round(slope, 2) if slope is not None else None,
    }


HEADER = (
    "| min | reads/s | read p50 / p99 ms | records/s | write p50 / p99 ms | failed "
    "| fresh p50 / p99 ms | lag mean / max | RSS MB (sum / largest) | conns |"
)


def table_row(r: dict[str, Any]) -> str:
    return (
        f"| {r['minute']} | {r['reads_per_s']:,} | {r['read_p50_ms']} / {r['read_p99_ms']} | {r['records_per_s']:,} "
        f"| {r['write_p50_ms']} / {r['write_p99_ms']} | {r['failed']} | {r['freshness_p50_ms']} / {r['freshness_p99_ms']} "
        f"| {r['lag_mean']} / {r['lag_max']} | {r['rss_total_mb']} / {r['rss_largest_mb']} | {r['connections_max']} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--readers", type=int, default=32)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--read-rate", type=float, default=5.0, help="requests/s of each reader")
    parser.add_argument("--write-rate", type=float, default=1.0, help="batches/s of each writer")
    parser.add_argument("--batch", type=int, default=10, help="registrations per batch")
    parser.add_argument("--seed", type=int, default=2000, help="enterprises registered before the load")
    parser.add_argument("--workers", type=int, default=2, help="server workers")
    parser.add_argument(
        "--bucket", type=float, default=None, help="seconds per row (default 60; shorter runs: a quarter)"
    )
    parser.add_argument("--sample", type=float, default=2.0, help="seconds between RSS/connection/lag samples")
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--keep", action="store_true", help="leave the database (dropped by default)")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    seconds = args.minutes * 60
    bucket_s = args.bucket or (60.0 if seconds >= 120 else seconds / 4)

    server = scratch_server(args.database)
    tokens = TokenStore(lambda: server.connect(row_factory=dict_row))
    writer_token = tokens.create("TJ-LIC", "officer", "soak")[1]
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    try:
        with tempfile.TemporaryDirectory(prefix="bench-soak-") as tmp:
            with Serve(server, Path(tmp) / "serve.log", workers=args.workers, projector=True) as serve:
                print(f"seeding {args.seed:,} enterprises …", flush=True)
                seeded = seed_enterprises(serve.base, writer_token, args.seed)
                soak = Soak(serve.base, bucket_s, seconds)
                soak.usccs = seeded
                print(
                    f"soak: {seconds / 60:g} min, {args.readers} readers × {args.read_rate:g}/s, "
                    f"{args.writers} writers × {args.write_rate:g} batches/s × {args.batch} records",
                    flush=True,
                )
                threads = [threading.Thread(target=soak.monitor, args=(serve.proc.pid, server, args.sample))]
                threads += [threading.Thread(target=soak.reader, args=(i, args.read_rate)) for i in range(args.readers)]
                threads += [
                    threading.Thread(target=soak.writer, args=(i, args.write_rate, args.batch, writer_token, args.seed))
                    for i in range(args.writers)
                ]
                for t in threads:
                    t.daemon = True
                    t.start()
                print(HEADER, flush=True)
                rows: list[dict[str, Any]] = []
                for i, b in enumerate(soak.buckets):
                    end = soak.start + min(seconds, (i + 1) * bucket_s)
                    time.sleep(max(0.0, end - time.monotonic()))
                    if i == len(soak.buckets) - 1:
                        for t in threads:
                            t.join(60)
                    with soak.lock:
                        rows.append(row_of(i, b, min(seconds, (i + 1) * bucket_s) - i * bucket_s))
                    print(table_row(rows[-1]), flush=True)
    finally:
        if not args.keep:
            drop_database(server.with_database("postgres"), args.database)

    freshness = [f for b in soak.buckets for f in b.freshness]
    reads = [r for b in soak.buckets for r in b.reads]
    writes = [w for b in soak.buckets for w in b.writes]
    result = {
        "started": started,
        "minutes": args.minutes,
        "readers": args.readers,
        "writers": args.writers,
        "read_rate": args.read_rate,
        "write_rate": args.write_rate,
        "batch": args.batch,
        "seeded": args.seed,
        "server_workers": args.workers,
        "bucket_s": bucket_s,
        "rows": rows,
        "totals": {
            "reads": len(reads),
            "writes": len(writes),
            "records": sum(b.records for b in soak.buckets),
            "failed": sum(b.failed for b in soak.buckets),
            "read_p99_ms": ms(reads, 0.99),
            "write_p99_ms": ms(writes, 0.99),
        },
        "freshness_p50_ms": ms(freshness, 0.5),
        "freshness_p99_ms": ms(freshness, 0.99),
        "freshness_max_ms": ms(freshness, 1.0),
        "freshness_samples": len(freshness),
        "freshness_timeouts": soak.freshness_timeouts,
        "freshness_target": "< 1000 ms",
        "verdict": verdict(rows),
    }
    path = write_results("soak", result, args.results)
    v = result["verdict"]
    print(
        f"\nfreshness p50 / p99: {result['freshness_p50_ms']} / {result['freshness_p99_ms']} ms "
        f"({len(freshness)} writes, {soak.freshness_timeouts} not visible within 10 s)"
    )
    print(f"verdict: {'bounded' if v['bounded'] else 'GREW'} {v['checks']}\nwritten {path}")
    return 0 if v["bounded"] else 1


if __name__ == "__main__":
    sys.exit(main())
