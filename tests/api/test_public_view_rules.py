"""Rulebook cases through HTTP: what the public view and the lists show on a date, and what
they showed before the deciding record was known (issue 4)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.builders import (
    food_licence_no,
    make_uscc,
    penalty_decided,
    permit_granted,
    record,
    registered,
)

Auth = Callable[..., dict[str, str]]


@pytest.fixture
def ledger(client: TestClient, auth: Auth) -> Callable[..., str]:
    """`ledger(records, department, role)` posts records, catches the projection up and returns
    the recorded time of the last record (a known_at at which exactly these records are known)."""

    def post(records: list[dict[str, Any]], department: str = "TJ-LIC", role: str = "officer") -> str:
        response = client.post("/v1/records", json=records, headers=auth(department, role))
        assert response.status_code == 200, response.text
        assert all(r["status"] == "recorded" for r in response.json()["results"]), response.json()
        runtime = client.app.state.runtime  # type: ignore[attr-defined]
        runtime.projector.catch_up()
        with runtime.server.connect() as conn:
            return conn.execute("SELECT max(recorded_at) FROM record_log").fetchone()[0].isoformat()

    return post


def view(
    client: TestClient, uscc: str, as_of: str, known_at: str | None = None, source: str | None = None
) -> dict[str, Any]:
    params = {"as_of": as_of, **({"known_at": known_at} if known_at else {}), **({"source": source} if source else {})}
    response = client.get(f"/v1/enterprises/{uscc}/public-view", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def penalties(client: TestClient, uscc: str, as_of: str, known_at: str | None = None) -> list[str]:
    body = view(client, uscc, as_of, known_at)
    replayed = view(client, uscc, as_of, known_at, source="replay")
    assert {**body, "source": None, "known_at": None} == {**replayed, "source": None, "known_at": None}
    return [p["subject"] for p in body["administrative_penalties"]]


def members(client: TestClient, name: str, as_of: str, known_at: str | None = None) -> list[str]:
    params = {"as_of": as_of, **({"known_at": known_at} if known_at else {})}
    response = client.get(f"/v1/lists/{name}", params=params)
    assert response.status_code == 200, response.text
    return [m["uscc"] for m in response.json()["members"]]


def enterprise(ledger: Callable[..., str], n: int, sector: str = "food_production") -> str:
    uscc = make_uscc(n)
    ledger([registered(uscc), permit_granted(uscc, food_licence_no(n), data={"sector": sector})])
    return uscc


def test_a_penalty_is_visible_for_three_years_from_publication_and_not_before_it_was_recorded(
    client: TestClient, ledger
) -> None:
    uscc = enterprise(ledger, 401)
    before = ledger([registered(make_uscc(402))])
    ledger(
        [penalty_decided(uscc, "罚-1", "2022-03-01", data={"fine_yuan": "80000.00", "published_on": "2022-03-10"})],
        "TJ-ENF",
    )
    assert penalties(client, uscc, "2022-03-09") == []
    assert penalties(client, uscc, "2022-03-10") == ["罚-1"]
    assert penalties(client, uscc, "2025-03-10") == ["罚-1"]  # last day of the 3-year window (PEN-09)
    assert penalties(client, uscc, "2025-03-11") == []
    assert penalties(client, uscc, "2023-06-01", known_at=before) == []
    item = view(client, uscc, "2023-06-01")["administrative_penalties"][0]
    assert "PEN-09" in item["rules"] and item["records"][0]["department"] == "TJ-ENF"
    assert item["until"] == "2025-03-11" and item["data"]["fine_yuan"] == "80000.00"


def test_pen_10_without_a_tianjin_threshold_a_fine_is_visible_for_three_years_and_the_view_says_why(
    client: TestClient, ledger
) -> None:
    uscc = enterprise(ledger, 411)
    ledger(
        [penalty_decided(uscc, "罚-2", "2024-01-05", data={"fine_yuan": "20000.00", "published_on": "2024-01-10"})],
        "TJ-ENF",
    )
    assert penalties(client, uscc, "2024-04-11") == ["罚-2"]
    assert penalties(client, uscc, "2027-01-10") == ["罚-2"] and penalties(client, uscc, "2027-01-11") == []
    (item,) = view(client, uscc, "2024-02-01")["administrative_penalties"]
    assert "PEN-10" in item["rules"] and "no lower-amount fine threshold is set" in item["note"]


def test_a_lower_amount_fine_is_visible_for_three_months_once_a_threshold_is_set(client: TestClient, ledger) -> None:
    from adapters import reference_store

    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    reference_store.save_value(
        runtime.server, "lower_fine_threshold_organisation", date(2021, 9, 1), "50000", "TJ notice (test)"
    )
    runtime.reload_rules()
    uscc = enterprise(ledger, 403)
    ledger(
        [penalty_decided(uscc, "罚-2", "2024-01-05", data={"fine_yuan": "20000.00", "published_on": "2024-01-10"})],
        "TJ-ENF",
    )
    assert penalties(client, uscc, "2024-04-10") == ["罚-2"]
    assert penalties(client, uscc, "2024-04-11") == []
    assert "PEN-10" in view(client, uscc, "2024-02-01")["administrative_penalties"][0]["rules"]


def test_a_warning_is_never_visible_until_corrected_into_a_fine(client: TestClient, ledger) -> None:
    uscc = enterprise(ledger, 404)
    warning = penalty_decided(uscc, "罚-3", "2024-02-01", data={"penalty_kinds": ["warning"], "fine_yuan": None})
    warning["data"].pop("fine_yuan")
    as_warning = ledger([warning], "TJ-ENF")
    for day in ("2024-02-01", "2024-03-15", "2025-01-01", "2026-11-20"):
        assert penalties(client, uscc, day) == []
    fine = {**warning["data"], "penalty_kinds": ["fine"], "fine_yuan": "90000.00"}
    ledger(
        [
            record(
                "record.corrected",
                uscc,
                "2024-06-01",
                {"target": {"department": "TJ-ENF", "record_id": warning["source"]["record_id"]}, "data": fine},
                department="TJ-ENF",
            )
        ],
        "TJ-ENF",
    )
    assert penalties(client, uscc, "2024-06-01") == ["罚-3"]
    assert penalties(client, uscc, "2024-06-01", known_at=as_warning) == []


def test_an_early_stop_is_granted_after_the_food_sector_minimum_of_one_year(
    client: TestClient, ledger, auth: Auth
) -> None:
    uscc = enterprise(ledger, 405)
    ledger(
        [penalty_decided(uscc, "罚-4", "2023-01-03", data={"fine_yuan": "80000.00", "published_on": "2023-01-05"})],
        "TJ-ENF",
    )
    too_early = record(
        "repair.applied",
        uscc,
        "2023-12-01",
        {"application_id": "修-0", "target_kind": "penalty", "target_ref": "罚-4"},
        department="TJ-ENF",
    )
    refused = client.post("/v1/records", json=too_early, headers=auth("TJ-ENF"))
    assert refused.status_code == 422 and refused.json()["errors"][0]["rule"] == "PEN-11"
    ledger(
        [
            record(
                "repair.applied",
                uscc,
                "2024-01-08",
                {"application_id": "修-1", "target_kind": "penalty", "target_ref": "罚-4"},
                department="TJ-ENF",
            )
        ],
        "TJ-ENF",
    )
    before_grant = ledger(
        [record("repair.accepted", uscc, "2024-01-09", {"application_id": "修-1"}, department="TJ-ENF")],
        "TJ-ENF",
        "reviewer",
    )
    ledger(
        [record("repair.granted", uscc, "2024-02-01", {"application_id": "修-1"}, department="TJ-ENF")],
        "TJ-ENF",
        "reviewer",
    )
    assert penalties(client, uscc, "2024-01-31") == ["罚-4"]
    assert penalties(client, uscc, "2024-02-01") == []
    assert penalties(client, uscc, "2024-02-01", known_at=before_grant) == ["罚-4"]


def test_a_serious_listing_is_removed_after_three_years(client: TestClient, ledger) -> None:
    uscc = enterprise(ledger, 406)
    heavy = penalty_decided(
        uscc, "罚-5", "2021-10-11", data={"penalty_kinds": ["fine", "permit_revocation"], "fine_yuan": "500000.00"}
    )
    before = ledger([heavy], "TJ-ENF")
    ledger(
        [
            record(
                "serious.listed",
                uscc,
                "2021-10-11",
                {"listing_id": "黑-1", "grounds": "严重违法", "penalty_decision_no": "罚-5"},
                department="TJ-ENF",
            )
        ],
        "TJ-ENF",
    )
    assert uscc in members(client, "serious", "2024-10-11")
    assert uscc not in members(client, "serious", "2024-10-12")  # SDL-30: 3 years, then removed
    assert view(client, uscc, "2023-01-01")["serious_list"][0]["until"] == "2024-10-12"
    assert uscc not in members(client, "serious", "2023-01-01", known_at=before)
    changes = client.get("/v1/lists/serious/changes", params={"from": "2024-10-01", "to": "2024-10-31"}).json()[
        "changes"
    ]
    assert [(c["change"], c["on"], c["uscc"]) for c in changes] == [("left", "2024-10-12", uscc)]
    assert "SDL-30" in changes[0]["reason"]["rules"]


def test_an_enterprise_leaves_the_key_sector_list_when_its_only_permit_is_revoked(client: TestClient, ledger) -> None:
    uscc = enterprise(ledger, 407)
    before = ledger([registered(make_uscc(408))])
    ledger(
        [
            record(
                "permit.revoked",
                uscc,
                "2024-07-01",
                {"permit_no": food_licence_no(407), "kind": "revoked", "decision_no": "撤-1"},
            )
        ]
    )
    assert uscc in members(client, "key-sector", "2024-06-30")
    assert uscc not in members(client, "key-sector", "2024-07-01")
    assert uscc in members(client, "key-sector", "2024-07-01", known_at=before)
    assert view(client, uscc, "2024-07-01")["key_sector_tags"] == []


def test_an_enterprise_leaves_the_key_sector_list_when_deregistered(client: TestClient, ledger) -> None:
    uscc = enterprise(ledger, 409, "special_equipment")
    before = ledger([registered(make_uscc(410))])
    ledger([record("enterprise.deregistered", uscc, "2024-09-02", {})])
    assert uscc in members(client, "key-sector", "2024-09-01")
    assert uscc not in members(client, "key-sector", "2024-09-02")
    assert uscc in members(client, "key-sector", "2024-09-02", known_at=before)
    basic = view(client, uscc, "2024-09-02")["basic"]
    assert (basic["status"], basic["status_since"]) == ("deregistered", "2024-09-02")
    assert view(client, uscc, "2024-09-02", known_at=before)["basic"]["status"] == "active"


@pytest.mark.parametrize(
    ("query", "field", "reason"),
    [
        ("as_of=2024-13-01", "as_of", "month value is outside expected range"),
        ("as_of=", "as_of", "input is too short"),
        ("known_at=yesterday", "known_at", "valid datetime"),
        ("source=bogus", "source", "Input should be 'read-model' or 'replay'"),
    ],
)
def test_a_bad_public_view_parameter_is_a_422_naming_it_with_the_reason(
    client: TestClient, ledger: Callable[..., str], query: str, field: str, reason: str
) -> None:
    """The route reads its own parameters (docs/performance.md, "HTTP"): the same answers as
    FastAPI gives for declared ones."""
    uscc = enterprise(ledger, 970)
    response = client.get(f"/v1/enterprises/{uscc}/public-view?{query}")
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["field"] == field and reason in error["reason"], error


def test_every_bad_public_view_parameter_is_named_in_one_answer_before_the_uscc_is_judged(client: TestClient) -> None:
    response = client.get("/v1/enterprises/NOT-A-USCC/public-view?as_of=x&known_at=y&source=z")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["as_of", "known_at", "source"]


def test_a_repeated_public_view_parameter_counts_by_its_last_value(
    client: TestClient, ledger: Callable[..., str]
) -> None:
    uscc = enterprise(ledger, 971)
    response = client.get(f"/v1/enterprises/{uscc}/public-view?as_of=2019-01-01&as_of=2024-06-01")
    assert response.status_code == 200 and response.json()["as_of"] == "2024-06-01"


def test_the_public_view_parameters_are_published_in_the_openapi_document(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/v1/enterprises/{uscc}/public-view"]["get"]
    # 500: verify=true found a changed log; default: any other error, a problem document
    assert set(operation["responses"]) == {"200", "422", "500", "default"}
    params = {(p["name"], p["in"], p["required"]) for p in operation["parameters"]}
    assert params == {
        ("uscc", "path", True),
        ("as_of", "query", False),
        ("known_at", "query", False),
        ("source", "query", False),
        ("verify", "query", False),
        ("min_position", "query", False),
    }
