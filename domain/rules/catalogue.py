"""The rule catalogue: every rule the ledger applies, with its source and dated versions.

Derivations read their fixed numbers from here (`param`) and their UNCONFIRMED numbers from
`ReferenceData` (named here by `Ref`), so the catalogue, `GET /v1/rules` and docs/rules.md
cannot drift from what the code does. A rule is applied in the version in force on the
effective date of the triggering fact (TIME-04, §12).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.calendar import Period, Unit
from domain.reference import DEFAULT_REFERENCE, DistrictChange, ReferenceData

S45_START = date(2021, 9, 1)  # Orders 44 and 45, S-REP (§12, CONFIRMED)
S68_START = date(2014, 10, 1)  # Order 68 and the 2014 Disclosure Regulation (S-REG14)
S_FPL_START = date(2020, 3, 1)  # Food Production Licensing Measures (S-FPL)
S_TJ28_ISSUED = date(2021, 8, 25)  # the Tianjin key-sector plan (S-TJ28), which creates the list


@dataclass(frozen=True)
class Ref:
    """A parameter held in ReferenceData (UNCONFIRMED number or dated choice, overridable)."""

    field: str

    def __str__(self) -> str:
        return f"reference data `{self.field}`"


@dataclass(frozen=True)
class RuleVersion:
    source: str
    valid_from: date | Ref  # a Ref when the cut-over date itself is UNCONFIRMED (§12, Q15)
    valid_until: date | Ref | None = None  # exclusive
    params: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    provisional: bool = False
    """Applied for want of the text in force then: everything derived under it is `provisional`."""


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    status: str  # CONFIRMED | PARTIAL | UNCONFIRMED | INFERENCE (rulebook §0.1)
    versions: tuple[RuleVersion, ...]


def _rule(id: str, title: str, status: str, *versions: RuleVersion) -> Rule:
    return Rule(id, title, status, versions)


def _v(source: str, start: date | Ref, until: date | Ref | None = None, note: str = "", **params: Any) -> RuleVersion:
    return RuleVersion(source, start, until, params, note)


# Facts before 2021-09-01 fell under Order 71 (penalty publicity) and Order 83 (serious list),
# whose texts the rulebook does not carry (§12): the ledger keeps Orders 45/44's windows for them
# and marks everything so derived provisional, with this reason (issue 18, item 4).
PRE_ORDER_45 = (
    "Order 71 (SAIC 2014) governed before 2021-09-01; the rulebook carries no numbers for it: "
    "Order 45's are applied, provisional"
)
PRE_ORDER_44 = (
    "Order 83 (SAIC 2015) governed before 2021-09-01; the rulebook carries no numbers for it: "
    "Order 44's are applied, provisional"
)


def _order_45(source: str, note: str = "", **params: Any) -> tuple[RuleVersion, ...]:
    return (
        RuleVersion("Order 71 (SAIC 2014), provisional", date.min, S45_START, params, PRE_ORDER_45, True),
        RuleVersion(source, S45_START, None, params, note),
    )


def _order_44(source: str, note: str = "", **params: Any) -> tuple[RuleVersion, ...]:
    return (
        RuleVersion("Order 83 (SAIC 2015), provisional", date.min, S45_START, params, PRE_ORDER_44, True),
        RuleVersion(source, S45_START, None, params, note),
    )


WD, D, M, Y = Unit.WD, Unit.D, Unit.M, Unit.Y
REG24 = Ref("disclosure_2024_effective")
O101 = Ref("order_101_effective")

RULES: tuple[Rule, ...] = (
    _rule(
        "TIME-01",
        "Working days exclude weekends and statutory holidays, include make-up days",
        "INFERENCE",
        _v("State Council holiday schedules via chinesecalendar; later years loaded as data", date.min),
    ),
    _rule(
        "TIME-02",
        "Periods counted from day X: day X is day 0; deadline on a rest day rolls forward",
        "INFERENCE",
        _v("民法典 Arts 201-203", date.min, note="configurable per rule (Counting)"),
    ),
    _rule(
        "TIME-03",
        "N-month/N-year anniversaries on the calendar; 29 Feb → 28 Feb",
        "INFERENCE",
        _v("民法典 Art 202", date.min),
    ),
    _rule(
        "TIME-04",
        "Apply the rule version in force on the triggering fact's effective date",
        "INFERENCE",
        _v("rulebook §0.3, §12", date.min),
    ),
    # --- identifiers and licences ---------------------------------------------------------
    _rule(
        "ID-02",
        "A USCC's 18th character is its check character (GB 32100: weights 3^(i-1) mod 31)",
        "PARTIAL",
        _v("GB 32100-2015", date.min),
    ),
    _rule(
        "ID-10",
        "A supervising district is a Tianjin GB/T 2260 code in force on the record's date",
        "PARTIAL",
        _v("GB/T 2260 (current Tianjin codes)", date.min),
    ),
    _rule(
        "ID-11",
        "A retired district code is taken for dates before its change; lists and facets show the successor "
        "district from the change on",
        "PARTIAL",
        _v("GB/T 2260; State Council approvals", date.min, changes=Ref("district_changes")),
    ),
    _rule(
        "ID-20",
        "A food production licence number is SC + 14 digits; a cancelled number is never granted again",
        "CONFIRMED",
        _v(
            "S-FPL Arts 30, 40",
            S_FPL_START,
            note="checked for food_production and special_food permits; reuse is checked within one enterprise",
        ),
    ),
    _rule(
        "KEY-03",
        "Key-sector list follows valid permits; adjusted within 3 WD of a grant, exit or revocation; "
        "deregistration is an automatic exit with no deadline",
        "CONFIRMED",
        _v(
            "S-TJ28 四(一)2",
            S_TJ28_ISSUED,
            note="acts before the plan (2021-08-25) have no adjustment deadline: the list was first built then",
            adjustment=Period(3, WD),
        ),
    ),
    _rule(
        "KEY-04",
        "Permit ends on revocation, cancellation, expiry, licence revocation",
        "CONFIRMED",
        _v("S-FPL Arts 40-41", date.min),
    ),
    _rule(
        "KEY-05",
        "Special-food (health food, FSMP, infant formula), infant complementary food and salt licences are granted "
        "at provincial level: a district bureau's is refused, Binhai New Area's excepted",
        "CONFIRMED",
        _v(
            "S-FPL Art 7; S-TJ28 四(一)1(1)",
            S_FPL_START,
            district_bureaus=Ref("district_bureau_prefix"),
            delegated_districts=Ref("provincial_licence_districts"),
        ),
    ),
    _rule(
        "KEY-06",
        "A permit is valid from valid_from to valid_until, extended by renewal",
        "CONFIRMED",
        _v("S-FPL Arts 22, 23, 25, 34", date.min),
    ),
    _rule(
        "KEY-08",
        "The regulator publishes a licence it grants or renews within 20 WD (penalties: PEN-05)",
        "CONFIRMED",
        _v(
            "S-REG14 Art 6; S-REG24 Art 6",
            S68_START,
            note="met when the ledger, which publishes what it holds, records it",
            deadline=Period(20, WD),
        ),
    ),
    _rule(
        "KEY-09",
        "The enterprise publishes licences obtained, changed or renewed and penalties received within 20 WD",
        "CONFIRMED",
        _v(
            "S-REG14 Art 10; S-REG24 Art 10",
            S68_START,
            note="met by an instant_info.published naming the permit or penalty",
            deadline=Period(20, WD),
        ),
    ),
    _rule(
        "KEY-10",
        "A food producer's licences and inspections are published (its food-safety credit file)",
        "CONFIRMED",
        _v("S-FPL Art 44", S_FPL_START),
    ),
    # --- random draws and key supervision (issue 20, docs/draws.md) -------------------------
    _rule(
        "DR-05",
        "Random-inspection results are published within 20 WD of the end of the inspection",
        "PARTIAL",
        _v(
            "S-101B Art 12 (CONFIRMED for public-information checks); S-5 (general results: UNCONFIRMED "
            "wording, 20 WD as local implementations apply it)",
            S68_START,
            note="an inspection.concluded of kind double_random: met when the ledger, which publishes "
            "inspections in the public view, records it",
            deadline=Period(20, WD),
        ),
    ),
    _rule(
        "DR-06",
        "Public-information spot checks: at least 3 % drawn by lottery keyed on USCC, a yearly "
        "non-directional check, at least two inspectors, results recorded within 20 WD",
        "CONFIRMED",
        _v(
            "S-101B Arts 4, 7, 9, 12",
            S68_START,
            note="the built-in item TJ-DR06-PUBLIC-INFO (ratio 3 % per class, two inspectors); hashrank-v1",
            min_ratio="0.03",
            inspectors=2,
        ),
    ),
    _rule(
        "DR-09",
        "Serious-list enterprises and food producers with bad credit records are inspected more often",
        "CONFIRMED",
        _v(
            "Order 44 Art 15(2); S-FPL Art 44",
            S45_START,
            note="key-supervision plans list them (criteria serious_list, food_producers_c_d)",
        ),
    ),
    # --- penalties ------------------------------------------------------------------------
    _rule(
        "PEN-01",
        "Only ordinary-procedure, not warning-only penalties are published",
        "CONFIRMED",
        *_order_45("S-45 Art 2", note="simplified procedure outside Order 45 (INFERENCE)"),
    ),
    _rule(
        "PEN-02",
        "The published summary: decision number, party, violation type, penalty content, deciding authority, "
        "decision date",
        "CONFIRMED",
        *_order_45("S-45 Art 4"),
    ),
    _rule(
        "PEN-03",
        "Personal data never reaches a public view (the secrecy review itself is the case system's)",
        "CONFIRMED",
        _v("S-45 Arts 5-7", date.min),
    ),
    _rule(
        "PEN-05",
        "Publish a penalty within 20 WD of the decision: met when published on time",
        "CONFIRMED",
        *_order_45("S-45 Art 9", deadline=Period(20, WD)),
    ),
    _rule(
        "PEN-06",
        "Party registered outside Tianjin: pushed to its registration place within 10 WD, published there within "
        "10 WD of receipt",
        "CONFIRMED",
        *_order_45("S-45 Art 10", push=Period(10, WD), publish=Period(10, WD)),
    ),
    _rule(
        "PEN-07",
        "Withdraw a published penalty within 3 WD of its revocation",
        "CONFIRMED",
        *_order_45("S-45 Art 11", deadline=Period(3, WD)),
    ),
    _rule(
        "PEN-08",
        "Anyone may demand, with evidence, the correction of a published penalty; the deciding department handles it",
        "CONFIRMED",
        *_order_45("S-45 Art 12"),
    ),
    _rule(
        "PEN-09",
        "Publicity period from publication: 3 M for only a criticism or only a lower-amount fine, 3 Y others, "
        "longer restriction or ban",
        "CONFIRMED",
        *_order_45("S-45 Art 13", short=Period(3, M), long=Period(3, Y)),
    ),
    _rule(
        "PEN-10",
        "Lower-amount fine threshold set by the province (Tianjin's UNCONFIRMED: unset means none)",
        "CONFIRMED",
        *_order_45(
            "S-45 Art 13(2)",
            organisation=Ref("lower_fine_threshold_organisation"),
            natural_person=Ref("lower_fine_threshold_natural_person"),
            individual_business=Ref("individual_business_threshold"),
        ),
    ),
    _rule(
        "PEN-11",
        "Early stop of penalty publicity after 6 M (1 Y food, drug, special equipment); not after the same "
        "violation again, nor while listed",
        "CONFIRMED",
        *_order_45("S-45 Art 14(1)-(2); S-REP Art 6", minimum=Period(6, M), minimum_key_domain=Period(1, Y)),
    ),
    _rule(
        "PEN-12",
        "No early stop for suspension, restriction, ban, downgrade, revocations; nor for "
        "warning, criticism or lower-amount fine",
        "CONFIRMED",
        *_order_45("S-45 Art 14(3); S-REP Art 6"),
    ),
    _rule(
        "PEN-13",
        "Whoever handles the case records it and answers for it: only the deciding department revokes or "
        "corrects its penalty",
        "CONFIRMED",
        _v("S-45 Art 16", date.min),
    ),
    _rule(
        "PEN-14",
        "Drug regulators' penalties follow the same rules (drug: a key domain for PEN-11)",
        "CONFIRMED",
        _v("S-45 Art 18", date.min),
    ),
    # --- serious list ---------------------------------------------------------------------
    _rule(
        "SDL-01",
        "A listing needs a heavier penalty: a 从重 fine, downgrade, licence or permit revocation, restriction, "
        "suspension, closure or ban",
        "CONFIRMED",
        *_order_44("S-44 Art 2"),
    ),
    _rule(
        "SDL-02",
        "Food-safety grounds (Art 5): the listing is also the food-safety blacklist",
        "CONFIRMED",
        *_order_44("S-44 Art 5", article=5),
    ),
    _rule(
        "SDL-03",
        "Quality-safety grounds incl. special equipment (Art 7)",
        "CONFIRMED",
        *_order_44("S-44 Art 7(1)", article=7),
    ),
    _rule(
        "SDL-04",
        "Other grounds: drugs (Art 6), consumers (Art 8), market order (Art 9), licences and obstruction (Art 10), "
        "refusing to perform (Art 11)",
        "CONFIRMED",
        *_order_44("S-44 Arts 6, 8-11", articles="6, 8, 9, 10, 11"),
    ),
    _rule(
        "SDL-05",
        "No listing when the party proved it had no subjective intent",
        "CONFIRMED",
        *_order_44("S-44 Art 12"),
    ),
    _rule(
        "SDL-10",
        "The listing is decided together with its penalty (same date) by the authority that imposed it",
        "CONFIRMED",
        *_order_44("S-44 Art 13(1)-(2)"),
    ),
    _rule(
        "SDL-11",
        "A refusal to perform (Art 11) may be listed on a later date than its penalty",
        "CONFIRMED",
        *_order_44("S-44 Art 13(3)"),
    ),
    _rule(
        "SDL-12",
        "A district bureau's listing needs the approval of the city authority",
        "CONFIRMED",
        *_order_44("S-44 Art 22", district_bureaus=Ref("district_bureau_prefix")),
    ),
    _rule(
        "SDL-13",
        "Publish a serious-list decision within 20 WD; a party registered elsewhere: push within 10 WD",
        "CONFIRMED",
        *_order_44("S-44 Art 14", deadline=Period(20, WD), push=Period(10, WD)),
    ),
    _rule("SDL-20", "No notify-and-commit while on the serious list", "CONFIRMED", *_order_44("S-44 Art 15(3)")),
    _rule(
        "SDL-30",
        "Automatic removal after 3 Y, or when a longer restriction or ban (counted from its penalty) ends",
        "CONFIRMED",
        *_order_44("S-44 Art 21", period=Period(3, Y)),
    ),
    _rule(
        "SDL-31",
        "Early removal may be applied for after 1 Y listed (restarted only by a fraud relisting); no further "
        "heavier penalty; not while a measure period runs",
        "CONFIRMED",
        *_order_44("S-44 Art 16", minimum=Period(1, Y)),
    ),
    _rule(
        "SDL-32",
        "Repair application accepted within 2 WD, decided within 15 WD of acceptance",
        "CONFIRMED",
        *_order_44("S-44 Art 17", acceptance=Period(2, WD), decision=Period(15, WD)),
    ),
    _rule(
        "SDL-33",
        "Granted removal executed within 3 WD",
        "CONFIRMED",
        *_order_44("S-44 Art 18", execution=Period(3, WD)),
    ),
    _rule(
        "SDL-34",
        "Listing revoked within 3 WD when the underlying penalty is annulled",
        "CONFIRMED",
        *_order_44("S-44 Art 19", deadline=Period(3, WD)),
    ),
    _rule(
        "SDL-35",
        "Removal obtained by fraud revoked; listing restored, period restarts",
        "CONFIRMED",
        *_order_44("S-44 Art 20"),
    ),
    _rule(
        "SDL-36",
        "Listing and removal decisions are open to reconsideration and litigation: an annulled listing ends, an "
        "annulled removal restores the listing",
        "CONFIRMED",
        *_order_44("S-44 Art 23"),
    ),
    _rule(
        "SDL-37",
        "A court judgment may require a listing; it is managed like an Order 44 listing",
        "CONFIRMED",
        *_order_44("S-44 Art 24"),
    ),
    _rule(
        "SDL-38",
        "Order 44 transfers nobody from the abnormal list: the 2014 serious illegal enterprise list is AOL-20's",
        "CONFIRMED",
        _v("S-44 (negative finding)", S45_START),
    ),
    # --- abnormal list --------------------------------------------------------------------
    _rule(
        "AOL-01",
        "The annual report for year N is filed from 1 January to 30 June of N+1, first for the year of "
        "establishment; corrections by 30 June",
        "CONFIRMED",
        _v(
            "S-REG14 Art 8; S-REG24 Art 8", S68_START, note="derived for enterprises and branches registered in Tianjin"
        ),
    ),
    _rule(
        "AOL-02",
        "Abnormal-list grounds by regime: a listing on a ground not in force on its date is refused",
        "CONFIRMED",
        _v("S-68 Art 4", S68_START, O101, grounds="annual_report, instant_info, false_info, unreachable"),
        _v("S-101A Art 4", O101, grounds="annual_report, instant_info, name_change, unreachable"),
    ),
    _rule(
        "AOL-03",
        "Missing annual report: listed within 10 WD after 30 June",
        "CONFIRMED",
        _v("S-68 Art 6; S-101A Art 6", S68_START, deadline=Period(10, WD)),
    ),
    _rule(
        "AOL-04",
        "Instant information ordered: published within 10 D, else listed within 10 WD after that",
        "CONFIRMED",
        _v("S-68 Art 7; S-101A Art 7", S68_START, order=Period(10, D), deadline=Period(10, WD)),
    ),
    _rule(
        "AOL-05",
        "Name not changed as required: listed within 10 WD after the change deadline (Order 101)",
        "CONFIRMED",
        _v("S-101A Art 8", O101, deadline=Period(10, WD)),
    ),
    _rule(
        "AOL-06",
        "Unreachable (two registered letters 15-30 D apart not signed for): listed within 10 WD of confirmation",
        "CONFIRMED",
        _v(
            "S-68 Art 9; S-101A Art 9", S68_START, gap_min=Period(15, D), gap_max=Period(30, D), deadline=Period(10, WD)
        ),
    ),
    _rule(
        "AOL-07",
        "False information (Order 68 only): listed within 10 WD of confirmation",
        "CONFIRMED",
        _v("S-68 Art 8", S68_START, O101, deadline=Period(10, WD)),
        _v("S-101A", O101, note="no longer a ground"),
    ),
    _rule(
        "AOL-08",
        "The listing decision is published with name, USCC, listing date, reason and deciding authority",
        "CONFIRMED",
        _v("S-68 Art 5; S-101A Art 5", S68_START),
    ),
    _rule(
        "AOL-10",
        "Abnormal-list removal decided within 5 WD of application or verification",
        "CONFIRMED",
        _v("S-68 Arts 11-13", S68_START, O101, deadline=Period(5, WD)),
        _v("S-101A Arts 10-14", O101, deadline=Period(5, WD)),
    ),
    _rule(
        "AOL-11",
        "Removal may be applied for only within 3 Y of listing: judged on the application date, while the 3-year "
        "transfer existed",
        "CONFIRMED",
        _v("S-68 Art 10", S68_START, REG24, window=Period(3, Y)),
        _v(
            "S-REG24; S-101A",
            REG24,
            note="no window: the transfer it led to ended with the 2024 Regulation (AOL-20); Order 101 drops the text",
        ),
    ),
    _rule(
        "AOL-12",
        "Objection within 30 D of the listing; accepted within 5 WD; verified within 20 WD; corrected within 5 WD",
        "CONFIRMED",
        _v(
            "S-101A Art 15",
            S68_START,
            objection=Period(30, D),
            acceptance=Period(5, WD),
            verification=Period(20, WD),
            correction=Period(5, WD),
        ),
    ),
    _rule(
        "AOL-13",
        "Listing and removal decisions are open to reconsideration and litigation",
        "CONFIRMED",
        _v("S-68 Art 16; S-101A Art 16", S68_START),
    ),
    _rule(
        "AOL-20",
        "3-year transfer to the serious illegal enterprise list (2014 regime only); removed after 5 Y without "
        "recurrence",
        "CONFIRMED",
        _v(
            "S-REG14 Art 17; S-68 Art 15",
            S68_START,
            REG24,
            transfer_after=Period(3, Y),
            reminder=Period(60, D),
            serious_2014_period=Period(5, Y),
        ),
        _v("S-REG24; S-101A", REG24, note="the transfer no longer exists"),
    ),
    _rule(
        "AOL-21",
        "Licence revocation due: 2 consecutive years without annual report, listed, unreachable",
        "CONFIRMED",
        _v("S-REG24 Art 18(1)", REG24),
    ),
    _rule(
        "GSXT-01",
        "Annual reports and instant information are published (GSXT is their statutory platform)",
        "CONFIRMED",
        _v("S-REG24 Arts 5-6", S68_START),
    ),
    # --- commitments, the public view, repair ---------------------------------------------
    _rule(
        "COM-06",
        "A finding of an untrue commitment is always published",
        "INFERENCE",
        _v("S-28 mirror; S-42", date.min),
    ),
    _rule(
        "COM-03",
        "Matters excluded from notify-and-commit (health, life, public safety...) refuse a commitment",
        "PARTIAL",
        _v("local implementation of S-42; templates marked excluded (reference data)", date.min),
    ),
    _rule(
        "COM-05",
        "Each commitment is verified (task due: reference data); an untrue one names its consequence, which "
        "must follow",
        "PARTIAL",
        _v(
            "S-28 as mirrored; S-42",
            date.min,
            verification=Ref("commitment_verification_within"),
            consequence=Ref("commitment_consequence_within"),
        ),
    ),
    _rule(
        "COM-07",
        "A commitment names a template in force on its date and the template's matter",
        "UNCONFIRMED",
        _v("believed contents; templates are reference data", date.min),
    ),
    _rule(
        "COM-04",
        "No notify-and-commit after an untrue commitment until credit repair",
        "PARTIAL",
        _v("S-42 via local implementations", date.min),
    ),
    _rule(
        "GSXT-02",
        "Enterprise search by name or USCC; an empty query is refused",
        "PARTIAL",
        _v("observed GSXT search box", date.min),
    ),
    _rule(
        "GSXT-03",
        "The public view's sections: basic information, permits, penalties, inspections, lists, commitments, "
        "annual reports, instant information",
        "PARTIAL",
        _v("observed GSXT enterprise detail page, c. 2025", date.min),
    ),
    _rule(
        "GSXT-06",
        "Exposure board: serious list, untrue commitment, repeat offences, offence after "
        "rectification order — only while the records are public",
        "PARTIAL",
        _v(
            "S-28 press release",
            date.min,
            repeat=Ref("exposure_repeat_lookback"),
            after_rectification=Ref("exposure_after_rectification_lookback"),
            untrue_commitment=Ref("exposure_untrue_commitment"),
            key_sector_only=Ref("exposure_key_sector_only"),
        ),
    ),
    _rule("REP-02", "The listing or penalty authority decides the repair", "PARTIAL", _v("S-REP Art 4", S45_START)),
    _rule("REP-03", "Abnormal-list repair on any one remedied ground", "PARTIAL", _v("S-REP Art 5", S45_START)),
    _rule(
        "REP-06",
        "Repair materials: application form, commitment letter, evidence, identity documents (checklist per case)",
        "PARTIAL",
        _v("SAMR applicant guide as quoted by a local bureau", S45_START),
    ),
    _rule(
        "REP-07",
        "Penalty-repair deadlines 2 / 15 / 3 WD (assumed mirror of Order 44)",
        "UNCONFIRMED",
        *_order_45(
            "assumption",
            acceptance=Ref("penalty_repair_acceptance"),
            decision=Ref("penalty_repair_decision"),
            execution=Ref("penalty_repair_execution"),
        ),
    ),
    _rule(
        "REP-09",
        "Repair revoked: previous state restored (restart for penalties configurable)",
        "UNCONFIRMED",
        _v("S-44 Art 20 by analogy", S45_START, penalty_restart=Ref("penalty_fraud_restarts_window")),
    ),
    # The ledger's own integrity and access rules (docs/rules.md), applied at intake.
    _rule(
        "LEDGER-01",
        "No effective date in the future (China Standard Time)",
        "INFERENCE",
        _v("ledger integrity", date.min),
    ),
    _rule("LEDGER-02", "An enterprise is registered once", "INFERENCE", _v("ledger integrity", date.min)),
    _rule("LEDGER-03", "Records need a registered enterprise", "INFERENCE", _v("ledger integrity", date.min)),
    _rule(
        "LEDGER-04",
        "Nothing takes effect after deregistration but amendments",
        "INFERENCE",
        _v("ledger integrity", date.min),
    ),
    _rule(
        "LEDGER-05",
        "A department corrects or retracts only its own records",
        "PARTIAL",
        _v("S-28 谁产生、谁提供、谁负责; S-45 Art 16", date.min),
    ),
    _rule(
        "LEDGER-06",
        "An amendment names a record in force, not another amendment",
        "INFERENCE",
        _v("ledger integrity", date.min),
    ),
    _rule(
        "LEDGER-07",
        "References resolve: permits, penalties, listings, commitments, applications",
        "INFERENCE",
        _v("ledger integrity", date.min),
    ),
    _rule(
        "LEDGER-08",
        "One record per idempotency key (source.department, source.record_id)",
        "INFERENCE",
        _v("design.md exchange format", date.min),
    ),
    _rule(
        "LEDGER-09", "One open repair application per target at a time", "INFERENCE", _v("ledger integrity", date.min)
    ),
    _rule(
        "LEDGER-10",
        "Dates are real calendar dates from 1949-10-01 to 2199-12-31 (no 9999-12-31 stand-ins)",
        "INFERENCE",
        _v("ledger integrity: periods are added to every date", date.min),
    ),
    _rule(
        "INPUT-01",
        "A JSON body or line is UTF-8, without a byte order mark (UTF-16, UTF-32, GBK refused, named)",
        "CONFIRMED",
        _v("RFC 8259 §8.1; I-JSON, RFC 7493 §2.1", date.min),
    ),
    _rule(
        "INPUT-02",
        "Member names are unique in every JSON object (a duplicate refused, named by its JSON Pointer)",
        "CONFIRMED",
        _v("RFC 8259 §4; I-JSON, RFC 7493 §2.3", date.min),
    ),
    _rule(
        "INPUT-03",
        "JSON values every parser reads alike: no surrogate or noncharacter, no NaN or Infinity, numbers "
        "within IEEE 754 binary64, integers within ±(2**53 - 1)",
        "CONFIRMED",
        _v("RFC 8259 §6; I-JSON, RFC 7493 §2.1, §2.2", date.min),
    ),
    _rule(
        "AUTH-01",
        "The recorded department is the token's department",
        "PARTIAL",
        _v("S-28 谁产生、谁提供、谁负责", date.min),
    ),
    _rule(
        "AUTH-02",
        "Officers write records; reviewers write repair decisions",
        "INFERENCE",
        _v("ledger access (docs/access.md)", date.min),
    ),
    _rule(
        "AUTH-03",
        "A repair is decided by the authority that recorded the repaired record",
        "PARTIAL",
        _v("S-REP Art 4 (REP-02)", date.min),
    ),
)

CATALOGUE: dict[str, Rule] = {rule.id: rule for rule in RULES}


def rules_in_force(rule_id: str, on_date: date) -> RuleVersion | None:
    """The version of `rule_id` in force on `on_date`; None when none was (or the rule is unknown).

    Versions bounded by a `Ref` are resolved with the default reference data; use
    `version_applied` with an explicit reference to honour overrides.
    """
    version = version_applied(rule_id, on_date, DEFAULT_REFERENCE)
    return version if _bounds(version, DEFAULT_REFERENCE)[0] <= on_date else None


def version_applied(rule_id: str, on_date: date, reference: ReferenceData) -> RuleVersion:
    """The version applied to a fact of `on_date` (TIME-04). A fact older than the first
    version is judged by the first version: the rulebook carries no earlier text."""
    versions = CATALOGUE[rule_id].versions
    for version in versions:
        start, until = _bounds(version, reference)
        if start <= on_date and (until is None or on_date < until):
            return version
    return versions[0]


def provisional_reason(rule_id: str, on_date: date, reference: ReferenceData) -> str:
    """Why what `rule_id` derives for a fact of `on_date` is provisional ("" when it is not)."""
    version = version_applied(rule_id, on_date, reference)
    return version.note if version.provisional else ""


def param(rule_id: str, name: str, on_date: date, reference: ReferenceData) -> Any:
    value = version_applied(rule_id, on_date, reference).params[name]
    if isinstance(value, Ref):
        value = getattr(reference, value.field)
        return value.on(on_date) if hasattr(value, "on") else value
    return value


def _bounds(version: RuleVersion, reference: ReferenceData) -> tuple[date, date | None]:
    def resolved(value: Any) -> Any:
        return getattr(reference, value.field) if isinstance(value, Ref) else value

    return resolved(version.valid_from), resolved(version.valid_until)


def listing(reference: ReferenceData = DEFAULT_REFERENCE) -> list[dict[str, Any]]:
    """The catalogue as plain data (for `GET /v1/rules`), version bounds resolved."""
    out = []
    for rule in RULES:
        versions = []
        for version in rule.versions:
            start, until = _bounds(version, reference)
            versions.append(
                {
                    "source": version.source,
                    "valid_from": None if start == date.min else start.isoformat(),
                    "valid_until": until.isoformat() if until else None,
                    "params": {name: _shown(value, reference, start) for name, value in version.params.items()},
                    "note": version.note,
                    "provisional": version.provisional,
                }
            )
        out.append({"id": rule.id, "title": rule.title, "status": rule.status, "versions": versions})
    return out


def _shown(value: Any, reference: ReferenceData, start: date) -> str:
    if isinstance(value, Ref):
        current = getattr(reference, value.field)
        shown = current.versions if hasattr(current, "versions") else current
        return f"{value} = {_plain(shown)}"
    return str(value)


def _plain(value: Any) -> str:
    if isinstance(value, tuple) and value and isinstance(value[0], DistrictChange):
        return "; ".join(f"{c.retired} {c.retired_name} → {c.successor} from {c.on} ({c.source})" for c in value)
    if isinstance(value, tuple):
        return "; ".join(f"from {'the start' if d == date.min else d}: {_plain(v)}" for d, v in value)
    if isinstance(value, frozenset):
        return ", ".join(sorted(value))
    if value is None:
        return "unset"
    return str(value)
