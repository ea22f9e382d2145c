"""The random-inspection item list, the inspector directory and draw tasks (issue 20,
docs/draws.md; S-TJ28 五(八)1; rulebook §10 DR-01 … DR-09, RISK-02/04/05).

- Items (随机抽查事项清单, DR-01) and inspectors (执法检查人员名录, DR-02) are dated data: a version
  has an effective date and never changes (other content under the same key is refused).
- A `DrawTask` aggregate records a draw's life in the ledger's event log: planned → inputs
  committed → seed fixed → drawn → (recusal redraws)* → published → results recorded. The
  algorithm is `domain.hashrank` (hashrank-v1); the task holds its inputs and secrets, so the
  bundle an auditor re-runs comes from the events alone.
- The public notice names the item, the date, the selected enterprises, their inspectors once
  published, and the results; never a risk class (RISK-02) — the strata's names are classes, so
  the notice leaves the strata out.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event
from pydantic import BaseModel, ConfigDict, Field

from domain import hashrank

TASK_NAMESPACE = uuid5(NAMESPACE_URL, "https://scjg.tj.gov.cn/credit-ledger/draw-task")
CLASSES = ("A", "B", "C", "D")
UNCLASSIFIED = "unclassified"
"""The stratum of the enterprises without a class on the draw's date (registered after the last
run): drawn at the class B ratio ("normal", RISK-04; no one is exempt from sampling, RISK-02)."""
PUBLICATION_DAYS = 20
"""DR-05 / DR-06 Art 12: results published within 20 working days of the end of the inspection."""
DR06_ITEM = "TJ-DR06-PUBLIC-INFO"
"""DR-06 Art 7: the yearly non-directional check of enterprises' public information, ≥ 3 % (Art 4)."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ItemObject(Strict):
    """Who the item inspects (the filters of a directional draw, DR-06 Art 5); empty: everyone."""

    sector: str | None = None
    district: str | None = Field(default=None, pattern=r"^\d{6}$")
    on_list: Literal["key-sector", "abnormal", "serious", "exposure"] | None = Field(
        default=None, description="only members of this list on the draw's date (DR-03: more sampling for them)"
    )


class Ratios(Strict):
    """Sampling ratio per risk class (RISK-04/05; Tianjin's UNCONFIRMED: per item, dated)."""

    A: float = Field(ge=0, le=1)
    B: float = Field(ge=0, le=1)
    C: float = Field(ge=0, le=1)
    D: float = Field(ge=0, le=1)


class InspectionItem(Strict):
    """One line of the random-inspection item list (DR-01's columns)."""

    item_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    name: str = Field(min_length=1, max_length=200)
    sub_item: str | None = Field(default=None, max_length=200)
    legal_basis: str = Field(min_length=1, max_length=2000)
    inspecting_body: str = Field(min_length=1, max_length=64, description="the department code that draws")
    object: ItemObject = ItemObject()
    method: str = Field(default="on-site inspection", max_length=200)
    ratios: Ratios
    frequency: dict[str, str] = Field(default_factory=dict, description="per class, as the list words it")
    per_enterprise: int = Field(default=2, ge=hashrank.MIN_PER_ENTERPRISE, le=10)
    inspector_requirements: str | None = Field(default=None, max_length=500)
    effective_from: date
    source: str = Field(default="assumed", max_length=500)


class Inspector(Strict):
    """One enforcement inspector of the directory (DR-02), with conflicts (回避, DR-07)."""

    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    name: str = Field(min_length=1, max_length=100)
    department: str = Field(min_length=1, max_length=64)
    districts: list[str] = Field(default_factory=list)
    certificate_no: str | None = Field(default=None, max_length=64, description="enforcement certificate")
    capacity: int = Field(ge=0, le=10_000, description="enterprises per task")
    recusals: list[str] = Field(default_factory=list, description="USCCs this inspector must not inspect")
    active: bool = True
    effective_from: date = date(2000, 1, 1)


BUILT_IN_ITEMS = (
    InspectionItem(
        item_id=DR06_ITEM,
        name="企业公示信息抽查",
        sub_item="年度报告及即时信息公示情况",
        legal_basis="《企业信息公示暂行条例》第十四条;《企业公示信息抽查暂行办法》第四、七、九、十二条 (S-101B)",
        inspecting_body="TJ-CREDIT",
        method="书面检查、实地核查、网络监测 (S-101B Art 8)",
        ratios=Ratios(A=0.03, B=0.03, C=0.03, D=0.03),
        frequency={c: "每年一次 (S-101B Art 7)" for c in CLASSES},
        per_enterprise=2,
        inspector_requirements="two inspectors showing enforcement IDs (S-101B Art 9)",
        effective_from=date(2014, 10, 1),
        source="S-101B Art 4: at least 3 % (the floor, every class alike: RISK-02, no class exempt); Art 9: two",
    ),
)
"""DR-06: the yearly non-directional check of public information, an item of every list."""


def task_uuid(task_id: str) -> UUID:
    return uuid5(TASK_NAMESPACE, task_id)


