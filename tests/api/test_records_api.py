from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.builders import corrected, make_uscc, penalty_decided, permit_granted, registered

USCC = make_uscc(21)
PROBLEM = "application/problem+json"
Auth = Callable[..., dict[str, str]]


def test_one_good_record_is_recorded_with_201(client: TestClient, auth: Auth) -> None:
    response = client.post("/v1/records", json=registered(USCC), headers=auth("TJ-LIC"))
    assert response.status_code == 201
    assert response.json()["results"][0]["status"] == "recorded"


def test_the_same_record_again_is_a_duplicate(client: TestClient, auth: Auth) -> None:
    rec = registered(USCC)
    client.post("/v1/records", json=rec, headers=auth("TJ-LIC"))
    response = client.post("/v1/records", json=rec, headers=auth("TJ-LIC"))
    assert response.status_code == 200
    assert response.json()["results"][0]["status"] == "duplicate"


def test_a_batch_answers_per_record(client: TestClient, auth: Auth) -> None:
    batch = [registered(USCC), permit_granted(USCC), {"type": "nonsense.happened"}]
    response = client.post("/v1/records", json=batch, headers=auth("TJ-LIC"))
    assert response.status_code == 200
    body = response.json()
    assert [r["status"] for r in body["results"]] == ["recorded", "recorded", "rejected"]
    positions = [r["position"] for r in body["results"]]
    assert positions[0] < positions[1] and positions[2] is None, "each record recorded at its log position, in order"
    assert body["summary"] == {"recorded": 2, "duplicate": 0, "rejected": 1, "position": positions[1]}
    assert body["results"][2]["errors"][0]["field"] == "type"
    assert "nonsense.happened" in body["results"][2]["errors"][0]["reason"]


def test_a_rejected_single_record_is_a_problem_naming_field_and_rule(client: TestClient, auth: Auth) -> None:
    bad = registered("91120116MA05JK122H")
    response = client.post("/v1/records", json=bad, headers=auth("TJ-LIC"))
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    error = response.json()["errors"][0]
    assert error["field"] == "uscc"
    assert error["rule"] == "ID-02"
    assert "check character" in error["reason"]


def test_a_state_rule_refusal_names_its_rule(client: TestClient, auth: Auth) -> None:
    client.post("/v1/records", json=registered(USCC), headers=auth("TJ-LIC"))
    renewal = {
        **permit_granted(USCC),
        "type": "permit.renewed",
        "data": {"permit_no": "X", "valid_until": "2030-01-01"},
    }
    response = client.post("/v1/records", json=renewal, headers=auth("TJ-LIC"))
    assert response.status_code == 422
    assert response.json()["errors"][0] == {
        "field": "data.permit_no",
        "reason": "no permit 'X' was granted to this enterprise",
        "rule": "LEDGER-07",
    }


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b"", 422),
        (b"[]", 422),
        (b"42", 422),
        (b'"text"', 422),
        (b"null", 422),
        (b'[1, "x", null, {"type": 5}]', 200),
        (
            json.dumps({"type": "penalty.decided", "uscc": 123, "effective_on": [], "source": "x", "data": 7}).encode(),
            422,
        ),
        (json.dumps({**registered(USCC), "effective_on": "2024-02-30"}).encode(), 422),
        (json.dumps({**registered(USCC), "extra": True}).encode(), 422),
        ("\ud800".encode("utf-8", "surrogatepass"), 400),
    ],
)
def test_bad_input_gets_a_4xx_problem_and_records_nothing(
    client: TestClient, auth: Auth, body: bytes, status: int
) -> None:
    response = client.post("/v1/records", content=body, headers={"content-type": "application/json", **auth("TJ-LIC")})
    assert response.status_code == status
    if status != 200:
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["status"] == status
    else:
        assert all(r["status"] == "rejected" for r in response.json()["results"])
    assert client.get(f"/v1/enterprises/{USCC}").status_code == 404


def test_a_batch_over_the_maximum_is_refused_with_413(client: TestClient, auth: Auth) -> None:
    batch = [registered(make_uscc(1000 + n)) for n in range(1001)]
    response = client.post("/v1/records", json=batch, headers=auth("TJ-LIC"))
    assert response.status_code == 413
    assert "at most 1000" in response.json()["detail"]
    assert client.get(f"/v1/enterprises/{make_uscc(1000)}").status_code == 404


def test_a_body_over_the_byte_limit_is_refused_with_413(client: TestClient, auth: Auth) -> None:
    headers = {"content-type": "application/json", **auth("TJ-LIC")}
    response = client.post("/v1/records", content=b"[" + b" " * (9 * 1024 * 1024) + b"]", headers=headers)
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM


def test_the_enterprise_shows_its_registration_facts_without_personal_data(client: TestClient, auth: Auth) -> None:
    client.post("/v1/records", json=[registered(USCC), permit_granted(USCC)], headers=auth("TJ-LIC"))
    body = client.get(f"/v1/enterprises/{USCC.lower()}").json()
    assert body["uscc"] == USCC
    assert body["name"] == "天津市滨海新区海河乳业有限公司"
    assert body["status"] == "active"
    assert "legal_representative" not in body


