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

from projections import lists, public_items, risk_classes

PAGE = 5_000


class DrawPopulation:
    def __init__(
        self,
        connect: Callable[[], AbstractContextManager[Connection[Any]]],
        now: Callable[[], datetime],
        settle: Callable[[Sequence[str], datetime], datetime] | None = None,
    ) -> None:
        self.connect, self._now, self.settle = connect, now, settle

    def now(self) -> datetime:
        """Now, or the latest moment by which the read models hold every record (issue 25: an
        answer as known at a moment never changes), waiting briefly for the projector."""
        at = self._now()
        if self.settle is None:
            return at
        return self.settle([public_items.NAME, risk_classes.NAME], at)

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

    def on_list(self, name: str, on: date) -> set[str]:
        with self.connect() as conn:
            return self._list(conn, name, on, self.now(), None)

    def criterion(self, name: str, as_of: date, known_at: datetime | None) -> set[str]:
        """The enterprises meeting a key-supervision criterion (domain/key_supervision.py) on
        `as_of` as known at `known_at` (default: now)."""
        at = known_at or self.now()
        with self.connect() as conn:
            if name == "class_d":
                return set(self._risk(conn, as_of, at, "D"))
            if name == "serious_list":
                return self._list(conn, "serious", as_of, at, None)
            if name == "special_food_producers":
                return self._list(conn, "key-sector", as_of, at, "special_food")
            if name == "special_equipment":
                return self._list(conn, "key-sector", as_of, at, "special_equipment")
            if name == "food_producers_c_d":
                producers = self._list(conn, "key-sector", as_of, at, "food_production")
                c_d = {u for c in ("C", "D") for u in self._risk(conn, as_of, at, c)}
                return producers & c_d
        raise ValueError(f"no criterion {name}")

    @staticmethod
    def _risk(conn: Connection[Any], as_of: date, at: datetime, risk_class: str) -> list[str]:
        out, cursor = [], None
        while True:
            page = risk_classes.members(conn, as_of, at, risk_class=risk_class, cursor=cursor, limit=PAGE)
            out += [m["uscc"] for m in page["members"]]
            cursor = page["next_cursor"]
            if cursor is None:
                return out

    @staticmethod
    def _list(conn: Connection[Any], name: str, as_of: date, at: datetime, sector: str | None) -> set[str]:
        out, cursor = set(), None
        while True:
            page = lists.members(conn, name, as_of, at, sector=sector, cursor=cursor, limit=PAGE)
            out |= {m["uscc"] for m in page["members"]}
            cursor = page["next_cursor"]
            if cursor is None:
                return out

    def names(self, usccs: Sequence[str], on: date) -> dict[str, str]:
        with self.connect() as conn:
            return risk_classes._names(conn, list(usccs), on, self.now())  # noqa: SLF001 - the shared lookup
