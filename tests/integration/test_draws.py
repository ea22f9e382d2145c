"""Random draws on a real ledger (issue 20, docs/draws.md; rulebook DR-01 … DR-08, RISK-02):
items and inspectors as dated data, a draw stratified by the classes of an effective run,
recorded as a `DrawTask`, its bundle re-run offline, a recusal redrawn and logged, a repeat that
records nothing, and the results read from `inspection.concluded` records with their deadline."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from api.bootstrap import Runtime
from application.draws import DrawRequest
from domain import hashrank
from domain.draws import InspectionItem, Inspector
from domain.errors import ConflictError, InvalidInputError, NotFoundError
from tests.builders import record
from tests.integration.test_risk_classes import CLEAN, LISTED, PENALISED, UNTRUE, before_the_run, run, submit

ON = date(2026, 3, 2)
ITEM = {
    "item_id": "TJ-SJ-FP-01",
    "name": "食品生产企业监督检查",
    "sub_item": "生产过程控制",
    "legal_basis": "《中华人民共和国食品安全法》第一百一十条",
    "inspecting_body": "TJ-ENF",
    "object": {"sector": "food_production"},
    "method": "现场检查",
    "ratios": {"A": 0.05, "B": 0.2, "C": 0.6, "D": 1},
    "per_enterprise": 2,
    "effective_from": "2026-01-01",
    "source": "assumed (RISK-05's Daqing example; Tianjin's ratios UNCONFIRMED)",
}


def inspectors(n: int = 4, capacity: int = 3, recusals: dict[str, list[str]] | None = None) -> list[Inspector]:
    recusals = recusals or {}
    return [
        Inspector(
            id=f"TJ-ENF-{i:03d}",
            name=f"检查员{i}",
            department="TJ-ENF",
            capacity=capacity,
            certificate_no=f"12000{i:05d}",
            recusals=recusals.get(f"TJ-ENF-{i:03d}", []),
        )
        for i in range(1, n + 1)
    ]


def ready(runtime: Runtime, **kw: Any) -> None:
    submit(runtime, before_the_run())
    run(runtime, "effective")
    runtime.projector.catch_up()
    runtime.draws.load_items([InspectionItem.model_validate(ITEM)], "test")
    runtime.draws.load_inspectors(inspectors(**kw), "test")


def draw(runtime: Runtime, task: str = "TJ-DR-2026-001", **kw: Any) -> Any:
    return runtime.draws.run(DrawRequest(task, ITEM["item_id"], ON, None, "test", **kw))


def test_a_draw_is_stratified_by_class_recorded_and_its_bundle_re_runs_offline(runtime: Runtime) -> None:
    ready(runtime)
    task = draw(runtime)
    bundle = runtime.draws.bundle(task.task_id)
    assert hashrank.verify(bundle).as_json() == bundle["selected"]
    strata = {s["name"]: s["members"] for s in bundle["inputs"]["strata"]}
    assert set(strata) <= {"A", "B", "C", "D", "unclassified"}
    assert sorted(u for m in strata.values() for u in m) == sorted([CLEAN, PENALISED, UNTRUE, LISTED])
    assert bundle["inputs"]["parties"] == ["credit-ledger (the only party: no other party took part)"]
    # C at 0.6 of 1 member → 1; every class of ratio ≥ 0.6 here selects all its members
    for s in bundle["inputs"]["strata"]:
        if s["ratio"] >= 0.6:
            assert set(s["members"]) <= {x["uscc"] for x in bundle["selected"]}
    for s in bundle["selected"]:
        assert len(s["inspectors"]) == 2


def test_the_public_notice_names_no_class_stratum_or_score(runtime: Runtime) -> None:
    ready(runtime)
    draw(runtime)
    notice = runtime.draws.notice("TJ-DR-2026-001")
    text = repr(notice)
    assert "stratum" not in text and "class" not in text and "score" not in text and "strata" not in text
    assert notice["selected"] and all(s["inspectors"] for s in notice["selected"])
    assert notice["selected"][0]["inspectors"][0].startswith("检查员")


def test_running_the_same_task_again_records_nothing_new(runtime: Runtime) -> None:
    ready(runtime)
    first = draw(runtime)
    with runtime.server.connect() as conn:
        head = conn.execute("SELECT max(notification_id) FROM ledger_events").fetchone()
    again = draw(runtime)
    assert again.seed == first.seed and again.selected == first.selected
    with runtime.server.connect() as conn:
        assert conn.execute("SELECT max(notification_id) FROM ledger_events").fetchone() == head


def test_a_task_id_taken_by_another_draw_is_a_conflict(runtime: Runtime) -> None:
    ready(runtime)
    draw(runtime)
    with pytest.raises(ConflictError, match="task_id"):
        runtime.draws.run(DrawRequest("TJ-DR-2026-001", ITEM["item_id"], date(2026, 3, 3), None, "test"))


def test_an_item_not_in_force_on_the_date_is_refused_citing_dr_01(runtime: Runtime) -> None:
    ready(runtime)
    with pytest.raises(NotFoundError, match="DR-01"):
        runtime.draws.run(DrawRequest("T-2", ITEM["item_id"], date(2025, 12, 31), None, "test"))


def test_a_pool_too_small_is_refused_and_nothing_is_recorded(runtime: Runtime) -> None:
    ready(runtime, n=1)
    with runtime.server.connect() as conn:
        head = conn.execute("SELECT max(notification_id) FROM ledger_events").fetchone()
    with pytest.raises(InvalidInputError, match="DR-06"):
        draw(runtime)
    with runtime.server.connect() as conn:
        assert conn.execute("SELECT max(notification_id) FROM ledger_events").fetchone() == head


def test_directory_recusals_enter_the_inputs_and_a_later_recusal_is_redrawn_and_logged(runtime: Runtime) -> None:
    ready(runtime, recusals={"TJ-ENF-001": [LISTED]})
    task = draw(runtime)
    assert {"inspector": "TJ-ENF-001", "uscc": LISTED} in task.inputs["recusals"]
    first = task.selected[0]
    entry = runtime.draws.recuse(task.task_id, first["inspectors"][0], first["uscc"], "亲属关系")
    bundle = runtime.draws.bundle(task.task_id)
    assert bundle["redraws"] == [entry]
    assert entry["inspector"] not in bundle["selected"][0]["inspectors"]
    assert hashrank.verify(bundle).as_json() == bundle["selected"]
    assert runtime.draws.recuse(task.task_id, entry["inspector"], entry["uscc"], "again") == entry  # safe to repeat


def test_results_are_inspection_records_of_the_task_each_due_for_publication_in_20_working_days(
    runtime: Runtime,
) -> None:
    ready(runtime)
    task = draw(runtime)
    uscc = task.selected[0]["uscc"]
    concluded = record(
        "inspection.concluded",
        uscc,
        "2026-03-10",
        {"task_id": task.task_id, "item": ITEM["name"], "kind": "double_random", "result": "compliant"},
        department="TJ-ENF",
    )
    submit(runtime, [concluded])
    notice = runtime.draws.notice(task.task_id)
    result = next(s["result"] for s in notice["selected"] if s["uscc"] == uscc)
    assert result == {"result": "compliant", "concluded_on": "2026-03-10", "publish_by": "2026-04-08", "rule": "DR-05"}


def test_a_dated_item_version_never_changes(runtime: Runtime) -> None:
    runtime.draws.load_items([InspectionItem.model_validate(ITEM)], "test")
    assert runtime.draws.load_items([InspectionItem.model_validate(ITEM)], "test") == [
        (ITEM["item_id"], "already loaded")
    ]
    with pytest.raises(ConflictError):
        runtime.draws.load_items([InspectionItem.model_validate({**ITEM, "name": "改"})], "test")
    later = {**ITEM, "ratios": {"A": 0.1, "B": 0.2, "C": 0.6, "D": 1}, "effective_from": "2027-01-01"}
    runtime.draws.load_items([InspectionItem.model_validate(later)], "test")

    def ratio_a(on: date) -> float:
        return next(i.ratios.A for i in runtime.draws.items(on) if i.item_id == ITEM["item_id"])

    assert ratio_a(date(2026, 12, 31)) == 0.05
    assert ratio_a(date(2027, 1, 1)) == 0.1


def test_an_item_for_the_serious_list_draws_only_its_members_on_the_date(runtime: Runtime) -> None:
    from tests.integration.test_risk_classes import the_listing

    ready(runtime)
    submit(runtime, the_listing())
    runtime.projector.catch_up()
    listed = {
        **ITEM,
        "item_id": "TJ-SJ-SERIOUS",
        "object": {"on_list": "serious"},
        "ratios": {"A": 1, "B": 1, "C": 1, "D": 1},
    }
    runtime.draws.load_items([InspectionItem.model_validate(listed)], "test")
    task = runtime.draws.run(DrawRequest("T-SERIOUS", "TJ-SJ-SERIOUS", date(2026, 3, 2), None, "test"))
    assert [s["uscc"] for s in task.selected] == [LISTED]
    assert task.inputs is not None and task.inputs["filters"]["on_list"] == "serious"
    before = runtime.draws.run(DrawRequest("T-SERIOUS-0301", "TJ-SJ-SERIOUS", date(2026, 3, 1), None, "test"))
    assert before.selected == []
