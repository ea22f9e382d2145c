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
from domain.reference import DEFAULT_REFERENCE, ReferenceData

S45_START = date(2021, 9, 1)  # Orders 44 and 45, S-REP (§12, CONFIRMED)
S68_START = date(2014, 10, 1)


@dataclass(frozen=True)
class Ref:
    """A parameter held in ReferenceData (UNCONFIRMED number, overridable, dated)."""

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
    _rule(
        "PEN-01",
        "Only ordinary-procedure, not warning-only penalties are published",
        "CONFIRMED",
        _v("S-45 Art 2", S45_START, note="simplified procedure outside Order 45 (INFERENCE)"),
    ),
    _rule(
        "PEN-05",
        "Publish a penalty within 20 WD of the decision",
        "CONFIRMED",
        _v("S-45 Art 9", S45_START, deadline=Period(20, WD)),
    ),
    _rule(
        "PEN-07",
        "Withdraw a published penalty within 3 WD of its revocation",
        "CONFIRMED",
        _v("S-45 Art 11", S45_START, deadline=Period(3, WD)),
    ),
    _rule(
        "PEN-09",
        "Publicity period from publication: 3 M light, 3 Y others, longer restriction",
        "CONFIRMED",
        _v("S-45 Art 13", S45_START, short=Period(3, M), long=Period(3, Y)),
    ),
    _rule(
        "PEN-10",
        "Lower-amount fine threshold set by the province",
        "UNCONFIRMED",
        _v(
            "S-45 Art 13(2)",
            S45_START,
            organisation=Ref("lower_fine_threshold_organisation"),
            natural_person=Ref("lower_fine_threshold_natural_person"),
        ),
    ),
    _rule(
        "PEN-11",
        "Early stop of penalty publicity after 6 M (1 Y food, drug, special equipment)",
        "CONFIRMED",
        _v("S-45 Art 14(1)-(2); S-REP Art 6", S45_START, minimum=Period(6, M), minimum_key_domain=Period(1, Y)),
    ),
    _rule(
        "PEN-12",
        "No early stop for suspension, restriction, ban, downgrade, revocations; nor for "
        "warning, criticism or lower-amount fine",
        "CONFIRMED",
        _v("S-45 Art 14(3); S-REP Art 6", S45_START),
    ),
    _rule(
        "SDL-10",
        "The authority that imposed the penalty decides and manages the listing",
        "CONFIRMED",
        _v("S-44 Art 13", S45_START),
    ),
    _rule(
        "SDL-13",
        "Publish a serious-list decision within 20 WD",
        "CONFIRMED",
        _v("S-44 Art 14", S45_START, deadline=Period(20, WD)),
    ),
    _rule("SDL-20", "No notify-and-commit while on the serious list", "CONFIRMED", _v("S-44 Art 15(3)", S45_START)),
    _rule(
        "SDL-30",
        "Automatic removal after 3 Y, or the longer restriction period",
        "CONFIRMED",
        _v("S-44 Art 21", S45_START, period=Period(3, Y)),
    ),
    _rule(
        "SDL-31",
        "Early removal may be applied for after 1 Y listed; no further heavier penalty; "
        "not while a measure period runs",
        "CONFIRMED",
        _v("S-44 Art 16", S45_START, minimum=Period(1, Y)),
    ),
    _rule(
        "SDL-32",
        "Repair application accepted within 2 WD, decided within 15 WD of acceptance",
        "CONFIRMED",
        _v("S-44 Art 17", S45_START, acceptance=Period(2, WD), decision=Period(15, WD)),
    ),
    _rule(
        "SDL-33",
        "Granted removal executed within 3 WD",
        "CONFIRMED",
        _v("S-44 Art 18", S45_START, execution=Period(3, WD)),
    ),
    _rule(
        "SDL-34",
        "Listing revoked within 3 WD when the underlying penalty is annulled",
        "CONFIRMED",
        _v("S-44 Art 19", S45_START, deadline=Period(3, WD)),
    ),
    _rule(
        "SDL-35",
        "Removal obtained by fraud revoked; listing restored, period restarts",
        "CONFIRMED",
        _v("S-44 Art 20", S45_START),
    ),
    _rule(
        "AOL-02",
        "Abnormal-list grounds by regime",
        "CONFIRMED",
        _v("S-68 Art 4", S68_START, O101, grounds="annual_report, instant_info, false_info, unreachable"),
        _v("S-101A Art 4", O101, grounds="annual_report, instant_info, name_change, unreachable"),
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
        "Removal may be applied for only within 3 Y of listing (2014 regime)",
        "CONFIRMED",
        _v("S-68 Art 10", S68_START, O101, window=Period(3, Y)),
        _v("S-101A", O101, note="no window"),
    ),
    _rule(
        "AOL-20",
        "3-year transfer to the serious illegal enterprise list (2014 regime only)",
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
        "KEY-03",
        "Key-sector list follows valid permits; adjusted within 3 WD; leaves on deregistration",
        "UNCONFIRMED",
        _v("project brief (S-TJ28 body unread)", date.min, adjustment=Ref("key_list_adjustment")),
    ),
    _rule(
        "KEY-04",
        "Permit ends on revocation, cancellation, expiry, licence revocation",
        "CONFIRMED",
        _v("S-FPL Arts 40-41", date.min),
    ),
    _rule(
        "KEY-06",
        "A permit is valid from valid_from to valid_until, extended by renewal",
        "CONFIRMED",
        _v("S-FPL Arts 22, 23, 25, 34", date.min),
    ),
    _rule(
        "COM-06",
        "A finding of an untrue commitment is always published",
        "INFERENCE",
        _v("S-28 mirror; S-42", date.min),
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
        "The public view's sections: basic information, permits, penalties, inspections, lists, commitments",
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
        "REP-07",
        "Penalty-repair deadlines 2 / 15 / 3 WD (assumed mirror of Order 44)",
        "UNCONFIRMED",
        _v(
            "assumption",
            S45_START,
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
        "ID-02",
        "A USCC's 18th character is its check character (GB 32100: weights 3^(i-1) mod 31)",
        "PARTIAL",
        _v("GB 32100-2015", date.min),
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
    if isinstance(value, tuple):
        return "; ".join(f"from {'the start' if d == date.min else d}: {v}" for d, v in value)
    return str(value)
