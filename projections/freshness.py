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
from typing import Any

import psycopg

from domain.errors import InvalidInputError, NotProjectedYetError, Problem
from projections import log
from projections.readmodel import read_states


class Freshness:
    """How far the read models have got, and the bounded wait for a position."""

    def __init__(
        self,
        connect: Callable[[], AbstractContextManager[psycopg.Connection[Any]]],
        local: Callable[[], dict[str, int]],
        wake: Callable[[], None],
        wait_s: float,
    ) -> None:
        self._connect, self._local, self._wake, self.wait_s = connect, local, wake, wait_s
        self._seen: dict[str, int] = {}

    def known(self, models: Sequence[str]) -> int:
        """The lowest position among `models` known without asking the database."""
        local = self._local()
        return min(max(self._seen.get(m, 0), local.get(m, 0)) for m in models)

    def refresh(self, models: Sequence[str]) -> tuple[int, int]:
        """The lowest position among `models` as stored, and the head of the log."""
        with self._connect() as conn:
            for name, state in read_states(conn).items():
                self._seen[name] = max(self._seen.get(name, 0), state.position)
            head = log.head(conn)
        return self.known(models), head

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
