"""A hashrank-v1 draw over 1,000,000 enterprises (issue 20: under 2 s on the design machine's
cores), pure: the canonical JSON and digest of the inputs, then the draw (seed, ranking per
stratum, inspectors). Baseline in the same run: one SHA-256 per USCC, the least any hash-ranked
draw must do (`baseline_s`); the draw's ratio to it says what the rest costs.

    .venv/bin/python bench/draws.py [--enterprises 1000000] [--repeat 5] [--results bench/results]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import time
from pathlib import Path
from typing import Any

from domain import hashrank

CLASS_SHARES = {"A": 0.55, "B": 0.30, "C": 0.10, "D": 0.05}
RATIOS = {"A": 0.005, "B": 0.01, "C": 0.03, "D": 0.1}
"""About 1.4 % selected (14,000 of a million); RISK-05's Daqing ratios would select ~20 %, a
campaign no single task of one body draws. A pool of 60 inspectors of capacity 500."""
POOL, CAPACITY = 60, 500


def usccs(n: int) -> list[str]:
    # 18 ASCII characters like a USCC; the check character does not matter to the algorithm
    return [f"91120{i % 17:02d}{i:010d}X" for i in range(n)]


def inputs_for(n: int, secret: str) -> dict[str, Any]:
    everyone = usccs(n)
    strata, start = [], 0
    for name, share in CLASS_SHARES.items():
        count = round(share * n) if name != "D" else n - start
        strata.append({"name": name, "ratio": RATIOS[name], "members": sorted(everyone[start : start + count])})
        start += count
    return {
        "algorithm": hashrank.ALGORITHM,
        "task_id": "BENCH",
        "item_id": "BENCH-ITEM",
        "on": "2026-03-02",
        "parties": ["bench"],
        "strata": strata,
        "inspectors": [{"id": f"INS-{i:05d}", "capacity": CAPACITY} for i in range(POOL)],
        "recusals": [],
        "per_enterprise": 2,
        "commits": [hashrank.commit(secret)],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--results", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    secret = "5eed" * 16
    inputs = inputs_for(args.enterprises, secret)
    members = [u for s in inputs["strata"] for u in s["members"]]
    runs: dict[str, list[float]] = {"baseline_s": [], "digest_s": [], "draw_s": []}
    for _ in range(args.repeat):
        started = time.perf_counter()
        seed = b"\0" * 32
        for u in members:
            hashlib.sha256(seed + b"E" + u.encode("ascii")).digest()
        runs["baseline_s"].append(time.perf_counter() - started)
        started = time.perf_counter()
        hashrank.inputs_digest(inputs)
        digested = time.perf_counter() - started
        started = time.perf_counter()
        drawn = hashrank.draw(inputs, [secret])  # the whole draw: checks, its own digest, seed, ranks
        runs["digest_s"].append(digested)
        runs["draw_s"].append(time.perf_counter() - started)
    result: dict[str, Any] = {
        "enterprises": args.enterprises,
        "selected": len(drawn.selected),
        "repeat": args.repeat,
    }
    for name, values in runs.items():
        result[name] = {
            "median": round(statistics.median(values), 3),
            "min": round(min(values), 3),
            "max": round(max(values), 3),
        }
    result["draw_to_baseline"] = round(result["draw_s"]["median"] / result["baseline_s"]["median"], 2)
    result["under_2s"] = result["draw_s"]["median"] < 2.0
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "draws.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
