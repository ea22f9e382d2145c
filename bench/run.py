"""The scale benchmark of issue 5: one command, every figure beside a baseline of the same run.

    python bench/run.py --scale small             # 10,000 enterprises (~100,000 records), 3 runs
    python bench/run.py --scale small --runs 1
    python bench/run.py --scale design --runs 2 --import-runs 2   # 1,000,000 enterprises: ~1 hour, ~35 GB disk
    python bench/run.py --scale design --runs 2 --resume          # reads and HTTP again, on the database left

Phases (each figure the median of --runs runs, with its spread):

1. import: per run a fresh database (bench.common.scratch_server); the scale's records
   (bench/generate.py) imported as `credit-ledger import --workers 2` does
   (`application.parallel_import`; --import-workers) in a child process (the peak RSS of its largest
   process is the import's), then the same rows COPYed into a plain indexed table;
2. rebuild: raw sequential read of ledger_events, then `rebuild` of every read model from zero,
   the public items' beside their floor (the same rows COPYed into the emptied other slot, then the
   same VACUUM (ANALYZE) and index builds: `rebuild_vs_floor`, bench/projections.py);
   audit (issue 22): checkpoints signed over the whole log, `verify --database`, a bundle written
   and verified offline (`rebuild --verify` costs the rebuild plus `verify_s`); risk (issue 19,
   bench/risk.py): an effective run over every enterprise and its projection;
3. in-database reads: public view and list page at random enterprises and dates
   (bench/projections.py), the list page also with a random district and/or sector condition,
   beside a `SELECT 1` round trip; the risk class lookup and a page of a class;
4. HTTP: `credit-ledger serve --workers 2` (projector off) on 127.0.0.1 driven by wrk (else a
   bounded Python load generator) with 32 connections: public views of random enterprises,
   then the trivial `GET /v1/ping`; peak RSS of a worker sampled meanwhile.

Writes bench/results/<scale>.json (--results elsewhere) and prints a markdown table.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import multiprocessing
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.config import PROJECT_ROOT  # noqa: E402
from adapters.database import Server  # noqa: E402
from api.bootstrap import Runtime  # noqa: E402
from bench import import_bench, projections, risk  # noqa: E402
from bench.common import (  # noqa: E402
    RESULTS,
    LoadResult,
    RssSampler,
    drive,
    existing_server,
    free_port,
    peak_rss_mb,
    percentile,
    scratch_server,
    settings_for,
    stopwatch,
    summary,
    write_results,
)
from bench.generate import SCALES, generate, write_jsonl  # noqa: E402

DATABASE = "credit_ledger_bench_run"
LAST_DAY = date(2026, 11, 20)  # bench/generate.py writes no effective date after it

# figure → (unit, target as (comparison, bound) or None); baselines have no target
FIGURES: dict[str, tuple[str, tuple[str, float] | None]] = {
    "import_events_per_s": ("events/s", None),
    "copy_rows_per_s": ("rows/s", None),
    "import_vs_copy": ("ratio", (">=", 0.25)),
    "rebuild_events_per_s": ("events/s", None),
    "scan_rows_per_s": ("rows/s", None),
    "rebuild_vs_scan": ("ratio", (">=", 0.3)),
    # the rebuild's floor (issue 25, part 9): its rows, already derived, COPYed into the same
    # emptied slot, then the same VACUUM (ANALYZE) and index builds (bench/projections.py)
    "floor_events_per_s": ("events/s", None),
    "rebuild_vs_floor": ("ratio", (">=", 0.5)),
    "floor_copy_share": ("ratio", None),  # of the floor's time: the COPY (the rest: vacuum, indexes)
    "rebuild_derive_share": ("ratio", None),  # of the rebuild's time: the workers reading, deriving, COPYing
    "rebuild_vs_scan_bound": ("ratio", None),  # rebuild_vs_scan if deriving took no time (vacuum, indexes left)
    "rebuild_department_activity_s": ("s", None),  # the other read models' rebuilds, each alone
    "rebuild_risk_classes_s": ("s", None),
    "audit_sign_s": ("s", None),  # checkpoints of the whole log signed from none (every 1,000 leaves)
    "verify_s": ("s", None),  # `credit-ledger verify --database`: every leaf recomputed, every root
    "verify_events_per_s": ("events/s", None),
    "bundle_s": ("s", None),  # `credit-ledger audit bundle` (less its process start)
    "verify_bundle_s": ("s", None),  # `credit-ledger verify DIR`, offline
    # risk classes (issue 19, bench/risk.py): an effective run over every enterprise, its projection
    "risk_run_s": ("s", None),
    "risk_run_scan_s": ("s", None),  # reading and scoring every history (a worker per core)
    "risk_run_record_s": ("s", None),  # the RiskRun's events written to the ledger
    "risk_project_s": ("s", None),  # the read model copying the run's classes
    "risk_run_enterprises_per_s": ("enterprises/s", None),
    "risk_run_events_per_s": ("events/s", None),
    "risk_run_vs_scan": ("ratio", None),  # events/s of the run ÷ the raw read of the event table
    "risk_run_design_point_s": ("s", ("<", 60.0)),  # extrapolated to 1,000,000 enterprises
    "risk_class_a_share": ("ratio", None),
    "risk_class_d_share": ("ratio", None),
    "risk_lookup_p50_ms": ("ms", None),
    "risk_lookup_p99_ms": ("ms", ("<", 5.0)),
    "risk_list_page_p99_ms": ("ms", None),
    "public_view_p50_ms": ("ms", None),
    "public_view_p99_ms": ("ms", ("<", 5.0)),
    "list_page_p99_ms": ("ms", ("<", 20.0)),
    "list_page_filtered_p99_ms": ("ms", ("<", 20.0)),  # a district and/or sector condition
    "search_p50_ms": ("ms", None),  # GET /v1/enterprises?q=: five kinds of query (bench/projections.py)
    "search_p99_ms": ("ms", None),
    "db_roundtrip_p99_ms": ("ms", None),
    "http_public_view_rps": ("req/s", None),
    "http_p99_ms": ("ms", ("<", 50.0)),
    "http_trivial_rps": ("req/s", None),
    "http_trivial_p99_ms": ("ms", None),
    "http_vs_trivial": ("ratio", (">=", 0.5)),
    "peak_rss_mb_import": ("MB", None),
    "peak_rss_mb_worker": ("MB", ("<", 250.0)),
}


# --- 1. import ------------------------------------------------------------------------------


def write_scale(path: Path, scale: str, seed: int, enterprises: int | None) -> int:
    with path.open("w", encoding="utf-8") as out:
        return sum(write_jsonl(generate(scale, seed, enterprises=enterprises), out).values())


def copy_file(jsonl: Path, out: Path) -> None:
    """The COPY text of import_bench's baseline rows, prepared outside the timing (streamed:
    constant memory at any scale)."""
    import json

    def field(value: str) -> str:
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")

    with jsonl.open(encoding="utf-8") as src, out.open("w", encoding="utf-8") as dst:
        for line in src:
            line = line.rstrip("\n")
            rec = json.loads(line)
            src_ = rec["source"]
            row = (rec["uscc"], rec["type"], rec["effective_on"], src_["department"], src_["record_id"], line)
            dst.write("\t".join(field(v) for v in row) + "\n")


def run_copy(server: Server, rows: Path) -> float:
    """Seconds to COPY the prepared rows into import_bench's plain indexed table, and commit."""
    with server.connect() as conn:
        conn.execute("DROP TABLE IF EXISTS copy_baseline")
        conn.execute(import_bench.COPY_TABLE)
        conn.commit()
        columns = "uscc, record_type, effective_on, department, record_id, body"
        with stopwatch() as elapsed, conn.cursor() as cur, rows.open("rb") as f:
            with cur.copy(f"COPY copy_baseline ({columns}) FROM STDIN") as copy:
                while block := f.read(1 << 20):
                    copy.write(block)
            conn.commit()
        conn.execute("DROP TABLE copy_baseline")
        conn.commit()
        return elapsed()


