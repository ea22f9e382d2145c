"""Legal deadlines per record and whether they were met (judged as `domain.rules.book` says)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from domain.calendar import CalendarDate
from domain.context import RuleContext
from domain.history import AnyFact, Fact
from domain.records import (
    EnterpriseRegistered,
    InspectionConcluded,
    InstantInfoPublished,
    PenaltyRevoked,
    PermitGranted,
    PermitRenewed,
    SeriousListed,
)
from domain.rules.book import Book, Deadline, Done, by_recording, on_date, recorded_on
from domain.rules.catalogue import S_TJ28_ISSUED
from domain.rules.commitment import commitment_deadlines
from domain.rules.common import facts_of, first, of_type, penalties
from domain.rules.duties import abnormal_duties
from domain.rules.key_sector import on_key_sector_list
from domain.rules.penalty import is_published
from domain.rules.registration import registered_outside_tianjin
from domain.rules.repair_case import repair_cases

__all__ = ["Deadline", "deadlines", "recorded_on"]

KEY_SECTORS = frozenset({"food_production", "special_food", "special_equipment"})
# KEY-09, AOL-01: the enterprise's own duties under the Disclosure Regulation (individual
# businesses and cooperatives report under rules of their own, not carried here).
DISCLOSING_KINDS = frozenset({"enterprise", "branch"})


def deadlines(facts: Sequence[AnyFact], as_of: date, ctx: RuleContext) -> list[Deadline]:
    book = Book(as_of, ctx)
    outside = registered_outside_tianjin(facts)
    registered = facts_of(facts, EnterpriseRegistered)
    discloses = bool(registered) and not outside and registered[0].data.entity_kind in DISCLOSING_KINDS
    for no, fact in penalties(facts).items():
        penalty = fact.data
        if is_published(penalty) and outside:
            # PEN-06: pushed to the registration place within 10 WD; it publishes there.
            book.after(
                "PEN-06", "push", f"push penalty {no} to the registration place", fact, on_date(fact, penalty.pushed_on)
            )
        elif is_published(penalty):
            # PEN-05: met when published on time (published_on), not when recorded.
            book.after("PEN-05", "deadline", f"publish penalty {no}", fact, on_date(fact, penalty.published_on))
        if discloses:
            book.after(
                "KEY-09", "deadline", f"enterprise publishes penalty {no}", fact, _published(facts, "penalty", no)
            )
    for revocation in facts_of(facts, PenaltyRevoked):
        no = revocation.data.decision_no
        decided = penalties(facts).get(no)
        if decided is not None and is_published(decided.data):
            book.after("PEN-07", "deadline", f"withdraw penalty {no}", revocation, by_recording(revocation))
        for listing in facts_of(facts, SeriousListed):
            if listing.data.penalty_decision_no == no and listing.effective_on <= revocation.effective_on:
                # The ledger revokes the listing when the annulment is recorded (SDL-34).
                what = f"revoke serious listing {listing.data.listing_id}"
                book.after("SDL-34", "deadline", what, revocation, by_recording(revocation))
    for listing in facts_of(facts, SeriousListed):
        listing_id = listing.data.listing_id
        if outside:
            what = f"push serious listing {listing_id} to the registration place"
            book.after("SDL-13", "push", what, listing, on_date(listing, listing.data.pushed_on))
        else:
            book.after("SDL-13", "deadline", f"publish serious listing {listing_id}", listing, by_recording(listing))
    _key_sector(facts, book)
    grants: list[Fact[PermitGranted] | Fact[PermitRenewed]] = [
        *facts_of(facts, PermitGranted),
        *facts_of(facts, PermitRenewed),
    ]
    for grant in grants:
        no = grant.data.permit_no
        # KEY-08: the regulator publishes the licence; the ledger does so when it records it.
        book.after("KEY-08", "deadline", f"publish permit {no} ({grant.type})", grant, by_recording(grant))
        if discloses:
            book.after(
                "KEY-09",
                "deadline",
                f"enterprise publishes permit {no} ({grant.type})",
                grant,
                _published(facts, "permit", no, grant.effective_on),
            )
    _repair(facts, book)
    commitment_deadlines(facts, book)
    for inspected in facts_of(facts, InspectionConcluded):
        if inspected.data.kind == "double_random":
            # DR-05: the result of a random inspection is published within 20 WD of its end; the
            # ledger publishes inspections in the public view, so recording it publishes it.
            what = f"publish the result of random-inspection task {inspected.data.task_id}"
            book.after("DR-05", "deadline", what, inspected, by_recording(inspected))
    if discloses:
        abnormal_duties(facts, book)
    return book.out


def _published(facts: Sequence[AnyFact], kind: str, ref: str, since: date | None = None) -> Done:
    """KEY-09: the enterprise's own publication of the permit or penalty (its effective date)."""
    found = first(
        facts,
        InstantInfoPublished,
        lambda f: f.data.info_kind == kind and f.data.ref == ref and (since is None or f.effective_on >= since),
    )
    return on_date(found, found.effective_on if found else None)


def _key_sector(facts: Sequence[AnyFact], book: Book) -> None:
    """KEY-03: within 3 WD of a key-sector licence's grant or exit, or of the revocation of the
    business licence of an enterprise on the list; none for deregistration (an automatic exit)
    nor for acts before the plan created the list."""
    sectors = {f.data.permit_no: f.data.sector.value for f in facts_of(facts, PermitGranted)}
    for fact in of_type(facts, "permit.granted", "permit.revoked", "permit.cancelled", "enterprise.licence_revoked"):
        if fact.effective_on < S_TJ28_ISSUED:
            continue
        if fact.type == "enterprise.licence_revoked":
            if not on_key_sector_list(facts, fact.effective_on - timedelta(days=1), book.ctx):
                continue
        elif sectors.get(getattr(fact.data, "permit_no", "")) not in KEY_SECTORS:
            continue
        book.after("KEY-03", "adjustment", f"adjust key-sector list ({fact.type})", fact, by_recording(fact))


def _repair(facts: Sequence[AnyFact], book: Book) -> None:
    """Each repair case's clocks (domain.rules.repair_case): serious list SDL-32/33 (CONFIRMED),
    penalty information and risk class REP-07 (UNCONFIRMED reference data), abnormal list AOL-10;
    a clock stopped for a correction is due again only once the materials arrive."""
    for case in repair_cases(facts, book.ctx):
        for clock in case.clocks:
            if clock.stopped and clock.stopped[-1][1] is None and clock.done is None:
                continue  # stopped (补正): no due date runs until the materials arrive
            due = CalendarDate(clock.due, clock.provisional)
            book.due(clock.rule, clock.what, clock.record, clock.start, due, clock.done, clock.provisional)
