"""Garbage collection in processes that work through records in bulk (import, rebuild)."""

from __future__ import annotations

import gc


def for_bulk_work() -> None:
    """Collect far less often. CPython starts a collection every 700 new container objects; a
    record allocates dozens that live until its batch is saved, so they are traced again and
    again on their way to the old generation, and every full collection also walks the modules,
    schemas and rules loaded at start-up. Measured (docs/performance.md): a tenth of an import
    process's time and a twentieth of a rebuild worker's. These objects hold no reference
    cycles to speak of, so memory stays flat."""
    gc.freeze()  # what is alive now (start-up, or what a fork inherited) lives on: never traced
    gc.set_threshold(50_000, 50, 100)
