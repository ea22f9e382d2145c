"""Garbage collection in processes that work through records in bulk (import, rebuild)."""

from __future__ import annotations

import gc


def for_bulk_work() -> None:
    """Collect far less often. CPython starts a collection every 700 new container objects; a
    record allocates dozens that live until its batch is saved, so they are traced again and
    again on their way to the old generation, and every full collection also walks the modules,
    schemas and rules loaded at start-up. Measured (docs/performance.md): 3-6 % of an import
    process's CPU; in a rebuild worker, collections took 0.57 s of ~10 s, then 0.09 s. A full
    collection still comes every ~10 million allocations (a few hundred thousand records), so
    garbage in cycles is freed and memory stays flat (`peak_rss_mb_import` in bench/results)."""
    gc.freeze()  # what is alive now (start-up, or what a fork inherited) lives on: never traced
    gc.set_threshold(50_000, 20, 10)
