"""The change feed, the measures catalogue, subscriptions and feedback through HTTP (issue 23)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from projections.change_feed import TYPE_PREFIX
from tests.builders import make_uscc, penalty_decided, record, registered

Auth = Callable[..., dict[str, str]]


def serious_listing(
    uscc: str, listing_id: str = "黑-1", decision_no: str = "罚-5", on: str = "2024-06-03"
) -> list[dict[str, Any]]:
    heavy = penalty_decided(
        uscc, decision_no, on, data={"penalty_kinds": ["fine", "permit_revocation"], "fine_yuan": "500000.00"}
    )
    listing = record(
        "serious.listed",
        uscc,
        on,
        {"listing_id": listing_id, "grounds": "严重违法失信", "penalty_decision_no": decision_no},
        department="TJ-ENF",
    )
    return [heavy, listing]


def project(client: TestClient) -> None:
    client.app.state.runtime.projector.catch_up()  # type: ignore[attr-defined]


def test_the_measures_catalogue_names_rules_and_shows_q17_as_open(client: TestClient) -> None:
    serious = client.get("/v1/measures", params={"list": "serious", "as_of": "2025-01-01"}).json()["measures"]
    rules = {m["rule"] for m in serious}
    assert {"SDL-20", "SDL-21", "SDL-22"} <= rules
    bar = next(m for m in serious if m["id"] == "sdl-22-legal-representative-bar")
    assert bar["open_question"] == "Q17" and bar["status"] == "OPEN"
    before_2024 = client.get("/v1/measures", params={"list": "serious", "as_of": "2023-01-01"}).json()["measures"]
    assert {m["rule"] for m in before_2024} == {"SDL-20", "SDL-21"}  # SDL-22 from the 2024 Regulation
    abnormal = client.get("/v1/measures", params={"list": "abnormal", "as_of": "2025-01-01"}).json()["measures"]
    assert {m["rule"] for m in abnormal} == {"AOL-22"} and all(m["legal_basis"] for m in abnormal)


def test_an_unknown_list_for_measures_is_a_problem_naming_the_field(client: TestClient) -> None:
    response = client.get("/v1/measures", params={"list": "blacklist"})
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"


def test_a_serious_listing_becomes_cloudevents_with_its_measures_and_a_known_expiry(
    client: TestClient, auth: Auth
) -> None:
    uscc = make_uscc(2301)
    assert client.post("/v1/records", json=registered(uscc), headers=auth("TJ-LIC")).status_code == 201
    assert client.post("/v1/records", json=serious_listing(uscc), headers=auth("TJ-ENF")).status_code == 200
    project(client)
    admin = auth("TJ-CREDIT", "admin")
    created = client.post("/v1/subscriptions", json={"department": "TJ-FIN", "types": None}, headers=admin)
    assert created.status_code == 201, created.text
    page = client.get("/v1/feeds/TJ-FIN", headers=admin).json()
    types = [e["type"] for e in page["items"]]
    assert f"{TYPE_PREFIX}serious.listed" in types and f"{TYPE_PREFIX}measure.imposed" in types
    listed = next(e for e in page["items"] if e["type"] == f"{TYPE_PREFIX}serious.listed")
    assert listed["specversion"] == "1.0" and listed["subject"] == uscc and listed["id"]
    assert {m["rule"] for m in listed["data"]["measures"]} >= {"SDL-20", "SDL-22"}
    expiry = next(e for e in page["items"] if e["type"] == f"{TYPE_PREFIX}serious.removed")
    assert expiry["data"]["withdrawal"] is True and expiry["data"]["stop_using_from"] == "2027-06-04"
    assert expiry["data"]["reason"] == "expiry"
