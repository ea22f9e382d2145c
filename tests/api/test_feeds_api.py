"""The change feed, the measures catalogue, subscriptions and feedback through HTTP (issue 23)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from projections.change_feed import TYPE_PREFIX
from tests.builders import food_licence_no, make_uscc, penalty_decided, permit_granted, record, registered

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


def _listed_item(client: TestClient, auth: Auth, uscc: str, department: str = "TJ-FIN") -> dict[str, Any]:
    admin = auth("TJ-CREDIT", "admin")
    client.post("/v1/subscriptions", json={"department": department}, headers=admin)
    items = client.get(f"/v1/feeds/{department}", headers=admin).json()["items"]
    return next(e for e in items if e["type"] == f"{TYPE_PREFIX}measure.imposed" and e["subject"] == uscc)


def test_feedback_of_an_applied_measure_is_a_record_of_the_department_and_shows_beside_its_trigger(
    client: TestClient, auth: Auth
) -> None:
    uscc = make_uscc(2302)
    client.post("/v1/records", json=registered(uscc), headers=auth("TJ-LIC"))
    client.post("/v1/records", json=serious_listing(uscc), headers=auth("TJ-ENF"))
    project(client)
    item = _listed_item(client, auth, uscc)
    body = {
        "item_id": item["id"],
        "measure_id": "sdl-22-procurement",
        "action": "applied",
        "effective_on": "2024-06-10",
        "idempotency_key": "FIN-2024-0001",
    }
    first = client.post("/v1/feeds/TJ-FIN/feedback", json=body, headers=auth("TJ-FIN"))
    assert first.status_code == 201 and first.json()["type"] == "measure.applied", first.text
    again = client.post("/v1/feeds/TJ-FIN/feedback", json=body, headers=auth("TJ-FIN"))
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    wrong = client.post(
        "/v1/feeds/TJ-FIN/feedback", json={**body, "measure_id": "aol-22-bidding"}, headers=auth("TJ-FIN")
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "measure_id"
    other = client.post("/v1/feeds/TJ-FIN/feedback", json=body, headers=auth("TJ-LAND"))
    assert other.status_code == 403
    measures = client.get(
        f"/v1/enterprises/{uscc}/measures", params={"as_of": "2024-07-01"}, headers=auth("TJ-ENF", "auditor")
    )
    triggers = measures.json()["triggers"]
    procurement = next(t for t in triggers if t["measure"]["id"] == "sdl-22-procurement")
    assert procurement["feedback"][0]["department"] == "TJ-FIN" and procurement["open_deadline"] is False
    honours = next(t for t in triggers if t["measure"]["id"] == "sdl-20-no-honours")
    # no feedback yet, due 10 working days after the trigger was recorded (today): not yet open
    assert honours["feedback"] == [] and honours["open_deadline"] is False
    assert honours["due"] > datetime.now(UTC).date().isoformat()
    assert (
        client.get(
            f"/v1/enterprises/{uscc}/measures", params={"as_of": "2024-01-01"}, headers=auth("TJ-ENF", "auditor")
        ).json()["triggers"]
        == []
    )


def test_a_repair_that_ends_a_listing_sends_a_withdrawal_and_lifts_the_measures(client: TestClient, auth: Auth) -> None:
    uscc = make_uscc(2303)
    client.post("/v1/records", json=registered(uscc), headers=auth("TJ-LIC"))
    client.post("/v1/records", json=serious_listing(uscc, on="2023-01-09"), headers=auth("TJ-ENF"))
    project(client)
    admin = auth("TJ-CREDIT", "admin")
    client.post("/v1/subscriptions", json={"department": "TJ-FIN"}, headers=admin)
    cursor = client.get("/v1/feeds/TJ-FIN", headers=admin).json()["next_after"]
    removed = record(
        "serious.removed", uscc, "2024-03-01", {"listing_id": "黑-1", "kind": "early_repair"}, department="TJ-ENF"
    )
    assert client.post("/v1/records", json=removed, headers=auth("TJ-ENF")).status_code == 201
    project(client)
    news = client.get("/v1/feeds/TJ-FIN", params={"after": cursor}, headers=admin).json()["items"]
    types = [e["type"] for e in news]
    assert f"{TYPE_PREFIX}serious.removed" in types and f"{TYPE_PREFIX}measure.lifted" in types
    withdrawal = next(e for e in news if e["type"] == f"{TYPE_PREFIX}serious.removed")
    assert withdrawal["data"]["withdrawal"] is True and withdrawal["data"]["stop_using_from"] == "2024-03-01"
    assert withdrawal["data"]["reason"] == "removal"
    later = client.get(
        "/v1/feeds/TJ-FIN",
        params={"after": client.get("/v1/feeds/TJ-FIN", params={"after": cursor}, headers=admin).json()["next_after"]},
        headers=admin,
    ).json()
    assert later["items"] == []


def test_the_feed_is_read_by_its_department_or_an_admin_with_a_real_cursor(client: TestClient, auth: Auth) -> None:
    admin = auth("TJ-CREDIT", "admin")
    assert client.get("/v1/feeds/TJ-FIN", headers=admin).status_code == 404  # no subscription yet
    client.post(
        "/v1/subscriptions", json={"department": "TJ-FIN", "types": [f"{TYPE_PREFIX}serious.listed"]}, headers=admin
    )
    assert client.get("/v1/feeds/TJ-FIN", headers=auth("TJ-FIN")).status_code == 200
    assert client.get("/v1/feeds/TJ-FIN", headers=auth("TJ-LAND")).status_code == 403
    assert client.get("/v1/feeds/TJ-FIN").status_code == 401
    bad = client.get("/v1/feeds/TJ-FIN", params={"after": "x"}, headers=admin)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "after"
    typo = client.post("/v1/subscriptions", json={"department": "TJ-FIN", "types": ["serious.listed"]}, headers=admin)
    assert typo.status_code == 422 and typo.json()["errors"][0]["field"] == "types"
    unsigned = client.post(
        "/v1/subscriptions", json={"department": "TJ-FIN", "url": "http://127.0.0.1:9/"}, headers=admin
    )
    assert unsigned.status_code == 422 and unsigned.json()["errors"][0]["field"] == "secret"


def _case(uscc: str, links: list[dict[str, str]], on: str = "2024-06-20") -> dict[str, Any]:
    return record(
        "case.published",
        uscc,
        on,
        {
            "case_id": "典型-2024-01",
            "title": "某乳业公司生产不符合食品安全标准乳制品案",
            "summary": "当事人生产经营不符合食品安全标准的食品，被处以罚款并列入严重违法失信名单。",
            "lessons": "食品生产企业应落实主体责任，严格执行出厂检验制度。",
            "links": links,
        },
        department="TJ-ENF",
    )


def test_a_typical_case_shows_while_its_penalty_is_public_and_drops_off_the_day_publicity_ends(
    client: TestClient, auth: Auth
) -> None:
    uscc = make_uscc(2340)
    client.post(
        "/v1/records", json=[registered(uscc), permit_granted(uscc, food_licence_no(2340))], headers=auth("TJ-LIC")
    )
    penalty = penalty_decided(uscc, "罚-9", "2024-03-01")
    assert client.post("/v1/records", json=penalty, headers=auth("TJ-ENF")).status_code == 201
    case = _case(uscc, [{"kind": "penalty", "ref": "罚-9"}])
    assert client.post("/v1/records", json=case, headers=auth("TJ-ENF")).status_code == 201, client.post(
        "/v1/records", json=case, headers=auth("TJ-ENF")
    ).text
    project(client)

    def shown(on: str) -> list[str]:
        view = client.get(f"/v1/enterprises/{uscc}/public-view", params={"as_of": on}).json()
        return [c["subject"] for c in view["typical_cases"]]

    penalty_until = client.get(f"/v1/enterprises/{uscc}/public-view", params={"as_of": "2024-07-01"}).json()[
        "administrative_penalties"
    ][0]["until"]
    last_day = (date.fromisoformat(penalty_until) - timedelta(days=1)).isoformat()
    assert shown("2024-06-19") == []  # before the case was published
    assert shown("2024-07-01") == ["典型-2024-01"] and shown(last_day) == ["典型-2024-01"]
    assert shown(penalty_until) == []  # the day the penalty's publicity ends
    board = client.get("/v1/lists/exposure", params={"as_of": "2024-07-01"}).json()["members"]
    assert uscc in [m["uscc"] for m in board]
    off_board = client.get("/v1/lists/exposure", params={"as_of": penalty_until}).json()["members"]
    assert uscc not in [m["uscc"] for m in off_board]
    feed_admin = auth("TJ-CREDIT", "admin")
    client.post("/v1/subscriptions", json={"department": "TJ-PUB"}, headers=feed_admin)
    types = [e["type"] for e in client.get("/v1/feeds/TJ-PUB", headers=feed_admin).json()["items"]]
    assert f"{TYPE_PREFIX}case.published" in types and f"{TYPE_PREFIX}case.publication_stopped" in types


def test_a_typical_case_linking_an_unrecorded_penalty_is_rejected_naming_the_link(
    client: TestClient, auth: Auth
) -> None:
    uscc = make_uscc(2341)
    client.post("/v1/records", json=registered(uscc), headers=auth("TJ-LIC"))
    refused = client.post(
        "/v1/records", json=_case(uscc, [{"kind": "penalty", "ref": "无此号"}]), headers=auth("TJ-ENF")
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0] == {
        "field": "data.links[0].ref",
        "reason": "no penalty '无此号' is recorded for this enterprise",
        "rule": "LEDGER-07",
    }
