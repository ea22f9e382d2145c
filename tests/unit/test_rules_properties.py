"""Property tests over random histories (hypothesis).

A history may derive nothing (no penalty, no listing): a property holds trivially there. Each
test therefore says per example whether it had something to check (`hypothesis.event`, shown by
`pytest --hypothesis-show-statistics`) and, after its examples, asserts that most had.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from domain.calendar import WorkingCalendar
from domain.context import RuleContext
from domain.history import Fact
from domain.records import AbnormalListed, PenaltyDecided, RepairApplied, SeriousListed
from domain.reference import DEFAULT_REFERENCE
from domain.rules import derive
from domain.rules.common import Interval, facts_of
from domain.rules.deadlines import deadlines
from domain.rules.repair import intake_problems, repair_eligibility
from tests.unit.rules_history import History

CAL = WorkingCalendar()
REF = DEFAULT_REFERENCE
CTX = RuleContext(CAL, REF)
BASE = date(2019, 1, 1)
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class Exercised:
    """How many of a property test's examples had something to check."""

    def __init__(self, what: str) -> None:
        self.what, self.examples, self.checked = what, 0, 0

    def saw(self, checked: int) -> None:
        self.examples += 1
        self.checked += checked > 0
        event(f"{self.what}: {'some' if checked else 'none'}")

    def assert_most(self) -> None:
        assert self.examples >= 20, self.examples
        assert self.checked >= self.examples // 2, f"{self.checked} of {self.examples} examples had {self.what}"


KINDS = [("fine",), ("warning",), ("criticism",), ("fine", "suspension"), ("ban",), ("fine", "warning")]


@st.composite
def histories(draw: st.DrawFn) -> History:
    h = History()

    def day(after: date = BASE, within: int = 2700) -> date:
        return after + timedelta(days=draw(st.integers(0, within)))

    targets: list[tuple[str, str, date]] = []
    for i in range(draw(st.integers(0, 4))):
        kinds = draw(st.sampled_from(KINDS))
        on = day()
        published = draw(st.one_of(st.none(), st.integers(0, 40)))
        h.penalty(
            f"P{i}",
            on,
            kinds,
            fine=draw(st.sampled_from(["1000.00", "80000.00"])) if "fine" in kinds else None,
            procedure=draw(st.sampled_from(["ordinary", "ordinary", "simplified"])),
            published_on=(on + timedelta(days=published)).isoformat() if published is not None else None,
            restriction_years=draw(st.sampled_from([None, 2, 5])) if "ban" in kinds else None,
            sector=draw(st.sampled_from([None, "other", "food_production"])),
            violation=draw(st.sampled_from(["v1", "v2"])),
        )
        targets.append(("penalty", f"P{i}", on))
        if draw(st.booleans()):
            h.serious(f"S{i}", on, f"P{i}", restriction_years=draw(st.sampled_from([None, 4])))
            targets.append(("serious", f"S{i}", on))
            if draw(st.integers(0, 4)) == 0:
                h.serious_removed(f"S{i}", day(on, 1500), draw(st.sampled_from(["other", "early_repair"])))
        if draw(st.integers(0, 4)) == 0:
            h.revoke_penalty(f"P{i}", day(on, 1200))
    for i in range(draw(st.integers(0, 3))):
        on = day()
        h.abnormal(f"A{i}", on, draw(st.sampled_from(["annual_report", "unreachable", "instant_info"])))
        targets.append(("abnormal", f"A{i}", on))
        if draw(st.booleans()):
            h.abnormal_removed(f"A{i}", day(on, 1500))
    for i in range(draw(st.integers(0, 2))):
        start = day()
        h.permit(
            f"SC{i}",
            start.isoformat(),
            (start + timedelta(days=draw(st.integers(30, 2000)))).isoformat(),
            sector=draw(st.sampled_from(["food_production", "special_equipment", "other"])),
        )
        if draw(st.booleans()):
            h.add("permit.renewed", day(start, 2000), {"permit_no": f"SC{i}", "valid_until": "2031-12-31"})
        if draw(st.integers(0, 3)) == 0:
            h.add("permit.revoked", day(start, 2000), {"permit_no": f"SC{i}", "kind": "revoked", "decision_no": "X"})
    if targets:
        for i in range(draw(st.integers(0, 3))):
            kind, ref, on = draw(st.sampled_from(targets))
            applied = day(on, 1500)
            granted = day(applied, 60) if draw(st.booleans()) else None
            revoked = day(granted, 400) if granted and draw(st.booleans()) else None
            h.repair(f"R{i}", kind, ref, applied, granted=granted, revoked=revoked, fraud=draw(st.booleans()))
    if draw(st.integers(0, 3)) == 0:
        h.add("commitment.made", day(), {"commitment_id": "C1", "matter": "m", "text": "t", "consent_to_publish": True})
        h.add("commitment.verified", day(), {"commitment_id": "C1", "outcome": "untrue"})
    if draw(st.integers(0, 3)) == 0:
        h.add(
            "inspection.concluded",
            day(),
            {"task_id": "T", "item": "i", "kind": "double_random", "result": "rectification_ordered"},
        )
    return h


