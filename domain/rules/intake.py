"""The rules' checks at intake: which rule refuses which record before it is recorded.

A static table, read by `domain.consistency.check_record` after the ledger's own integrity
checks; each check receives what it needs (the rule context) as an argument.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from domain.context import RuleContext
from domain.errors import Problem
from domain.history import AnyFact
from domain.records import Data, RepairApplied
from domain.rules.repair import intake_problems

RuleCheck = Callable[[Data, date, Sequence[AnyFact], RuleContext], list[Problem]]


def _repair_applied(data: Data, on: date, facts: Sequence[AnyFact], ctx: RuleContext) -> list[Problem]:
    assert isinstance(data, RepairApplied)
    return intake_problems(facts, data, on, ctx)


RULE_CHECKS: dict[str, tuple[RuleCheck, ...]] = {
    "repair.applied": (_repair_applied,),  # PEN-11/12, SDL-31, AOL-11
}
