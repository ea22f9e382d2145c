"""The rules' checks at intake: which rule refuses which record before it is recorded.

A static table, read by `domain.consistency.check_record` after the ledger's own integrity
checks; each check receives what it needs (the recording department, the rule context) as
arguments.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from domain.context import RuleContext
from domain.errors import Problem
from domain.history import AnyFact
from domain.records import (
    AbnormalListed,
    AbnormalObjected,
    AnnualReportFiled,
    CommitmentMade,
    CommitmentVerified,
    Data,
    EnterpriseRegistered,
    PermitGranted,
    RepairApplied,
    SeriousListed,
)
from domain.rules.abnormal import listing_ground_problems, objection_problems
from domain.rules.commitment import commitment_problems, verification_problems
from domain.rules.duties import annual_report_problems
from domain.rules.licences import licence_problems
from domain.rules.registration import registration_problems
from domain.rules.repair import intake_problems
from domain.rules.serious import listing_problems

RuleCheck = Callable[[Data, date, str, Sequence[AnyFact], RuleContext], list[Problem]]


def _registered(data: Data, on: date, department: str, facts: Sequence[AnyFact], ctx: RuleContext) -> list[Problem]:
    assert isinstance(data, EnterpriseRegistered)
    return registration_problems(data, on, ctx.reference)


def _permit_granted(data: Data, on: date, department: str, facts: Sequence[AnyFact], ctx: RuleContext) -> list[Problem]:
    assert isinstance(data, PermitGranted)
    return licence_problems(data, on, department, facts, ctx)


def _serious_listed(data: Data, on: date, department: str, facts: Sequence[AnyFact], ctx: RuleContext) -> list[Problem]:
    assert isinstance(data, SeriousListed)
    return listing_problems(data, on, department, facts, ctx)


def _abnormal_listed(
    data: Data, on: date, department: str, facts: Sequence[AnyFact], ctx: RuleContext
) -> list[Problem]:
    assert isinstance(data, AbnormalListed)
    return listing_ground_problems(data, on, ctx.reference)


def _abnormal_objected(
    data: Data, on: date, department: str, facts: Sequence[AnyFact], ctx: RuleContext
) -> list[Problem]:
    assert isinstance(data, AbnormalObjected)
    return objection_problems(data, on, facts, ctx)


def _annual_report(data: Data, on: date, department: str, facts: Sequence[AnyFact], ctx: RuleContext) -> list[Problem]:
    assert isinstance(data, AnnualReportFiled)
    return annual_report_problems(data, on, facts)


def _repair_applied(data: Data, on: date, department: str, facts: Sequence[AnyFact], ctx: RuleContext) -> list[Problem]:
    assert isinstance(data, RepairApplied)
    return intake_problems(facts, data, on, ctx)


def _commitment_made(
    data: Data, on: date, department: str, facts: Sequence[AnyFact], ctx: RuleContext
) -> list[Problem]:
    assert isinstance(data, CommitmentMade)
    return commitment_problems(data, on, facts, ctx)


def _commitment_verified(
    data: Data, on: date, department: str, facts: Sequence[AnyFact], ctx: RuleContext
) -> list[Problem]:
    assert isinstance(data, CommitmentVerified)
    return verification_problems(data, facts)


RULE_CHECKS: dict[str, tuple[RuleCheck, ...]] = {
    "enterprise.registered": (_registered,),  # ID-10, ID-11, PEN-06
    "permit.granted": (_permit_granted,),  # ID-20, KEY-05
    "serious.listed": (_serious_listed,),  # SDL-01, 02-05, 10-12, 37
    "abnormal.listed": (_abnormal_listed,),  # AOL-02
    "abnormal.objected": (_abnormal_objected,),  # AOL-12
    "annual_report.filed": (_annual_report,),  # AOL-01
    "repair.applied": (_repair_applied,),  # PEN-11/12, SDL-31, AOL-11
    "commitment.made": (_commitment_made,),  # COM-03, COM-04, COM-07, SDL-20
    "commitment.verified": (_commitment_verified,),  # COM-05
}