def import_child(server: Server, path: Path, batch: int, workers: int) -> tuple[float, int, float]:
    """In a fresh process: seconds, records recorded, and the peak RSS in MB of the largest
    process of the import (this one, or one of its workers)."""
    seconds, recorded = import_bench.run_import(server, path, batch, workers)
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, recorded, max(peak_rss_mb(), children)


def import_once(
    path: Path, rows: Path, batch: int, workers: int, database: str
) -> tuple[Server, dict[str, float], int]:
    server = scratch_server(database)
    spawn = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=spawn) as pool:
        seconds, recorded, rss = pool.submit(import_child, server, path, batch, workers).result()
    copy_seconds = run_copy(server, rows)
    lines = sum(1 for _ in path.open(encoding="utf-8"))
    figures = {
        "import_events_per_s": recorded / seconds,
        "copy_rows_per_s": lines / copy_seconds,
        "peak_rss_mb_import": rss,
    }
    figures["import_vs_copy"] = figures["import_events_per_s"] / figures["copy_rows_per_s"]
    return server, figures, recorded


# --- 2. rebuild and 3. in-database reads ----------------------------------------------------


def rebuild_once(runtime: Runtime, events: int) -> dict[str, float]:
    scan = projections.raw_read(runtime)
    seconds, report = projections.timed_rebuild(runtime, events)
    floor = projections.rebuild_floor(runtime)
    others = {f"rebuild_{name}_s": spent for name, spent in projections.other_rebuilds(runtime, events).items()}
    return {
        "scan_rows_per_s": scan,
        "rebuild_events_per_s": events / seconds,
        "rebuild_vs_scan": events / seconds / scan,
        "rebuild_derive_share": report.seconds["derive"] / seconds,
        "rebuild_vs_scan_bound": projections.ratio_if_deriving_were_free(events, scan, report),
        "floor_events_per_s": events / floor["total"],
        "rebuild_vs_floor": floor["total"] / seconds,
        "floor_copy_share": floor["copy"] / floor["total"],
        **others,
    }


