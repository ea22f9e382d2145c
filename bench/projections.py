"""Projection benchmark (issue 4): rebuild throughput against a raw sequential read of the event
table, catch-up throughput of the runner, and latency of public-view and list queries.

    python bench/projections.py                 # 100,000 events, 3 runs of each figure
    python bench/projections.py --events 20000 --runs 2

Records come from bench/generate.py and go through the ordinary intake (under one department,
so that they can be sent in batches of 500). Results: a table on stdout and
bench/results/projections.json.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.bootstrap import Runtime
from bench.common import (
    markdown_table,
    percentile,
    scratch_server,
    settings_for,
    summary,
    write_results,
)
from bench.generate import generate
from bench.synthetic.reference import DISTRICTS, SECTORS
from domain.access import Author
from domain.records import DATA_MODELS
from projections import lists, view
from projections.readmodel import RebuildReport

DEPARTMENT = "TJ-BENCH"


def one_department(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for r in records:
        src = r["source"]
        r = {**r, "source": {**src, "department": DEPARTMENT, "record_id": f"{src['department']}/{src['record_id']}"}}
        if r["type"] in ("record.corrected", "record.retracted"):
            t = r["data"]["target"]
            r["data"] = {
                **r["data"],
                "target": {"department": DEPARTMENT, "record_id": f"{t['department']}/{t['record_id']}"},
            }
        out.append(r)
    return out


def load(runtime: Runtime, events: int, seed: int) -> int:
    records = one_department(list(itertools.islice(generate("design", seed), events)))
    author = Author(DEPARTMENT, "bench", frozenset(DATA_MODELS))
    recorded = 0
    for i in range(0, len(records), 500):
        recorded += sum(o.status == "recorded" for o in runtime.intake.submit(records[i : i + 500], author=author))
    return recorded


def raw_read(runtime: Runtime) -> float:
    """Rows per second of a server-side cursor over the whole event table into Python tuples."""
    with runtime.server.connect() as conn, conn.transaction():
        start = time.perf_counter()
        n = 0
        with conn.cursor(name="raw") as cur:
            cur.itersize = 2000
            cur.execute(
                "SELECT notification_id, originator_id, originator_version, topic, state "
                "FROM ledger_events ORDER BY notification_id"
            )
            for _ in cur:
                n += 1
        return n / (time.perf_counter() - start)


def timed_rebuild(runtime: Runtime, events: int, model: str = "items") -> tuple[float, RebuildReport]:
    """Seconds of a whole rebuild of one read model (by default the public items, the measured
    figure of every session), and its report (with each step's seconds)."""
    (chosen,) = [m for m in runtime.read_models if m.name == model]
    start = time.perf_counter()
    report = chosen.rebuild(runtime.server.conninfo, runtime.store.mapper, runtime.rules)
    assert report.events == events, (report.events, events)
    return time.perf_counter() - start, report


def rebuild_floor(runtime: Runtime, model: str = "items", workers: int | None = None) -> dict[str, float]:
    """Seconds of the rebuild's floor (issue 25, part 9): the rows the rebuild just derived, copied
    out of the live slot beforehand (untimed, one file per partition as the rebuild's workers
    split them), written by COPY into the other slot (emptied, its indexes dropped, as a rebuild
    leaves its target), one connection per partition at once, then the same VACUUM (ANALYZE) and
    index builds as the rebuild. What no rebuild gets under: reading the log and deriving the rows
    take no time here. The slot is emptied again afterwards."""
    import tempfile
    from concurrent.futures import ThreadPoolExecutor

    import psycopg
    from psycopg import sql

    from projections.enterprise_model import EnterpriseModel, partition_of

    (chosen,) = [m for m in runtime.read_models if m.name == model]
    assert isinstance(chosen, EnterpriseModel), f"{model}: the floor is measured for slot-switching models"
    workers = workers or max(1, min(os.cpu_count() or 1, 8))
    conninfo = runtime.server.conninfo
    with psycopg.connect(conninfo, autocommit=True) as conn:
        live = conn.execute("SELECT slot FROM projection_state WHERE name = %s", (model,)).fetchone()[0]  # type: ignore[index]
        other = "b" if live == "a" else "a"
        columns = [
            r[0]
            for r in conn.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
                "AND NOT attisdropped AND attgenerated = '' ORDER BY attnum",
                (f"{chosen.table}_{live}",),
            )
        ]
        cols = sql.SQL(", ").join(map(sql.Identifier, columns))
        conn.execute(sql.SQL("TRUNCATE {}").format(chosen.slot_table(other)))
        conn.execute(sql.SQL("SELECT {}(%s)").format(sql.Identifier(chosen.drop_indexes)), (other,))
        with tempfile.TemporaryDirectory(prefix="bench-floor-") as tmp:
            files = [Path(tmp) / f"part-{k}.copy" for k in range(workers)]
            for k, path in enumerate(files):
                query = sql.SQL(
                    "COPY (SELECT {} FROM {} WHERE "
                    + partition_of("hashtext(uscc)").replace("%s", "{}")
                    + " = {}) TO STDOUT"
                )
                with path.open("wb") as out, conn.cursor() as cur:
                    with cur.copy(
                        query.format(cols, chosen.slot_table(live), sql.Literal(workers), sql.Literal(k))
                    ) as copy:
                        for block in copy:
                            out.write(block)

            def load_part(path: Path) -> None:
                with psycopg.connect(conninfo) as writer, writer.cursor() as cur, path.open("rb") as src:
                    with cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(chosen.slot_table(other), cols)) as copy:
                        while block := src.read(1 << 20):
                            copy.write(block)

            start = time.perf_counter()
            with ThreadPoolExecutor(workers) as pool:
                for done in [pool.submit(load_part, path) for path in files]:
                    done.result()
            copied = time.perf_counter()
            conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(chosen.slot_table(other)))
            vacuumed = time.perf_counter()
            chosen._create_indexes(conninfo, other)
            end = time.perf_counter()
        conn.execute(sql.SQL("TRUNCATE {}").format(chosen.slot_table(other)))
    return {"copy": copied - start, "vacuum": vacuumed - copied, "indexes": end - vacuumed, "total": end - start}


