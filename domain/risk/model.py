"""Risk models: dated reference data that turn an enterprise's history into a score and a class.

A model version (S-TJ28 五(七)1–2: 基础赋分 + 专业赋分) has an effective date, indicators in three
groups (SAMR's 2022 food draft: general 20 + sector static 40 + sector dynamic 40 = 100, higher is
riskier), each with its points, cap, look-back window and per-sector weights, the cut-offs from
score to class (RISK-01: A low … D high), the overrides (the serious list → D from the listing
date; a granted risk-class repair lowers the class by one) and the special cases that re-score an
enterprise between yearly runs (RISK-06: 每年年初调整一次企业分值, 特殊情况除外). Every number
carries its source, or says "assumed" (RISK-08: Tianjin's weights and cut-offs are not public).

A version, once loaded, never changes: loading the same version with other content is refused.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cached_property, lru_cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from domain.calendar import Period, Unit
from domain.errors import NotFoundError, RiskModelError

CLASSES: tuple[str, ...] = ("A", "B", "C", "D")
"""RISK-01: A low (信用风险低), B general (一般), C higher (较高), D high (高)."""
RiskClass = Literal["A", "B", "C", "D"]
Group = Literal["base", "sector_static", "sector_dynamic"]
SectorKey = Literal["food_production", "special_food", "special_equipment", "general"]
"""A key sector (KEY-01), or `general`: an enterprise without a valid key-sector permit."""

Measure = Literal[
    "young",
    "annual_reports_missing",
    "abnormal_listed",
    "licence_revoked",
    "no_valid_permit",
    "permits_revoked",
    "inspections_failed",
    "inspections_passed",
    "penalties",
    "penalties_severe",
    "serious_listed",
    "commitments_untrue",
    "commitments_kept",
    "repairs_granted",
    "sector_inherent",
    "permit_lines",
]
"""What an indicator counts in a history (`domain.risk.measures`): a closed vocabulary, so that a
model file can choose and weigh indicators but cannot invent one the ledger does not compute."""

SpecialCaseKind = Literal[
    "serious_listed", "licence_revoked", "permit_revoked", "commitment_untrue", "risk_class_repair_granted"
]
"""Records that re-score an enterprise at once, between yearly runs (S-TJ28 五(七)2 特殊情况)."""

_WINDOW = re.compile(r"^\s*(\d+)\s*(D|M|Y)\s*$")
Source = Annotated[str, Field(min_length=1, max_length=500)]


@lru_cache(maxsize=256)
def parse_window(text: str) -> Period:
    """A window's text as a period (cached: every enterprise of a run asks for the same few)."""
    match = _WINDOW.match(text)
    if not match:
        raise ValueError(f"a window is a number of days, months or years such as '3 Y' or '6 M', not {text!r}")
    return Period(int(match.group(1)), Unit(match.group(2)))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GroupSpec(_Strict):
    max_points: int = Field(ge=0, le=1000)
    source: Source


class Indicator(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.]{0,63}$")]
    title: Annotated[str, Field(min_length=1, max_length=200)]
    group: Group
    measure: Measure
    points: int = Field(ge=-100, le=100, description="points per unit counted (negative: lowers the risk)")
    cap: int | None = Field(
        default=None,
        ge=-100,
        le=100,
        description="the most (or, for negative points, the least) this indicator adds, after weights",
    )
    window: str | None = Field(default=None, description="look-back window, e.g. '3 Y'; none: on the date itself")
    params: dict[str, int] = Field(default_factory=dict)
    weights: dict[SectorKey, Decimal] | None = Field(
        default=None,
        description="multiplier per sector; a sector left out gets 0 (the indicator does not apply); none: 1 for all",
    )
    source: Source

    @field_validator("window")
    @classmethod
    def _window(cls, value: str | None) -> str | None:
        if value is not None:
            parse_window(value)
        return value

    @field_validator("weights")
    @classmethod
    def _weights(cls, value: dict[str, Decimal] | None) -> dict[str, Decimal] | None:
        if value is not None and any(w < 0 or w > 10 for w in value.values()):
            raise ValueError("a weight is between 0 and 10")
        return value

    @model_validator(mode="after")
    def _capped(self) -> Indicator:
        if self.cap is not None and self.cap * self.points < 0:
            raise ValueError(f"{self.id}: the cap has the sign of the points")
        if self.points > 0 and self.cap is None:
            raise ValueError(f"{self.id}: an indicator adding points needs a cap (the group's maximum must hold)")
        return self

    @property
    def period(self) -> Period | None:
        return None if self.window is None else parse_window(self.window)

    def weight(self, sector: str) -> Decimal:
        if self.weights is None:
            return Decimal(1)
        return next((w for key, w in self.weights.items() if key == sector), Decimal(0))


class Cutoffs(_Strict):
    """Score → class: at least `B` points is B, at least `C` is C, at least `D` is D, below `B` is A."""

    B: int
    C: int
    D: int
    source: Source

    @model_validator(mode="after")
    def _increasing(self) -> Cutoffs:
        if not self.B < self.C < self.D:
            raise ValueError("cut-offs must increase: B < C < D")
        return self

    def class_of(self, score: int) -> str:
        if score >= self.D:
            return "D"
        if score >= self.C:
            return "C"
        if score >= self.B:
            return "B"
        return "A"