def by_subject(intervals: list[Interval]) -> dict[tuple[str, str], list[Interval]]:
    groups: dict[tuple[str, str], list[Interval]] = defaultdict(list)
    for i in intervals:
        groups[(i.kind, i.subject)].append(i)
    return groups


def without(facts: list[Fact], *types: str) -> list[Fact]:
    return [f for f in facts if f.type not in types]


def test_intervals_never_overlap_within_one_list_for_one_subject() -> None:
    seen = Exercised("intervals")

    @FAST
    @given(histories())
    def check(h: History) -> None:
        derived = derive(h.facts, CTX)
        seen.saw(len(derived))
        for (kind, subject), intervals in by_subject(derived).items():
            intervals.sort(key=lambda i: i.start)
            for earlier, later in zip(intervals, intervals[1:], strict=False):
                assert earlier.end is not None and earlier.end <= later.start, (kind, subject, intervals)
            for i in intervals:
                assert i.end is None or i.start < i.end, i
                assert i.rules, i

    check()
    seen.assert_most()


def test_a_granted_repair_never_lengthens_a_window() -> None:
    seen = Exercised("windows under a granted repair")

    @FAST
    @given(histories())
    def check(h: History) -> None:
        granted_only = without(h.facts, "repair.revoked")
        no_repair = without(h.facts, "repair.applied", "repair.granted", "repair.revoked")
        shorter = by_subject(derive(granted_only, CTX))
        longer = by_subject(derive(no_repair, CTX))
        compared = 0
        for key in shorter:
            if key[0] not in ("penalty_publicity", "serious_list", "abnormal_list"):
                continue
            for i in shorter[key]:
                compared += 1
                assert any(
                    j.start <= i.start and (j.end is None or (i.end is not None and i.end <= j.end))
                    for j in longer.get(key, [])
                ), (i, longer.get(key))
        seen.saw(compared)

    check()
    seen.assert_most()


def test_a_window_never_starts_before_its_decision() -> None:
    seen = Exercised("windows and listings")

    @FAST
    @given(histories())
    def check(h: History) -> None:
        decided = {f.data.decision_no: f.effective_on for f in facts_of(h.facts, PenaltyDecided)}
        listed = {f.data.listing_id: f.effective_on for f in facts_of(h.facts, SeriousListed)}
        listed |= {f.data.listing_id: f.effective_on for f in facts_of(h.facts, AbnormalListed)}
        compared = 0
        for i in derive(h.facts, CTX):
            if i.kind == "penalty_publicity":
                assert i.start >= decided[i.subject]
                compared += 1
            elif i.kind in ("serious_list", "abnormal_list"):
                # the 2014 serious illegal enterprise list is named after its abnormal listing (AOL-20)
                assert i.start >= listed[i.subject.removeprefix("AOL-20:")]
                compared += 1
        seen.saw(compared)

    check()
    seen.assert_most()


def test_deriving_twice_or_in_another_input_order_gives_the_same_answer() -> None:
    seen = Exercised("intervals")

    @FAST
    @given(histories(), st.randoms(use_true_random=False))
    def check(h: History, rnd: random.Random) -> None:
        facts = h.facts
        first = derive(facts, CTX)
        seen.saw(len(first))
        assert derive(facts, CTX) == first
        shuffled = list(facts)
        rnd.shuffle(shuffled)
        assert derive(shuffled, CTX) == first

    check()
    seen.assert_most()


def test_eligibility_deadlines_and_intake_answer_every_question_with_rule_ids() -> None:
    seen = Exercised("deadlines and repair targets")

    @FAST
    @given(histories(), st.integers(0, 3300))
    def check(h: History, offset: int) -> None:
        on = BASE + timedelta(days=offset)
        facts = h.facts
        found = deadlines(facts, on, CTX)
        for x in found:
            assert x.status in ("open", "met", "missed") and x.rule
        targets = [("penalty", f.data.decision_no) for f in facts_of(facts, PenaltyDecided)]
        targets += [("serious", f.data.listing_id) for f in facts_of(facts, SeriousListed)]
        targets += [("abnormal", f.data.listing_id) for f in facts_of(facts, AbnormalListed)]
        seen.saw(len(found) + len(targets))
        for kind, ref in targets:
            result = repair_eligibility(facts, kind, ref, on, CTX)
            assert result.may_apply == (not result.unmet)
            assert all(c.rule for c in result.unmet)
            if result.earliest_on is not None and not result.may_apply and all(c.earliest_on for c in result.unmet):
                assert result.earliest_on > on
            applied = RepairApplied(application_id="A-probe", target_kind=kind, target_ref=ref)
            for p in intake_problems(facts, applied, on, CTX):
                assert p.rule and (p.field != "effective_on" or p.earliest_on is not None)

    check()
    seen.assert_most()
