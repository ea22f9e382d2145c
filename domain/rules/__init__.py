"""The legal rules (rulebook) as pure functions of an enterprise's resolved history.

Every function takes the history and a `RuleContext` (calendar and reference data in force)
and returns dated intervals naming their rules; nothing here reads a clock, a file or a global.
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.context import DEFAULT_CONTEXT, RuleContext
from domain.history import AnyFact
from domain.rules.abnormal import abnormal_list
from domain.rules.cases import typical_cases
from domain.rules.commitment import notify_commit_eligibility, notify_commit_ineligible
from domain.rules.common import Interval
from domain.rules.exposure import exposure_board
from domain.rules.key_sector import key_sector_list
from domain.rules.penalty import publicity
from domain.rules.serious import serious_list


def derive(facts: Sequence[AnyFact], ctx: RuleContext = DEFAULT_CONTEXT) -> list[Interval]:
    """Every interval of one enterprise (the projector's and the replay's single entry point)."""
    return [
        *publicity(facts, ctx),
        *serious_list(facts, ctx),
        *abnormal_list(facts, ctx),
        *key_sector_list(facts, ctx),
        *notify_commit_ineligible(facts, ctx),
        *exposure_board(facts, ctx),
        *typical_cases(facts, ctx),
    ]


__all__ = ["Interval", "derive", "notify_commit_eligibility"]
