"""Reference data: the numbers the rulebook marks UNCONFIRMED, and the dated choices the ledger
makes where the rulebook is silent, each with its source.

Each `Dated` value has effective dates; the default is the rulebook's stated assumption or the
ledger's documented choice (docs/rules.md). Pass a different `ReferenceData` to any derivation
to override (the infrastructure loads overrides of the `Dated` values from the database and
builds one of these). Nothing here is read from a clock or a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Generic, TypeVar

from domain.calendar import Period, Unit

T = TypeVar("T")


@dataclass(frozen=True)
class Dated(Generic[T]):
    """A value that changes over time: ((effective_from, value), ...), oldest first."""

    versions: tuple[tuple[date, T], ...]

    def __post_init__(self) -> None:
        starts = [start for start, _ in self.versions]
        if not starts or starts != sorted(starts):
            raise ValueError("give at least one version, oldest first")

    def on(self, day: date) -> T:
        # Before the first version the first value applies: the rulebook gives nothing earlier.
        value = self.versions[0][1]
        for start, candidate in self.versions:
            if start <= day:
                value = candidate
        return value


def always(value: T) -> Dated[T]:
    return Dated(((date.min, value),))


@dataclass(frozen=True)
class DistrictChange:
    """A Tianjin county-level code retired from GB/T 2260 on `on`, its area going to `successor`
    (ID-11). The dates are the State Council approval or the city's announcement found in the
    sources named; the GB/T 2260 edition dates themselves are UNCONFIRMED."""

    retired: str
    retired_name: str
    successor: str
    on: date
    source: str


# ID-11: every Tianjin code retired since the 2014 Disclosure Regulation's records could begin,
# and before. Codes as the issue and the rulebook give them (120107-120109, 120222, 120224 are
# UNCONFIRMED codes there).
TIANJIN_DISTRICT_CHANGES: tuple[DistrictChange, ...] = (
    DistrictChange(
        "120222", "武清县", "120114", date(2000, 6, 13), "State Council approval of 2000-06-13 (武清撤县设区)"
    ),
    DistrictChange("120224", "宝坻县", "120115", date(2001, 3, 22), "国函〔2001〕29号, 2001-03-22"),
    DistrictChange("120107", "塘沽区", "120116", date(2009, 10, 21), "国函〔2009〕125号, 2009-10-21"),
    DistrictChange("120108", "汉沽区", "120116", date(2009, 10, 21), "国函〔2009〕125号, 2009-10-21"),
    DistrictChange("120109", "大港区", "120116", date(2009, 10, 21), "国函〔2009〕125号, 2009-10-21"),
    DistrictChange(
        "120221", "宁河县", "120117", date(2015, 8, 12), "State Council approval announced by the city 2015-08-12"
    ),
    DistrictChange(
        "120223", "静海县", "120118", date(2015, 8, 12), "State Council approval announced by the city 2015-08-12"
    ),
    DistrictChange(
        "120225",
        "蓟县",
        "120119",
        date(2016, 7, 28),
        "State Council approval (June 2016) announced by the city 2016-07-28",
    ),
)


@dataclass(frozen=True)
class CommitmentTemplate:
    """A credit-commitment template (COM-07: UNCONFIRMED contents; COM-01: the notice tells what
    must be proven, what the proof covers and the liability for a false commitment). Versions of
    one `template_id` follow each other by `effective_from`; a commitment names the id and is
    checked against the version in force on its date."""

    template_id: str
    version: int
    effective_from: date
    kind: str  # notify_commit (告知承诺, COM-01..04) | credit_repair (守信承诺书, SDL-32, REP-06)
    matter: str
    legal_basis: str
    proven: str  # what the applicant would otherwise have to prove
    committed: str  # what the applicant commits to
    liability: str  # the liability for an untrue commitment (COM-05)
    excluded: bool  # COM-03: a high-risk matter excluded from notify-and-commit
    source: str


_COMMITTED = "已知晓告知的全部内容，已经符合相关条件和要求，承诺所填报信息真实、准确，承诺内容是本单位真实意思表示"
_LIABILITY = "承诺不实的，终止办理、责令限期整改、撤销行政决定或者依法予以行政处罚，并记入信用记录、通过公示系统公示"
_ASSUMED = "assumed (COM-07: the believed contents; Tianjin's own texts not seen)"

# COM-07 (UNCONFIRMED): the ledger's built-in templates, from the 1949 start of dates so that
# every recorded commitment finds its version; Tianjin's texts replace them as new versions.
COMMITMENT_TEMPLATES: tuple[CommitmentTemplate, ...] = (
    CommitmentTemplate(
        "TJ-GZCN-01", 1, date(1949, 10, 1), "notify_commit", "企业住所（经营场所）登记告知承诺",
        "《市场主体登记管理条例》第十一条", "住所（经营场所）使用证明", _COMMITTED, _LIABILITY, False, _ASSUMED,
    ),
    CommitmentTemplate(
        "TJ-GZCN-03", 1, date(1949, 10, 1), "notify_commit", "营业执照变更登记告知承诺",
        "《市场主体登记管理条例》第二十四条", "变更事项的证明文件", _COMMITTED, _LIABILITY, False, _ASSUMED,
    ),
    CommitmentTemplate(
        "TJ-GZCN-07", 1, date(1949, 10, 1), "notify_commit", "食品经营许可告知承诺",
        "《食品经营许可和备案管理办法》", "经营场所、设施设备与食品安全管理制度的证明", _COMMITTED, _LIABILITY, False,
        _ASSUMED,
    ),
    CommitmentTemplate(
        "TJ-XYCN-02", 1, date(1949, 10, 1), "credit_repair", "信用修复守信承诺",
        "《市场监督管理信用修复管理办法》; 《市场监督管理严重违法失信名单管理办法》第十七条",
        "已履行法定义务、纠正违法行为", "依法诚信经营，不再发生同类违法行为", _LIABILITY, False, _ASSUMED,
    ),
    CommitmentTemplate(
        "TJ-GZCN-20", 1, date(1949, 10, 1), "notify_commit", "食品生产许可现场核查事项",
        "《食品生产许可管理办法》", "生产场所、设备设施的现场核查", _COMMITTED, _LIABILITY, True,
        "COM-03: direct personal health and life safety (INFERENCE, rulebook Q16)",
    ),
    CommitmentTemplate(
        "TJ-GZCN-21", 1, date(1949, 10, 1), "notify_commit", "特种设备生产单位许可",
        "《特种设备安全法》第十八条", "生产条件与检测能力", _COMMITTED, _LIABILITY, True,
        "COM-03: public safety, life and property (INFERENCE, rulebook Q16)",
    ),
)  # fmt: skip


@dataclass(frozen=True)
class ReferenceData:
    # PEN-10 (Q6): Tianjin's lower-amount fine threshold (fines strictly below it) is unknown.
    # None: no threshold set for that date, so no fine is a lower-amount fine (3 Y, PEN-09).
    # An administrator sets Tianjin's from the date it applies (`credit-ledger reference set`).
    lower_fine_threshold_organisation: Dated[Decimal | None] = always(None)
    lower_fine_threshold_natural_person: Dated[Decimal | None] = always(None)
    # PEN-10: which threshold an individual business (个体工商户) takes. The rulebook does not say
    # (its Guizhou example names natural persons and legal persons/other organisations only);
    # the ledger's choice: the natural person's, since the operator answers personally.
    individual_business_threshold: Dated[str] = always("natural_person")
    # REP-07: penalty-information repair deadlines, assumed to mirror Order 44 (SDL-32/33).
    penalty_repair_acceptance: Dated[Period] = always(Period(2, Unit.WD))
    penalty_repair_decision: Dated[Period] = always(Period(15, Unit.WD))
    penalty_repair_execution: Dated[Period] = always(Period(3, Unit.WD))
    # §12 / Q15: cut-over of the 2024 Disclosure Regulation (ends the AOL-20 transfer and with
    # it the AOL-11 removal window, starts AOL-21) and of Order 101 (grounds AOL-02).
    disclosure_2024_effective: date = date(2024, 5, 1)
    order_101_effective: date = date(2025, 3, 18)
    # GSXT-06 exposure board windows (no source gives them).
    exposure_repeat_lookback: Dated[Period] = always(Period(1, Unit.Y))
    exposure_after_rectification_lookback: Dated[Period] = always(Period(1, Unit.Y))
    exposure_untrue_commitment: Dated[Period] = always(Period(1, Unit.Y))
    exposure_key_sector_only: bool = True
    # REP-09 for penalty information (UNCONFIRMED): does a repair revoked for fraud restart the
    # publicity window (as SDL-35 does for the serious list) or only restore what was left?
    penalty_fraud_restarts_window: bool = False
    # ID-11: retired Tianjin district codes and their successors, by date.
    district_changes: tuple[DistrictChange, ...] = TIANJIN_DISTRICT_CHANGES
    # SDL-12, KEY-05: which recording departments are district bureaus (区市场监管局). The ledger
    # names a district bureau's department `TJ-D<its GB/T 2260 code>` (docs/access.md).
    district_bureau_prefix: str = "TJ-D"
    # KEY-05: districts whose bureau grants special-food licences in its own name. S-TJ28 四(一)1(1):
    # "滨海新区市场监管局梳理以区局名义作出的企业名单" (Binhai New Area).
    provincial_licence_districts: frozenset[str] = frozenset({"120116"})
    # COM-07 (UNCONFIRMED): commitment templates by id and version (COM-03 marks excluded matters).
    commitment_templates: tuple[CommitmentTemplate, ...] = COMMITMENT_TEMPLATES
    # COM-05 (no number in any source): the verification task's period from the commitment, and
    # the period within which the consequence of an untrue finding is to be recorded.
    commitment_verification_within: Dated[Period] = always(Period(6, Unit.M))
    commitment_consequence_within: Dated[Period] = always(Period(20, Unit.WD))
    notes: tuple[str, ...] = field(default=())


DEFAULT_REFERENCE = ReferenceData()

RETIRED_REFERENCE_VALUES: dict[str, str] = {
    "key_list_adjustment": "KEY-03 is CONFIRMED (S-TJ28 四(一)2): its 3 WD are part of the rule, not reference data",
}
"""Names an older ledger may hold overrides of, now ignored (with the reason)."""
