"""Bitemporal bookkeeping, pure: how an enterprise's items change along recorded time.

For each recorded time `t` at which new records of the enterprise arrived, the items are
derived again from the history known at `t` (`items_of`), compared with the items open in
recorded time, and the difference becomes row changes: open rows that no longer hold are
closed at `t` (the recorded time of the causing records, never a clock), new items open at `t`.
The live projector and the rebuild both go through `evolve`, so they write the same rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from domain.context import RuleContext
from domain.history import AnyFact
from projections.items import Item, items_of


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
    ctx: RuleContext,
    changes: Changes | None = None,
) -> Changes:
    """Row changes for one enterprise: `history` is its raw history (with `recorded_at`, in log
    order) up to the last of `moments`; `stored_open` maps fingerprints of its stored open rows
    to their opening time; `moments` are the recorded times to derive at, ascending."""
    changes = changes if changes is not None else Changes()
    current: dict[str, tuple[Item, datetime, bool]] = {fp: (_NO_ITEM, at, True) for fp, at in stored_open.items()}
    count = 0
    for at in sorted(set(moments)):
        while count < len(history) and history[count].recorded_at <= at:  # type: ignore[operator]
            count += 1
        derived = {item.fingerprint: item for item in items_of(history[:count], ctx)}
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
