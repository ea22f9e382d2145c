"""Change-feed benchmark (issue 23): what the feed costs the projection, and how fast a pull page is.

    python bench/feeds.py                    # 20,000 events, 3 runs
    python bench/feeds.py --events 5000 --runs 2

In one run on one database: a rebuild of the public items (the baseline every session measures)
and a rebuild of the change feed over the same log (ratio feed ÷ items: what the feed adds to
projecting each commit), and the latency of pull pages of 100 items at random cursors. Results:
a table on stdout and bench/results/feeds.json (median and spread over the runs).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.bootstrap import Runtime
from bench.common import markdown_table, percentile, scratch_server, settings_for, summary, write_results
from bench.projections import load, timed_rebuild
from projections import change_feed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", type=int, default=300, help="pull pages per latency run")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    server = scratch_server("credit_ledger_bench_feeds")
    runtime = Runtime.open(settings_for(server))
    rng = random.Random(args.seed)
    items_s: list[float] = []
    feed_s: list[float] = []
    ratio: list[float] = []
    p50: list[float] = []
    p99: list[float] = []
    try:
        events = load(runtime, args.events, args.seed)
        for run in range(args.runs):
            items_seconds, _ = timed_rebuild(runtime, events, "items")
            feed_seconds, report = timed_rebuild(runtime, events, change_feed.NAME)
            items_s.append(items_seconds)
            feed_s.append(feed_seconds)
            ratio.append(feed_seconds / items_seconds)
            with runtime.server.connect(autocommit=True) as conn:
                keys = conn.execute("SELECT position, n FROM feed_items").fetchall()
                spent = []
                for _ in range(args.pages):
                    cursor = rng.choice(keys) if keys else None
                    start = time.perf_counter()
                    change_feed.read_page(conn, None, cursor, 100)
                    spent.append((time.perf_counter() - start) * 1000)
            p50.append(percentile(spent, 0.5))
            p99.append(percentile(spent, 0.99))
            print(
                f"run {run + 1}: items {items_seconds:.1f} s, feed {feed_seconds:.1f} s ({ratio[-1]:.2f}), "
                f"{report.rows} feed items, page p50 {p50[-1]:.2f} ms",
                file=sys.stderr,
            )
        with runtime.server.connect() as conn:
            row = conn.execute("SELECT count(*) FROM feed_items").fetchone()
            items = int(row[0]) if row else 0
    finally:
        runtime.close()
    rows = [
        ("rebuild of the public items (baseline)", summary(items_s), "s"),
        ("rebuild of the change feed", summary(feed_s), "s"),
        ("change feed ÷ public items", summary(ratio), "ratio"),
        ("pull page of 100 items at a random cursor, p50", summary(p50), "ms"),
        ("pull page of 100 items at a random cursor, p99", summary(p99), "ms"),
    ]
    print(f"\n{events:,} events, {items:,} feed items, {args.runs} runs\n")
    print(markdown_table(rows))
    path = write_results(
        "feeds",
        {
            "events": events,
            "feed_items": items,
            "runs": args.runs,
            "figures": {label: {**s, "unit": unit} for label, s, unit in rows},
        },
    )
    print(f"\nwritten {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