def other_rebuilds(runtime: Runtime, events: int) -> dict[str, float]:
    """Seconds of a rebuild of each read model but the public items."""
    return {m.name: timed_rebuild(runtime, events, m.name)[0] for m in runtime.read_models if m.name != "items"}


def ratio_if_deriving_were_free(events: int, scan_rate: float, report: RebuildReport) -> float:
    """Rebuild ÷ raw read with the workers' step taking no time: vacuum and the index builds
    follow it and are PostgreSQL's alone, so no faster derivation gets past this."""
    return (events / scan_rate) / (report.seconds["vacuum"] + report.seconds["indexes"])


def catch_up_rate(runtime: Runtime, events: int) -> float:
    """The live runner from position 0 (pages of 2,000, one transaction each) into an empty slot."""
    with runtime.server.connect(autocommit=True) as conn:
        slot = conn.execute("SELECT slot FROM projection_state WHERE name = 'items'").fetchone()[0]
        conn.execute(f"TRUNCATE projection_items_{slot}")
        conn.execute("UPDATE projection_state SET position = 0 WHERE name = 'items'")
    start = time.perf_counter()
    runtime.projector.catch_up()
    return events / (time.perf_counter() - start)


FREQUENT_PARTS = ("有限", "公司", "天津", "有限公司")
ABSENT_PARTS = ("龘靐", "齉龖爩", "zq#9")  # in no generated name: the search's slowest way


def search_query(conn: Any, uscc: str, rng: random.Random) -> str:
    """A query of `GET /v1/enterprises?q=`, of one of five kinds in turn: two characters, or three
    to six, from the enterprise's name; a part most names bear; a part no name bears; a USCC prefix
    of 2–10 characters (GSXT-02 takes two characters or more)."""
    kind = rng.randrange(5)
    if kind == 2:
        return rng.choice(FREQUENT_PARTS)
    if kind == 3:
        return rng.choice(ABSENT_PARTS)
    if kind == 4:
        return uscc[: rng.randint(2, 10)]
    found = conn.execute(
        "SELECT name FROM projection_items WHERE uscc = %s AND name IS NOT NULL LIMIT 1", (uscc,)
    ).fetchone()
    name = found[0] if found else uscc
    size = min(len(name), 2 if kind == 0 else rng.randint(3, 6))
    start = rng.randrange(len(name) - size + 1)
    return name[start : start + size]


