"""The repair cases read model (issue 21): one item per repair application, its state, competent
department (REP-02), materials and deadlines, stored bitemporally (migration 0070).

A per-enterprise model (`EnterpriseModel`): its rows are derived from an enterprise's history by
`domain.rules.repair_case` alone, so the reviewer's queue read from the table and a replay of
the events agree (the read-model contract, tests/integration/test_read_model_contracts.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import orjson
from psycopg import Connection

from domain.context import RuleContext
from domain.history import AnyFact, Fact, Facts, resolve
from domain.records import AbnormalRemoved, Data, RepairDecided, SeriousRemoved
from domain.rules.repair import repair_eligibility
from domain.rules.repair_case import TERMINAL, RepairCase, case_facts, repair_cases
from projections.bitemporal import Item, canonical
from projections.enterprise_model import EnterpriseModel
from projections.items import LIST_KINDS, items_of
from projections.public_items import Shown
from projections.view import public_view

NAME = "repair_cases"
KIND = "repair_case"


def case_body(case: RepairCase) -> dict[str, Any]:
    """What the queue shows of a case (JSON values only: strings, integers, booleans, null)."""
    running = [c for c in case.clocks if c.done is None and not (c.stopped and c.stopped[-1][1] is None)]
    nearest = min(running, key=lambda c: c.due, default=None)
    return {
        "application_id": case.application_id,
        "target_kind": case.target_kind,
        "target_ref": case.target_ref,
        "department": case.authority,
        "state": case.state,
        "applied_on": case.applied.effective_on.isoformat(),
        "missing_materials": list(case.missing),
        "unmet_at_application": list(case.unmet_at_application),
        "next_due": nearest.due.isoformat() if nearest else None,
        "next_due_rule": nearest.rule if nearest else None,
        "next_due_what": nearest.what if nearest else None,
        "provisional": bool(nearest and nearest.provisional),
        "clock_stopped": any(c.stopped and c.stopped[-1][1] is None and c.done is None for c in case.clocks),
    }


class RepairCases(EnterpriseModel):
    name = NAME
    title = "repair cases: state, competent department, materials and working-day deadlines (REP-*, SDL-32/33)"
    derivation = 1
    table = NAME
    extra_columns = ("department", "state", "next_due")
    index_statements = "repair_cases_index_statements"
    drop_indexes = "repair_cases_drop_indexes"

    def derive(self, history: Sequence[AnyFact], ctx: RuleContext) -> list[Item]:
        return [
            Item(KIND, case.application_id, case.applied.effective_on, None, canonical(case_body(case)))
            for case in repair_cases(resolve(history), ctx)
        ]

    def extras(self, item: Item) -> tuple[Any, ...]:
        body = orjson.loads(item.body)
        return body["department"], body["state"], body["next_due"]


def queue(
    conn: Connection[Any],
    *,
    known_at: datetime,
    department: str | None,
    state: str | None,
    due_before: date | None,
    limit: int = 500,
) -> list[tuple[str, dict[str, Any]]]:
    """(uscc, case body) of the cases held at `known_at`, nearest deadline first (cases without a
    running deadline last), filtered by competent department, state and due date."""
    rows = conn.execute(
        "SELECT uscc, body::text FROM repair_cases WHERE recorded @> %(at)s::timestamptz "
        "AND (%(dep)s::text IS NULL OR department = %(dep)s) AND (%(state)s::text IS NULL OR state = %(state)s) "
        "AND (%(due)s::date IS NULL OR next_due < %(due)s) "
        "ORDER BY next_due NULLS LAST, uscc, subject LIMIT %(limit)s",
        {"at": known_at, "dep": department, "state": state, "due": due_before, "limit": limit},
    ).fetchall()
    return [(uscc, orjson.loads(body)) for uscc, body in rows]


def locate(conn: Connection[Any], application_id: str, known_at: datetime) -> list[tuple[str, dict[str, Any]]]:
    """(uscc, case body) of the cases with this application id held at `known_at` (ids are unique
    per enterprise, LEDGER-07; across enterprises more than one may answer)."""
    rows = conn.execute(
        "SELECT uscc, body::text FROM repair_cases WHERE subject = %s AND recorded @> %s::timestamptz ORDER BY uscc",
        (application_id, known_at),
    ).fetchall()
    return [(uscc, orjson.loads(body)) for uscc, body in rows]


def cases_of(conn: Connection[Any], uscc: str, known_at: datetime) -> list[dict[str, Any]]:
    """The enterprise's case bodies held at `known_at`, by application date and id."""
    rows = conn.execute(
        "SELECT body::text FROM repair_cases WHERE uscc = %s AND recorded @> %s::timestamptz "
        "ORDER BY lower(effective), subject",
        (uscc, known_at),
    ).fetchall()
    return [orjson.loads(body) for (body,) in rows]


# --- one case in full: timeline, materials, clocks, eligibility, preview ----------------------

LIST_NAMES = dict(zip(LIST_KINDS, ("key-sector", "abnormal", "serious", "exposure"), strict=True))