def audit_once(runtime: Runtime, events: int, tmp: Path) -> dict[str, float]:
    from adapters.audit_bundle import verify_bundle, write_bundle
    from adapters.audit_log import verify_database

    with runtime.server.connect() as conn:
        conn.execute("TRUNCATE audit_checkpoints, audit_nodes")  # each run signs the whole log
        conn.commit()
    key, out = runtime.signer.verifier, tmp / "bundle"
    with stopwatch() as sign:
        runtime.checkpointer.step()
    with stopwatch() as verify:
        verify_database(runtime.server.conninfo, key)
    with stopwatch() as bundle:
        write_bundle(runtime.server.conninfo, out, key, runtime.settings.log_origin)
    with stopwatch() as offline:
        verify_bundle(out, key)
    return {
        "audit_sign_s": sign(),
        "verify_s": verify(),
        "verify_events_per_s": events / verify(),
        "bundle_s": bundle(),
        "verify_bundle_s": offline(),
    }


def roundtrip_p99_ms(runtime: Runtime, n: int) -> float:
    with runtime.server.connect() as conn:
        times = []
        for _ in range(n):
            t = time.perf_counter()
            conn.execute("SELECT 1").fetchone()
            times.append(time.perf_counter() - t)
    return percentile(times, 0.99) * 1000


def reads_once(
    runtime: Runtime, usccs: list[str], recorded: list[datetime], rng: random.Random, n: int
) -> dict[str, float]:
    lat = projections.latencies(runtime, usccs, recorded, rng, n)
    return {
        "public_view_p50_ms": percentile(lat["public_view"], 0.50) * 1000,
        "public_view_p99_ms": percentile(lat["public_view"], 0.99) * 1000,
        "list_page_p99_ms": percentile(lat["list_page"], 0.99) * 1000,
        "list_page_filtered_p99_ms": percentile(lat["list_page_filtered"], 0.99) * 1000,
        "search_p50_ms": percentile(lat["search"], 0.50) * 1000,
        "search_p99_ms": percentile(lat["search"], 0.99) * 1000,
        "db_roundtrip_p99_ms": roundtrip_p99_ms(runtime, n),
    }


