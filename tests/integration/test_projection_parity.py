"""The central correctness test (issue 4): the read models agree exactly with a direct replay
of the same events through the same rules, for random histories and random (as_of, known_at)."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.database import Server
from api.bootstrap import Runtime
from bench.generate import generate
from domain.access import Author
from domain.errors import EnterpriseNotFoundError
from domain.records import DATA_MODELS, PenaltyKind
from projections import public_items, view
from projections.public_items import Shown
from tests.builders import food_licence_no, make_uscc, permit_granted, record, registered
from tests.conftest import reset_read_models

ANYONE = frozenset(DATA_MODELS)
_numbers = itertools.count(5000)
days = st.dates(date(2021, 1, 4), date(2026, 11, 20))


def submit_in_steps(runtime: Runtime, steps: list[list[dict[str, Any]]]) -> list[datetime]:
    """Each step is submitted as runs of one department (one transaction each); returns the
    recorded time of every transaction, so that known_at can fall between them."""
    for step in steps:
        for dept, run in itertools.groupby(step, key=lambda r: r["source"]["department"]):
            runtime.intake.submit(list(run), author=Author(dept, "officer-1", ANYONE))
    with runtime.server.connect() as conn:
        return [r[0] for r in conn.execute("SELECT DISTINCT recorded_at FROM record_log ORDER BY 1")]


@st.composite
def handmade_history(draw: st.DrawFn) -> list[dict[str, Any]]:
    """One key-sector enterprise with penalties of every kind, corrections, retractions,
    revocations, listings, repairs and an ending (records intake refuses simply drop out)."""
    n = next(_numbers)
    uscc = make_uscc(n)
    sector = draw(st.sampled_from(["food_production", "special_food", "special_equipment", "other"]))
    recs = [
        registered(uscc, "2020-06-01", department="TJ-REG"),
        permit_granted(uscc, food_licence_no(n), "2021-01-04", data={"sector": sector, "valid_until": "2026-01-03"}),
    ]
    penalties: list[dict[str, Any]] = []
    for n in range(draw(st.integers(0, 4))):
        kinds = draw(st.lists(st.sampled_from(list(PenaltyKind)), min_size=1, max_size=3, unique=True))
        data: dict[str, Any] = {
            "decision_no": f"{uscc}-{n}",
            "procedure": draw(st.sampled_from(["ordinary", "ordinary", "simplified"])),
            "penalty_kinds": kinds,
            "violation": draw(st.sampled_from(["超范围生产", "标签不合格"])),
            "legal_basis": "食品安全法",
        }
        if "fine" in kinds:
            data["fine_yuan"] = str(draw(st.sampled_from([2000, 30000, 49999, 50000, 120000])))
            if draw(st.booleans()):
                data["heavier_fine"] = True  # a listing may rest on it (SDL-01)
        if "restriction" in kinds and draw(st.booleans()):
            data["restriction_years"] = draw(st.integers(1, 6))
        penalties.append(record("penalty.decided", uscc, draw(days).isoformat(), data, department="TJ-ENF"))
    recs += sorted(penalties, key=lambda r: r["effective_on"])
    for pen in penalties:
        no, on = pen["data"]["decision_no"], date.fromisoformat(pen["effective_on"])
        later = (on + timedelta(days=draw(st.integers(1, 1500)))).isoformat()
        action = draw(st.sampled_from(["none", "correct", "retract", "revoke", "serious", "repair"]))
        target = {"department": "TJ-ENF", "record_id": pen["source"]["record_id"]}
        if action == "correct":
            recs.append(
                record(
                    "record.corrected",
                    uscc,
                    later,
                    {"target": target, "data": {**pen["data"], "penalty_kinds": ["fine"], "fine_yuan": "10000"}},
                    department="TJ-ENF",
                )
            )
        elif action == "retract":
            recs.append(
                record("record.retracted", uscc, later, {"target": target, "reason": "录入错误"}, department="TJ-ENF")
            )
        elif action == "revoke":
            recs.append(
                record("penalty.revoked", uscc, later, {"decision_no": no, "reason": "复议撤销"}, department="TJ-ENF")
            )
        elif action == "serious":
            listing = record(
                "serious.listed",
                uscc,
                on.isoformat(),
                {"listing_id": f"S-{no}", "grounds": "严重违法", "penalty_decision_no": no},
                department="TJ-ENF",
            )
            recs.append(listing)
            if draw(st.booleans()):
                recs.append(
                    record(
                        "serious.removed", uscc, later, {"listing_id": f"S-{no}", "kind": "other"}, department="TJ-ENF"
                    )
                )
        elif action == "repair":
            app = f"A-{no}"
            recs.append(
                record(
                    "repair.applied",
                    uscc,
                    later,
                    {"application_id": app, "target_kind": "penalty", "target_ref": no},
                    department="TJ-ENF",
                )
            )
            # The case's order (SDL-32 / REP-07, domain/rules/repair_case.py): accepted, then granted.
            recs.append(record("repair.accepted", uscc, later, {"application_id": app}, department="TJ-ENF"))
            recs.append(record("repair.granted", uscc, later, {"application_id": app}, department="TJ-ENF"))
    if draw(st.booleans()):
        recs.append(
            record(
                "abnormal.listed",
                uscc,
                draw(days).isoformat(),
                {"listing_id": f"AB-{uscc}", "reason": "unreachable"},
                department="TJ-REG",
            )
        )
    ending = draw(st.sampled_from(["none", "permit.revoked", "enterprise.deregistered"]))
    if ending == "permit.revoked":
        recs.append(
            record(
                ending,
                uscc,
                "2024-07-01",
                {"permit_no": food_licence_no(n), "kind": "revoked", "decision_no": "X-1"},
                department="TJ-LIC",
            )
        )
    elif ending == "enterprise.deregistered":
        recs.append(record(ending, uscc, "2026-11-20", {}, department="TJ-REG"))
    return recs


def _reset(server: Server) -> None:
    with server.connect(autocommit=True) as conn:
        conn.execute(
            "TRUNCATE ledger_events, record_log, projection_items_a, projection_items_b, department_activity, "
            "repair_cases_a, repair_cases_b RESTART IDENTITY"
        )
        reset_read_models(conn)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(seed=st.integers(0, 10_000), count=st.integers(1, 4), handmade=handmade_history(), data=st.data())
def test_for_random_histories_and_moments_the_read_models_agree_exactly_with_replay(
    runtime: Runtime, clean_db: Server, seed: int, count: int, handmade: list[dict[str, Any]], data: st.DataObject
) -> None:
    _reset(clean_db)
    generated = list(generate(count, seed, profile="demo"))
    records = generated + handmade
    cuts = sorted(data.draw(st.lists(st.integers(0, len(records)), max_size=5)))
    steps = [records[a:b] for a, b in itertools.pairwise([0, *cuts, len(records)])]
    recorded = submit_in_steps(runtime, steps)
    runtime.projector.page = data.draw(st.sampled_from([1, 3, 17, 2000]))  # page boundaries anywhere
    runtime.projector.catch_up()
    usccs = sorted({r["uscc"] for r in records})
    moments = [
        recorded[0] - timedelta(seconds=1),
        *recorded,
        *(a + (b - a) / 2 for a, b in itertools.pairwise(recorded)),
        recorded[-1] + timedelta(days=1),
    ]
    with runtime.server.connect() as conn:
        for _ in range(12):
            uscc = data.draw(st.sampled_from(usccs))
            known_at = data.draw(st.sampled_from(moments))
            as_of = data.draw(
                st.one_of(
                    days,
                    st.dates(date(2019, 1, 1), date(2032, 12, 31)),
                    st.sampled_from(_boundaries(conn, uscc) or [date(2024, 1, 1)]),
                )
            )
            try:
                replayed = view.replay_items(runtime.reads.history(uscc, known_at), as_of, runtime.rules)
                expected = sorted(replayed, key=Shown.sort_key)
            except EnterpriseNotFoundError:
                expected = None
            stored = public_items.items_at(conn, uscc, as_of, known_at)
            assert (sorted(stored, key=Shown.sort_key) if stored is not None else None) == expected, (
                uscc,
                as_of,
                known_at,
            )
            if expected is not None:
                assert view.from_read_model(conn, uscc, as_of, known_at) == view.public_view(
                    uscc, as_of, known_at, expected
                )


def _boundaries(conn: Any, uscc: str) -> list[date]:
    """Effective dates where something changes for the enterprise, and the day before each."""
    rows = conn.execute("SELECT lower(effective), upper(effective) FROM projection_items WHERE uscc = %s", (uscc,))
    out = set()
    for lo, hi in rows:
        for d in (lo, hi):
            if d is not None:
                out |= {d, d - timedelta(days=1)}
    return sorted(out)
