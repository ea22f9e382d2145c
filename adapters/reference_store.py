"""Reference data from the database: holiday schedules and overrides of UNCONFIRMED numbers.

The domain takes a `WorkingCalendar` and a `ReferenceData` as plain values; this module
builds them from what an administrator loaded (`credit-ledger calendar load`,
`credit-ledger reference set`), newest load winning per key.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from adapters.database import Server
from domain.calendar import Period, Unit, WorkingCalendar, YearSchedule
from domain.context import RuleContext
from domain.errors import ReferenceValueError
from domain.reference import DEFAULT_REFERENCE, RETIRED_REFERENCE_VALUES, Dated, ReferenceData

_PERIOD = re.compile(r"^\s*(\d+)\s*(WD|D|M|Y)\s*$")


def configurable_names() -> dict[str, Any]:
    """Reference values an administrator may override, with their current defaults."""
    return {
        f.name: getattr(DEFAULT_REFERENCE, f.name)
        for f in dataclasses.fields(ReferenceData)
        if isinstance(getattr(DEFAULT_REFERENCE, f.name), Dated)
    }


# The choices a text-valued reference value may take (PEN-10: which threshold an individual business takes).
CHOICES: dict[str, tuple[str, ...]] = {"individual_business_threshold": ("natural_person", "organisation")}


def parse_value(name: str, text: str) -> Any:
    """Parse `text` as the type of the default of `name` (a Decimal, a Period, a choice, or "none")."""
    defaults = configurable_names()
    if name not in defaults:
        raise ReferenceValueError(f"unknown reference value {name!r}; known: {', '.join(sorted(defaults))}")
    sample = defaults[name].versions[0][1]
    if isinstance(sample, Period):
        match = _PERIOD.match(text)
        if not match:
            raise ReferenceValueError(f"{name} takes a period such as '3 WD', '6 M' or '1 Y', not {text!r}")
        return Period(int(match.group(1)), Unit(match.group(2)))
    if name in CHOICES:
        if text.strip() not in CHOICES[name]:
            raise ReferenceValueError(f"{name} takes one of {', '.join(CHOICES[name])}, not {text!r}")
        return text.strip()
    if text.strip().lower() == "none":
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ReferenceValueError(f"{name} takes an amount in yuan (or 'none'), not {text!r}") from None


def load(server: Server) -> RuleContext:
    with server.connect() as conn:
        schedules = conn.execute(
            "SELECT DISTINCT ON (year) year, holidays, make_up_working_days FROM holiday_schedules "
            "ORDER BY year, loaded_at DESC"
        ).fetchall()
        values = conn.execute(
            "SELECT DISTINCT ON (name, effective_from) name, effective_from, value FROM reference_values "
            "ORDER BY name, effective_from, loaded_at DESC"
        ).fetchall()
    calendar = WorkingCalendar(
        YearSchedule(year, frozenset(holidays), frozenset(workdays)) for year, holidays, workdays in schedules
    )
    overrides: dict[str, dict[date, Any]] = {}
    for name, effective_from, value in values:
        if name in RETIRED_REFERENCE_VALUES:  # an older ledger's override of what is now fixed
            continue
        overrides.setdefault(name, {})[effective_from] = parse_value(name, value)
    changes = {
        name: Dated(tuple(sorted({**dict(configurable_names()[name].versions), **by_date}.items())))
        for name, by_date in overrides.items()
    }
    reference: ReferenceData = dataclasses.replace(DEFAULT_REFERENCE, **changes)  # type: ignore[arg-type]  # only Dated fields
    return RuleContext(calendar, reference)


def save_schedule(server: Server, schedule: YearSchedule, source: str) -> None:
    with server.connect() as conn:
        conn.execute(
            "INSERT INTO holiday_schedules (year, holidays, make_up_working_days, source) VALUES (%s, %s, %s, %s)",
            (schedule.year, sorted(schedule.holidays), sorted(schedule.make_up_working_days), source),
        )


def save_value(server: Server, name: str, effective_from: date, text: str, source: str) -> None:
    parse_value(name, text)
    with server.connect() as conn:
        conn.execute(
            "INSERT INTO reference_values (name, effective_from, value, source) VALUES (%s, %s, %s, %s)",
            (name, effective_from, text.strip(), source),
        )