# --- 4. HTTP --------------------------------------------------------------------------------


def public_view_paths(registrations: list[tuple[str, date]], rng: random.Random, n: int) -> list[str]:
    """Public views of n random enterprises, each on a random date from its registration on."""
    paths = []
    for uscc, first in rng.sample(registrations, min(n, len(registrations))):
        as_of = first + timedelta(days=rng.randrange(max(1, (LAST_DAY - first).days + 1)))
        paths.append(f"/v1/enterprises/{uscc}/public-view?as_of={as_of.isoformat()}")
    return paths


class Serve:
    """`credit-ledger serve --workers N` on 127.0.0.1, projector off (unless `projector`); stopped on exit."""

    def __init__(self, server: Server, log: Path, workers: int = 2, projector: bool = False) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "DATABASE_URL": server.conninfo, "CREDIT_LEDGER_PROJECTOR": "1" if projector else "0"}
        args = ["serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers)]
        self._log = log.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "api.cli", *args],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        import urllib.request

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"serve exited with {self.proc.returncode}; see {self._log.name}")
            try:
                with urllib.request.urlopen(f"{self.base}/v1/ping", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"serve not ready after {timeout:.0f} s; see {self._log.name}")

    def __enter__(self) -> Serve:
        try:
            self.wait_ready()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()  # uvicorn's supervisor stops its workers on SIGTERM
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)  # the session we started: serve and its workers
                self.proc.wait(10)
        self._log.close()


def http_once(serve: Serve, paths: list[str], duration: float, connections: int, tmp: Path) -> dict[str, float]:
    view = drive(serve.base, paths, duration, connections, tmp)
    trivial = drive(serve.base, ["/v1/ping"], duration, connections, tmp)
    for name, result in (("public view", view), ("ping", trivial)):
        if result.failed:
            print(f"  warning: {result.failed} of {result.requests} {name} requests failed", file=sys.stderr)
    return {
        "http_public_view_rps": view.rps,
        "http_p99_ms": view.p99_ms,
        "http_trivial_rps": trivial.rps,
        "http_trivial_p99_ms": trivial.p99_ms,
        "http_vs_trivial": view.rps / trivial.rps,
    }


# --- the command ----------------------------------------------------------------------------


def verdict(name: str, median: float) -> str:
    target = FIGURES[name][1]
    if target is None:
        return ""
    op, bound = target
    met = median >= bound if op == ">=" else median < bound
    return f"{'met' if met else 'missed'} ({op} {bound:g})"


def table(figures: dict[str, dict[str, float]]) -> str:
    lines = ["| figure | median | min – max | unit | design target |", "| --- | --- | --- | --- | --- |"]
    for name, s in figures.items():
        fmt = "{:,.3f}" if s["median"] < 10 else "{:,.0f}"
        spread = f"{fmt.format(s['min'])} – {fmt.format(s['max'])}"
        lines.append(
            f"| `{name}` | {fmt.format(s['median'])} | {spread} | {FIGURES[name][0]} | {verdict(name, s['median'])} |"
        )
    return "\n".join(lines)


