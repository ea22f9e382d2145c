"""Scoring one enterprise: history + model + date → score, class, contributions, overrides.

Pure. The score is the sum of the contributions (each an indicator's points, weighted for the
enterprise's sector, capped, rounded half up to a whole point, and naming the records it came
from); the cut-offs turn it into a class (RISK-01); then the model's overrides apply: the
serious list sets its class (D) while the enterprise is on it (from the listing date), and a
granted risk-class repair lowers the class by one from its execution date (S-TJ28 五(十一):
信用风险分类修复).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from domain.calendar import Period, Unit, add_months, add_years
from domain.context import DEFAULT_CONTEXT, RuleContext
from domain.history import AnyFact, Facts, resolve, typed
from domain.records import EnterpriseRegistered, RepairApplied, RepairDecided
from domain.risk.measures import KEY_SECTORS, MEASURES, Evidence, Key, window_start
from domain.risk.model import CLASSES, RiskModel, parse_window


@dataclass(frozen=True)
class Contribution:
    indicator: str
    title: str
    group: str
    points: int
    units: int
    detail: str
    records: tuple[Key, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator,
            "title": self.title,
            "group": self.group,
            "points": self.points,
            "units": self.units,
            "detail": self.detail,
            "records": [{"department": d, "record_id": r} for d, r in self.records],
        }


@dataclass(frozen=True)
class Applied:
    """An override that changed (or held) the class."""

    kind: str
    from_class: str
    to_class: str
    since: date
    reason: str
    rule: str
    records: tuple[Key, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "from_class": self.from_class,
            "to_class": self.to_class,
            "since": self.since.isoformat(),
            "reason": self.reason,
            "rule": self.rule,
            "records": [{"department": d, "record_id": r} for d, r in self.records],
        }


@dataclass(frozen=True)
class Assessment:
    on: date
    model_version: str
    score: int
    score_class: str
    """The class the cut-offs give the score."""
    risk_class: str
    """The class after the overrides: what the enterprise is supervised by."""
    sector: str
    district: str | None
    contributions: tuple[Contribution, ...]
    overrides: tuple[Applied, ...] = field(default=())

    def as_json(self) -> dict[str, Any]:
        return {
            "on": self.on.isoformat(),
            "model_version": self.model_version,
            "score": self.score,
            "score_class": self.score_class,
            "class": self.risk_class,
            "sector": self.sector,
            "district": self.district,
            "contributions": [c.as_json() for c in self.contributions],
            "overrides": [o.as_json() for o in self.overrides],
        }


def classified_on(facts: Facts, on: date) -> bool:
    """Whether the enterprise exists on `on`: registered by then and not deregistered."""
    registered = facts.by_type.get("enterprise.registered", [])
    if not registered or registered[0].effective_on > on:
        return False
    return not any(f.effective_on <= on for f in facts.by_type.get("enterprise.deregistered", []))


def sector_of(ev: Evidence, model: RiskModel) -> str:
    """The key sector the enterprise is scored in on `ev.on`: that of its valid key-sector permits,
    the first in the model's `sector_order` when they span several; `general` without one."""
    held = {p.sector for p in ev.valid_key_permits}
    for sector in model.sector_order:
        if sector in held:
            return sector
    return next((s for s in KEY_SECTORS if s in held), "general")


