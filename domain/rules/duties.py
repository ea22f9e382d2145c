"""The abnormal-list grounds as deadlines (AOL-01, 03..07) and objections (AOL-12).

Each ground starts from a record: the annual-report window's close (AOL-01/03), an order to
publish instant information (AOL-04), an order to change the name (AOL-05), two registered
letters not signed for (AOL-06), a confirmed falsehood (AOL-07). The regulator must then list
within 10 WD unless the enterprise did what was due; an `abnormal.listed` on that ground,
recorded by then, meets it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from itertools import pairwise

from domain.calendar import CalendarDate, Period
from domain.errors import Problem
from domain.history import AnyFact, Fact
from domain.records import (
    AbnormalListed,
    AbnormalObjected,
    AbnormalRemoved,
    AnnualReportFiled,
    EnterpriseChanged,
    EnterpriseRegistered,
    FalseInfoConfirmed,
    InstantInfoOrdered,
    InstantInfoPublished,
    MailReturned,
    NameChangeOrdered,
    ObjectionDecided,
)
from domain.rules.abnormal import ground_in_force
from domain.rules.book import Book, Done, by_recording, on_date
from domain.rules.catalogue import S68_START, param, version_applied
from domain.rules.common import facts_of, first, first_with, of_type

JUNE_30 = (6, 30)


def abnormal_duties(facts: Sequence[AnyFact], book: Book) -> None:
    _annual_reports(facts, book)
    _instant_info(facts, book)
    _name_change(facts, book)
    _unreachable(facts, book)
    _false_info(facts, book)
    _objections(facts, book)


def _listed(facts: Sequence[AnyFact], reason: str, since: date) -> Done:
    found = first(facts, AbnormalListed, lambda f: f.data.reason == reason and f.effective_on >= since)
    return by_recording(found)


def report_years(facts: Sequence[AnyFact], as_of: date) -> list[int]:
    """AOL-01: the years whose report falls due by `as_of`: from the year after establishment (and
    from 2014, the first year of the 2014 Regulation's reports), while the enterprise exists,
    and not for windows that closed before the ledger's record of the enterprise begins."""
    registered = facts_of(facts, EnterpriseRegistered)
    if not registered:
        return []
    reg = registered[0]
    first_year = max(reg.data.established_on.year, S68_START.year)
    enders = of_type(facts, "enterprise.deregistered", "enterprise.licence_revoked")
    last_year = min([as_of.year, *(e.effective_on.year - 1 for e in enders)])
    return [y for y in range(first_year, last_year) if date(y + 1, *JUNE_30) >= reg.effective_on]


def _annual_reports(facts: Sequence[AnyFact], book: Book) -> None:
    """AOL-01: the report for year N between 1 January and 30 June of N+1; AOL-03: if it is not
    filed by then, listed within 10 WD after 30 June."""
    reg = facts_of(facts, EnterpriseRegistered)[0]
    for year in report_years(facts, book.as_of):
        window_end = date(year + 1, *JUNE_30)
        report = _report_of(facts, year)
        done = on_date(report, report.effective_on if report else None)
        book.due(
            "AOL-01",
            f"file the annual report for {year}",
            reg.key,
            date(year + 1, 1, 1),
            CalendarDate(window_end),
            done,
        )
        if report is not None and report.effective_on <= window_end:
            continue
        period: Period = param("AOL-03", "deadline", window_end, book.ctx.reference)
        due = book.ctx.calendar.last_day(window_end, period)
        what = f"list for the missing annual report for {year}"
        book.due("AOL-03", what, reg.key, window_end, due, _listed(facts, "annual_report", window_end))


def _instant_info(facts: Sequence[AnyFact], book: Book) -> None:
    """AOL-04: ordered to publish within 10 D; if not, listed within 10 WD after that."""
    calendar, reference = book.ctx.calendar, book.ctx.reference
    for order in facts_of(facts, InstantInfoOrdered):
        order_id = order.data.order_id
        published = first_with(facts, InstantInfoPublished, order_id=order_id)
        within = calendar.last_day(order.effective_on, param("AOL-04", "order", order.effective_on, reference))
        book.due(
            "AOL-04",
            f"enterprise publishes what order {order_id} requires",
            order.key,
            order.effective_on,
            within,
            on_date(published, published.effective_on if published else None),
        )
        if published is not None and published.effective_on <= within.date:
            continue
        due = calendar.last_day(within.date, param("AOL-04", "deadline", order.effective_on, reference))
        book.due(
            "AOL-04",
            f"list for instant information not published (order {order_id})",
            order.key,
            within.date,
            due,
            _listed(facts, "instant_info", order.effective_on),
        )


def _name_change(facts: Sequence[AnyFact], book: Book) -> None:
    """AOL-05 (Order 101): the name not changed by the deadline: listed within 10 WD after it."""
    calendar, reference = book.ctx.calendar, book.ctx.reference
    for order in facts_of(facts, NameChangeOrdered):
        change_by = order.data.change_by
        if not ground_in_force("name_change", change_by, reference):
            continue
        ordered_on = order.effective_on
        changes = facts_of(facts, EnterpriseChanged)
        if any(ordered_on <= f.effective_on <= change_by and f.data.name for f in changes):
            continue
        due = calendar.last_day(change_by, param("AOL-05", "deadline", change_by, reference))
        book.due(
            "AOL-05",
            f"list for the name not changed (order {order.data.order_id})",
            order.key,
            change_by,
            due,
            _listed(facts, "name_change", change_by),
        )


def unreachable_confirmed(facts: Sequence[AnyFact], book: Book) -> list[tuple[Fact[MailReturned], date]]:
    """AOL-06: two registered letters not signed for, sent at least 15 and at most 30 D apart:
    unreachability is confirmed when the second one's return is (its effective date)."""
    out = []
    letters = sorted(facts_of(facts, MailReturned), key=lambda f: f.data.sent_on)
    for a, b in pairwise(letters):
        on = b.effective_on
        gap_min: Period = param("AOL-06", "gap_min", on, book.ctx.reference)
        gap_max: Period = param("AOL-06", "gap_max", on, book.ctx.reference)
        if gap_min.amount <= (b.data.sent_on - a.data.sent_on).days <= gap_max.amount:
            out.append((b, max(a.effective_on, b.effective_on)))
    return out


def _unreachable(facts: Sequence[AnyFact], book: Book) -> None:
    calendar, reference = book.ctx.calendar, book.ctx.reference
    for letter, confirmed in unreachable_confirmed(facts, book):
        due = calendar.last_day(confirmed, param("AOL-06", "deadline", confirmed, reference))
        book.due(
            "AOL-06",
            f"list as unreachable (letter {letter.data.letter_id})",
            letter.key,
            confirmed,
            due,
            _listed(facts, "unreachable", confirmed),
        )


def _false_info(facts: Sequence[AnyFact], book: Book) -> None:
    """AOL-07 (Order 68 only): listed within 10 WD of the confirmation."""
    calendar, reference = book.ctx.calendar, book.ctx.reference
    for finding in facts_of(facts, FalseInfoConfirmed):
        on = finding.effective_on
        period = version_applied("AOL-07", on, reference).params.get("deadline")
        if period is None:  # Order 101: no longer a ground (fines, possibly the serious list)
            continue
        due = calendar.last_day(on, period)
        book.due(
            "AOL-07",
            f"list for false information ({finding.data.finding_id})",
            finding.key,
            on,
            due,
            _listed(facts, "false_info", on),
        )


def _objections(facts: Sequence[AnyFact], book: Book) -> None:
    """AOL-12: accepted or rejected within 5 WD; verified within 20 WD of acceptance; a listing
    found wrong corrected (an `abnormal.removed`) within 5 WD of that."""
    for objection in facts_of(facts, AbnormalObjected):
        oid, listing_id = objection.data.objection_id, objection.data.listing_id

        def decided(*kinds: str, o: str = oid) -> Fact[ObjectionDecided] | None:
            return first(facts, ObjectionDecided, lambda f: f.data.objection_id == o and f.data.decision in kinds)

        book.after(
            "AOL-12",
            "acceptance",
            f"accept or reject objection {oid}",
            objection,
            by_recording(decided("accepted", "rejected")),
        )
        accepted = decided("accepted")
        if accepted is None:
            continue
        book.after(
            "AOL-12",
            "verification",
            f"verify objection {oid}",
            accepted,
            by_recording(decided("listing_confirmed", "listing_wrong")),
        )
        wrong = decided("listing_wrong")
        if wrong is None:
            continue
        removed = first_with(facts, AbnormalRemoved, listing_id=listing_id)
        book.after("AOL-12", "correction", f"correct wrongful listing {listing_id}", wrong, by_recording(removed))


def annual_report_problems(data: AnnualReportFiled, on: date, facts: Sequence[AnyFact]) -> list[Problem]:
    """AOL-01: a report for year N is filed from 1 January of N+1; a correction by 30 June."""
    if on < date(data.year + 1, 1, 1):
        return [Problem("data.year", f"the report for {data.year} is filed from {data.year + 1}-01-01", "AOL-01")]
    if not data.correction:
        return []
    if on > date(data.year + 1, *JUNE_30):
        return [
            Problem("effective_on", f"a correction of the {data.year} report is due by {data.year + 1}-06-30", "AOL-01")
        ]
    if first(facts, AnnualReportFiled, lambda f: f.data.year == data.year and not f.data.correction) is None:
        return [Problem("data.correction", f"no report for {data.year} to correct", "LEDGER-07")]
    return []


def _report_of(facts: Sequence[AnyFact], year: int) -> Fact[AnnualReportFiled] | None:
    """The first report (not a correction) filed for `year`."""
    return next((f for f in facts_of(facts, AnnualReportFiled) if f.data.year == year and not f.data.correction), None)
