"""Abnormal operations list by regime (AOL-02, 10, 11, 20, 21; REP-03).

Two cut-overs (§12, both UNCONFIRMED dates, so reference data): the 2024 Disclosure Regulation
ends the 3-year transfer (AOL-20) and starts licence revocation (AOL-21); Order 101 changes the
grounds (AOL-02) and drops the 3-year removal window (AOL-11). A listing keeps the regime of its
listing date (TIME-04).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from itertools import combinations

from domain.context import RuleContext
from domain.history import AnyFact, Fact
from domain.records import AbnormalListed, AbnormalRemoved
from domain.reference import ReferenceData
from domain.rules.catalogue import param, version_applied
from domain.rules.common import Interval, Key, facts_of, of_type, repair_steps, segments

ABNORMAL = "abnormal_list"
TRANSFER_REMINDER = "abnormal_transfer_reminder"
SERIOUS_2014 = "serious_illegal_enterprise_list_2014"
LICENCE_REVOCATION_DUE = "licence_revocation_due"


def regime(on: date, reference: ReferenceData) -> str:
    """ "2014" for facts before the 2024 Disclosure Regulation took effect, else "2024"."""
    return "2014" if on < reference.disclosure_2024_effective else "2024"


def ground_in_force(reason: str, on: date, reference: ReferenceData) -> bool:
    """AOL-02: false_info was a ground only under Order 68, name_change only under Order 101."""
    grounds: str = param("AOL-02", "grounds", on, reference)
    return reason in [g.strip() for g in grounds.split(",")]


def listing_intervals(fact: Fact[AbnormalListed], facts: Sequence[AnyFact], reference: ReferenceData) -> list[Interval]:
    listing_id, on = fact.data.listing_id, fact.effective_on
    removal = next((f for f in facts_of(facts, AbnormalRemoved) if f.data.listing_id == listing_id), None)
    steps = repair_steps(facts, "abnormal", listing_id, "REP-03")
    version = version_applied("AOL-02", on, reference).source
    note = (
        "" if ground_in_force(fact.data.reason, on, reference) else "ground not in force on the listing date (AOL-02)"
    )
    out = []
    for seg in segments(on, None, steps, None, removal.effective_on if removal else None):
        rules, records = ["AOL-02"], [fact.key]
        for step in seg.steps:
            rules += [step.rule, "AOL-10"] if step.stops else [step.rule]
            records.append(step.key)
        if removal is not None and seg.end == removal.effective_on:
            rules.append("AOL-10")
            records.append(removal.key)
        out.append(
            Interval(
                ABNORMAL,
                listing_id,
                seg.start,
                seg.end,
                tuple(dict.fromkeys(rules)),
                tuple(dict.fromkeys(records)),
                version,
                note=note,
            )
        )
    return out


def transfer_2014(fact: Fact[AbnormalListed], listed: Sequence[Interval], ctx: RuleContext) -> list[Interval]:
    """AOL-20: a listing made under the 2014 regime and still open after 3 Y moves the enterprise
    to the serious illegal enterprise list for 5 Y, with a public reminder 60 D before. The
    transfer itself must also fall before the 2024 cut-over: the rule no longer existed after."""
    calendar, reference = ctx.calendar, ctx.reference
    on = fact.effective_on
    if regime(on, reference) != "2014":
        return []
    transfer_on = calendar.period_end(on, param("AOL-20", "transfer_after", on, reference)).date
    reminder = param("AOL-20", "reminder", on, reference)
    reminder_from = transfer_on - timedelta(days=reminder.amount)
    still_listed = [i for i in listed if i.contains(reminder_from)]
    out: list[Interval] = []
    if not still_listed:
        return out
    ref = still_listed[0]
    reminder_end = min(transfer_on, ref.end) if ref.end else transfer_on
    shown_until = min(reminder_end, reference.disclosure_2024_effective)
    if reminder_from < shown_until:
        out.append(
            Interval(
                TRANSFER_REMINDER,
                ref.subject,
                reminder_from,
                shown_until,
                ("AOL-20",),
                ref.records,
                version_applied("AOL-20", on, reference).source,
            )
        )
    if transfer_on < reference.disclosure_2024_effective and any(i.contains(transfer_on) for i in listed):
        end = calendar.period_end(transfer_on, param("AOL-20", "serious_2014_period", on, reference)).date
        out.append(
            Interval(
                SERIOUS_2014,
                ref.subject,
                transfer_on,
                end,
                ("AOL-20",),
                ref.records,
                version_applied("AOL-20", on, reference).source,
            )
        )
    return out


def licence_revocation_due(
    facts: Sequence[AnyFact], listed: dict[str, list[Interval]], reference: ReferenceData
) -> list[Interval]:
    """AOL-21 (2024 regime): annual-report listings for two consecutive years, both open, and the
    enterprise listed as unreachable. Ends when the licence is revoked or the enterprise leaves."""
    by_id = {f.data.listing_id: f for f in facts_of(facts, AbnormalListed)}
    reports = [f for f in by_id.values() if f.data.reason == "annual_report"]
    unreachable = [f for f in by_id.values() if f.data.reason == "unreachable"]
    enders = of_type(facts, "enterprise.licence_revoked", "enterprise.deregistered")
    stop = enders[0].effective_on if enders else None
    spans: list[tuple[date, date | None, tuple[Key, ...]]] = []
    for a, b in combinations(sorted(reports, key=lambda f: f.effective_on), 2):
        if b.effective_on.year - a.effective_on.year != 1:
            continue
        for u in unreachable:
            for ia in listed[a.data.listing_id]:
                for ib in listed[b.data.listing_id]:
                    for iu in listed[u.data.listing_id]:
                        start = max(ia.start, ib.start, iu.start, reference.disclosure_2024_effective)
                        ends = [e for e in (ia.end, ib.end, iu.end, stop) if e is not None]
                        end = min(ends) if ends else None
                        if end is None or start < end:
                            spans.append((start, end, (a.key, b.key, u.key)))
    out: list[Interval] = []
    for start, end, keys in sorted(spans, key=lambda s: s[0]):
        # One interval per moment: later pairs extend, never overlap, the current one.
        if out and (out[-1].end is None or start <= out[-1].end):
            last = out[-1]
            new_end = None if last.end is None or end is None else max(last.end, end)
            out[-1] = Interval(
                LICENCE_REVOCATION_DUE,
                "licence",
                last.start,
                new_end,
                ("AOL-21",),
                tuple(dict.fromkeys((*last.records, *keys))),
                last.version,
            )
        else:
            out.append(
                Interval(
                    LICENCE_REVOCATION_DUE,
                    "licence",
                    start,
                    end,
                    ("AOL-21",),
                    keys,
                    version_applied("AOL-21", start, reference).source,
                )
            )
    return out


def abnormal_list(facts: Sequence[AnyFact], ctx: RuleContext) -> list[Interval]:
    """Abnormal listings, the 2014 transfer and reminder, and the 2024 licence-revocation flag."""
    out: list[Interval] = []
    listed: dict[str, list[Interval]] = {}
    for fact in facts_of(facts, AbnormalListed):
        intervals = listing_intervals(fact, facts, ctx.reference)
        listed[fact.data.listing_id] = intervals
        out += intervals
        out += transfer_2014(fact, intervals, ctx)
    return out + licence_revocation_due(facts, listed, ctx.reference)


def removal_window_end(fact: Fact[AbnormalListed], ctx: RuleContext) -> date | None:
    """AOL-11: under Order 68 removal could be applied for only within 3 Y of listing."""
    version = version_applied("AOL-11", fact.effective_on, ctx.reference)
    window = version.params.get("window")
    return ctx.calendar.period_end(fact.effective_on, window).date if window else None
