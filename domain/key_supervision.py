"""Key-supervision plans (重点监管计划, issue 20; S-TJ28 五(八)2; rulebook DR-04, DR-09).

"统筹建立包括重点监管事项清单、重点监管企业清单和重点监管程序为主要内容的重点监管计划制度 … 包括监管频次、
监管方式、监管流程、信用监管机制等": a plan names its items, the rule of its enterprise list and its
procedure (frequency per year, method, flow). The list is derived as of a date, as the ledger
knew it at a moment, from the criteria the plan names, plus enterprises named by hand with a
reason. Plans are dated data like the item list (a version never changes).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Criterion(StrEnum):
    class_d = "class_d"
    """Risk class D on the date (RISK-04: strict supervision)."""
    serious_list = "serious_list"
    """On the serious-violation list on the date (DR-09; Order 44 Art 15(2))."""
    special_food_producers = "special_food_producers"
    """Holders of a special-food permit in force (Order 49 Art 22)."""
    food_producers_c_d = "food_producers_c_d"
    """Food producers of class C or D (Order 49 Art 22; S-FPL Art 44: bad credit records)."""
    special_equipment = "special_equipment"
    """Holders of a special-equipment permit in force (Order 57 Art 9 names key units; the ledger
    records no key-unit status, so the plan names those by hand unless it takes every holder)."""


CRITERIA_RULES = {
    Criterion.class_d: "RISK-04",
    Criterion.serious_list: "DR-09",
    Criterion.special_food_producers: "DR-09",
    Criterion.food_producers_c_d: "DR-09",
    Criterion.special_equipment: "DR-04",
}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Procedure(Strict):
    frequency_per_year: int = Field(ge=1, le=52)
    method: str = Field(min_length=1, max_length=200)
    flow: str = Field(min_length=1, max_length=2000)
    credit_mechanism: str | None = Field(default=None, max_length=2000)


class Named(Strict):
    uscc: str = Field(min_length=18, max_length=18)
    reason: str = Field(min_length=1, max_length=500)


class KeyPlan(Strict):
    plan_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    name: str = Field(min_length=1, max_length=200)
    department: str = Field(min_length=1, max_length=64)
    items: list[str] = Field(min_length=1, description="the key-supervision items (重点监管事项) it covers")
    criteria: list[Criterion] = Field(default_factory=list)
    named: list[Named] = Field(default_factory=list)
    procedure: Procedure
    effective_from: date
    source: str = Field(default="assumed", max_length=500)


def periods_passed(frequency: int, as_of: date) -> int:
    """How many of the year's `frequency` equal periods have ended by `as_of` (each period is
    due one inspection, due on its last day)."""
    start = date(as_of.year, 1, 1)
    days = (date(as_of.year + 1, 1, 1) - start).days
    elapsed = (as_of - start).days + 1
    return min(frequency, math.floor(frequency * elapsed / days))


def schedule(plan: KeyPlan, as_of: date, done: int) -> dict[str, Any]:
    """Inspections of one enterprise in the year of `as_of`: due (still to do this year), done,
    overdue (periods ended without an inspection)."""
    f = plan.procedure.frequency_per_year
    return {
        "per_year": f,
        "done": done,
        "due": max(0, f - done),
        "overdue": max(0, periods_passed(f, as_of) - done),
    }


def enterprise_list(plan: KeyPlan, members: Mapping[Criterion, set[str]]) -> dict[str, list[dict[str, str]]]:
    """uscc → the reasons it is on the plan's list: each criterion it meets (with its rule), and
    the hand-named reason."""
    out: dict[str, list[dict[str, str]]] = {}
    for criterion in plan.criteria:
        for uscc in sorted(members.get(criterion, set())):
            out.setdefault(uscc, []).append({"criterion": criterion.value, "rule": CRITERIA_RULES[criterion]})
    for n in plan.named:
        out.setdefault(n.uscc, []).append({"criterion": "named", "reason": n.reason, "rule": "DR-04"})
    return dict(sorted(out.items()))
