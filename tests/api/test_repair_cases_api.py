"""The repair reviewer's workbench through HTTP (issue 21): the queue, one case with its preview,
who may read them, and decisions checked against the case's state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.builders import food_licence_no, make_uscc, penalty_decided, permit_granted, record, registered

Auth = Callable[..., dict[str, str]]


@pytest.fixture
def ledger(client: TestClient, auth: Auth) -> Callable[..., str]:
    def post(records: list[dict[str, Any]], department: str = "TJ-ENF", role: str = "officer") -> str:
        response = client.post("/v1/records", json=records, headers=auth(department, role))
        assert response.status_code == 200, response.text
        assert all(r["status"] == "recorded" for r in response.json()["results"]), response.json()
        runtime = client.app.state.runtime  # type: ignore[attr-defined]
        runtime.projector.catch_up()
        with runtime.server.connect() as conn:
            return conn.execute("SELECT max(recorded_at) FROM record_log").fetchone()[0].isoformat()

    return post


def penalised(ledger: Callable[..., str], n: int) -> str:
    uscc = make_uscc(n)
    ledger([registered(uscc), permit_granted(uscc, food_licence_no(n))], "TJ-LIC")
    ledger([penalty_decided(uscc, "罚-4", "2023-01-03", data={"fine_yuan": "80000.00", "published_on": "2023-01-05"})])
    return uscc


def case_record(type_: str, uscc: str, on: str, app: str, **data: Any) -> dict[str, Any]:
    return record(type_, uscc, on, {"application_id": app, **data}, department="TJ-ENF")


def penalties(client: TestClient, uscc: str, as_of: str) -> list[str]:
    response = client.get(f"/v1/enterprises/{uscc}/public-view", params={"as_of": as_of})
    assert response.status_code == 200, response.text
    return [p["subject"] for p in response.json()["administrative_penalties"]]


def test_the_preview_shows_the_penalty_gone_the_day_after_execution_and_the_real_view_changes_that_day(
    client: TestClient, ledger: Callable[..., str], auth: Auth
) -> None:
    uscc = penalised(ledger, 501)
    applied = {"application_id": "修-1", "target_kind": "penalty", "target_ref": "罚-4"}
    ledger([record("repair.applied", uscc, "2024-01-08", applied, department="TJ-ENF")])
    ledger([case_record("repair.accepted", uscc, "2024-01-09", "修-1")], role="reviewer")
    reviewer = auth("TJ-ENF", "reviewer")
    response = client.get("/v1/repair-cases/修-1", params={"as_of": "2024-01-10"}, headers=reviewer)
    assert response.status_code == 200, response.text
    case = response.json()
    preview = case["preview"]
    assert preview["assumed"] and preview["executed_on"] == "2024-01-10"
    assert [p["subject"] for p in preview["today"]["public_view"]["administrative_penalties"]] == ["罚-4"]
    assert preview["after_execution"]["on"] == "2024-01-11"
    assert preview["after_execution"]["public_view"]["administrative_penalties"] == []
    assert case["eligibility"]["at_application"]["may_apply"] and case["eligibility"]["now"]["may_apply"]
    assert [d["name"] for d in case["deadlines"]] == ["acceptance", "decision"]
    assert case["deadlines"][1]["rule"] == "REP-07" and case["state"] == "accepted"
    assert [t["type"] for t in case["timeline"]] == ["penalty.decided", "repair.applied", "repair.accepted"]
    ledger([case_record("repair.granted", uscc, "2024-02-01", "修-1")], role="reviewer")
    assert penalties(client, uscc, "2024-01-31") == ["罚-4"]
    assert penalties(client, uscc, "2024-02-01") == []
    done = client.get("/v1/repair-cases/修-1", params={"as_of": "2024-02-05"}, headers=reviewer).json()
    assert done["state"] == "executed" and not done["preview"]["assumed"]
    assert done["preview"]["executed_on"] == "2024-02-01"


def test_a_reviewer_of_another_department_gets_403_and_the_public_401(
    client: TestClient, ledger: Callable[..., str], auth: Auth
) -> None:
    uscc = penalised(ledger, 502)
    applied = {"application_id": "修-2", "target_kind": "penalty", "target_ref": "罚-4"}
    ledger([record("repair.applied", uscc, "2024-01-08", applied, department="TJ-ENF")])
    assert client.get("/v1/repair-cases/修-2").status_code == 401
    assert client.get("/v1/repair-cases").status_code == 401
    other = auth("TJ-LIC", "reviewer")
    forbidden = client.get("/v1/repair-cases/修-2", headers=other)
    assert forbidden.status_code == 403 and "REP-02" in forbidden.json()["detail"]
    assert client.get("/v1/repair-cases", params={"department": "TJ-ENF"}, headers=other).status_code == 403
    assert client.get("/v1/repair-cases/修-2", headers=auth("TJ-ENF", "officer")).status_code == 403
    assert client.get("/v1/repair-cases/修-2", headers=auth("TJ-AUDIT", "auditor")).status_code == 200


def test_the_queue_orders_cases_by_the_nearest_deadline_and_marks_the_overdue(
    client: TestClient, ledger: Callable[..., str], auth: Auth
) -> None:
    late, soon = penalised(ledger, 503), penalised(ledger, 504)
    for uscc, app, on in ((soon, "修-B", "2024-03-04"), (late, "修-A", "2024-02-05")):
        data = {"application_id": app, "target_kind": "penalty", "target_ref": "罚-4"}
        ledger([record("repair.applied", uscc, on, data, department="TJ-ENF")])
    reviewer = auth("TJ-ENF", "reviewer")
    response = client.get("/v1/repair-cases", params={"as_of": "2024-03-05"}, headers=reviewer)
    assert response.status_code == 200, response.text
    cases = [c for c in response.json()["cases"] if c["uscc"] in (late, soon)]
    assert [(c["application_id"], c["next_due"], c["overdue"]) for c in cases] == [
        ("修-A", "2024-02-07", True),  # Mon 5 Feb + 2 WD
        ("修-B", "2024-03-06", False),  # Mon 4 Mar + 2 WD
    ]
    due = client.get("/v1/repair-cases", params={"due_before": "2024-03-01"}, headers=reviewer).json()["cases"]
    assert "修-B" not in [c["application_id"] for c in due] and "修-A" in [c["application_id"] for c in due]


def test_a_decision_out_of_order_is_refused_with_the_rule_and_a_correction_stops_the_clock(
    client: TestClient, ledger: Callable[..., str], auth: Auth
) -> None:
    uscc = penalised(ledger, 505)
    applied = {"application_id": "修-5", "target_kind": "penalty", "target_ref": "罚-4"}
    ledger([record("repair.applied", uscc, "2024-01-08", applied, department="TJ-ENF")])
    reviewer = auth("TJ-ENF", "reviewer")
    early = client.post("/v1/records", json=case_record("repair.granted", uscc, "2024-01-09", "修-5"), headers=reviewer)
    assert early.status_code == 422 and early.json()["errors"][0]["rule"] == "REP-07"
    ledger(
        [case_record("repair.correction_requested", uscc, "2024-01-09", "修-5", missing=["evidence"])], role="reviewer"
    )
    stopped = client.get("/v1/repair-cases/修-5", params={"as_of": "2024-01-20"}, headers=reviewer).json()
    assert stopped["state"] == "correction_requested" and stopped["clock_stopped"] and stopped["next_due"] is None
    assert stopped["deadlines"][0]["status"] == "stopped"
    ledger(
        [case_record("repair.materials_received", uscc, "2024-01-22", "修-5", materials=["evidence"])], role="reviewer"
    )
    # Mon 8 Jan → Tue 9 Jan spent 1 WD; 1 left from Mon 22 Jan: Tue 23 Jan.
    resumed = client.get("/v1/repair-cases/修-5", params={"as_of": "2024-01-22"}, headers=reviewer).json()
    assert (resumed["state"], resumed["next_due"]) == ("submitted", "2024-01-23")
    deadlines = client.get(f"/v1/enterprises/{uscc}/deadlines", params={"as_of": "2024-01-22"}, headers=reviewer)
    assert [d["due"] for d in deadlines.json()["deadlines"] if d["rule"] == "REP-07"] == ["2024-01-23"]


def test_the_commitment_templates_are_public_and_an_excluded_matter_is_refused_with_com_03(
    client: TestClient, ledger: Callable[..., str], auth: Auth
) -> None:
    response = client.get("/v1/commitment-templates", params={"on": "2026-03-02"})
    assert response.status_code == 200, response.text
    templates = {t["template_id"]: t for t in response.json()["templates"]}
    assert templates["TJ-GZCN-20"]["excluded"] and not templates["TJ-GZCN-07"]["excluded"]
    uscc = make_uscc(506)
    ledger([registered(uscc)], "TJ-LIC")
    data = {
        "commitment_id": "CN-1",
        "matter": templates["TJ-GZCN-20"]["matter"],
        "text": "本单位承诺符合条件。",
        "template_id": "TJ-GZCN-20",
        "consent_to_publish": True,
    }
    refused = client.post(
        "/v1/records",
        json=record("commitment.made", uscc, "2026-03-02", data, department="TJ-ENF"),
        headers=auth("TJ-ENF"),
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["rule"] == "COM-03"
