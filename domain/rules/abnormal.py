"""Abnormal operations list by regime (AOL-02, 08, 10..13, 20, 21; REP-03; SDL-38).

Two cut-overs (§12, both UNCONFIRMED dates, so reference data): the 2024 Disclosure Regulation
ends the 3-year transfer (AOL-20), with it the 3-year removal window that led to it (AOL-11),
and starts licence revocation (AOL-21); Order 101 changes the grounds (AOL-02). A listing keeps
the regime of its listing date (TIME-04); a removal application is judged by the rule in force
on its own date (AOL-11).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from itertools import combinations
from typing import Any

from domain.context import RuleContext
from domain.errors import Problem
from domain.history import AnyFact, Fact
from domain.records import AbnormalListed, AbnormalObjected, AbnormalRemoved, EnterpriseChanged, EnterpriseRegistered
from domain.reference import ReferenceData
from domain.rules.catalogue import param, version_applied
from domain.rules.challenges import listing_annulled, removal_annulled
from domain.rules.common import SERIOUS, Interval, Key, RepairStep, facts_of, first, of_type, repair_steps, segments

ABNORMAL = "abnormal_list"
TRANSFER_REMINDER = "abnormal_transfer_reminder"
LICENCE_REVOCATION_DUE = "licence_revocation_due"
SERIOUS_2014_NOTE = (
    "serious illegal enterprise list (严重违法企业名单) of the 2014 Disclosure Regulation: removed after 5 Y "
    "without recurrence (AOL-20)"
)


def regime(on: date, reference: ReferenceData) -> str:
    """ "2014" for facts before the 2024 Disclosure Regulation took effect, else "2024"."""
    return "2014" if on < reference.disclosure_2024_effective else "2024"


def ground_in_force(reason: str, on: date, reference: ReferenceData) -> bool:
    """AOL-02: false_info was a ground only under Order 68, name_change only under Order 101."""
    grounds: str = param("AOL-02", "grounds", on, reference)
    return reason in [g.strip() for g in grounds.split(",")]


def listing_intervals(fact: Fact[AbnormalListed], facts: Sequence[AnyFact], reference: ReferenceData) -> list[Interval]:
    """The listing while in force. A listing on a ground not in force on its date (AOL-02) has
    no lawful basis: intake refuses one now; one recorded before is never published."""
    listing_id, on = fact.data.listing_id, fact.effective_on
    if not ground_in_force(fact.data.reason, on, reference):
        return []
    removal = first(facts, AbnormalRemoved, lambda f: f.data.listing_id == listing_id)
    steps = list(repair_steps(facts, "abnormal", listing_id, "REP-03"))
    hard: list[tuple[date, str, Key]] = []
    undone = removal_annulled(facts, "abnormal", listing_id)
    if removal is not None:
        if undone is None:
            hard.append((removal.effective_on, "AOL-10", removal.key))
        else:  # AOL-13: a removal annulled on reconsideration or by a court restores the listing
            steps += [
                RepairStep(removal.effective_on, True, False, removal.key, "AOL-10"),
                RepairStep(undone.on, False, False, undone.keys[1], "AOL-13"),
            ]
    challenged = listing_annulled(facts, "abnormal", listing_id)
    if challenged is not None:
        hard.append((max(challenged.on, on), "AOL-13", challenged.keys[1]))
    steps.sort(key=lambda s: (s.on, not s.stops))
    hard_stop = min(hard) if hard else None
    version = version_applied("AOL-02", on, reference).source
    out = []
    for seg in segments(on, None, steps, None, hard_stop[0] if hard_stop else None):
        rules, records = ["AOL-02", "AOL-08"], [fact.key]
        for step in seg.steps:
            rules += [step.rule, "AOL-10"] if step.stops and step.rule == "REP-03" else [step.rule]
            records.append(step.key)
        if hard_stop is not None and seg.end == hard_stop[0]:
            rules.append(hard_stop[1])
            records.append(hard_stop[2])
        out.append(
            Interval(
                ABNORMAL,
                listing_id,
                seg.start,
                seg.end,
                tuple(dict.fromkeys(rules)),
                tuple(dict.fromkeys(records)),
                version,
            )
        )
    return out


def listing_decision(fact: Fact[AbnormalListed], facts: Sequence[AnyFact]) -> dict[str, Any]:
    """AOL-08: what the published listing decision states (the USCC is the enterprise's own)."""
    name = None
    for f in facts_of(facts, EnterpriseRegistered):
        name = f.data.name
    for change in facts_of(facts, EnterpriseChanged):
        if change.effective_on <= fact.effective_on and change.data.name:
            name = change.data.name
    return {
        "enterprise_name": name,
        "listed_on": fact.effective_on.isoformat(),
        "reason": fact.data.reason,
        "deciding_authority": fact.data.deciding_authority or fact.department,
    }


def transfer_reminder(fact: Fact[AbnormalListed], listed: Sequence[Interval], ctx: RuleContext) -> list[Interval]:
    """AOL-20: the public reminder in the 60 D before a 2014-regime listing's 3rd anniversary."""
    calendar, reference = ctx.calendar, ctx.reference
    on = fact.effective_on
    if regime(on, reference) != "2014" or not listed:
        return []
    transfer_on = calendar.period_end(on, param("AOL-20", "transfer_after", on, reference)).date
    reminder = param("AOL-20", "reminder", on, reference)
    reminder_from = transfer_on - timedelta(days=reminder.amount)
    still_listed = [i for i in listed if i.contains(reminder_from)]
    if not still_listed:
        return []
    ref = still_listed[0]
    reminder_end = min(transfer_on, ref.end) if ref.end else transfer_on
    shown_until = min(reminder_end, reference.disclosure_2024_effective)
    if reminder_from >= shown_until:
        return []
    version = version_applied("AOL-20", on, reference).source
    return [Interval(TRANSFER_REMINDER, ref.subject, reminder_from, shown_until, ("AOL-20",), ref.records, version)]


def serious_2014(facts: Sequence[AnyFact], ctx: RuleContext) -> list[Interval]:
    """AOL-20: a listing made under the 2014 regime and still open after 3 Y moves the enterprise
    to the serious illegal enterprise list; it leaves after 5 Y *without recurrence*: a new
    abnormal listing within those years starts them again from its date. The transfer itself
    must fall before the 2024 cut-over: the rule no longer existed after (nor in Order 44: SDL-38)."""
    calendar, reference = ctx.calendar, ctx.reference
    listings = facts_of(facts, AbnormalListed)
    listed = {f.data.listing_id: listing_intervals(f, facts, reference) for f in listings}
    out: list[Interval] = []
    for fact in listings:
        on, intervals = fact.effective_on, listed[fact.data.listing_id]
        if regime(on, reference) != "2014" or not intervals:
            continue
        transfer_on = calendar.period_end(on, param("AOL-20", "transfer_after", on, reference)).date
        if transfer_on >= reference.disclosure_2024_effective or not any(i.contains(transfer_on) for i in intervals):
            continue
        period = param("AOL-20", "serious_2014_period", on, reference)
        end = calendar.period_end(transfer_on, period).date
        records = [fact.key]
        for other in listings:
            if transfer_on < other.effective_on < end and listed[other.data.listing_id]:
                end = max(end, calendar.period_end(other.effective_on, period).date)
                records.append(other.key)
        out.append(
            Interval(
                SERIOUS,
                f"AOL-20:{fact.data.listing_id}",
                transfer_on,
                end,
                ("AOL-20", "SDL-38"),
                tuple(records),
                version_applied("AOL-20", on, reference).source,
                note=SERIOUS_2014_NOTE,
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
    """Abnormal listings, the 2014 transfer reminder, and the 2024 licence-revocation flag (the
    2014 serious illegal enterprise list itself is part of `serious.serious_list`)."""
    out: list[Interval] = []
    listed: dict[str, list[Interval]] = {}
    for fact in facts_of(facts, AbnormalListed):
        intervals = listing_intervals(fact, facts, ctx.reference)
        listed[fact.data.listing_id] = intervals
        out += intervals
        out += transfer_reminder(fact, intervals, ctx)
    return out + licence_revocation_due(facts, listed, ctx.reference)


def removal_window_closed(fact: Fact[AbnormalListed], applied_on: date, ctx: RuleContext) -> date | None:
    """AOL-11: the end of the 3-year window when an application made on `applied_on` falls under
    Order 68 Art 10 (the rule in force on the application date) and comes too late; else None."""
    window = version_applied("AOL-11", applied_on, ctx.reference).params.get("window")
    if window is None:
        return None
    end = ctx.calendar.period_end(fact.effective_on, window).date
    return end if applied_on >= end else None


def listing_ground_problems(data: AbnormalListed, on: date, reference: ReferenceData) -> list[Problem]:
    """AOL-02: a listing on a ground not in force on its date is refused."""
    if ground_in_force(data.reason, on, reference):
        return []
    grounds = param("AOL-02", "grounds", on, reference)
    source = version_applied("AOL-02", on, reference).source
    return [Problem("data.reason", f"{data.reason} is not a ground on {on} ({source}: {grounds})", "AOL-02")]


def objection_problems(data: AbnormalObjected, on: date, facts: Sequence[AnyFact], ctx: RuleContext) -> list[Problem]:
    """AOL-12: an objection names a listing of this enterprise and comes within 30 D of it."""
    listing = first(facts, AbnormalListed, lambda f: f.data.listing_id == data.listing_id)
    if listing is None:
        return [Problem("data.listing_id", f"no abnormal.listed {data.listing_id!r} of this enterprise", "LEDGER-07")]
    window = param("AOL-12", "objection", listing.effective_on, ctx.reference)
    last = ctx.calendar.last_day(listing.effective_on, window).date
    if on > last:
        return [Problem("effective_on", f"an objection comes within {window} of the listing: by {last}", "AOL-12")]
    return []
