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

from domain.calendar import Period, WorkingCalendar
from domain.history import Fact
from domain.rules.catalogue import param
from domain.rules.common import Key, decision_of, first, of_type, penalties, penalty_data
from domain.rules.penalty import is_published
from domain.rules.reference import ReferenceData

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


def recorded_on(fact: Fact) -> date:
    if fact.recorded_at is None:
        return fact.effective_on
    return fact.recorded_at.astimezone(SHANGHAI).date()


def deadlines(
    facts: Sequence[Fact], as_of: date, calendar: WorkingCalendar, reference: ReferenceData
) -> list[Deadline]:
    out: list[Deadline] = []

    def add(rule: str, what: str, start: Fact, period: Period, done: Fact | None) -> None:
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
        if is_published(penalty_data(fact)):
            # Met when the penalty reached the ledger in time to be published by the deadline
            # (PEN-05); the window itself starts at published_on or the deadline (penalty.py).
            add(
                "PEN-05", f"publish penalty {no}", fact, param("PEN-05", "deadline", fact.effective_on, reference), fact
            )
    for fact in of_type(facts, "penalty.revoked"):
        no = fact.data.decision_no  # type: ignore[attr-defined]
        decided = penalties(facts).get(no)
        if decided is not None and is_published(penalty_data(decided)):
            add(
                "PEN-07",
                f"withdraw penalty {no}",
                fact,
                param("PEN-07", "deadline", fact.effective_on, reference),
                fact,
            )
        for listing in of_type(facts, "serious.listed"):
            if listing.data.penalty_decision_no == no and listing.effective_on <= fact.effective_on:  # type: ignore[attr-defined]
                # The ledger revokes the listing when the annulment is recorded (SDL-34).
                add(
                    "SDL-34",
                    f"revoke serious listing {listing.data.listing_id}",
                    fact,  # type: ignore[attr-defined]
                    param("SDL-34", "deadline", fact.effective_on, reference),
                    fact,
                )
    for fact in of_type(facts, "serious.listed"):
        add(
            "SDL-13",
            f"publish serious listing {fact.data.listing_id}",
            fact,  # type: ignore[attr-defined]
            param("SDL-13", "deadline", fact.effective_on, reference),
            fact,
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
    for applied in of_type(facts, "repair.applied"):
        _repair(applied, facts, add, reference)
    return out


def _repair(applied: Fact, facts: Sequence[Fact], add: Callable[..., None], reference: ReferenceData) -> None:
    data = applied.data
    app_id, kind, ref = data.application_id, data.target_kind, data.target_ref  # type: ignore[attr-defined]
    on = applied.effective_on

    def period(rule: str, name: str) -> Period:
        return param(rule, name, on, reference)

    def earliest(*found: Fact | None) -> Fact | None:
        return min((f for f in found if f is not None), key=recorded_on, default=None)

    accepted, rejected, granted, denied = (
        decision_of(facts, t, app_id) for t in ("repair.accepted", "repair.rejected", "repair.granted", "repair.denied")
    )
    if kind == "abnormal":
        # AOL-10: removal decided within 5 WD of the application (verification is not recorded).
        removed = first(facts, "abnormal.removed", lambda f: f.data.listing_id == ref)  # type: ignore[attr-defined]
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
        done = first(facts, "serious.removed", lambda f: f.data.listing_id == ref) if serious else granted  # type: ignore[attr-defined]
        add(execution, f"execute repair {app_id}", granted, period(execution, "execution"), done)
