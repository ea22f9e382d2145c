"""Key-sector enterprise list membership (KEY-01..06), one interval per sector."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from domain.calendar import ONE_DAY
from domain.context import RuleContext
from domain.history import AnyFact, Fact
from domain.records import PermitCancelled, PermitGranted, PermitRenewed, PermitRevoked, Sector
from domain.rules.catalogue import S_TJ28_ISSUED, param, version_applied
from domain.rules.common import Interval, Key, facts_of, first, of_type

KEY_SECTOR = "key_sector_list"
KEY_SECTORS = (Sector.food_production, Sector.special_food, Sector.special_equipment)


def permit_spans(facts: Sequence[AnyFact], grant: Fact[PermitGranted]) -> list[tuple[date, date, Key, Key | None]]:
    """Validity of one permit: [valid_from, valid_until + 1 day), extended by renewals; a renewal
    after expiry opens a new span from its own date. Each span carries the record that ends it."""
    permit_no = grant.data.permit_no
    spans: list[tuple[date, date, Key]] = [(grant.data.valid_from, grant.data.valid_until + ONE_DAY, grant.key)]
    for renewal in facts_of(facts, PermitRenewed):
        if renewal.data.permit_no != permit_no:
            continue
        until = renewal.data.valid_until + ONE_DAY
        start, end, key = spans[-1]
        if renewal.effective_on < end:
            spans[-1] = (start, max(end, until), key)
        elif renewal.effective_on < until:
            spans.append((renewal.effective_on, until, renewal.key))
    revoked = first(facts, PermitRevoked, lambda f: f.data.permit_no == permit_no)
    cancelled = first(facts, PermitCancelled, lambda f: f.data.permit_no == permit_no)
    own: AnyFact | None = revoked or cancelled
    enders = [e for e in (own, *of_type(facts, "enterprise.licence_revoked", "enterprise.deregistered")) if e]
    out = []
    for start, end, key in spans:
        stop, stop_key = end, None
        for e in enders:
            if e.effective_on < stop:
                stop, stop_key = e.effective_on, e.key
        if start < stop:
            out.append((start, stop, key, stop_key))
    return out


def key_sector_list(facts: Sequence[AnyFact], ctx: RuleContext) -> list[Interval]:
    """KEY-03: on the list for a sector while holding a valid permit of it; the adjustment
    deadline (3 WD) is reported on both ends, but for an automatic exit on deregistration."""
    out: list[Interval] = []
    deregistrations = {f.key for f in of_type(facts, "enterprise.deregistered")}
    for sector in KEY_SECTORS:
        spans = []
        for grant in facts_of(facts, PermitGranted):
            if grant.data.sector == sector:
                spans += permit_spans(facts, grant)
        spans.sort(key=lambda s: s[0])
        merged: list[tuple[date, date, tuple[Key, ...], Key | None]] = []
        for start, end, key, stop_key in spans:
            if merged and start <= merged[-1][1]:
                last_start, last_end, keys, last_stop = merged[-1]
                if end >= last_end:
                    last_end, last_stop = end, stop_key
                merged[-1] = (last_start, last_end, (*keys, key), last_stop)
            else:
                merged.append((start, end, (key,), stop_key))
        for start, end, keys, stop_key in merged:
            rules = ["KEY-03", "KEY-04"] if stop_key else ["KEY-03", "KEY-06"]
            records = (*keys, stop_key) if stop_key else keys
            grant_on = min(f.effective_on for f in facts if f.key in keys)
            # KEY-03: deregistration is an automatic exit with no adjustment deadline of its own
            # (S-TJ28 四(一)2: "企业完成注销登记后,自动退出重点领域企业名单").
            automatic = stop_key is not None and stop_key in deregistrations
            out.append(
                Interval(
                    kind=KEY_SECTOR,
                    subject=str(sector.value),
                    start=start,
                    end=end,
                    rules=tuple(rules),
                    records=tuple(dict.fromkeys(records)),
                    version=version_applied("KEY-03", start, ctx.reference).source,
                    start_due=_adjust(max(start, grant_on), ctx),
                    end_due=None if automatic else _adjust(end, ctx),
                )
            )
    return out


def _adjust(on: date, ctx: RuleContext) -> date | None:
    """KEY-03: 3 WD from the act (a fixed part of the rule); none for an act before the plan
    created the list (S-TJ28, 2021-08-25: the list was first built from the permits then held)."""
    if on < S_TJ28_ISSUED:
        return None
    return ctx.calendar.last_day(on, param("KEY-03", "adjustment", on, ctx.reference)).date


def on_key_sector_list(facts: Sequence[AnyFact], on: date, ctx: RuleContext) -> list[str]:
    return sorted({i.subject for i in key_sector_list(facts, ctx) if i.contains(on)})


def sectors_held(facts: Sequence[AnyFact], on: date, ctx: RuleContext) -> set[str]:
    return set(on_key_sector_list(facts, on, ctx))
