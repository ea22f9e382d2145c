from __future__ import annotations

import threading
from datetime import datetime, timedelta

from api.bootstrap import Runtime
from tests.builders import corrected, make_uscc, penalty_decided, permit_granted, record, registered
from tests.conftest import officer

USCC = make_uscc(11)


LIC = officer("TJ-LIC")


def _statuses(runtime: Runtime, records: list[dict]) -> list[str]:
    return [o.status for o in runtime.intake.submit(records, author=LIC)]


def test_a_record_sent_twice_is_recorded_once(runtime: Runtime) -> None:
    reg = registered(USCC)
    assert _statuses(runtime, [reg]) == ["recorded"]
    assert _statuses(runtime, [reg]) == ["duplicate"]
    assert len(runtime.reads.history(USCC)) == 1


def test_a_resend_by_another_operator_is_still_a_duplicate(runtime: Runtime) -> None:
    reg = registered(USCC)
    runtime.intake.submit([reg], author=LIC)
    again = {**reg, "source": {**reg["source"], "operator": "officer-2"}}
    assert [o.status for o in runtime.intake.submit([again], author=officer("TJ-LIC", "officer-2"))] == ["duplicate"]


def test_a_different_record_under_a_used_key_is_a_conflict_not_an_overwrite(runtime: Runtime) -> None:
    reg = registered(USCC)
    runtime.intake.submit([reg], author=LIC)
    changed = registered(USCC, data={"name": "另一个名字有限公司"}, record_id=reg["source"]["record_id"])
    [outcome] = runtime.intake.submit([changed], author=LIC)
    assert outcome.status == "rejected"
    assert outcome.errors[0].rule == "LEDGER-08"
    assert runtime.reads.enterprise(USCC)["name"] == reg["data"]["name"]


def test_the_good_records_of_a_batch_are_recorded_and_the_bad_ones_reported(runtime: Runtime) -> None:
    batch = [
        registered(USCC),
        {"type": "penalty.decided", "uscc": USCC},
        permit_granted(USCC),
        permit_granted(make_uscc(12)),
        record("permit.renewed", USCC, "2022-01-01", {"permit_no": "NOPE", "valid_until": "2030-01-01"}),
    ]
    outcomes = runtime.intake.submit(batch, author=LIC)
    assert [o.status for o in outcomes] == ["recorded", "rejected", "recorded", "rejected", "rejected"]
    assert {e.field for e in outcomes[1].errors} >= {"effective_on", "source", "data"}
    assert outcomes[3].errors[0].rule == "LEDGER-03"
    assert outcomes[4].errors[0].field == "data.permit_no"
    assert [f.type for f in runtime.reads.history(USCC)] == ["enterprise.registered", "permit.granted"]


def test_recorded_time_increases_from_one_commit_to_the_next_along_the_log(runtime: Runtime) -> None:
    for n in range(20):
        runtime.intake.submit([registered(make_uscc(100 + n))], author=LIC)
    with runtime.server.connect() as conn:
        times = [r[0] for r in conn.execute("SELECT recorded_at FROM record_log ORDER BY notification_id")]
    assert len(times) == 20
    assert all(earlier < later for earlier, later in zip(times, times[1:], strict=False))


def test_records_committed_together_share_their_recorded_time(runtime: Runtime) -> None:
    runtime.intake.submit([registered(make_uscc(130 + n)) for n in range(3)], author=LIC)
    with runtime.server.connect() as conn:
        times = {r[0] for r in conn.execute("SELECT recorded_at FROM record_log")}
    assert len(times) == 1


def test_a_timeline_before_a_correction_shows_the_record_uncorrected(runtime: Runtime) -> None:
    grant = permit_granted(USCC)
    runtime.intake.submit([registered(USCC), grant], author=LIC)
    before = datetime.now().astimezone()
    fix = corrected(USCC, grant, {**grant["data"], "valid_until": "2026-06-30"})
    assert _statuses(runtime, [fix]) == ["recorded"]

    earlier = runtime.reads.timeline(USCC, known_at=before)
    assert [e["type"] for e in earlier] == ["enterprise.registered", "permit.granted"]
    assert earlier[1]["amended_by"] == [] and "data_in_force" not in earlier[1]

    now = runtime.reads.timeline(USCC)
    assert now[1]["amended_by"][0]["record_id"] == fix["source"]["record_id"]
    assert now[1]["data_in_force"]["valid_until"] == "2026-06-30"
    assert now[1]["data"]["valid_until"] == "2026-02-28"
    assert now[2]["amends"] == fix["data"]["target"]


def test_concurrent_writers_on_one_enterprise_lose_nothing(runtime: Runtime) -> None:
    runtime.intake.submit([registered(USCC)], author=LIC)
    errors: list[Exception] = []

    def write(worker: int) -> None:
        try:
            for n in range(15):
                penalty = penalty_decided(USCC, decision_no=f"D-{worker}-{n}", record_id=f"W{worker}-{n}")
                runtime.intake.submit([penalty], author=officer("TJ-ENF"))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    history = runtime.reads.history(USCC)
    assert len(history) == 1 + 4 * 15
    assert len({f.record_id for f in history}) == len(history)


def test_two_writers_registering_one_enterprise_collide_instead_of_duplicating(runtime: Runtime) -> None:
    first, second = registered(USCC), registered(USCC)
    results: list[str] = []
    barrier = threading.Barrier(2)

    def write(rec: dict) -> None:
        barrier.wait()
        results.extend(o.status for o in runtime.intake.submit([rec], author=LIC))

    threads = [threading.Thread(target=write, args=(r,)) for r in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == ["recorded", "rejected"]
    assert len(runtime.reads.history(USCC)) == 1


def test_a_known_at_before_the_first_record_finds_nothing(runtime: Runtime) -> None:
    runtime.intake.submit([registered(USCC)], author=LIC)
    import pytest

    from domain.errors import EnterpriseNotFoundError

    with pytest.raises(EnterpriseNotFoundError):
        runtime.reads.history(USCC, known_at=datetime.now().astimezone() - timedelta(days=1))


def test_a_copy_of_a_refused_record_later_in_the_batch_is_judged_afresh(runtime: Runtime) -> None:
    grant = permit_granted(USCC)
    outcomes = runtime.intake.submit([grant, registered(USCC), grant], author=LIC)
    assert [o.status for o in outcomes] == ["rejected", "recorded", "recorded"]
    assert outcomes[0].errors[0].rule == "LEDGER-03"
    assert [f.type for f in runtime.reads.history(USCC)] == ["enterprise.registered", "permit.granted"]


def test_a_record_repeated_in_one_batch_is_recorded_once(runtime: Runtime) -> None:
    reg = registered(USCC)
    outcomes = runtime.intake.submit([reg, reg], author=LIC)
    assert [o.status for o in outcomes] == ["recorded", "duplicate"]
