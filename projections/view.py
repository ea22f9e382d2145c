"""The public view of one enterprise (rulebook GSXT-03/05), from the read model or by replay.

Both paths produce `Shown` items valid on `as_of` as known at `known_at` (bodies parsed once:
the answer is serialised once, on the way out) and go through the same
`public_view` grouping: the read model selects stored rows by range, the replay derives them
from `Reads.history(uscc, known_at)` with the same `items_of`. What is public is decided here
and only here: the kinds listed in `GROUPS`. Never the risk class, never personal data
(`Fact.public_data`), never a penalty outside its publicity window (PEN-09 intervals).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from domain.context import RuleContext
from domain.errors import EnterpriseNotFoundError
from domain.history import AnyFact
from projections import public_items
from projections.bitemporal import canonical
from projections.items import items_of
from projections.public_items import Shown

# GSXT-03 sections → the item kinds shown in them (GSXT-05 grouping).
GROUPS: dict[str, tuple[str, ...]] = {
    "key_sector_tags": ("key_sector_list",),
    "administrative_permits": ("permit",),
    "administrative_penalties": ("penalty_publicity",),
    "inspections": ("inspection",),
    "abnormal_list": ("abnormal_list", "abnormal_transfer_reminder"),
    "serious_list": ("serious_list", "serious_illegal_enterprise_list_2014"),
    "credit_commitments": ("commitment",),
    "untrue_commitments": ("untrue_commitment",),
    "annual_reports": ("annual_report",),  # GSXT-01
    "instant_information": ("instant_info",),  # GSXT-01, KEY-09
    "typical_cases": ("typical_case",),  # issue 23, GSXT-06: while what they link to is public
}
BASIC = ("basic_info", "status")
PUBLIC_KINDS = frozenset(k for kinds in GROUPS.values() for k in kinds) | set(BASIC)


def render(item: Shown) -> dict[str, Any]:
    return {"kind": item.kind, "subject": item.subject, "from": _iso(item.start), "until": _iso(item.end), **item.body}


class _Body:
    """Orders two bodies by their canonical text, written only when the items tie on the rest."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body

    def __lt__(self, other: _Body) -> bool:
        return canonical(self.body) < canonical(other.body)


def public_view(uscc: str, as_of: date, known_at: datetime, items: Iterable[Shown]) -> dict[str, Any]:
    public = sorted(
        (i for i in items if i.kind in PUBLIC_KINDS),
        key=lambda i: (i.start or date.min, i.kind, i.subject, _Body(i.body)),
    )
    by_kind: dict[str, list[Shown]] = {}
    for item in public:
        by_kind.setdefault(item.kind, []).append(item)
    basic: dict[str, Any] | None = None
    if by_kind.get("basic_info"):
        info = render(by_kind["basic_info"][0])
        basic = {k: v for k, v in info.items() if k not in ("kind", "subject", "until")}
        for status in by_kind.get("status", [])[:1]:
            s = render(status)
            basic.update(status=s["status"], status_since=s["since"])
            basic["records"] = [*basic["records"], *(r for r in s["records"] if r not in basic["records"])]
    view: dict[str, Any] = {"uscc": uscc, "as_of": as_of.isoformat(), "known_at": known_at.isoformat(), "basic": basic}
    for group, kinds in GROUPS.items():
        view[group] = [render(i) for kind in kinds for i in by_kind.get(kind, [])]
    return view


def from_read_model(conn: Any, uscc: str, as_of: date, known_at: datetime) -> dict[str, Any]:
    return from_stored_items(uscc, as_of, known_at, public_items.items_at(conn, uscc, as_of, known_at))


def from_stored_items(uscc: str, as_of: date, known_at: datetime, items: list[Shown] | None) -> dict[str, Any]:
    """The view of the items the read model holds (`public_items.items_at` or a batch of them)."""
    if items is None:  # the read model holds no row of the enterprise then
        raise EnterpriseNotFoundError(uscc)
    return public_view(uscc, as_of, known_at, items)


def replay_items(history: Sequence[AnyFact], as_of: date, ctx: RuleContext) -> list[Shown]:
    """The items by direct replay of an enterprise's history through the rules (no read model):
    `history` as the ledger knew it at the moment asked about (`Reads.history(uscc, known_at)`)."""
    return [Shown.of(i) for i in items_of(history, ctx) if i.contains(as_of) and i.kind != "known"]


def from_replay(
    uscc: str, history: Sequence[AnyFact], as_of: date, known_at: datetime, ctx: RuleContext
) -> dict[str, Any]:
    return public_view(uscc, as_of, known_at, replay_items(history, as_of, ctx))


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
