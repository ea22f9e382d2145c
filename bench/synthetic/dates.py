"""Time helpers: the ledger's date range and fast ordinal-to-ISO conversion."""

from __future__ import annotations

from datetime import date

FIRST_DAY = date(2019, 1, 1).toordinal()
"""The ledger's records start here; older enterprises are registered into it on this date."""
LAST_DAY = date(2026, 11, 20).toordinal()
"""No effective date after this one (never in the future of the tests' today, 2026-11-25)."""

_ISO_BASE = date(1985, 1, 1).toordinal()
_ISO = [date.fromordinal(o).isoformat() for o in range(_ISO_BASE, date(2045, 1, 1).toordinal())]


def _iso(ordinal: int) -> str:
    return _ISO[ordinal - _ISO_BASE]


def _year(ordinal: int) -> int:
    return int(_ISO[ordinal - _ISO_BASE][:4])


def _add_years(ordinal: int, years: int) -> int:
    d = date.fromordinal(ordinal)
    try:
        return d.replace(year=d.year + years).toordinal()
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28).toordinal()
