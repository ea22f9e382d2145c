"""Exposure board (GSXT-06): shown only while the records behind it are public."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from domain.context import RuleContext
from domain.history import AnyFact
from domain.records import InspectionConcluded
from domain.rules.cases import typical_cases
from domain.rules.catalogue import param
from domain.rules.commitment import untrue_commitments
from domain.rules.common import Interval, Key, facts_of, intersect, merge, penalties
from domain.rules.key_sector import key_sector_list
from domain.rules.penalty import publicity_of
from domain.rules.serious import serious_list

EXPOSURE = "exposure_board"
Span = tuple[date, "date | None"]


def exposure_board(facts: Sequence[AnyFact], ctx: RuleContext) -> list[Interval]:
    """One interval per ground: serious list, untrue commitment, repeat offence (same violation
    within the lookback), offence after an order to rectify (within the lookback)."""
    calendar, reference = ctx.calendar, ctx.reference
    grounds: list[tuple[str, list[Span], tuple[Key, ...], tuple[str, ...]]] = []
    serious = serious_list(facts, ctx)
    grounds.append(
        (
            "serious_list",
            [(i.start, i.end) for i in serious],
            tuple(k for i in serious for k in i.records),
            ("GSXT-06", "SDL-30"),
        )
    )
    untrue = []
    for i in untrue_commitments(facts):
        window = param("GSXT-06", "untrue_commitment", i.start, reference)
        untrue.append((i, (i.start, calendar.period_end(i.start, window).date)))
    grounds.append(
        ("untrue_commitment", [s for _, s in untrue], tuple(i.records[0] for i, _ in untrue), ("GSXT-06", "COM-06"))
    )
    public = {no: [(i.start, i.end) for i in publicity_of(no, f, facts, ctx)] for no, f in penalties(facts).items()}
    ordered = sorted(penalties(facts).items(), key=lambda kv: (kv[1].effective_on, kv[1].sequence))
    repeat: list[Span] = []
    repeat_keys: list[Key] = []
    for n, (no_b, b) in enumerate(ordered):
        lookback = param("GSXT-06", "repeat", b.effective_on, reference)
        for no_a, a in ordered[:n]:
            same = a.data.violation.strip() == b.data.violation.strip()
            if same and calendar.period_end(a.effective_on, lookback).date > b.effective_on:
                both = intersect(public[no_a], public[no_b])
                repeat += both
                repeat_keys += [a.key, b.key] if both else []
    grounds.append(("repeat_offence", repeat, tuple(repeat_keys), ("GSXT-06", "PEN-09")))
    after: list[Span] = []
    after_keys: list[Key] = []
    orders = [f for f in facts_of(facts, InspectionConcluded) if f.data.result == "rectification_ordered"]
    for order in orders:
        lookback = param("GSXT-06", "after_rectification", order.effective_on, reference)
        limit = calendar.period_end(order.effective_on, lookback).date
        for no, p in ordered:
            if order.effective_on < p.effective_on < limit and public[no]:
                after += public[no]
                after_keys += [order.key, p.key]
    grounds.append(("penalised_after_rectification_order", after, tuple(after_keys), ("GSXT-06", "PEN-09")))
    cases = typical_cases(facts, ctx)  # issue 23: typical cases, while what they link to is public
    grounds.append(
        ("typical_case", [(i.start, i.end) for i in cases], tuple(k for i in cases for k in i.records), ("GSXT-06",))
    )
    key_only = reference.exposure_key_sector_only
    key_spans = merge((i.start, i.end) for i in key_sector_list(facts, ctx))
    out = []
    for subject, spans, keys, rules in grounds:
        shown = merge(spans)
        if key_only:
            shown = intersect(shown, key_spans)
        for start, end in shown:
            out.append(
                Interval(
                    EXPOSURE,
                    subject,
                    start,
                    end,
                    (*rules, *(("KEY-03",) if key_only else ())),
                    tuple(dict.fromkeys(keys)),
                )
            )
    return out
