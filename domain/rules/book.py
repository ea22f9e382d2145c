"""What a deadline is and how one is judged (the `Book` the deadline rules write into).

A deadline is met when what fulfils it happened on or before the due date: for what the ledger
does itself on recording (it publishes a permit or a listing, adjusts the key-sector list,
withdraws a revoked penalty), the day the fulfilling record was recorded (`Fact.recorded_at`,
as an Asia/Shanghai date; a fact not yet recorded counts on its effective date); for what
happens elsewhere and is reported to it (a penalty published, a record pushed to another
province, an enterprise's own publication), the date the record gives for it. At `as_of` a
deadline is open while unfulfilled and not yet due, missed once past due unfulfilled or
fulfilled late.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from domain.calendar import CalendarDate, Period
from domain.context import RuleContext
from domain.history import AnyFact
from domain.rules.catalogue import param, provisional_reason
from domain.rules.common import Key

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


Done = tuple[Key, date] | None


def by_recording(fact: AnyFact | None) -> Done:
    """Fulfilled when the ledger recorded `fact` (what the ledger itself does on recording)."""
    return (fact.key, recorded_on(fact)) if fact is not None else None


def on_date(fact: AnyFact | None, day: date | None) -> Done:
    """Fulfilled on `day`, the date `fact` gives for an act done elsewhere."""
    return (fact.key, day) if fact is not None and day is not None else None


@dataclass
class Book:
    """The deadlines found so far, judged as of `as_of`."""

    as_of: date
    ctx: RuleContext
    out: list[Deadline] = field(default_factory=list)

    def due(
        self, rule: str, what: str, record: Key, start: date, due: CalendarDate, done: Done, provisional: bool = False
    ) -> None:
        if start > self.as_of:
            return
        if done is not None and done[1] > self.as_of:
            done = None  # not fulfilled yet as of that date
        if done is not None:
            status = "met" if done[1] <= due.date else "missed"
        else:
            status = "open" if self.as_of <= due.date else "missed"
        self.out.append(
            Deadline(
                rule,
                what,
                record,
                due.date,
                due.provisional or provisional,
                status,
                done[0] if done else None,
                done[1] if done else None,
            )
        )

    def after(self, rule: str, name: str, what: str, start: AnyFact, done: Done, on: date | None = None) -> None:
        """A deadline of `rule`'s period `name` counted from `start` (or from `on`)."""
        begin = on or start.effective_on
        period: Period = param(rule, name, start.effective_on, self.ctx.reference)
        due = self.ctx.calendar.last_day(begin, period)
        earlier = bool(provisional_reason(rule, start.effective_on, self.ctx.reference))
        self.due(rule, what, start.key, begin, due, done, earlier)
