"""The market-entity directory of a draw (DR-02, issue 20): the enterprises matching an item's
object on a date, each with its risk class then (projections/risk_classes.py), and the
key-sector enterprises with no class yet (stratum `unclassified`, docs/draws.md). Read as the
ledger knows it now. Internal: the classes never leave the draw's inputs (RISK-02)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import Any

from psycopg import Connection

from projections import lists, risk_classes

PAGE = 5_000


class DrawPopulation:
    def __init__(
        self, connect: Callable[[], AbstractContextManager[Connection[Any]]], now: Callable[[], datetime]
    ) -> None:
        self.connect, self.now = connect, now

    def classes(self, on: date, sector: str | None, district: str | None) -> dict[str, str | None]:
        known_at = self.now()
        out: dict[str, str | None] = {}
        with self.connect() as conn:
            cursor = None
            while True:
                page = risk_classes.members(
                    conn, on, known_at, sector=sector, district=district, cursor=cursor, limit=PAGE
                )
                for m in page["members"]:
                    out[m["uscc"]] = m["class"]
                cursor = page["next_cursor"]
                if cursor is None:
                    break
            cursor = None
            while True:
                page = lists.members(
                    conn, "key-sector", on, known_at, sector=sector, district=district, cursor=cursor, limit=PAGE
                )
                for m in page["members"]:
                    out.setdefault(m["uscc"], None)
                cursor = page["next_cursor"]
                if cursor is None:
                    break
        return out

    def names(self, usccs: Sequence[str], on: date) -> dict[str, str]:
        with self.connect() as conn:
            return risk_classes._names(conn, list(usccs), on, self.now())  # noqa: SLF001 - the shared lookup
