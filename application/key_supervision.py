"""Key-supervision plans (issue 20, docs/draws.md; S-TJ28 五(八)2; DR-04, DR-09): plans as dated
data, and a plan's enterprise list as of a date (as known at a moment) with each enterprise's
inspections of the year: due, done (`inspection.concluded` of kind key_supervision), overdue."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from domain.errors import NotFoundError, Problem
from domain.history import AnyFact
from domain.key_supervision import Criterion, KeyPlan, enterprise_list, schedule


class PlanData(Protocol):
    def load_plans(self, plans: Sequence[KeyPlan], source: str) -> list[tuple[str, str]]: ...
    def plans(self, as_of: date) -> list[KeyPlan]: ...


class Criteria(Protocol):
    def criterion(self, name: str, as_of: date, known_at: datetime | None) -> set[str]: ...
    def names(self, usccs: Sequence[str], on: date) -> dict[str, str]: ...


@dataclass
class KeySupervision:
    data: PlanData
    criteria: Criteria
    history: Callable[[str], list[AnyFact]]

    def load(self, plans: Sequence[KeyPlan], source: str) -> list[tuple[str, str]]:
        return self.data.load_plans(plans, source)

    def plans(self, as_of: date) -> list[KeyPlan]:
        return self.data.plans(as_of)

    def plan(self, plan_id: str, as_of: date) -> KeyPlan:
        for p in self.data.plans(as_of):
            if p.plan_id == plan_id:
                return p
        raise NotFoundError(
            f"no key-supervision plan {plan_id} in force on {as_of}",
            [Problem("plan_id", f"not in force on {as_of}", "DR-04")],
        )

    def enterprises(self, plan_id: str, as_of: date, known_at: datetime | None) -> dict[str, Any]:
        plan = self.plan(plan_id, as_of)
        members = {c: self.criteria.criterion(c.value, as_of, known_at) for c in plan.criteria}
        listed = enterprise_list(plan, members)
        names = self.criteria.names(list(listed), as_of)
        out = []
        for uscc, reasons in listed.items():
            done = sum(
                1
                for f in self.history(uscc)
                if f.type == "inspection.concluded"
                and getattr(f.data, "kind", None) == "key_supervision"
                and f.effective_on.year == as_of.year
                and f.effective_on <= as_of
                and (known_at is None or (f.recorded_at is not None and f.recorded_at <= known_at))
            )
            out.append({"uscc": uscc, "name": names.get(uscc), "reasons": reasons, **schedule(plan, as_of, done)})
        return {
            "plan_id": plan.plan_id,
            "name": plan.name,
            "as_of": as_of.isoformat(),
            "known_at": None if known_at is None else known_at.isoformat(),
            "procedure": plan.procedure.model_dump(mode="json"),
            "items": list(plan.items),
            "enterprises": out,
        }


__all__ = ["Criterion", "KeySupervision"]
