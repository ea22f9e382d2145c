"""Import throughput through the real intake path, against a raw COPY of the same rows.

    python bench/import_bench.py --records 100000 --runs 3

Each run: a fresh ledger database; the same N synthetic records (bench/generate.py) imported
with `ledger.bulk.import_file` — what `credit-ledger import` does — then the same N lines
COPYed into a plain table with a primary key and the idempotency-key index, in the same
process. Reports events/s of both, and their ratio, as median and spread over the runs.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.database import Server  # noqa: E402
from api.bootstrap import (
    Runtime,  # noqa: E402
    import_with,  # noqa: E402
)
from application.imports import author_named_by_line  # noqa: E402
from bench.common import markdown_table, scratch_server, settings_for, stopwatch, summary, write_results  # noqa: E402
from bench.generate import generate  # noqa: E402

COPY_TABLE = """
CREATE TABLE copy_baseline (
    id bigserial PRIMARY KEY,
    uscc text NOT NULL,
    record_type text NOT NULL,
    effective_on date NOT NULL,
    department text NOT NULL,
    record_id text NOT NULL,
    body jsonb NOT NULL,
    UNIQUE (department, record_id)
)"""


def write_records(path: Path, n: int, seed: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for rec in itertools.islice(generate("design", seed), n):
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")


def run_import(server: Server, path: Path, batch: int, workers: int = 1) -> tuple[float, int]:
    """Seconds and records recorded: `credit-ledger import`'s path, in `workers` processes."""
    runtime = Runtime.open(settings_for(server))
    try:
        with stopwatch() as elapsed:
            result = import_with(
                runtime, path, io.StringIO(), author=author_named_by_line, workers=workers, batch_size=batch
            )
        return elapsed(), result.recorded
    finally:
        runtime.close()


def run_copy(server: Server, path: Path) -> float:
    with server.connect() as conn:
        conn.execute("DROP TABLE IF EXISTS copy_baseline")
        conn.execute(COPY_TABLE)
        conn.commit()
        lines = path.read_text(encoding="utf-8").splitlines()
        rows = []
        for line in lines:
            rec = json.loads(line)
            rows.append(
                (
                    rec["uscc"],
                    rec["type"],
                    rec["effective_on"],
                    rec["source"]["department"],
                    rec["source"]["record_id"],
                    line,
                )
            )
        with stopwatch() as elapsed, conn.cursor() as cur:
            with cur.copy(
                "COPY copy_baseline (uscc, record_type, effective_on, department, record_id, body) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
            conn.commit()
        return elapsed()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    import_rates, copy_rates, ratios = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "records.jsonl"
        write_records(path, args.records, args.seed)
        for run in range(args.runs):
            server = scratch_server("credit_ledger_bench")
            seconds, recorded = run_import(server, path, args.batch)
            copy_seconds = run_copy(server, path)
            import_rates.append(recorded / seconds)
            copy_rates.append(args.records / copy_seconds)
            ratios.append(import_rates[-1] / copy_rates[-1])
            print(
                f"run {run + 1}: import {import_rates[-1]:,.0f} records/s ({recorded} recorded), "
                f"COPY {copy_rates[-1]:,.0f} rows/s, ratio {ratios[-1]:.4f}",
                file=sys.stderr,
            )

    results = {
        "records": args.records,
        "batch": args.batch,
        "import_events_per_s": summary(import_rates),
        "copy_rows_per_s": summary(copy_rates),
        "import_vs_copy": summary(ratios),
    }
    path = write_results("import", results)
    print(
        markdown_table(
            [
                ("import through intake", results["import_events_per_s"], "records/s"),
                ("raw COPY, same rows", results["copy_rows_per_s"], "rows/s"),
                ("import ÷ COPY", results["import_vs_copy"], "ratio"),
            ]
        )
    )
    print(f"\nwritten to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