def detail(
    uscc: str, history: Sequence[AnyFact], case: RepairCase, today: date, known_at: datetime, ctx: RuleContext
) -> dict[str, Any]:
    """Everything a reviewer needs to decide `case`, from the enterprise's history as known at
    `known_at`, judged on `today`."""
    facts = resolve(history)
    own = {f.key for f in case_facts(facts, case.application_id)}
    others = Facts(f for f in facts if f.key not in own)  # the case's own records would block itself (LEDGER-09)
    return {
        "uscc": uscc,
        "as_of": today.isoformat(),
        "known_at": known_at.isoformat(),
        **case_body(case),
        "authority_rule": "REP-02",
        "timeline": _timeline(facts, case),
        "steps": [
            {
                "type": s.type,
                "on": s.on.isoformat(),
                "record": {"department": s.record[0], "record_id": s.record[1]},
                "state": s.state,
                "reason": s.reason,
                "materials": list(s.materials),
            }
            for s in case.steps
        ],
        "materials": {
            "rule": case.materials_rule,
            "required": list(case.required),
            "received": list(case.received),
            "missing": list(case.missing),
        },
        "deadlines": [
            {
                "rule": c.rule,
                "name": c.name,
                "what": c.what,
                "due": c.due.isoformat(),
                "provisional": c.provisional,
                "status": c.status(today),
                "overdue": c.status(today) == "missed" and c.done is None,
                "stopped": [{"from": a.isoformat(), "until": b.isoformat() if b else None} for a, b in c.stopped],
                "fulfilled_by": {"department": c.done[0][0], "record_id": c.done[0][1]} if c.done else None,
                "fulfilled_on": c.done[1].isoformat() if c.done else None,
            }
            for c in case.clocks
        ],
        "eligibility": {
            "at_application": _eligibility(others, case, case.applied.effective_on, ctx),
            "now": _eligibility(others, case, today, ctx),
        },
        "preview": preview(uscc, facts, case, today, known_at, ctx),
    }


def _timeline(facts: Sequence[AnyFact], case: RepairCase) -> list[dict[str, Any]]:
    """The target record's history and the case's records, in effective-date order."""
    ref, app_id = case.target_ref, case.application_id
    refs = ("decision_no", "listing_id", "penalty_decision_no", "application_id")
    out = []
    for f in sorted(facts, key=lambda f: (f.effective_on, f.sequence)):
        values = {getattr(f.data, name, None) for name in refs}
        if ref in values or app_id in values:
            out.append(
                {
                    "type": f.type,
                    "effective_on": f.effective_on.isoformat(),
                    "record": {"department": f.department, "record_id": f.record_id},
                    "data": f.public_data,
                }
            )
    return out


def _eligibility(facts: Sequence[AnyFact], case: RepairCase, on: date, ctx: RuleContext) -> dict[str, Any]:
    return repair_eligibility(facts, case.target_kind, case.target_ref, on, ctx).as_json()


def preview(
    uscc: str, facts: Facts, case: RepairCase, today: date, known_at: datetime, ctx: RuleContext
) -> dict[str, Any]:
    """The public view and list memberships today, beside those of the day after execution if
    the case is granted: a grant not yet decided is assumed today (or on the application date,
    if later) and executed the same day (the earliest the law allows; SDL-33 / REP-07 give up to
    3 WD). A risk-class repair changes nothing public (RISK-02). `facts`: the whole history."""
    now = _shown(uscc, facts, today, known_at, ctx)
    if case.executed_on is not None:
        executed, assumed, hypothetical = case.executed_on, False, facts
    elif case.state in TERMINAL:
        return {"possible": False, "reason": f"the case is {case.state}", "today": now}
    else:
        executed, assumed = max(today, case.applied.effective_on), True
        hypothetical = Facts([*facts, *_assumed_execution(case, executed, max(f.sequence for f in facts))])
    after = executed + timedelta(days=1)
    return {
        "possible": True,
        "assumed": assumed,
        "executed_on": executed.isoformat(),
        "today": now,
        "after_execution": _shown(uscc, hypothetical, after, known_at, ctx),
    }


def _assumed_execution(case: RepairCase, on: date, sequence: int) -> list[AnyFact]:
    """The records a grant executed on `on` would add (never stored: record ids `preview:…`)."""
    app_id, dep = case.application_id, case.authority
    decided = RepairDecided(application_id=app_id)
    out: list[AnyFact] = []
    if case.state in ("submitted", "correction_requested"):
        out.append(Fact("repair.accepted", on, dep, f"preview:{app_id}:accepted", decided, sequence=sequence + 1))
    if case.state != "granted":
        out.append(Fact("repair.granted", on, dep, f"preview:{app_id}:granted", decided, sequence=sequence + 2))
    removal: Data | None = None
    if case.target_kind == "serious":
        removal = SeriousRemoved(listing_id=case.target_ref, kind="early_repair")
    elif case.target_kind == "abnormal":
        removal = AbnormalRemoved(listing_id=case.target_ref, reason="信用修复（预览）")
    if removal is not None:
        removed = f"{case.target_kind}.removed"
        out.append(Fact(removed, on, dep, f"preview:{app_id}:removed", removal, sequence=sequence + 3))
    return out


def _shown(uscc: str, facts: Sequence[AnyFact], day: date, known_at: datetime, ctx: RuleContext) -> dict[str, Any]:
    items = [Shown.of(i) for i in items_of(facts, ctx) if i.contains(day) and i.kind != "known"]
    lists = sorted({LIST_NAMES[i.kind] for i in items if i.kind in LIST_NAMES})
    view = {**public_view(uscc, day, known_at, items), "source": "replay"}
    return {"on": day.isoformat(), "lists": lists, "public_view": view}