def latencies(
    runtime: Runtime, usccs: list[str], recorded: list[datetime], rng: random.Random, n: int
) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {
        "public_view": [],
        "public_view_replay": [],
        "list_page": [],
        "list_page_filtered": [],
        "search": [],
    }
    conditions = random.Random(n)  # apart from `rng`: the other draws stay those of earlier runs
    queries = random.Random(n + 1)
    with runtime.server.connect() as conn:
        for _ in range(n):
            q = search_query(conn, queries.choice(usccs), queries)
            t = time.perf_counter()
            lists.search(conn, q)
            out["search"].append(time.perf_counter() - t)
            uscc, known_at = rng.choice(usccs), rng.choice(recorded)
            as_of = date(2019, 1, 1) + timedelta(days=rng.randrange(2900))
            t = time.perf_counter()
            try:
                view.from_read_model(conn, uscc, as_of, known_at)
            except LookupError:
                pass
            out["public_view"].append(time.perf_counter() - t)
            t = time.perf_counter()
            try:
                view.from_replay(uscc, runtime.reads.history(uscc, known_at), as_of, known_at, runtime.rules)
            except LookupError:
                pass
            out["public_view_replay"].append(time.perf_counter() - t)
            t = time.perf_counter()
            lists.members(conn, rng.choice(list(lists.LISTS)), as_of, known_at, limit=100)
            out["list_page"].append(time.perf_counter() - t)
            condition = conditions.choice(
                [
                    {"district": conditions.choice(DISTRICTS)},
                    {"sector": conditions.choice(SECTORS)},
                    {"district": conditions.choice(DISTRICTS), "sector": conditions.choice(SECTORS)},
                ]
            )
            t = time.perf_counter()
            lists.members(conn, conditions.choice(list(lists.LISTS)), as_of, known_at, limit=100, **condition)
            out["list_page_filtered"].append(time.perf_counter() - t)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--queries", type=int, default=400, help="queries per latency run")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    server = scratch_server("credit_ledger_bench_projections")
    runtime = Runtime.open(settings_for(server))
    try:
        t = time.perf_counter()
        events = load(runtime, args.events, args.seed)
        print(f"imported {events} records through the intake in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        with runtime.server.connect() as conn:
            usccs = [r[0] for r in conn.execute("SELECT DISTINCT uscc FROM record_log")]
            recorded = [r[0] for r in conn.execute("SELECT DISTINCT recorded_at FROM record_log")]
        recorded.append(datetime.now(UTC))
        raw, rebuilt, caught, ratios, bounds = [], [], [], [], []
        steps: dict[str, list[float]] = {}
        lat: dict[str, list[float]] = {}
        rng = random.Random(args.seed)
        for run in range(args.runs):
            raw.append(raw_read(runtime))
            seconds, report = timed_rebuild(runtime, events)
            rebuilt.append(events / seconds)
            ratios.append(rebuilt[-1] / raw[-1])
            bounds.append(ratio_if_deriving_were_free(events, raw[-1], report))
            for step, spent in report.seconds.items():
                steps.setdefault(f"rebuild step: {step}", []).append(spent)
            caught.append(catch_up_rate(runtime, events))
            for name, values in latencies(runtime, usccs, recorded, rng, args.queries).items():
                lat.setdefault(f"{name} p50", []).append(percentile(values, 0.50) * 1000)
                lat.setdefault(f"{name} p99", []).append(percentile(values, 0.99) * 1000)
            print(
                f"run {run + 1}: raw {raw[-1]:,.0f}/s rebuild {rebuilt[-1]:,.0f}/s ({ratios[-1]:.2f}) "
                f"catch-up {caught[-1]:,.0f}/s",
                file=sys.stderr,
            )
    finally:
        runtime.close()
    rows = [
        ("raw sequential read of ledger_events", summary(raw), "rows/s"),
        ("rebuild (all read models, from zero)", summary(rebuilt), "events/s"),
        ("rebuild ÷ raw read (target ≥ 0.3)", summary(ratios), "ratio"),
        *[(name, summary(values), "s") for name, values in steps.items()],
        ("rebuild ÷ raw read if deriving took no time", summary(bounds), "ratio"),
        ("runner catch-up, pages of 2,000", summary(caught), "events/s"),
        *[(name, summary(values), "ms") for name, values in lat.items()],
    ]
    print(f"\n{events:,} events, {len(usccs):,} enterprises, {args.runs} runs\n")
    print(markdown_table(rows))
    path = write_results(
        "projections",
        {
            "events": events,
            "enterprises": len(usccs),
            "runs": args.runs,
            "queries_per_run": args.queries,
            "figures": {label: {**s, "unit": unit} for label, s, unit in rows},
        },
    )
    print(f"\nwritten {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
