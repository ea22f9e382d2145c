"""Licences at intake (ID-20, KEY-05) and which licences are food-safety credit records (KEY-10)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from domain.context import RuleContext
from domain.errors import Problem
from domain.history import AnyFact
from domain.records import PermitGranted, Sector
from domain.rules.catalogue import S_FPL_START
from domain.rules.registration import district_of_bureau

FOOD_LICENCES = frozenset({Sector.food_production, Sector.special_food})
# ID-20 (S-FPL Art 30): SC + 3-digit food category, 2-digit province, city and county, 4-digit
# sequence, 1 check digit. The check digit's algorithm is not published: not checked.
FOOD_LICENCE_NUMBER = re.compile(r"^SC\d{14}$")
# KEY-05 (S-FPL Art 7): granted by the provincial-level authority. Special foods are a sector of
# their own; infant complementary foods and salt are told by the category the licence names.
PROVINCIAL_CATEGORIES = ("婴幼儿辅助食品", "食盐")


def is_food_producer_licence(grant: PermitGranted) -> bool:
    """KEY-10: a food production licence (special foods included) is part of the producer's
    food-safety credit file, published with its inspections."""
    return grant.sector in FOOD_LICENCES


def licence_problems(
    data: PermitGranted, on: date, department: str, facts: Sequence[AnyFact], ctx: RuleContext
) -> list[Problem]:
    if data.sector not in FOOD_LICENCES or on < S_FPL_START:
        return []
    problems = []
    if not FOOD_LICENCE_NUMBER.match(data.permit_no):
        problems.append(
            Problem(
                "data.permit_no", f"{data.permit_no!r} is not a food production licence number: SC + 14 digits", "ID-20"
            )
        )
    # (A number cancelled in this enterprise's history is refused by `domain.consistency`; across
    # enterprises the ledger holds no index of numbers: not checked.)
    provincial = data.sector == Sector.special_food or any(c in data.category for c in PROVINCIAL_CATEGORIES)
    district = district_of_bureau(department, ctx.reference)
    if provincial and district is not None and district not in ctx.reference.provincial_licence_districts:
        problems.append(
            Problem(
                "source.department",
                f"{data.category} licences are granted by the city authority, not a district bureau ({department})",
                "KEY-05",
            )
        )
    return problems