def strata(item: InspectionItem, classes: dict[str, str | None]) -> list[dict[str, Any]]:
    """One stratum per risk class among the enterprises matching the item (uscc → class or None),
    in class order, then the unclassified at the B ratio; empty strata left out."""
    by: dict[str, list[str]] = {}
    for uscc, c in classes.items():
        by.setdefault(c or UNCLASSIFIED, []).append(uscc)
    ratios = item.ratios.model_dump()
    out = []
    for name in (*CLASSES, UNCLASSIFIED):
        if by.get(name):
            ratio = ratios["B" if name == UNCLASSIFIED else name]
            out.append({"name": name, "ratio": ratio, "members": sorted(by[name])})
    return out


class DrawTask(Aggregate):
    """A draw task's recorded life. Event class names are stored topics: never rename."""

    @event("Planned")
    def __init__(
        self,
        task_id: str,
        item_id: str,
        on: date,
        department: str,
        operator: str,
        item: dict[str, Any],
        filters: dict[str, Any],
    ) -> None:
        self.task_id, self.item_id, self.on = task_id, item_id, on
        self.department, self.operator = department, operator
        self.item, self.filters = item, filters
        self.inputs: dict[str, Any] | None = None
        self.inputs_digest: str | None = None
        self.revealed: dict[int, str] = {}
        self.seed: str | None = None
        self.selected: list[dict[str, Any]] = []
        self.redraws: list[dict[str, Any]] = []
        self.published_on: date | None = None
        self.names: dict[str, str] = {}
        self.step = "planned"

    @classmethod
    def create_id(cls, task_id: str, **_: Any) -> UUID:
        return task_uuid(task_id)

    @event("InputsCommitted")
    def commit_inputs(self, inputs: dict[str, Any], inputs_digest: str) -> None:
        self.inputs, self.inputs_digest, self.step = inputs, inputs_digest, "inputs_committed"

    @event("SecretRevealed")
    def reveal(self, index: int, secret: str) -> None:
        self.revealed[index] = secret

    @property
    def secrets(self) -> list[str]:
        """The secrets revealed, in the order of the commits."""
        return [self.revealed[i] for i in sorted(self.revealed)]

    def awaiting(self) -> list[int]:
        """The parties (indexes into `commits`) whose secret is not revealed yet."""
        commits = (self.inputs or {}).get("commits", [])
        return [i for i in range(len(commits)) if i not in self.revealed]

    @event("SeedFixed")
    def fix_seed(self, seed: str) -> None:
        self.seed, self.step = seed, "seed_fixed"

    @event("Drawn")
    def record_draw(self, selected: list[dict[str, Any]], inspector_names: dict[str, str]) -> None:
        # copies: a later redraw changes the state, never the event it came from
        self.selected = [{**s, "inspectors": list(s["inspectors"])} for s in selected]
        self.names, self.step = dict(inspector_names), "drawn"

    @event("Redrawn")
    def record_redraw(self, inspector: str, uscc: str, replaced_by: str, reason: str) -> None:
        self.redraws.append({"inspector": inspector, "uscc": uscc, "replaced_by": replaced_by})
        for s in self.selected:
            if s["uscc"] == uscc:
                s["inspectors"] = [i for i in s["inspectors"] if i != inspector] + [replaced_by]

    @event("Published")
    def publish(self, published_on: date) -> None:
        self.published_on, self.step = published_on, "published"

    # --- views ------------------------------------------------------------------------

    def bundle(self) -> dict[str, Any]:
        assert self.inputs is not None and self.seed is not None
        return {
            "algorithm": hashrank.ALGORITHM,
            "inputs": self.inputs,
            "inputs_digest": self.inputs_digest,
            "secrets": list(self.secrets),
            "seed": self.seed,
            "selected": [dict(s) for s in self.selected],
            "redraws": [dict(r) for r in self.redraws],
        }

    def notice(self, names: dict[str, str], results: dict[str, dict[str, Any]]) -> dict[str, Any]:
        """The public task notice: no stratum, no class, no score (RISK-02); inspectors' names
        once published (DR-05 publishes the task and its results, not the team before it goes)."""
        published = self.published_on is not None
        return {
            "task_id": self.task_id,
            "item_id": self.item_id,
            "item_name": self.item.get("name"),
            "legal_basis": self.item.get("legal_basis"),
            "inspecting_body": self.item.get("inspecting_body"),
            "on": self.on.isoformat(),
            "step": "results_recorded" if self.selected and len(results) == len(self.selected) else self.step,
            "algorithm": hashrank.ALGORITHM,
            "inputs_digest": self.inputs_digest,
            "seed": self.seed,
            "published_on": None if self.published_on is None else self.published_on.isoformat(),
            "selected": [
                {
                    "uscc": s["uscc"],
                    "name": names.get(s["uscc"]),
                    "inspectors": [self.names.get(i, i) for i in s["inspectors"]] if published else None,
                    "result": results.get(s["uscc"]),
                }
                for s in sorted(self.selected, key=lambda s: s["uscc"])
            ],
        }
