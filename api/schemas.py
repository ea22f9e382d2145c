"""The shapes of the API's answers (response models), published in the OpenAPI document.

Where an answer carries a record's public data or a derived item's body, whose fields depend on
the record type or item kind (`docs/records.md`), the model names the fields every such object
has and allows the others (`extra="allow"`). The fuzz test checks every answer against these
(tests/api/test_fuzz.py). Routes return plain data; FastAPI validates it into these on the way out.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Shape(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Open(BaseModel):
    """An object with these fields and possibly others (record data, item bodies)."""

    model_config = ConfigDict(extra="allow")


class ProblemOut(Shape):
    field: str
    reason: str
    rule: str | None = None
    earliest_on: str | None = Field(default=None, description="for a refusal by time: the earliest permitted date")


class Problem(Open):
    """An error answer (RFC 9457): what went wrong and, where it can say, which field, rule and why.
    Some carry more members (a batch's `results`, a refusal's `earliest_on`)."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[ProblemOut] | None = None


# --- records ----------------------------------------------------------------------------


class RecordKeyOut(Shape):
    department: str | None
    record_id: str | None


class OutcomeOut(Shape):
    index: int
    status: Literal["recorded", "duplicate", "rejected"]
    type: str | None
    uscc: str | None
    source: RecordKeyOut
    position: int | None = Field(
        description="the log position of the record (of its first copy for a duplicate; null when rejected): "
        "a read with min_position at least this sees it"
    )
    errors: list[ProblemOut]


class RecordsSummary(Shape):
    recorded: int
    duplicate: int
    rejected: int
    position: int | None = Field(
        description="the highest position of the batch's recorded and duplicate records: a read with "
        "min_position at least this sees all of them"
    )


class RecordsAnswer(Shape):
    results: list[OutcomeOut]
    summary: RecordsSummary


# --- enterprises ----------------------------------------------------------------------------


class Found(Shape):
    uscc: str
    name: str | None
    district_code: str | None
    former_names: list[str] | None = None


class SearchAnswer(Shape):
    q: str
    results: list[Found]


class EnterpriseOut(Open):
    """The registration facts as of now (no personal data), with changes applied."""

    uscc: str
    name: str
    entity_kind: str
    registered_on: str
    status: Literal["active", "licence_revoked", "deregistered"]
    status_since: str | None


class Key(Shape):
    department: str
    record_id: str


class Amendment(Shape):
    type: str
    record_id: str
    recorded_at: str | None


class TimelineSource(Shape):
    department: str
    record_id: str
    operator: str


class TimelineEntry(Shape):
    sequence: int
    type: str
    effective_on: str
    recorded_at: str | None
    source: TimelineSource
    data: dict[str, Any]
    amends: Key | None = None
    amended_by: list[Amendment] | None = None
    in_force: bool | None = None
    data_in_force: dict[str, Any] | None = None


class Timeline(Shape):
    uscc: str
    known_at: str | None
    records: list[TimelineEntry]


# --- public view and lists ------------------------------------------------------------------


class ShownItem(Open):
    """A dated item: its kind and subject, its effective dates [from, until), the rules and
    records behind it, and the public fields of its kind."""

    kind: str
    subject: str
    from_: str | None = Field(alias="from")
    until: str | None
    rules: list[str]
    records: list[Key]


class PublicView(Shape):
    uscc: str
    as_of: str
    known_at: str
    source: Literal["read-model", "replay"]
    basic: dict[str, Any] | None
    key_sector_tags: list[ShownItem]
    administrative_permits: list[ShownItem]
    administrative_penalties: list[ShownItem]
    inspections: list[ShownItem]
    abnormal_list: list[ShownItem]
    serious_list: list[ShownItem]
    credit_commitments: list[ShownItem]
    untrue_commitments: list[ShownItem]
    annual_reports: list[ShownItem]
    instant_information: list[ShownItem]
    verified: dict[str, Any] | None = Field(
        default=None, description="with verify=true: the checkpoint the enterprise's events were verified against"
    )


