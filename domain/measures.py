"""The joint-punishment measures catalogue: which measures follow which list, who applies them,
on what legal basis, from when (issue 23; docs/feeds.md).

Seed 六(十): "依法依规对经营异常名录、严重违法失信名单等失信企业实施信用惩戒和联合惩戒" (punish
enterprises on the abnormal and serious lists, jointly, as laws and rules provide). The catalogue is
dated data: each measure has the date it applies from (a `Ref` into reference data where the date
itself is UNCONFIRMED, e.g. the 2024 Disclosure Regulation's effective date, rulebook §1 S-REG24)
and, where the rulebook leaves its scope open, the open question (Q17). Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from domain.calendar import Period, WorkingCalendar
from domain.reference import ReferenceData

ListName = Literal["serious", "abnormal"]
LISTS: tuple[ListName, ...] = ("serious", "abnormal")
LIST_KINDS: dict[ListName, str] = {"serious": "serious_list", "abnormal": "abnormal_list"}
"""The derived interval kind of each list (domain.rules)."""

ORDER_44 = date(2021, 9, 1)  # S-44 effective (rulebook §1)


@dataclass(frozen=True)
class Measure:
    id: str
    """Stable: feedback names it (`measure.applied`), never renamed."""
    list: ListName
    rule: str
    title: str
    title_zh: str
    applied_by: str
    """Who applies it (the receiving side of the joint punishment)."""
    legal_basis: str
    valid_from: date | str
    """A date, or the name of a `ReferenceData` field holding it (UNCONFIRMED cut-over)."""
    valid_until: date | None = None
    grounds: str = "every listing"
    status: str = "CONFIRMED"
    open_question: str | None = None
    """A rulebook open question (§13) that leaves the measure's scope undecided."""
    note: str = ""

    def start(self, reference: ReferenceData) -> date:
        if isinstance(self.valid_from, date):
            return self.valid_from
        value = getattr(reference, self.valid_from)
        assert isinstance(value, date), self.valid_from
        return value

    def in_force(self, day: date, reference: ReferenceData) -> bool:
        return self.start(reference) <= day and (self.valid_until is None or day < self.valid_until)

    def shown(self, reference: ReferenceData) -> dict[str, Any]:
        return {
            "id": self.id,
            "list": self.list,
            "rule": self.rule,
            "title": self.title,
            "title_zh": self.title_zh,
            "applied_by": self.applied_by,
            "legal_basis": self.legal_basis,
            "grounds": self.grounds,
            "valid_from": self.start(reference).isoformat(),
            "valid_from_source": "fixed"
            if isinstance(self.valid_from, date)
            else f"reference data `{self.valid_from}` (UNCONFIRMED date)",
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "status": self.status,
            "open_question": self.open_question,
            "note": self.note,
        }


_O44_15 = "《市场监督管理严重违法失信名单管理办法》(SAMR Order 44) Art 15"
_REG24_19 = "《企业信息公示暂行条例》(2024 rev., S-REG24) Art 19"
_GOVERNMENT = "governments at every level and their departments (finance: government procurement; public resource trading: bidding; planning and natural resources: state land; honours bodies)"

_REG24_LISTS: tuple[tuple[str, ListName], ...] = (("SDL-22", "serious"), ("AOL-22", "abnormal"))

CATALOGUE: tuple[Measure, ...] = (
    Measure(
        "sdl-20-licence-review",
        "serious",
        "SDL-20",
        "the listing is an important factor in reviewing licences, qualifications, government-procurement entrustment and bidding",
        "作为审查行政许可、资质、资格、委托承担政府采购项目、工程招投标时的重要考量因素",
        "market regulators (licensing divisions)",
        _O44_15 + "(1)",
        ORDER_44,
    ),
    Measure(
        "sdl-20-key-supervision",
        "serious",
        "SDL-20",
        "key supervision object: higher inspection frequency",
        "列为重点监管对象，提高检查频次",
        "market regulators (sector divisions, district bureaus)",
        _O44_15 + "(2)",
        ORDER_44,
    ),
    Measure(
        "sdl-20-no-notify-commit",
        "serious",
        "SDL-20",
        "the notify-and-commit system (告知承诺制) does not apply",
        "不适用告知承诺制",
        "market regulators (licensing divisions); see COM-04",
        _O44_15 + "(3)",
        ORDER_44,
    ),
    Measure(
        "sdl-20-no-honours",
        "serious",
        "SDL-20",
        "no market-regulation honours or awards",
        "不予授予市场监督管理部门荣誉称号等表彰奖励",
        "market regulators",
        _O44_15 + "(4)",
        ORDER_44,
    ),
    Measure(
        "sdl-21-joint-punishment",
        "serious",
        "SDL-21",
        "list data shared with other departments; joint punishment as laws and central policy provide",
        "依法依规实施联合惩戒",
        "other departments, through this ledger's feed",
        "《市场监督管理严重违法失信名单管理办法》(SAMR Order 44) Art 4",
        ORDER_44,
    ),
    *(
        Measure(
            f"{rule.lower()}-{key}",
            list_name,
            rule,
            f"restricted or barred in {what}",
            f"在{zh}中依法予以限制或者禁入",
            _GOVERNMENT,
            _REG24_19,
            "disclosure_2024_effective",
        )
        for rule, list_name in _REG24_LISTS
        for key, what, zh in (
            ("procurement", "government procurement", "政府采购"),
            ("bidding", "bidding (工程招投标)", "工程招投标"),
            ("state-land", "state land transfer", "国有土地出让"),
            ("honours", "honours (授予荣誉称号)", "授予荣誉称号"),
        )
    ),
    Measure(
        "sdl-22-legal-representative-bar",
        "serious",
        "SDL-22",
        "the legal representative or responsible person may not hold that role in any other enterprise for 3 years",
        "法定代表人、负责人三年内不得担任其他企业的法定代表人、负责人",
        "registration authorities (market regulators, registration divisions)",
        "《企业信息公示暂行条例》(2024 rev., S-REG24) Art 18(2)",
        "disclosure_2024_effective",
        grounds="listings under Art 18(2) (published information concealing facts or falsified); other listings: open",
        status="OPEN",
        open_question="Q17",
        note="Q17: the sentence speaks of serious-list enterprises generally but sits in the false-information "
        "paragraph; ask legal whether the bar follows every listing. Shown for every serious listing, marked open.",
    ),
)
BY_ID = {m.id: m for m in CATALOGUE}


def measures_for(list_name: ListName | None, as_of: date, reference: ReferenceData) -> list[Measure]:
    """The measures in force on `as_of` for a list (None: both lists)."""
    return [m for m in CATALOGUE if (list_name is None or m.list == list_name) and m.in_force(as_of, reference)]


def list_of_kind(kind: str) -> ListName | None:
    for name, k in LIST_KINDS.items():
        if k == kind:
            return name
    return None


def shown(measures: Sequence[Measure], reference: ReferenceData) -> list[dict[str, Any]]:
    return [m.shown(reference) for m in measures]


def feedback_due(
    triggered_on: date, window: Period, calendar: WorkingCalendar, given: bool, today: date
) -> tuple[date, bool]:
    """When feedback on a trigger recorded on `triggered_on` is due (SDL-21, trigger → feedback;
    `measure_feedback_window`), and whether it is an open deadline `today`: none given, and due passed."""
    due = calendar.last_day(triggered_on, window).date
    return due, not given and today > due
