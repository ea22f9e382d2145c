"""Risk scoring alone (issue 19): the pure `assess` over synthetic histories held in memory, in
one process, without the database or event decoding that an effective run adds.

Baseline in the same run: `resolve` over the same histories (corrections applied, retractions
dropped), which every assessment does first. Reports enterprises/s of each (median and spread
of `--runs`) and their ratio.

    .venv/bin/python bench/risk_scoring.py --enterprises 3000 --runs 5
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, date, datetime
from datetime import time as clock_time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synthetic.generator import _Generator  # noqa: E402
from bench.synthetic.profiles import PROFILES  # noqa: E402
from domain.history import AnyFact, Fact, resolve  # noqa: E402
from domain.records import DATA_MODELS  # noqa: E402
from domain.risk.model import parse_model  # noqa: E402
from domain.risk.scoring import assess  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "risk-models" / "tj-2021.1-provisional.json"


def histories(enterprises: int, seed: int) -> list[list[AnyFact]]:
    """Each synthetic enterprise's records as facts, recorded on their effective dates."""
    generator = _Generator(seed, PROFILES["standard"])
    out: list[list[AnyFact]] = []
    for index in range(enterprises):
        facts: list[AnyFact] = []
        for sequence, record in enumerate(generator.enterprise(index), start=1):
            effective = date.fromisoformat(record["effective_on"])
            facts.append(
                Fact(
                    type=record["type"],
                    effective_on=effective,
                    department=record["source"]["department"],
                    record_id=record["source"]["record_id"],
                    data=DATA_MODELS[record["type"]].model_validate(record["data"]),
                    sequence=sequence,
                    recorded_at=datetime.combine(effective, clock_time(2), UTC),
                )
            )
        out.append(facts)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--on", type=date.fromisoformat, default=date(2026, 1, 1))
    args = parser.parse_args(argv)
    model = parse_model(MODEL.read_text(encoding="utf-8"))
    print(f"generating {args.enterprises:,} histories …", file=sys.stderr)
    held = histories(args.enterprises, args.seed)
    scored, resolved = [], []
    for run in range(args.runs):
        started = time.perf_counter()
        for history in held:
            resolve(history)
        resolved.append(args.enterprises / (time.perf_counter() - started))
        started = time.perf_counter()
        for history in held:
            assess(history, model, args.on)
        scored.append(args.enterprises / (time.perf_counter() - started))
        print(f"run {run + 1}/{args.runs}: {scored[-1]:,.0f} enterprises/s scored", file=sys.stderr)
    ratios = [s / r for s, r in zip(scored, resolved, strict=True)]
    for name, values in (("assess", scored), ("resolve (baseline)", resolved), ("assess ÷ resolve", ratios)):
        print(f"{name}: median {statistics.median(values):,.3f}, min {min(values):,.3f}, max {max(values):,.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
