"""Synthetic Tianjin credit-ledger records in the exchange format (design.md, issue 5 item 1).

Deterministic from a seed, streamed one enterprise at a time (constant memory in the number of
enterprises), and shaped like the domain:

- valid USCCs (GB 32100-2015 check character via `stdnum.cn.uscc`; positions 3-8 a Tianjin
  registering-authority code, including the retired codes of ID-11 for old enterprises;
  positions 9-17 an organisation code passing the GB 11714 check of ID-03), unique per run;
- current Tianjin district codes (ID-10), Chinese names and addresses;
- the three key sectors (food_production, special_food, special_equipment) and a majority of
  ordinary enterprises without permits;
- permits with 5-year validity (4 years for special equipment, KEY-06) and renewals, revocations
  and cancellations; penalties of every kind (most enterprises have none); inspections;
  commitments and their verification; abnormal listings and removals; serious listings decided
  together with a heavier penalty (SDL-10); repairs that respect PEN-11/PEN-12 and SDL-31;
  corrections (full replacement data, same department) and retractions; and records that
  arrive late.

Records of one enterprise are emitted in an order the intake accepts (domain.consistency);
a bounded window of enterprises is interleaved so that the stream is not sorted by enterprise.

    python bench/generate.py --scale small --seed 1 > small.jsonl
    python bench/generate.py --enterprises 300 --seed 7 --out few.jsonl --stats

The generator lives in the package bench/synthetic/; this module is its command line and the
surface other code imports from.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synthetic.dates import FIRST_DAY, LAST_DAY  # noqa: E402
from bench.synthetic.identifiers import make_uscc, organisation_code  # noqa: E402
from bench.synthetic.profiles import PROFILES, SCALES, Profile  # noqa: E402
from bench.synthetic.reference import (  # noqa: E402
    CITY_AUTHORITY,
    DISTRICTS,
    ENF_AUTHORITY,
    LOWER_AMOUNT_FINE,
    NO_EARLY_STOP,
    PENALTY_KINDS,
    SECTORS,
)
from bench.synthetic.stream import generate, write_jsonl  # noqa: E402

__all__ = [
    "SCALES",
    "Profile",
    "generate",
    "write_jsonl",
    "main",
    "PROFILES",
    "FIRST_DAY",
    "LAST_DAY",
    "DISTRICTS",
    "CITY_AUTHORITY",
    "ENF_AUTHORITY",
    "SECTORS",
    "PENALTY_KINDS",
    "NO_EARLY_STOP",
    "LOWER_AMOUNT_FINE",
    "make_uscc",
    "organisation_code",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate synthetic Tianjin credit-ledger records (JSON Lines).")
    parser.add_argument(
        "--scale",
        choices=sorted(SCALES),
        default="small",
        help="small: 10,000 enterprises; design: 1,000,000; demo: 50 (richer profile)",
    )
    parser.add_argument(
        "--enterprises",
        type=int,
        help="custom number of enterprises (standard profile unless --scale demo is given too)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--window", type=int, help="enterprises interleaved at once")
    parser.add_argument("--out", type=Path, help="output file (default: standard output)")
    parser.add_argument("--stats", action="store_true", help="print counts per type and the rate to stderr")
    args = parser.parse_args(argv)
    scale: str | None = args.scale
    if args.enterprises is not None and "--scale" not in (argv if argv is not None else sys.argv[1:]):
        scale = None
    records = generate(scale or args.enterprises, args.seed, enterprises=args.enterprises, window=args.window)
    started = time.perf_counter()
    if args.out is not None:
        with args.out.open("w", encoding="utf-8", newline="\n") as out:
            counts = write_jsonl(records, out)
    else:
        sys.stdout.reconfigure(encoding="utf-8", newline="\n")  # type: ignore[attr-defined]
        try:
            counts = write_jsonl(records, sys.stdout)
            sys.stdout.flush()
        except BrokenPipeError:  # e.g. piped into `head`
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1
    elapsed = time.perf_counter() - started
    if args.stats:
        total = sum(counts.values())
        for rtype, n in sorted(counts.items()):
            print(f"{rtype:28} {n:>10,}", file=sys.stderr)
        print(
            f"{'total':28} {total:>10,}  in {elapsed:.2f} s = {total / max(elapsed, 1e-9):,.0f} records/s",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