class ListMember(Shape):
    uscc: str
    name: str | None
    district_code: str | None
    subject: str
    from_: str | None = Field(alias="from")
    until: str | None
    rules: list[str]
    records: list[Key]
    data: dict[str, Any] | None = None


class ListPage(Shape):
    list_: str = Field(alias="list")
    as_of: str
    known_at: str
    members: list[ListMember]
    next_cursor: str | None


class ChangeReason(Shape):
    rules: list[str]
    records: list[Key]
    note: str


class ListChange(Shape):
    change: Literal["joined", "left"]
    on: str
    uscc: str
    subject: str
    reason: ChangeReason


class ListChanges(Shape):
    list_: str = Field(alias="list")
    from_: str = Field(alias="from")
    to: str
    known_at: str
    changes: list[ListChange]
    truncated: bool


# --- status -------------------------------------------------------------------------------


class Failure(Shape):
    read_model: str
    uscc: str
    position: int
    error: str
    failed_at: str


class Failures(Shape):
    count: int
    latest: list[Failure]


class ReadModelStatus(Shape):
    title: str
    position: int
    lag: int
    slot: str
    derivation: int
    rebuild_needed: bool


class ProjectionStatus(Shape):
    position: int = Field(description="the lowest position of the read models")
    head: int
    lag: int
    running: bool
    error: str | None
    failures: Failures
    read_models: dict[str, ReadModelStatus]


class Status(Shape):
    projection: ProjectionStatus


# --- rules, calendar, eligibility, deadlines ------------------------------------------------


class RuleVersionOut(Shape):
    source: str
    valid_from: str | None
    valid_until: str | None
    params: dict[str, str]
    note: str
    provisional: bool


class RuleOut(Shape):
    id: str
    title: str
    status: str
    versions: list[RuleVersionOut]


class Rules(Shape):
    rules: list[RuleOut]


class WorkingDays(Shape):
    start: str
    days: int
    date: str
    provisional: bool


class UnmetCondition(Shape):
    rule: str
    reason: str
    earliest_on: str | None
    never: bool


class RepairEligibilityOut(Shape):
    uscc: str
    target_kind: str
    target_ref: str
    on: str
    may_apply: bool
    earliest_on: str | None
    provisional: bool
    unmet: list[UnmetCondition]


class DeadlineOut(Shape):
    rule: str
    what: str
    record: Key
    due: str
    provisional: bool
    status: Literal["open", "met", "missed"]
    fulfilled_by: Key | None
    fulfilled_on: str | None


class Deadlines(Shape):
    uscc: str
    as_of: str
    deadlines: list[DeadlineOut]


class Health(Shape):
    status: Literal["ok"]


class Pong(Shape):
    pong: bool


# --- risk classes (issue 19, docs/risk.md) --------------------------------------------------


class RiskContribution(Shape):
    indicator: str
    title: str
    group: str
    points: int
    units: int
    detail: str
    records: list[Key]


class RiskOverride(Shape):
    kind: str
    from_class: str
    to_class: str
    since: str
    reason: str
    rule: str
    records: list[Key]


class RiskCause(Shape):
    department: str
    record_id: str
    kind: str


class RiskClassAnswer(Shape):
    uscc: str
    class_: str = Field(alias="class", description="A low, B general, C higher, D high (RISK-01)")
    score: int
    score_class: str = Field(description="the class the cut-offs give the score, before the overrides")
    basis: Literal["run", "special_case"]
    run_id: str | None = Field(description="the effective run (or, for a special case, the run it stands in for)")
    model_version: str
    scored_on: str = Field(description="the date of the run or of the special case")
    recorded_at: str = Field(description="when the ledger learned of this class")
    as_of: str
    known_at: str
    sector: str
    district: str | None
    cause: RiskCause | None = None
    contributions: list[RiskContribution] = Field(description="they add up to the score")
    overrides: list[RiskOverride]


class RiskListMember(Shape):
    uscc: str
    name: str | None
    class_: str = Field(alias="class")
    score: int
    sector: str
    district_code: str | None
    basis: Literal["run", "special_case"]