class Override(_Strict):
    kind: Literal["serious_list", "risk_class_repair"]
    risk_class: RiskClass | None = Field(default=None, description="serious_list: the class while listed")
    lower_by: int | None = Field(default=None, ge=1, le=3, description="risk_class_repair: classes lowered")
    execution: str | None = Field(
        default=None, description="risk_class_repair: from the grant to its execution, e.g. '0 D'"
    )
    lasts: str | None = Field(default=None, description="risk_class_repair: how long the lowering lasts, e.g. '1 Y'")
    source: Source

    @model_validator(mode="after")
    def _complete(self) -> Override:
        if self.kind == "serious_list" and self.risk_class is None:
            raise ValueError("a serious_list override names its risk_class")
        if self.kind == "risk_class_repair":
            if self.lower_by is None or self.lasts is None:
                raise ValueError("a risk_class_repair override gives lower_by and lasts")
            parse_window(self.lasts)
            if self.execution is not None:
                parse_window(self.execution)
        return self


class SpecialCase(_Strict):
    kind: SpecialCaseKind
    source: Source


class RiskModel(_Strict):
    schema_version: Literal[1] = 1
    version: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")]
    title: Annotated[str, Field(min_length=1, max_length=300)]
    effective_from: date = Field(description="the first date this model classifies (TIME-04)")
    provisional: bool = Field(description="true until TJ-MSC confirms its numbers (rulebook Q7)")
    groups: dict[Group, GroupSpec]
    sector_order: list[SectorKey] = Field(
        min_length=1, description="the sector an enterprise is scored in, when its valid permits span several"
    )
    sector_order_source: Source
    cutoffs: Cutoffs
    indicators: list[Indicator] = Field(min_length=1)
    overrides: list[Override] = Field(default_factory=list)
    special_cases: list[SpecialCase] = Field(default_factory=list)
    sources: dict[str, str] = Field(default_factory=dict, description="the documents the sources cite")
    notes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> RiskModel:
        ids = [i.id for i in self.indicators]
        if len(ids) != len(set(ids)):
            raise ValueError("indicator ids must be unique")
        missing = {i.group for i in self.indicators} - set(self.groups)
        if missing:
            raise ValueError(f"indicators name groups the model does not define: {sorted(missing)}")
        for group, spec in self.groups.items():
            most = sum(_most(i) for i in self.indicators if i.group == group)
            if most > spec.max_points:
                raise ValueError(
                    f"group {group}: its indicators can add {most} points, more than its max_points {spec.max_points}"
                )
        kinds = [o.kind for o in self.overrides]
        if len(kinds) != len(set(kinds)):
            raise ValueError("one override of each kind")
        return self

    @cached_property
    def digest(self) -> str:
        """SHA-256 of the model's canonical JSON: what a run records beside the version."""
        return hashlib.sha256(canonical_json(self.model_dump(mode="json")).encode()).hexdigest()

    @cached_property
    def special_kinds(self) -> frozenset[str]:
        return frozenset(s.kind for s in self.special_cases)

    def override(self, kind: str) -> Override | None:
        return next((o for o in self.overrides if o.kind == kind), None)

    @property
    def max_score(self) -> int:
        return sum(spec.max_points for spec in self.groups.values())


def _most(indicator: Indicator) -> int:
    if indicator.points <= 0 or indicator.cap is None:
        return 0
    return indicator.cap


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def parse_model(text: str | bytes) -> RiskModel:
    """A model file's text, validated (`RiskModelError` naming every problem)."""
    from pydantic import ValidationError

    from domain.errors import Problem

    try:
        return RiskModel.model_validate_json(text)
    except ValidationError as exc:
        problems = [Problem(".".join(str(p) for p in e["loc"]) or "model", e["msg"], "RISK-08") for e in exc.errors()]
        raise RiskModelError("not a valid risk model", problems) from None


@dataclass(frozen=True)
class KnownModel:
    model: RiskModel
    loaded_at: datetime | None
    """When the ledger learned of it; None: shipped with the code, always known."""
    source: str = ""


@dataclass(frozen=True)
class ModelBook:
    """Every model version the ledger knows, and which is in force on a date as known at a moment."""

    models: tuple[KnownModel, ...] = ()

    def version(self, version: str) -> RiskModel:
        for known in self.models:
            if known.model.version == version:
                return known.model
        raise NotFoundError(f"no risk model {version!r}; `credit-ledger risk model load FILE.json` loads one")

    def in_force(self, on: date, known_at: datetime | None = None) -> RiskModel | None:
        """The model with the latest effective date on or before `on` among those known at
        `known_at` (None: every one); of two with one date, the later loaded."""
        best: tuple[date, datetime, RiskModel] | None = None
        for known in self.models:
            loaded = known.loaded_at or datetime.min.replace(tzinfo=UTC)
            if known.model.effective_from > on or (known_at is not None and loaded > known_at):
                continue
            key = (known.model.effective_from, loaded, known.model)
            if best is None or key[:2] > best[:2]:
                best = key
        return None if best is None else best[2]

    @cached_property
    def special_kinds(self) -> frozenset[str]:
        """Every special-case kind any model names."""
        return frozenset(k for known in self.models for k in known.model.special_kinds)
