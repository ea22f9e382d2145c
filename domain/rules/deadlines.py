"""Legal deadlines per record and whether they were met, judged by recorded time.

A deadline is met when the record that fulfils it was recorded (`Fact.recorded_at`, as an
Asia/Shanghai date) on or before the due date; a fact not yet recorded counts as recorded on
its effective date. At `as_of` a deadline is open while unfulfilled and not yet due, missed
once past due unfulfilled or fulfilled late.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from domain.calendar import Period
from domain.context import RuleContext
from domain.history import AnyFact, Fact
from domain.records import AbnormalRemoved, PenaltyRevoked, RepairApplied, SeriousListed, SeriousRemoved
from domain.reference import ReferenceData
from domain.rules.catalogue import param
from domain.rules.common import Key, decision_of, facts_of, first, of_type, penalties
from domain.rules.penalty import is_published

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Deadline:
    rule: str
    what: str
    record: Key  # the record that started the clock
    due: date  # last permitted day
    provisional: bool
    status: str  # open | met | missed
    fulfilled_by: Key | None = None
    fulfilled_on: date | None = None


def recorded_on(fact: AnyFact) -> date:
    if fact.recorded_at is None:
        return fact.effective_on
    return fact.recorded_at.astimezone(SHANGHAI).date()


def deadlines(facts: Sequence[AnyFact], as_of: date, ctx: RuleContext) -> list[Deadline]:
    calendar, reference = ctx.calendar, ctx.reference
    out: list[Deadline] = []

    def add(rule: str, what: str, start: AnyFact, period: Period, done: AnyFact | None) -> None:
        if start.effective_on > as_of:
            return
        due = calendar.last_day(start.effective_on, period)
        done_on = recorded_on(done) if done is not None else None
        if done_on is not None and done_on > as_of:
            done, done_on = None, None  # not fulfilled yet as of that date
        if done_on is not None:
            status = "met" if done_on <= due.date else "missed"
        else:
            status = "open" if as_of <= due.date else "missed"
        out.append(
            Deadline(rule, what, start.key, due.date, due.provisional, status, done.key if done else None, done_on)
        )

    for no, fact in penalties(facts).items():
        if is_published(fact.data):
            # Met when the penalty reached the ledger in time to be published by the deadline
            # (PEN-05); the window itself starts at published_on or the deadline (penalty.py).
            add(
                "PEN-05", f"publish penalty {no}", fact, param("PEN-05", "deadline", fact.effective_on, reference), fact
            )
    for revocation in facts_of(facts, PenaltyRevoked):
        no = revocation.data.decision_no
        decided = penalties(facts).get(no)
        if decided is not None and is_published(decided.data):
            add(
                "PEN-07",
                f"withdraw penalty {no}",
                revocation,
                param("PEN-07", "deadline", revocation.effective_on, reference),
                revocation,
            )
        for listing in facts_of(facts, SeriousListed):
            if listing.data.penalty_decision_no == no and listing.effective_on <= revocation.effective_on:
                # The ledger revokes the listing when the annulment is recorded (SDL-34).
                add(
                    "SDL-34",
                    f"revoke serious listing {listing.data.listing_id}",
                    revocation,
                    param("SDL-34", "deadline", revocation.effective_on, reference),
                    revocation,
                )
    for listing in facts_of(facts, SeriousListed):
        add(
            "SDL-13",
            f"publish serious listing {listing.data.listing_id}",
            listing,
            param("SDL-13", "deadline", listing.effective_on, reference),
            listing,
        )
    adjusting = of_type(
        facts,
        "permit.granted",
        "permit.revoked",
        "permit.cancelled",
        "enterprise.licence_revoked",
        "enterprise.deregistered",
    )
    for fact in adjusting:
        add(
            "KEY-03",
            f"adjust key-sector list ({fact.type})",
            fact,
            param("KEY-03", "adjustment", fact.effective_on, reference),
            fact,
        )
    for applied in facts_of(facts, RepairApplied):
        _repair(applied, facts, add, reference)
    return out


def _repair(
    applied: Fact[RepairApplied], facts: Sequence[AnyFact], add: Callable[..., None], reference: ReferenceData
) -> None:
    data = applied.data
    app_id, kind, ref = data.application_id, data.target_kind, data.target_ref
    on = applied.effective_on

    def period(rule: str, name: str) -> Period:
        found: Period = param(rule, name, on, reference)
        return found

    def earliest(*found: AnyFact | None) -> AnyFact | None:
        return min((f for f in found if f is not None), key=recorded_on, default=None)

    accepted, rejected, granted, denied = (
        decision_of(facts, t, app_id) for t in ("repair.accepted", "repair.rejected", "repair.granted", "repair.denied")
    )
    if kind == "abnormal":
        # AOL-10: removal decided within 5 WD of the application (verification is not recorded).
        removed = first(facts, AbnormalRemoved, lambda f: f.data.listing_id == ref)
        add(
            "AOL-10",
            f"decide abnormal-list removal ({app_id})",
            applied,
            period("AOL-10", "deadline"),
            earliest(granted, denied, removed),
        )
        return
    # Serious list: SDL-32/33 (CONFIRMED). Penalty information: REP-07 (UNCONFIRMED reference data).
    serious = kind == "serious"
    procedure, execution = ("SDL-32", "SDL-33") if serious else ("REP-07", "REP-07")
    add(
        procedure,
        f"accept or reject repair application {app_id}",
        applied,
        period(procedure, "acceptance"),
        earliest(accepted, rejected),
    )
    if accepted is not None:
        add(
            procedure,
            f"decide repair application {app_id}",
            accepted,
            period(procedure, "decision"),
            earliest(granted, denied),
        )
    if granted is not None:
        # The ledger stops penalty publicity when the grant is recorded; a serious-list removal
        # needs its own serious.removed record (SDL-33).
        done: AnyFact | None = granted
        if serious:
            done = first(facts, SeriousRemoved, lambda f: f.data.listing_id == ref)
        add(execution, f"execute repair {app_id}", granted, period(execution, "execution"), done)
