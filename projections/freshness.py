"""How far the read models have got, and the bounded wait for a position (issue 25, part 1:
read your writes; the HTTP side is `api/freshness.py`).

Where the wait looks: the positions this process's projector committed (free), then the
`projection_state` rows (one small query every few milliseconds, waking the local projector so
that it steps at once rather than after its idle wait). A position reported is a lower bound of
where the read models are, as they only move forward.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any

import psycopg

from domain.errors import InvalidInputError, NotProjectedYetError, Problem
from projections import log
from projections.readmodel import horizons, read_states


class Freshness:
    """How far the read models have got, and the bounded wait for a position."""

    def __init__(
        self,
        connect: Callable[[], AbstractContextManager[psycopg.Connection[Any]]],
        local: Callable[[], dict[str, int]],
        wake: Callable[[], None],
        wait_s: float,
        local_horizons: Callable[[], dict[str, datetime]] = dict,
    ) -> None:
        self._connect, self._local, self._wake, self.wait_s = connect, local, wake, wait_s
        self._local_horizons = local_horizons
        self._seen: dict[str, int] = {}
        self._horizons: dict[str, datetime | None] = {}

    def known(self, models: Sequence[str]) -> int:
        """The lowest position among `models` known without asking the database (asked once,
        the first time a model is named, so that a process without a projector reports more than 0)."""
        local = self._local()
        if any(m not in self._seen and m not in local for m in models):
            self.refresh(models)
        return min(max(self._seen.get(m, 0), local.get(m, 0)) for m in models)

    def refresh(self, models: Sequence[str]) -> tuple[int, int]:
        """The lowest position among `models` as stored, and the head of the log."""
        with self._connect() as conn:
            for name, state in read_states(conn).items():
                self._seen[name] = max(self._seen.get(name, 0), state.position)
            head = log.head(conn)
        for name in models:
            self._seen.setdefault(name, 0)  # a model without a state row has applied nothing
        return self.known(models), head

    def complete(self, models: Sequence[str]) -> datetime | None:
        """The moment by which `models` all hold every record, as known without asking the
        database (None: one of them has none yet)."""
        local = self._local_horizons()
        found = [max_moment(self._horizons.get(m), local.get(m)) for m in models]
        return None if any(f is None for f in found) else min(f for f in found if f is not None)

    def settle(self, models: Sequence[str], known_at: datetime) -> datetime:
        """The moment to answer `known_at` for, so that the answer never changes (issue 25,
        part 2): `known_at` itself once `models` hold every record recorded by then, waiting
        up to the wait for the projector; else the latest moment they do, which the answer then
        names as its `known_at`. A `known_at` further ahead of the database's clock than the
        wait is answered for that moment at once."""
        done = self.complete(models)
        if done is not None and done >= known_at:
            return known_at
        deadline, pause = time.monotonic() + self.wait_s, 0.002
        while True:
            done, now = self._refresh_horizons(models)
            if done is not None and done >= known_at:
                return known_at
            if known_at > now + timedelta(seconds=self.wait_s) or time.monotonic() >= deadline:
                if done is None:
                    raise NotProjectedYetError(
                        "the read model has not yet reached the head of the log once; ask again shortly",
                        position=self.known(models),
                    )
                return done
            self._wake()
            time.sleep(pause)
            pause = min(pause * 2, 0.05)

    def _refresh_horizons(self, models: Sequence[str]) -> tuple[datetime | None, datetime]:
        with self._connect() as conn:
            for name, moment in horizons(conn).items():
                self._horizons[name] = max_moment(self._horizons.get(name), moment)
            row = conn.execute("SELECT clock_timestamp()").fetchone()
        assert row is not None
        now: datetime = row[0]
        return self.complete(models), now

    def reached(self, models: Sequence[str], minimum: int | None) -> int:
        """The position `models` have reached, at least `minimum` (waiting for it), else
        `NotProjectedYetError`."""
        reached = self.known(models)
        if minimum is None or reached >= minimum:
            return reached
        deadline, pause = time.monotonic() + self.wait_s, 0.002
        while True:
            reached, head = self.refresh(models)
            if reached >= minimum:
                return reached
            if minimum > head:
                # No write has reached it: waiting cannot help (a position from another ledger?).
                reason = f"beyond the head of the log ({head}): no record has this position"
                raise InvalidInputError("min_position not reached by any write", [Problem("min_position", reason)])
            if time.monotonic() >= deadline:
                raise NotProjectedYetError(
                    f"the read model has applied the log up to position {reached}, not yet {minimum}; "
                    "ask again shortly",
                    position=reached,
                    min_position=minimum,
                )
            self._wake()
            time.sleep(pause)
            pause = min(pause * 2, 0.05)


def max_moment(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None or b is None:
        return a or b
    return max(a, b)