class RiskListPage(Shape):
    as_of: str
    known_at: str
    class_: str | None = Field(alias="class")
    run_id: str | None
    members: list[RiskListMember]
    next_cursor: str | None


class RiskModelOut(Shape):
    version: str
    title: str
    effective_from: str
    provisional: bool
    digest: str
    loaded_at: str | None = Field(description="None: shipped with the ledger")
    source: str
    max_score: int
    cutoffs: dict[str, Any]
    model: dict[str, Any] = Field(description="the whole model (indicators, weights, windows, overrides, sources)")


class RiskModels(Shape):
    models: list[RiskModelOut]


class RiskRunRequest(Shape):
    kind: Literal["trial", "effective"]
    on: str = Field(description="the run's date (YYYY-MM-DD): classes hold from it (effective runs)")
    model: str | None = Field(default=None, description="a model version; default: the one in force on `on`")


class RiskRunReport(Open):
    """A run's report: its kind, date, model, input digest and counts per class, sector and district."""

    run_id: str
    kind: str
    on: str
    model_version: str
    input_digest: str
    enterprises: int
    by_class: dict[str, int]
    by_sector: dict[str, dict[str, int]]
    by_district: dict[str, dict[str, int]]


# --- repair cases (issue 21, docs/repair-cases.md) ----------------------------------------------

CaseState = Literal[
    "submitted", "correction_requested", "accepted", "rejected", "granted", "denied", "executed", "revoked"
]


class RepairCaseSummary(Shape):
    uscc: str
    application_id: str
    target_kind: str
    target_ref: str
    department: str = Field(description="the competent authority (REP-02)")
    state: CaseState
    applied_on: str
    missing_materials: list[str]
    unmet_at_application: list[str] = Field(description="rule IDs of the conditions unmet on the application date")
    next_due: str | None = Field(description="the nearest running deadline; none while the clock is stopped")
    next_due_rule: str | None
    next_due_what: str | None
    provisional: bool
    clock_stopped: bool
    overdue: bool


class RepairQueue(Shape):
    as_of: str
    known_at: str
    department: str | None
    cases: list[RepairCaseSummary]


class CaseStep(Shape):
    type: str
    on: str
    record: Key
    state: str
    reason: str | None
    materials: list[str]


class CaseTimelineEntry(Shape):
    type: str
    effective_on: str
    record: Key
    data: dict[str, Any]


class CaseMaterials(Shape):
    rule: str
    required: list[str]
    received: list[str]
    missing: list[str]


class StoppedSpan(Shape):
    from_: str = Field(alias="from")
    until: str | None


class CaseDeadline(Shape):
    rule: str
    name: str
    what: str
    due: str
    provisional: bool
    status: Literal["open", "stopped", "met", "missed"]
    overdue: bool
    stopped: list[StoppedSpan]
    fulfilled_by: Key | None
    fulfilled_on: str | None


class CaseEligibility(Shape):
    on: str
    may_apply: bool
    earliest_on: str | None
    provisional: bool
    unmet: list[UnmetCondition]


class CaseEligibilities(Shape):
    at_application: CaseEligibility
    now: CaseEligibility


class PreviewDay(Shape):
    on: str
    lists: list[str]
    public_view: PublicView


class CasePreview(Shape):
    possible: bool
    reason: str | None = None
    assumed: bool | None = Field(default=None, description="true: the grant and its execution are assumed today")
    executed_on: str | None = None
    today: PreviewDay
    after_execution: PreviewDay | None = None


class RepairCaseDetail(RepairCaseSummary):
    as_of: str
    known_at: str
    authority_rule: str
    timeline: list[CaseTimelineEntry]
    steps: list[CaseStep]
    materials: CaseMaterials
    deadlines: list[CaseDeadline]
    eligibility: CaseEligibilities
    preview: CasePreview


