"""Who may write what and read what, through HTTP against the real PostgreSQL (issue 6)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from adapters.config import Settings
from adapters.database import Server
from adapters.tokens import TokenStore
from api.bootstrap import Runtime
from tests.builders import corrected, make_uscc, penalty_decided, record, registered

USCC = make_uscc(61)
PROBLEM = "application/problem+json"
Auth = Callable[..., dict[str, str]]


def _records(server: Server) -> int:
    with server.connect() as conn:
        return int(conn.execute("SELECT count(*) FROM record_log").fetchone()[0])


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _repair(uscc: str, type_: str, application_id: str, department: str, **data: str) -> dict:
    return record(type_, uscc, "2025-06-02", {"application_id": application_id, **data}, department=department)


def test_a_write_without_a_token_is_401_and_records_nothing(client: TestClient, clean_db: Server) -> None:
    response = client.post("/v1/records", json=registered(USCC))
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert _records(clean_db) == 0


@pytest.mark.parametrize(
    "header",
    [
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer ",
        "Bearer not-a-token",
        "tjcl_0123456789abcdef_" + "x" * 43,
        "Bearer tjcl_0123456789abcdef_" + "x" * 43,
    ],
)
def test_a_write_with_a_malformed_or_unknown_token_is_401_and_records_nothing(
    client: TestClient, clean_db: Server, header: str
) -> None:
    response = client.post("/v1/records", json=registered(USCC), headers={"Authorization": header})
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    assert _records(clean_db) == 0


def test_a_write_with_a_revoked_token_is_401_and_records_nothing(
    client: TestClient, tokens: TokenStore, clean_db: Server
) -> None:
    info, secret = tokens.create("TJ-LIC", "officer")
    assert client.post("/v1/records", json=registered(USCC), headers=_bearer(secret)).status_code == 201
    tokens.revoke(info.id)
    response = client.post("/v1/records", json=registered(make_uscc(62)), headers=_bearer(secret))
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert _records(clean_db) == 1


def test_a_record_naming_another_department_is_403_and_records_nothing(
    client: TestClient, auth: Auth, clean_db: Server
) -> None:
    response = client.post("/v1/records", json=registered(USCC, department="TJ-LIC"), headers=auth("TJ-ENF"))
    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM
    error = response.json()["errors"][0]
    assert error["field"] == "source.department" and error["rule"] == "AUTH-01"
    assert "TJ-ENF" in error["reason"] and "TJ-LIC" in error["reason"]
    assert _records(clean_db) == 0


def test_in_a_batch_a_record_naming_another_department_is_rejected_and_the_others_recorded(
    client: TestClient, auth: Auth, clean_db: Server
) -> None:
    batch = [registered(USCC), registered(make_uscc(62), department="TJ-ENF"), registered(make_uscc(63))]
    response = client.post("/v1/records", json=batch, headers=auth("TJ-LIC"))
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["recorded", "rejected", "recorded"]
    assert results[1]["errors"][0]["rule"] == "AUTH-01"
    assert _records(clean_db) == 2


def test_a_batch_of_which_every_record_names_another_department_is_403(
    client: TestClient, auth: Auth, clean_db: Server
) -> None:
    batch = [registered(USCC, department="TJ-ENF"), registered(make_uscc(62), department="TJ-SE")]
    response = client.post("/v1/records", json=batch, headers=auth("TJ-LIC"))
    assert response.status_code == 403
    assert [r["errors"][0]["rule"] for r in response.json()["results"]] == ["AUTH-01", "AUTH-01"]
    assert _records(clean_db) == 0


def test_the_department_and_operator_recorded_come_from_the_token_not_the_body(
    client: TestClient, tokens: TokenStore, auth: Auth
) -> None:
    _, secret = tokens.create("TJ-LIC", "officer", label="王科员")
    body = registered(USCC, operator="someone-else")
    del body["source"]["department"]  # may be left out: the token says it
    assert client.post("/v1/records", json=body, headers=_bearer(secret)).status_code == 201
    [entry] = client.get(f"/v1/enterprises/{USCC}/timeline", headers=auth("TJ-CREDIT", "auditor")).json()["records"]
    assert entry["source"]["department"] == "TJ-LIC"
    assert entry["source"]["operator"] == "王科员"


def test_an_officer_cannot_correct_another_departments_record(client: TestClient, auth: Auth, clean_db: Server) -> None:
    penalty = penalty_decided(USCC)  # by TJ-ENF
    client.post("/v1/records", json=registered(USCC), headers=auth("TJ-LIC"))
    client.post("/v1/records", json=penalty, headers=auth("TJ-ENF"))
    fix = corrected(USCC, penalty, {**penalty["data"], "fine_yuan": "1.00"}, department="TJ-LIC")
    response = client.post("/v1/records", json=fix, headers=auth("TJ-LIC"))
    assert response.status_code == 403
    assert response.json()["errors"][0]["rule"] == "LEDGER-05"
    # Nor by naming the owner in the body: the token decides the department.
    as_owner = corrected(USCC, penalty, {**penalty["data"], "fine_yuan": "1.00"})
    assert client.post("/v1/records", json=as_owner, headers=auth("TJ-LIC")).status_code == 403
    assert _records(clean_db) == 2
    assert client.post("/v1/records", json=as_owner, headers=auth("TJ-ENF")).status_code == 201


def test_only_officers_and_reviewers_write(client: TestClient, auth: Auth, clean_db: Server) -> None:
    for role in ("auditor", "admin"):
        response = client.post("/v1/records", json=registered(USCC), headers=auth("TJ-LIC", role))
        assert response.status_code == 403
        assert role in response.json()["detail"]
    assert _records(clean_db) == 0


def test_a_reviewer_decides_repairs_of_its_own_departments_records_only(
    client: TestClient, auth: Auth, clean_db: Server
) -> None:
    published = {"fine_yuan": "200000.00", "sector": "food_production", "published_on": "2024-03-10"}
    penalty = penalty_decided(USCC, data=published)  # by TJ-ENF; repairable from 2025-03-11 (PEN-11)
    client.post("/v1/records", json=registered(USCC), headers=auth("TJ-LIC"))
    client.post("/v1/records", json=penalty, headers=auth("TJ-ENF"))
    applied = _repair(
        USCC, "repair.applied", "A-1", "TJ-ENF", target_kind="penalty", target_ref=penalty["data"]["decision_no"]
    )
    assert client.post("/v1/records", json=applied, headers=auth("TJ-ENF")).status_code == 201

    # An officer does not decide repairs, and a reviewer writes nothing else (AUTH-02).
    accepted = _repair(USCC, "repair.accepted", "A-1", "TJ-ENF")
    response = client.post("/v1/records", json=accepted, headers=auth("TJ-ENF"))
    assert response.status_code == 403 and response.json()["errors"][0]["rule"] == "AUTH-02"
    response = client.post(
        "/v1/records", json=penalty_decided(USCC, decision_no="X-2"), headers=auth("TJ-ENF", "reviewer")
    )
    assert response.status_code == 403 and response.json()["errors"][0]["rule"] == "AUTH-02"

    # A reviewer of another department may not decide on TJ-ENF's penalty (REP-02).
    foreign = _repair(USCC, "repair.accepted", "A-1", "TJ-LIC")
    response = client.post("/v1/records", json=foreign, headers=auth("TJ-LIC", "reviewer"))
    assert response.status_code == 403
    assert response.json()["errors"][0]["rule"] == "AUTH-03" and "REP-02" in response.json()["errors"][0]["reason"]
    assert _records(clean_db) == 3

    assert client.post("/v1/records", json=accepted, headers=auth("TJ-ENF", "reviewer")).status_code == 201


def test_an_auditor_reads_a_timeline_that_the_public_cannot(client: TestClient, auth: Auth) -> None:
    client.post("/v1/records", json=registered(USCC), headers=auth("TJ-LIC"))
    public = client.get(f"/v1/enterprises/{USCC}/timeline")
    assert public.status_code == 401
    assert public.headers["content-type"] == PROBLEM
    assert public.headers["www-authenticate"].startswith("Bearer")
    audited = client.get(f"/v1/enterprises/{USCC}/timeline", headers=auth("TJ-CREDIT", "auditor"))
    assert audited.status_code == 200
    assert audited.json()["records"][0]["data"]["legal_representative"] == "王建国"


def test_an_officer_reads_timelines_only_where_its_department_has_a_record(client: TestClient, auth: Auth) -> None:
    client.post("/v1/records", json=registered(USCC), headers=auth("TJ-LIC"))
    assert client.get(f"/v1/enterprises/{USCC}/timeline", headers=auth("TJ-LIC")).status_code == 200
    assert client.get(f"/v1/enterprises/{USCC}/timeline", headers=auth("TJ-LIC", "reviewer")).status_code == 200
    assert client.get(f"/v1/enterprises/{USCC}/timeline", headers=auth("TJ-ENF")).status_code == 403
    assert client.get(f"/v1/enterprises/{USCC}/timeline", headers=auth("TJ-LIC", "admin")).status_code == 403


def test_the_public_view_needs_no_token(client: TestClient, auth: Auth) -> None:
    client.post("/v1/records", json=registered(USCC), headers=auth("TJ-LIC"))
    response = client.get(f"/v1/enterprises/{USCC}")
    assert response.status_code == 200
    assert response.json()["name"] == "天津市滨海新区海河乳业有限公司"
    assert "legal_representative" not in response.json()


def test_token_secrets_appear_nowhere_in_logs_responses_or_the_database(
    client: TestClient, tokens: TokenStore, clean_db: Server, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    info, secret = tokens.create("TJ-LIC", "officer", label="科员甲")
    _, revoked = tokens.create("TJ-ENF", "officer")
    tokens.revoke(tokens.all_tokens()[-1].id)
    random_part = secret.split("_", 2)[2]  # tjcl_<id>_<random>, and the random part may hold "_"
    responses = [
        client.post("/v1/records", json=registered(USCC), headers=_bearer(secret)),
        client.post("/v1/records", json=registered(USCC, department="TJ-ENF"), headers=_bearer(secret)),
        client.post("/v1/records", json=registered(USCC), headers=_bearer(revoked)),
        client.post("/v1/records", json=registered(USCC), headers={"Authorization": f"Basic {secret}"}),
        client.get(f"/v1/enterprises/{USCC}/timeline", headers=_bearer(secret)),
        client.get(f"/v1/enterprises/{USCC}", headers=_bearer(secret)),
    ]
    for response in responses:
        shown = response.text + repr(dict(response.headers))
        assert secret not in shown and random_part not in shown and revoked not in shown
    assert secret not in caplog.text and random_part not in caplog.text and revoked not in caplog.text

    with clean_db.connect() as conn:
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        assert "api_tokens" in tables and "ledger_events" in tables
        for table in tables:
            # Every row as text (bytea as hex), and bytea columns decoded too: the event store keeps bytes.
            for (row,) in conn.execute(f'SELECT t::text FROM "{table}" t'):
                assert random_part not in row, table
            byte_columns = conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND data_type = 'bytea'",
                (table,),
            ).fetchall()
            for (column,) in byte_columns:
                for (value,) in conn.execute(f'SELECT "{column}" FROM "{table}"'):
                    assert random_part.encode() not in bytes(value or b""), (table, column)
    assert info.id in {t.id for t in tokens.all_tokens()}


@pytest.fixture
def limited_client(clean_db: Server) -> Iterator[TestClient]:
    from api.main import create_app

    settings = Settings(
        DATABASE_URL=clean_db.conninfo, CREDIT_LEDGER_PUBLIC_SEARCH_BURST=3, CREDIT_LEDGER_PUBLIC_SEARCH_PER_MINUTE=2
    )
    with TestClient(create_app(lambda: Runtime.open(settings)), raise_server_exceptions=False) as test_client:
        yield test_client


def test_public_search_is_rate_limited_per_client_address_with_retry_after(
    limited_client: TestClient, auth: Auth
) -> None:
    statuses = [limited_client.get("/v1/enterprises", params={"q": "天津"}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = limited_client.get("/v1/enterprises", params={"q": "天津"})
    assert refused.status_code == 429
    assert refused.headers["content-type"] == PROBLEM
    assert 1 <= int(refused.headers["retry-after"]) <= 30  # 2 a minute: one more in at most 30 s
    # Another address has its own allowance, and a token holder is not limited.
    other = TestClient(limited_client.app, client=("203.0.113.9", 50000))
    assert other.get("/v1/enterprises", params={"q": "天津"}).status_code == 200
    assert limited_client.get("/v1/enterprises", params={"q": "天津"}, headers=auth("TJ-LIC")).status_code == 200


def test_a_page_larger_than_the_maximum_is_a_422_naming_the_limit(client: TestClient) -> None:
    response = client.get("/v1/enterprises", params={"q": "天津", "limit": 101})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "limit"
    assert client.get("/v1/enterprises", params={"q": "天津", "limit": 100}).status_code == 200
