"""Bitemporal bookkeeping, pure: dated items, and how an enterprise's items change along
recorded time.

An `Item` is a derived fact valid over effective dates [start, end). For each recorded time `t`
at which new records of the enterprise arrived, its items are derived again from the history
known at `t` (by the read model's pure function), compared with the items open in recorded
time, and the difference becomes row changes: open rows that no longer hold are closed at `t`
(the recorded time of the causing records, never a clock), new items open at `t`. The runner
and the rebuild both go through `evolve`, so they write the same rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any

import orjson

from domain.history import AnyFact


@dataclass(frozen=True, order=True)
class Item:
    """A derived fact valid over effective dates [start, end) (None: unbounded)."""

    kind: str
    subject: str
    start: date | None
    end: date | None
    body: str  # canonical JSON (sorted keys): what the answer shows

    @cached_property
    def fingerprint(self) -> str:
        text = f"{self.kind}\x1f{self.subject}\x1f{self.start}\x1f{self.end}\x1f{self.body}"
        return hashlib.sha1(text.encode()).hexdigest()

    def contains(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)


def canonical(body: dict[str, Any]) -> str:
    """Sorted keys, no whitespace, UTF-8 text: equal bodies give equal text (and fingerprints).
    Byte for byte what `json.dumps(sort_keys=True, ensure_ascii=False, separators=(",", ":"))`
    writes for the JSON values bodies hold (strings, integers, booleans, null: `model_dump(mode=
    "json")` turns decimals and dates into strings); a float or datetime would be written
    differently, and would change fingerprints: keep them out of bodies."""
    return orjson.dumps(body, option=orjson.OPT_SORT_KEYS, default=str).decode()


Derive = Callable[[Sequence[AnyFact]], list[Item]]
"""A read model's pure function: an enterprise's raw history as known at a moment → its items."""


@dataclass(frozen=True)
class Row:
    uscc: str
    item: Item
    since: datetime
    until: datetime | None  # None: still open in recorded time


@dataclass
class Changes:
    close: list[tuple[str, str, datetime]] = field(default_factory=list)
    """(uscc, fingerprint, at) of stored open rows: closed at `at` (deleted if opened at `at`)."""
    insert: list[Row] = field(default_factory=list)


def evolve(
    uscc: str,
    history: Sequence[AnyFact],
    stored_open: dict[str, datetime],
    moments: Iterable[datetime],
    derive: Derive,
    changes: Changes | None = None,
) -> Changes:
    """Row changes for one enterprise: `history` is its raw history (with `recorded_at`, in log
    order) up to the last of `moments`; `stored_open` maps fingerprints of its stored open rows
    to their opening time; `moments` are the recorded times to derive at, ascending."""
    changes = changes if changes is not None else Changes()
    current: dict[str, tuple[Item, datetime, bool]] = {fp: (_NO_ITEM, at, True) for fp, at in stored_open.items()}
    count = 0
    for at in sorted(set(moments)):
        while count < len(history) and _recorded(history[count]) <= at:
            count += 1
        derived = {item.fingerprint: item for item in derive(history[:count])}
        for fp in [fp for fp in current if fp not in derived]:
            item, since, stored = current.pop(fp)
            if stored:
                changes.close.append((uscc, fp, at))
            elif since < at:
                changes.insert.append(Row(uscc, item, since, at))
        for fp, item in derived.items():
            if fp not in current:
                current[fp] = (item, at, False)
    for item, since, stored in current.values():
        if not stored:
            changes.insert.append(Row(uscc, item, since, None))
    return changes


_NO_ITEM = Item("", "", None, None, "")


def _recorded(fact: AnyFact) -> datetime:
    assert fact.recorded_at is not None, "a stored history's facts have recorded times"
    return fact.recorded_at