class CommitmentTemplateOut(Shape):
    template_id: str
    version: int
    effective_from: str
    kind: Literal["notify_commit", "credit_repair"]
    matter: str
    legal_basis: str
    proven: str
    committed: str
    liability: str
    excluded: bool = Field(description="COM-03: excluded from notify-and-commit; a commitment under it is refused")
    source: str


class CommitmentTemplates(Shape):
    on: str
    templates: list[CommitmentTemplateOut]


# --- random draws (issue 20, docs/draws.md) ---------------------------------------------------


class InspectionItemOut(Open):
    """One line of the random-inspection item list (DR-01), as in force on the date."""

    item_id: str
    name: str
    legal_basis: str
    inspecting_body: str
    ratios: dict[str, float]
    per_enterprise: int
    effective_from: str


class InspectionItems(Shape):
    as_of: str
    items: list[InspectionItemOut]


class PartyIn(Shape):
    name: str = Field(min_length=1, max_length=200)
    commit: str = Field(pattern=r"^[0-9a-f]{64}$", description="hex SHA-256 of the secret's bytes")


class SecretIn(Shape):
    party: int = Field(ge=0, le=20, description="its index in the inputs' commits (0 is the ledger)")
    secret: str = Field(pattern=r"^([0-9a-f]{2}){16,64}$", description="the secret's bytes in hex")


class DrawRequestIn(Shape):
    task_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    item_id: str = Field(min_length=1, max_length=64)
    on: str = Field(description="the draw's date (YYYY-MM-DD)")
    sector: str | None = Field(default=None, max_length=64, description="narrows the item's object")
    district: str | None = Field(default=None, pattern=r"^\d{6}$")
    inspectors: list[str] | None = Field(
        default=None, max_length=10_000, description="the pool by id; default every active inspector of the body"
    )
    publish: bool = Field(default=True, description="publish the task (inspectors' names) at once")
    parties: list[PartyIn] = Field(
        default_factory=list,
        max_length=20,
        description="other parties' commitments; the ledger commits too, and the draw waits for every secret",
    )


class RecusalIn(Shape):
    inspector: str = Field(min_length=1, max_length=64)
    uscc: str = Field(min_length=18, max_length=18)
    reason: str = Field(min_length=1, max_length=500)


class Redraw(Shape):
    inspector: str
    uscc: str
    replaced_by: str


class DrawResult(Shape):
    result: str | None
    concluded_on: str
    publish_by: str = Field(description="20 working days after the end of the inspection (DR-05)")
    rule: str


class DrawnEnterprise(Shape):
    uscc: str
    name: str | None
    inspectors: list[str] | None = Field(description="the inspectors' names once the task is published")
    result: DrawResult | None


class DrawNotice(Shape):
    """The public task notice (DR-05): no risk class, no stratum, no score (RISK-02)."""

    task_id: str
    item_id: str
    item_name: str | None
    legal_basis: str | None
    inspecting_body: str | None
    on: str
    step: str
    algorithm: str
    inputs_digest: str | None
    seed: str | None
    published_on: str | None
    selected: list[DrawnEnterprise]


class DrawBundle(Shape):
    """Everything needed to re-run the draw (DR-08): `credit-ledger verify-draw BUNDLE.json`."""

    algorithm: str
    inputs: dict[str, Any]
    inputs_digest: str
    secrets: list[str]
    seed: str
    selected: list[dict[str, Any]]
    redraws: list[Redraw]


class KeyReason(Shape):
    criterion: str
    rule: str
    reason: str | None = None


class KeyEnterprise(Shape):
    uscc: str
    name: str | None
    reasons: list[KeyReason]
    per_year: int
    done: int
    due: int = Field(description="inspections still to do this year")
    overdue: int = Field(description="periods of the year ended without an inspection")


class KeyPlanEnterprises(Shape):
    """A key-supervision plan's enterprise list as of a date (internal: a reason may be class D)."""

    plan_id: str
    name: str
    as_of: str
    known_at: str | None
    procedure: dict[str, Any]
    items: list[str]
    enterprises: list[KeyEnterprise]


class KeyPlans(Shape):
    as_of: str
    plans: list[dict[str, Any]]
