"""Key-supervision plans on a real ledger (issue 20; S-TJ28 五(八)2; DR-04, DR-09): the
enterprise list of a plan as of a date changes on the date an enterprise enters the serious
list, as the ledger knew it from the listing's recording; inspections due, done and overdue."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from api.bootstrap import Runtime
from domain.key_supervision import KeyPlan, periods_passed
from tests.builders import record
from tests.integration.test_risk_classes import CLEAN, LISTED, before_the_run, run, submit, the_listing

PLAN = KeyPlan.model_validate(
    {
        "plan_id": "TJ-ZD-2026-FOOD",
        "name": "2026年食品生产重点监管计划",
        "department": "TJ-FOOD",
        "items": ["食品生产企业重点监督检查"],
        "criteria": ["serious_list", "class_d", "food_producers_c_d"],
        "named": [{"uscc": CLEAN, "reason": "群众投诉较多 (DR-03)"}],
        "procedure": {"frequency_per_year": 4, "method": "现场检查", "flow": "制定方案→现场检查→结果公示"},
        "effective_from": "2026-01-01",
    }
)


def listed_on(runtime: Runtime, as_of: str, known_at: datetime | None = None) -> dict[str, list[str]]:
    runtime.projector.catch_up()
    found = runtime.key_supervision.enterprises(PLAN.plan_id, date.fromisoformat(as_of), known_at)
    return {e["uscc"]: [r["criterion"] for r in e["reasons"]] for e in found["enterprises"]}


def test_a_plan_s_list_changes_on_the_date_of_a_serious_listing_as_known_from_its_recording(runtime: Runtime) -> None:
    submit(runtime, before_the_run())
    run(runtime, "effective")
    runtime.key_supervision.load([PLAN], "test")
    before_recording = datetime.now().astimezone()
    recorded = submit(runtime, the_listing())
    assert LISTED not in listed_on(runtime, "2026-03-01")
    assert "serious_list" in listed_on(runtime, "2026-03-02")[LISTED]
    assert LISTED not in listed_on(runtime, "2026-03-02", before_recording)
    assert "serious_list" in listed_on(runtime, "2026-03-02", recorded + timedelta(seconds=1))[LISTED]
    assert listed_on(runtime, "2026-03-01")[CLEAN] == ["named"]


def test_each_enterprise_shows_the_year_s_inspections_due_done_and_overdue(runtime: Runtime) -> None:
    submit(runtime, before_the_run())
    runtime.key_supervision.load([PLAN], "test")
    inspected = {"task_id": "ZD-1", "item": "重点监督检查", "kind": "key_supervision", "result": "compliant"}
    submit(runtime, [record("inspection.concluded", CLEAN, "2026-03-05", inspected, department="TJ-FOOD")])
    runtime.projector.catch_up()
    found = runtime.key_supervision.enterprises(PLAN.plan_id, date(2026, 9, 30), None)["enterprises"]
    clean = next(e for e in found if e["uscc"] == CLEAN)
    assert (clean["per_year"], clean["done"], clean["due"], clean["overdue"]) == (
        4,
        1,
        3,
        1,
    )  # two quarters ended, one inspection done


def test_a_period_is_overdue_only_once_it_has_ended() -> None:
    assert periods_passed(4, date(2026, 3, 30)) == 0
    assert periods_passed(4, date(2026, 12, 31)) == 4
    assert periods_passed(1, date(2026, 12, 30)) == 0


def test_dr_09_a_serious_listed_enterprise_is_on_the_key_supervision_list_from_its_listing_date(
    runtime: Runtime,
) -> None:
    submit(runtime, before_the_run())
    runtime.key_supervision.load([PLAN], "test")
    submit(runtime, the_listing())
    assert "serious_list" not in listed_on(runtime, "2026-03-01").get(LISTED, [])
    assert listed_on(runtime, "2026-03-02")[LISTED][0] == "serious_list"