def assess(
    history: Sequence[AnyFact], model: RiskModel, on: date, ctx: RuleContext = DEFAULT_CONTEXT
) -> Assessment | None:
    """The enterprise's score and class on `on` by `model`, from its raw history (corrections
    are applied here); None when it does not exist on `on` (not yet registered, deregistered)."""
    facts = Facts(f for f in resolve(history) if f.effective_on <= on)
    if not classified_on(facts, on):
        return None
    ev = Evidence(facts, on, ctx)
    sector = sector_of(ev, model)
    contributions = []
    for indicator in model.indicators:
        weight = indicator.weight(sector)
        if weight == 0:
            continue
        units, records, detail = MEASURES[indicator.measure](ev, indicator, sector)
        if units == 0:
            continue
        points = int((Decimal(indicator.points * units) * weight).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        if indicator.cap is not None:
            points = min(points, indicator.cap) if indicator.points > 0 else max(points, indicator.cap)
        if weight != 1:
            detail += f" × {weight} ({sector})"
        contributions.append(
            Contribution(indicator.id, indicator.title, indicator.group, points, units, detail, records)
        )
    score = sum(c.points for c in contributions)
    score_class = model.cutoffs.class_of(score)
    risk_class, overrides = _overrides(ev, model, score_class)
    registered = typed(facts.by_type["enterprise.registered"][0], EnterpriseRegistered).data
    return Assessment(
        on,
        model.version,
        score,
        score_class,
        risk_class,
        sector,
        registered.district_code,
        tuple(contributions),
        tuple(overrides),
    )


def _overrides(ev: Evidence, model: RiskModel, risk_class: str) -> tuple[str, list[Applied]]:
    facts, on, ctx = ev.facts, ev.on, ev.ctx
    applied: list[Applied] = []
    repair = model.override("risk_class_repair")
    if repair is not None and repair.lower_by is not None and repair.lasts is not None:
        for grant, executed in risk_class_repairs(facts, model, ctx):
            if executed <= on and window_start(on, parse_window(repair.lasts)) <= executed:
                lowered = CLASSES[max(0, CLASSES.index(risk_class) - repair.lower_by)]
                applied.append(
                    Applied(
                        "risk_class_repair",
                        risk_class,
                        lowered,
                        executed,
                        f"risk-class repair granted, executed {executed}: lowered by {repair.lower_by}",
                        "RISK-08",
                        (grant.key,),
                    )
                )
                risk_class = lowered
                break  # one repair lowers once
    serious = model.override("serious_list")
    if serious is not None and serious.risk_class is not None:
        listed = [i for i in ev.serious_intervals if i.contains(on)]
        if listed:
            since = min(i.start for i in listed)
            held = CLASSES[max(CLASSES.index(serious.risk_class), CLASSES.index(risk_class))]
            applied.append(
                Applied(
                    "serious_list",
                    risk_class,
                    held,
                    since,
                    f"on the serious list since {since}: class {serious.risk_class} while listed",
                    "RISK-04",
                    tuple(dict.fromkeys(k for i in listed for k in i.records)),
                )
            )
            risk_class = held
    return risk_class, applied


def risk_class_repairs(facts: Facts, model: RiskModel, ctx: RuleContext) -> list[tuple[AnyFact, date]]:
    """Granted repairs of a risk class (repair.applied target_kind `risk_class`, then
    repair.granted) and the date each takes effect: the grant's date plus the model's execution
    period (calendar days, months or years)."""
    override = model.override("risk_class_repair")
    delay = parse_window(override.execution) if override is not None and override.execution else None
    out = []
    for grant in facts.by_type.get("repair.granted", []):
        application_id = typed(grant, RepairDecided).data.application_id
        applied = [
            a
            for a in facts.by_type.get("repair.applied", [])
            if typed(a, RepairApplied).data.application_id == application_id
        ]
        if not applied or not is_risk_class_repair(typed(applied[0], RepairApplied).data):
            continue
        out.append((grant, grant.effective_on if delay is None else _after(grant.effective_on, delay)))
    return out


def is_risk_class_repair(data: RepairApplied) -> bool:
    """Whether an application targets a risk class (seed 六(十一) 信用风险分类修复). The record
    vocabulary gains `target_kind: risk_class` with the repair cases (issue 21); until then no
    such application can be recorded, and this reads the stored value as text."""
    kind: str = data.target_kind
    return kind == RISK_CLASS_TARGET


RISK_CLASS_TARGET = "risk_class"


def _after(day: date, period: Period) -> date:
    if period.unit is Unit.Y:
        return add_years(day, period.amount)
    if period.unit is Unit.M:
        return add_months(day, period.amount)
    return day + timedelta(days=period.amount)
