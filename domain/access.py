"""Who may write what (docs/access.md): roles, principals, authors.

The department on every record is an authenticated fact (谁产生、谁提供、谁负责, S-28): it comes
from whoever sends the record (a token, or the command line's `--department`), never from the
record's body.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from domain.errors import Problem
from domain.records import DATA_MODELS


class Role(StrEnum):
    officer = "officer"
    """Writes records of its own department; corrects or retracts only those (LEDGER-05)."""
    reviewer = "reviewer"
    """Decides repair applications about its own department's records (rulebook REP-02)."""
    auditor = "auditor"
    """Reads everything, timelines and personal data included; writes nothing."""
    admin = "admin"
    """Reference data and tokens; writes no records."""


REPAIR_DECISIONS = frozenset(
    {
        "repair.accepted",
        "repair.rejected",
        "repair.granted",
        "repair.denied",
        "repair.revoked",
        "repair.materials_received",
        "repair.correction_requested",
    }
)
WRITABLE: dict[Role, frozenset[str]] = {
    Role.officer: frozenset(DATA_MODELS) - REPAIR_DECISIONS,
    Role.reviewer: REPAIR_DECISIONS,
    Role.auditor: frozenset(),
    Role.admin: frozenset(),
}
EVERY_TYPE = frozenset(DATA_MODELS)


@dataclass(frozen=True)
class Principal:
    """The bearer of a valid token."""

    token_id: str
    department: str
    role: Role
    label: str | None

    @property
    def operator(self) -> str:
        """What a record's source.operator says: the token's label, or its id."""
        return self.label or f"token:{self.token_id}"


@dataclass(frozen=True)
class Author:
    """Who writes a batch: the department that answers for it and the operator entering it.

    Each record's source.department must name this department, and its source.operator is
    replaced by this operator.
    """

    department: str
    operator: str
    record_types: frozenset[str]
    """The record types this author may write (by role: `WRITABLE`)."""

    @classmethod
    def of(cls, principal: Principal) -> Author:
        """Records are written in the token's department, under the token's operator name."""
        return cls(principal.department, principal.operator, WRITABLE[principal.role])


WHO_NOT_WHAT = frozenset({"AUTH-01", "AUTH-02", "AUTH-03", "LEDGER-05"})
"""Rules about who writes a record rather than what it says."""


def refused_for_who(problems: Iterable[Problem]) -> bool:
    """Whether every reason is one of `WHO_NOT_WHAT`: the sender may not write it, whatever it says."""
    rules = [p.rule for p in problems]
    return bool(rules) and all(rule in WHO_NOT_WHAT for rule in rules)


# --- risk classes (issue 19) --------------------------------------------------------------

RISK_DIVISIONS = frozenset({"TJ-CREDIT", "TJ-FOOD", "TJ-SFOOD", "TJ-FSAMPLE", "TJ-SE"})
"""The departments whose officers read risk classes: the credit-supervision division (信用监管处,
which runs the classification, S-TJ28 五(七)1) and the sector divisions that supply its weights
and apply its results (食品生产处, 特殊食品处, 食品抽检处, 特监处; 五(七)2–3). Auditors read them
too; nobody else (RISK-02: an internal reference, never public)."""


def may_read_risk(principal: Principal) -> bool:
    if principal.role is Role.auditor:
        return True
    return principal.role in (Role.officer, Role.reviewer) and principal.department in RISK_DIVISIONS
