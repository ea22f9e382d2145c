"""Reconsideration and litigation of list decisions (SDL-36, AOL-13).

A challenge is recorded when filed and when decided. Filing changes nothing (a listing stays in
force while challenged); an outcome other than `upheld` annuls the challenged decision from its
effective date: an annulled listing ends, an annulled removal restores the listing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from domain.history import AnyFact
from domain.records import ChallengeDecided, ChallengeFiled
from domain.rules.common import Key, facts_of, first_with

ANNULLING = frozenset({"revoked", "confirmed_illegal", "confirmed_void"})


@dataclass(frozen=True)
class Annulment:
    on: date
    target_kind: str  # serious_listing | serious_removal | abnormal_listing | abnormal_removal
    listing_id: str
    keys: tuple[Key, Key]  # the challenge and its outcome
    rule: str


def annulments(facts: Sequence[AnyFact], list_name: str, listing_id: str) -> list[Annulment]:
    """The annulled decisions about one listing (`list_name` serious or abnormal), oldest first."""
    out = []
    rule = "SDL-36" if list_name == "serious" else "AOL-13"
    for filed in facts_of(facts, ChallengeFiled):
        data = filed.data
        if data.listing_id != listing_id or not data.target_kind.startswith(list_name):
            continue
        outcome = first_with(facts, ChallengeDecided, challenge_id=data.challenge_id)
        if outcome is not None and outcome.data.outcome in ANNULLING:
            out.append(Annulment(outcome.effective_on, data.target_kind, listing_id, (filed.key, outcome.key), rule))
    return sorted(out, key=lambda a: a.on)


def listing_annulled(facts: Sequence[AnyFact], list_name: str, listing_id: str) -> Annulment | None:
    found = [a for a in annulments(facts, list_name, listing_id) if a.target_kind.endswith("_listing")]
    return found[0] if found else None


def removal_annulled(facts: Sequence[AnyFact], list_name: str, listing_id: str) -> Annulment | None:
    found = [a for a in annulments(facts, list_name, listing_id) if a.target_kind.endswith("_removal")]
    return found[0] if found else None