def collect(into: dict[str, list[float]], figures: dict[str, float], label: str) -> None:
    for k, v in figures.items():
        into.setdefault(k, []).append(v)
    print(f"  {label}: " + ", ".join(f"{k} {v:,.3g}" for k, v in figures.items()), file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=["small", "design"], required=True)
    parser.add_argument("--runs", type=int, default=3, help="runs of each figure (median and spread)")
    parser.add_argument("--import-runs", type=int, help="fresh-database imports (default: --runs)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=500, help="records per import transaction")
    parser.add_argument("--import-workers", type=int, default=2, help="credit-ledger import --workers")
    parser.add_argument("--queries", type=int, default=400, help="in-database queries per run")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of HTTP load per endpoint per run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--enterprises", type=int, help="override the scale's count (smoke tests only)")
    parser.add_argument("--paths", type=int, default=2000, help="distinct public-view URLs rotated over")
    parser.add_argument("--database", default=DATABASE, help="the scratch database (dropped and made anew per import)")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where <scale>.json goes")
    parser.add_argument(
        "--resume",
        action="store_true",
        help="only the in-database reads and HTTP, on the database the last run of this scale left "
        "(after it stopped in those phases); merged into its results",
    )
    args = parser.parse_args(argv)

    values: dict[str, list[float]] = {}
    facts: dict[str, Any] = {}
    kept: dict[str, Any] = {}
    started = time.perf_counter()

    def checkpoint(phase: str) -> Path:
        """The results so far: a long run that fails late still leaves the figures it measured."""
        facts.update(completed=phase, wall_s=round(time.perf_counter() - started + kept_wall, 1))
        return write_results(args.scale, results_of(args, values, facts, kept), args.results)

    with tempfile.TemporaryDirectory(prefix="bench-run-") as tmp_name:
        tmp = Path(tmp_name)
        if args.resume:
            previous = json.loads((args.results / f"{args.scale}.json").read_text(encoding="utf-8"))
            kept = previous["figures"]
            keep = ("records", "events", "server", "import_workers", "import_runs")
            facts.update({k: previous[k] for k in keep if k in previous})
            facts["resumed"] = f"reads and HTTP measured again after a run that completed {previous['completed']!r}"
            kept_wall = float(previous.get("wall_s", 0))
            server, events = existing_server(args.database), int(previous["events"])
        else:
            kept_wall = 0.0
            server, events = measure_import(args, values, facts, tmp)
            checkpoint("import")
        runtime = Runtime.open(settings_for(server))
        try:
            if not args.resume:
                for run in range(args.runs):
                    collect(values, rebuild_once(runtime, events), f"rebuild run {run + 1}")
                checkpoint("rebuild")
                for run in range(args.runs):
                    collect(values, audit_once(runtime, events, tmp), f"audit run {run + 1}")
                checkpoint("audit")
                scan = summary(values["scan_rows_per_s"])["median"]
                enterprises = args.enterprises or SCALES[args.scale][0]
                for run in range(args.runs):
                    on = LAST_DAY + timedelta(days=run + 1)
                    collect(values, risk.run_once(runtime, on, enterprises, events, scan), f"risk run {run + 1}")
                checkpoint("risk")
            rng = random.Random(args.seed)
            registrations, recorded = samples(runtime)
            for run in range(args.runs):
                lat = reads_once(runtime, [u for u, _ in registrations], recorded, rng, args.queries)
                collect(values, lat, f"reads run {run + 1}")
            moments = [*recorded, *risk.run_moments(runtime)]
            for run in range(args.runs):
                lat = risk.lookups(runtime, [u for u, _ in registrations], moments, rng, args.queries)
                collect(values, lat, f"risk lookups run {run + 1}")
            checkpoint("reads")
            paths = public_view_paths(registrations, rng, args.paths)
        finally:
            runtime.close()

        with Serve(server, tmp / "serve.log") as serve, RssSampler(serve.proc.pid) as rss:
            drive(serve.base, paths, 2.0, args.connections, tmp)  # warm-up, not counted
            drive(serve.base, ["/v1/ping"], 2.0, args.connections, tmp)
            for run in range(args.runs):
                rss.peak_mb = 0.0  # each run's own peak
                collect(values, http_once(serve, paths, args.duration, args.connections, tmp), f"HTTP run {run + 1}")
                values.setdefault("peak_rss_mb_worker", []).append(rss.peak_mb)

    path = checkpoint("all")
    print(
        f"\n{args.scale}: {facts['records']:,} records, {events:,} events, {args.runs} runs, {facts['wall_s']:.0f} s\n"
    )
    print(table({**kept, **{n: summary(values[n]) for n in FIGURES if n in values}}))
    if warning := settings_warning(args.scale, facts.get("server", {})):
        print(f"\n{warning}", file=sys.stderr)
    if LoadResult.generator() != "wrk":
        print(
            "\nwarning: no wrk on this machine: the HTTP figures come from a Python load generator, "
            "which saturates before the server does (install wrk: apt-get install wrk)",
            file=sys.stderr,
        )
    print(f"\nwritten {path}", file=sys.stderr)
    return 0


def measure_import(
    args: argparse.Namespace, values: dict[str, list[float]], facts: dict[str, Any], tmp: Path
) -> tuple[Server, int]:
    jsonl, rows = tmp / "records.jsonl", tmp / "copy.tsv"
    started = time.perf_counter()
    facts["records"] = write_scale(jsonl, args.scale, args.seed, args.enterprises)
    copy_file(jsonl, rows)
    print(
        f"{args.scale}: {facts['records']:,} records generated ({time.perf_counter() - started:.0f} s)", file=sys.stderr
    )
    for run in range(args.import_runs or args.runs):
        server, figures, events = import_once(jsonl, rows, args.batch, args.import_workers, args.database)
        collect(values, figures, f"import run {run + 1}")
    rows.unlink()
    facts.update(events=events, server=server_facts(server))
    return server, events


def samples(runtime: Runtime) -> tuple[list[tuple[str, date]], list[datetime]]:
    """Each enterprise with its registration date, and every recorded time (plus now).
    Registrations rather than `DISTINCT uscc`: PostgreSQL's hash aggregate, estimating 150,000
    groups for 1,000,000, ran for more than 12 minutes at the design scale."""
    with runtime.server.connect() as conn:
        registrations = conn.execute(
            "SELECT uscc, effective_on FROM record_log WHERE record_type = 'enterprise.registered' ORDER BY uscc"
        ).fetchall()
        recorded = [r[0] for r in conn.execute("SELECT DISTINCT recorded_at FROM record_log")]
    return [(u, d) for u, d in registrations], [*recorded, datetime.now(UTC)]


def results_of(
    args: argparse.Namespace, values: dict[str, list[float]], facts: dict[str, Any], kept: dict[str, Any]
) -> dict[str, Any]:
    """`kept`: figures of an earlier run carried over (--resume); those measured now replace them."""
    figures = {name: summary(values[name]) for name in FIGURES if name in values}
    measured = {k: {**s, "unit": FIGURES[k][0], "target": verdict(k, s["median"])} for k, s in figures.items()}
    return {
        "scale": args.scale,
        "enterprises": args.enterprises or SCALES[args.scale][0],
        **facts,
        "runs": args.runs,  # of the figures measured last; each figure says its own
        "import_runs": facts.get("import_runs", args.import_runs or args.runs),
        "import_workers": facts.get("import_workers", args.import_workers),
        "load": {"connections": args.connections, "duration_s": args.duration, "generator": LoadResult.generator()},
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "figures": {**kept, **measured},
    }


DESIGN_SETTINGS = {
    "shared_buffers": "4GB",
    "max_wal_size": "16GB",
    "checkpoint_timeout": "30min",
    "work_mem": "16MB",
    "maintenance_work_mem": "512MB",
}
"""The tuned settings of the design figures of sessions 3 and 4 (docs/performance.md), set by
hand (ALTER SYSTEM); sessions 6 and 7 ran on the defaults."""


def settings_warning(scale: str, server: dict[str, str]) -> str | None:
    """Why a design run is not comparable with the recorded figures, if it is not."""
    differ = {name: value for name, value in DESIGN_SETTINGS.items() if server.get(name) != value}
    if scale != "design" or not differ:
        return None
    found = ", ".join(f"{name} {server.get(name)} (not {value})" for name, value in differ.items())
    return (
        f"warning: this PostgreSQL has {found}: the tuned design figures in docs/performance.md ran "
        "with the settings named there (ALTER SYSTEM, then restart the server)"
    )


def server_facts(server: Server) -> dict[str, str]:
    """The PostgreSQL version and the settings that matter most to these figures."""
    names = ("server_version", *DESIGN_SETTINGS)
    with server.connect() as conn:
        return {n: str(conn.execute(f"SHOW {n}").fetchone()[0]) for n in names}  # type: ignore[index]


if __name__ == "__main__":
    raise SystemExit(main())