def test_an_unknown_or_invalid_uscc_is_404_or_422(client: TestClient, auth: Auth) -> None:
    assert client.get(f"/v1/enterprises/{make_uscc(99)}").status_code == 404
    response = client.get("/v1/enterprises/123/timeline", headers=auth("TJ-CREDIT", "auditor"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["rule"] == "ID-02"


def test_the_timeline_shows_a_correction_only_from_its_recorded_time(client: TestClient, auth: Auth) -> None:
    penalty = penalty_decided(USCC)
    client.post("/v1/records", json=registered(USCC), headers=auth("TJ-LIC"))
    client.post("/v1/records", json=penalty, headers=auth("TJ-ENF"))
    reader = auth("TJ-ENF")  # an officer of a department with a record about the enterprise
    before = client.get(f"/v1/enterprises/{USCC}/timeline", headers=reader).json()["records"][-1]["recorded_at"]
    fix = corrected(USCC, penalty, {**penalty["data"], "fine_yuan": "2000.00"})
    assert client.post("/v1/records", json=fix, headers=auth("TJ-ENF")).status_code == 201

    then = client.get(f"/v1/enterprises/{USCC}/timeline", params={"known_at": before}, headers=reader).json()["records"]
    assert len(then) == 2 and then[1]["amended_by"] == []
    now = client.get(f"/v1/enterprises/{USCC}/timeline", headers=reader).json()["records"]
    assert now[1]["data_in_force"]["fine_yuan"] == "2000.00"
    assert now[1]["amended_by"][0]["record_id"] == fix["source"]["record_id"]
    assert now[2]["type"] == "record.corrected"


def test_a_malformed_known_at_is_a_422_naming_the_parameter(client: TestClient, auth: Auth) -> None:
    client.post("/v1/records", json=registered(USCC), headers=auth("TJ-LIC"))
    response = client.get(f"/v1/enterprises/{USCC}/timeline", params={"known_at": "yesterday"}, headers=auth("TJ-LIC"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "known_at"


def test_health_and_openapi_publish_the_record_vocabulary(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert {"PenaltyDecided", "PermitGranted", "RecordCorrected", "Record"} <= set(schemas)
    assert client.get("/docs").status_code == 200


def test_an_unknown_route_is_a_problem(client: TestClient) -> None:
    response = client.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM


def test_a_far_future_stand_in_date_is_refused_citing_ledger_10(client: TestClient, auth: Auth) -> None:
    client.post("/v1/records", json=registered(USCC), headers=auth("TJ-LIC"))
    forever = permit_granted(USCC, data={"valid_until": "9999-12-31"})
    response = client.post("/v1/records", json=forever, headers=auth("TJ-LIC"))
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "data.valid_until",
            "reason": "must be a real date from 1949-10-01 to 2199-12-31; open-ended is not a date",
            "rule": "LEDGER-10",
        }
    ]


@pytest.mark.parametrize("where", ["record_id", "name"])
def test_a_nul_character_is_refused_not_a_server_error(client: TestClient, auth: Auth, where: str) -> None:
    rec = registered(USCC)
    if where == "record_id":
        rec["source"]["record_id"] = "R\u00001"
    else:
        rec["data"]["name"] = "天津\u0000公司"
    response = client.post("/v1/records", json=rec, headers=auth("TJ-LIC"))
    assert response.status_code == 422
    assert "control characters" in response.json()["errors"][0]["reason"]
    assert client.get(f"/v1/enterprises/{USCC}").status_code == 404


@pytest.mark.parametrize(
    ("ending", "data"),
    [
        ("penalty.revoked", {"decision_no": "津市监罚〔2024〕1号", "reason": "复议撤销"}),
        ("serious.removed", {"listing_id": "SL-1", "kind": "other"}),
    ],
)
def test_only_the_deciding_department_ends_its_decision(
    client: TestClient, auth: Auth, ending: str, data: dict
) -> None:
    client.post("/v1/records", json=registered(USCC), headers=auth("TJ-LIC"))
    penalty = penalty_decided(USCC, data={"penalty_kinds": ["restriction"], "fine_yuan": None, "restriction_years": 1})
    listing = {
        **penalty,
        "type": "serious.listed",
        "source": {**penalty["source"], "record_id": "SL-REC-1"},
        "data": {"listing_id": "SL-1", "grounds": "SDL-02", "penalty_decision_no": "津市监罚〔2024〕1号"},
    }
    assert (
        client.post("/v1/records", json=[penalty, listing], headers=auth("TJ-ENF")).json()["summary"]["recorded"] == 2
    )
    end = {**penalty, "type": ending, "effective_on": "2024-06-01", "data": data}
    stranger = {**end, "source": {"department": "TJ-D120101", "record_id": "X-1", "operator": "o"}}
    refused = client.post("/v1/records", json=stranger, headers=auth("TJ-D120101"))
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["rule"] == "AUTH-03"
    owner = {**end, "source": {**end["source"], "record_id": "X-2"}}
    assert client.post("/v1/records", json=owner, headers=auth("TJ-ENF")).status_code == 201


def test_a_streamed_body_over_the_byte_limit_is_refused_with_413(client: TestClient, auth: Auth) -> None:
    def chunks():  # no content-length: the limit must hold while the body streams in
        yield b"["
        for _ in range(9):
            yield b" " * (1024 * 1024)
        yield b"]"

    response = client.post(
        "/v1/records", content=chunks(), headers={"content-type": "application/json", **auth("TJ-LIC")}
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM


def test_an_unreachable_database_is_a_503_not_a_500(client: TestClient) -> None:
    from adapters.database import Server

    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    reachable = runtime.server
    runtime.server = Server({**reachable.params, "host": "127.0.0.1", "port": 1})
    try:
        response = client.get("/healthz")
    finally:
        runtime.server = reachable
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.headers["content-type"] == PROBLEM
