"""Portal benchmark (issue 24): server time to render an enterprise's page, against the JSON
public view of the same enterprise on the same date in the same run.

    python bench/portal.py                      # 100,000 events (the small scale), 3 runs
    python bench/portal.py --events 20000 --runs 2

In-process (FastAPI's test client: the ASGI application without a network): per run, REQUESTS
enterprises drawn at random, each asked `GET /v1/enterprises/{uscc}/public-view?as_of=` (the
baseline) and `GET /enterprises/{uscc}?as_of=` (the HTML page, same read model and date).
Results: a table on stdout and bench/results/portal.json (median and spread over the runs).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient

from api.bootstrap import Runtime
from api.main import create_app
from bench.common import markdown_table, percentile, scratch_server, settings_for, summary, write_results
from bench.projections import load


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    server = scratch_server("credit_ledger_bench_portal")
    settings = settings_for(server)
    runtime = Runtime.open(settings)
    try:
        events = load(runtime, args.events, args.seed)
        runtime.projector.catch_up()
        with runtime.server.connect() as conn:
            usccs = [r[0] for r in conn.execute("SELECT DISTINCT uscc FROM projection_items WHERE name IS NOT NULL")]
    finally:
        runtime.close()
    rng = random.Random(args.seed)
    json_p50: list[float] = []
    html_p50: list[float] = []
    html_p99: list[float] = []
    ratio: list[float] = []
    with TestClient(create_app(lambda: Runtime.open(settings))) as client:
        for run in range(args.runs):
            json_ms: list[float] = []
            html_ms: list[float] = []
            for _ in range(args.requests):
                uscc, day = rng.choice(usccs), f"{rng.randint(2019, 2026)}-06-30"
                for path, spent in (
                    (f"/v1/enterprises/{uscc}/public-view", json_ms),
                    (f"/enterprises/{uscc}", html_ms),
                ):
                    start = time.perf_counter()
                    answer = client.get(path, params={"as_of": day})
                    spent.append((time.perf_counter() - start) * 1000)
                    assert answer.status_code == 200, (path, answer.status_code)
            json_p50.append(percentile(json_ms, 0.5))
            html_p50.append(percentile(html_ms, 0.5))
            html_p99.append(percentile(html_ms, 0.99))
            ratio.append(html_p50[-1] / json_p50[-1])
            print(f"run {run + 1}: JSON p50 {json_p50[-1]:.2f} ms, page p50 {html_p50[-1]:.2f} ms", file=sys.stderr)
    rows = [
        ("JSON public view, p50 (baseline)", summary(json_p50), "ms"),
        ("enterprise page (HTML), p50", summary(html_p50), "ms"),
        ("enterprise page (HTML), p99", summary(html_p99), "ms"),
        ("page ÷ JSON, p50", summary(ratio), "ratio"),
    ]
    print(f"\n{events:,} events, {len(usccs):,} enterprises, {args.runs} runs of {args.requests}\n")
    print(markdown_table(rows))
    path = write_results(
        "portal",
        {
            "events": events,
            "enterprises": len(usccs),
            "runs": args.runs,
            "requests": args.requests,
            "figures": {label: {**s, "unit": unit} for label, s, unit in rows},
        },
    )
    print(f"\nwritten {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
