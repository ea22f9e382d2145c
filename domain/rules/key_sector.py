"""Key-sector enterprise list membership (KEY-01..06), one interval per sector."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from domain.calendar import ONE_DAY, WorkingCalendar
from domain.history import Fact
from domain.records import PermitGranted, Sector
from domain.rules.catalogue import param, version_applied
from domain.rules.common import Interval, Key, first, of_type
from domain.rules.reference import ReferenceData

KEY_SECTOR = "key_sector_list"
KEY_SECTORS = (Sector.food_production, Sector.special_food, Sector.special_equipment)


def permit_spans(facts: Sequence[Fact], grant: Fact) -> list[tuple[date, date, Key, Key | None]]:
    """Validity of one permit: [valid_from, valid_until + 1 day), extended by renewals; a renewal
    after expiry opens a new span from its own date. Each span carries the record that ends it."""
    assert isinstance(grant.data, PermitGranted)
    permit_no = grant.data.permit_no
    spans: list[list] = [[grant.data.valid_from, grant.data.valid_until + ONE_DAY, grant.key, None]]
    for renewal in of_type(facts, "permit.renewed"):
        if renewal.data.permit_no != permit_no:  # type: ignore[attr-defined]
            continue
        until = renewal.data.valid_until + ONE_DAY  # type: ignore[attr-defined]
        current = spans[-1]
        if renewal.effective_on < current[1]:
            current[1] = max(current[1], until)
        elif renewal.effective_on < until:
            spans.append([renewal.effective_on, until, renewal.key, None])
    ender = first(facts, "permit.revoked", lambda f: f.data.permit_no == permit_no) or first(  # type: ignore[attr-defined]
        facts,
        "permit.cancelled",
        lambda f: f.data.permit_no == permit_no,  # type: ignore[attr-defined]
    )
    enders = [e for e in (ender, *of_type(facts, "enterprise.licence_revoked", "enterprise.deregistered")) if e]
    out = []
    for start, end, key, _ in spans:
        stop, stop_key = end, None
        for e in enders:
            if e.effective_on < stop:
                stop, stop_key = e.effective_on, e.key
        if start < stop:
            out.append((start, stop, key, stop_key))
    return out


def key_sector_list(facts: Sequence[Fact], calendar: WorkingCalendar, reference: ReferenceData) -> list[Interval]:
    """KEY-03: on the list for a sector while holding a valid permit of it; the expected
    adjustment deadline (3 WD, reference data) is reported on both ends."""
    out: list[Interval] = []
    for sector in KEY_SECTORS:
        spans = []
        for grant in of_type(facts, "permit.granted"):
            if grant.data.sector == sector:  # type: ignore[attr-defined]
                spans += permit_spans(facts, grant)
        spans.sort(key=lambda s: s[0])
        merged: list[list] = []
        for start, end, key, stop_key in spans:
            if merged and start <= merged[-1][1]:
                last = merged[-1]
                if end >= last[1]:
                    last[1], last[3] = end, stop_key
                last[2] = (*last[2], key)
            else:
                merged.append([start, end, (key,), stop_key])
        for start, end, keys, stop_key in merged:
            rules = ["KEY-03", "KEY-04"] if stop_key else ["KEY-03", "KEY-06"]
            records = (*keys, stop_key) if stop_key else keys
            grant_on = min(f.effective_on for f in facts if f.key in keys)
            out.append(
                Interval(
                    kind=KEY_SECTOR,
                    subject=str(sector.value),
                    start=start,
                    end=end,
                    rules=tuple(rules),
                    records=tuple(dict.fromkeys(records)),
                    version=version_applied("KEY-03", start, reference).source,
                    start_due=_adjust(calendar, max(start, grant_on), reference),
                    end_due=_adjust(calendar, end, reference),
                )
            )
    return out


def _adjust(calendar: WorkingCalendar, on: date, reference: ReferenceData) -> date:
    return calendar.last_day(on, param("KEY-03", "adjustment", on, reference)).date


def on_key_sector_list(
    facts: Sequence[Fact], on: date, calendar: WorkingCalendar, reference: ReferenceData
) -> list[str]:
    return sorted({i.subject for i in key_sector_list(facts, calendar, reference) if i.contains(on)})


def sectors_held(facts: Sequence[Fact], on: date, calendar: WorkingCalendar, reference: ReferenceData) -> set[str]:
    return set(on_key_sector_list(facts, on, calendar, reference))
