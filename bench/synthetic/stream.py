"""The record stream: enterprises interleaved within a window, and JSON Lines output."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from typing import Any, TextIO

from bench.synthetic.generator import _Generator
from bench.synthetic.profiles import PROFILES, SCALES, Profile


def _resolve(scale: str | int | None, enterprises: int | None, profile: Profile | str | None) -> tuple[int, Profile]:
    if enterprises is None and isinstance(scale, int):
        enterprises, scale = scale, None
    if isinstance(scale, str):
        if scale not in SCALES:
            raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
        count, profile_name = SCALES[scale]
    else:
        count, profile_name = 0, "standard"
    if enterprises is not None:
        count = enterprises
    if count < 0:
        raise ValueError("the number of enterprises must not be negative")
    if profile is None:
        profile = profile_name
    if isinstance(profile, str):
        profile = PROFILES[profile]
    return count, profile


def generate(
    scale: str | int = "small",
    seed: int = 1,
    *,
    enterprises: int | None = None,
    profile: Profile | str | None = None,
    window: int | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield records (exchange-format dicts) for `scale` ('small', 'design', 'demo') or a number
    of enterprises, deterministically from `seed`.

    Enterprises are built one at a time; `window` of them (default: the profile's) are
    interleaved at random, each keeping its own order, so memory stays constant.
    """
    count, prof = _resolve(scale, enterprises, profile)
    if window is not None:
        prof = replace(prof, window=max(1, window))
    gen = _Generator(seed, prof)
    rng = gen.rng
    active: list[list[Any]] = []  # [records, position]
    next_index = 0
    while True:
        while len(active) < prof.window and next_index < count:
            active.append([gen.enterprise(next_index), 0])
            next_index += 1
        if not active:
            return
        slot = rng.randrange(len(active))
        entry = active[slot]
        records, pos = entry
        yield records[pos]
        pos += 1
        if pos == len(records):
            active[slot] = active[-1]
            active.pop()
        else:
            entry[1] = pos


def write_jsonl(records: Iterator[dict[str, Any]], out: TextIO) -> Counter[str]:
    """Write one JSON object per line; return the count of records per type."""
    counts: Counter[str] = Counter()
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    write = out.write
    buffer: list[str] = []
    for rec in records:
        counts[rec["type"]] += 1
        buffer.append(dumps(rec))
        if len(buffer) >= 2000:
            buffer.append("")
            write("\n".join(buffer))
            buffer.clear()
    if buffer:
        buffer.append("")
        write("\n".join(buffer))
    return counts
