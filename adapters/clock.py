"""The clock: the one place the ledger asks the operating system what time it is."""

from __future__ import annotations

from datetime import UTC, date, datetime

from domain.time import today_in_china


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    """Today in China Standard Time (the default `as_of` of every read)."""
    return today_in_china(now())
