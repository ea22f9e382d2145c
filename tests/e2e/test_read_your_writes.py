"""Read your writes (issue 25, part 1): a write answer's `position` given back as `min_position`
makes the read wait for the read model, so the public view of a registration just recorded is
never a 404, with one server worker or two; a read model that cannot get there in time answers
503 with Retry-After and where it is."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient

from adapters.database import Server
from adapters.tokens import TokenStore
from tests.builders import make_uscc, record, registered
from tests.e2e.conftest import serving


def _register_then_read(client: httpx.Client, officer: dict[str, str], uscc: str) -> tuple[int, int, int]:
    posted = client.post("/v1/records", json=registered(uscc), headers=officer)
    assert posted.status_code == 201, posted.text
    position = posted.json()["results"][0]["position"]
    assert posted.json()["summary"]["position"] == position
    view = client.get(f"/v1/enterprises/{uscc}/public-view", params={"min_position": position})
    answered = int(view.headers.get("Ledger-Position", -1)) if view.status_code == 200 else -1
    return view.status_code, position, answered


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_public_view_read_with_the_write_position_finds_the_registration_every_time(
    clean_db: Server, tokens: TokenStore, workers: str
) -> None:
    officer = {"Authorization": f"Bearer {tokens.create('TJ-LIC', 'officer')[1]}"}
    with serving(clean_db, "--workers", workers) as base, httpx.Client(base_url=base, timeout=30) as client:
        outcomes = [_register_then_read(client, officer, make_uscc(7100 + n)) for n in range(100)]
    assert [status for status, _, _ in outcomes] == [200] * 100
    assert all(answered >= position for _, position, answered in outcomes), "each answer read from the write on"
    positions = [position for _, position, _ in outcomes]
    assert positions == sorted(positions) and len(set(positions)) == 100


def test_lists_wait_for_a_listing_and_report_the_position_they_answer_from(
    clean_db: Server, tokens: TokenStore
) -> None:
    licensing = {"Authorization": f"Bearer {tokens.create('TJ-LIC', 'officer')[1]}"}
    registry = {"Authorization": f"Bearer {tokens.create('TJ-REG', 'officer')[1]}"}
    uscc = make_uscc(7300)
    listing = record(
        "abnormal.listed", uscc, "2025-03-03", {"listing_id": "AB-7300", "reason": "unreachable"}, department="TJ-REG"
    )
    with serving(clean_db) as base, httpx.Client(base_url=base, timeout=30) as client:
        assert client.post("/v1/records", json=registered(uscc), headers=licensing).status_code == 201
        posted = client.post("/v1/records", json=[listing], headers=registry).json()
        position = posted["summary"]["position"]
        page = client.get("/v1/lists/abnormal", params={"as_of": "2025-03-04", "min_position": position})
        changes = client.get(
            "/v1/lists/abnormal/changes", params={"from": "2025-03-01", "to": "2025-03-31", "min_position": position}
        )
        unconditional = client.get("/v1/lists/abnormal", params={"as_of": "2025-03-04"})
    assert page.status_code == 200
    assert [m["uscc"] for m in page.json()["members"]] == [uscc]
    assert int(page.headers["Ledger-Position"]) >= position
    assert changes.status_code == 200 and int(changes.headers["Ledger-Position"]) >= position
    assert [c["uscc"] for c in changes.json()["changes"]] == [uscc]
    assert unconditional.status_code == 200 and int(unconditional.headers["Ledger-Position"]) >= position


def test_a_read_model_that_does_not_get_there_in_time_answers_503_with_retry_after_and_its_position(
    clean_db: Server, tokens: TokenStore
) -> None:
    """No projector runs in this server (CREDIT_LEDGER_PROJECTOR=0), so the read model never
    reaches the write: the read waits CREDIT_LEDGER_MIN_POSITION_WAIT, then says so."""
    officer = {"Authorization": f"Bearer {tokens.create('TJ-LIC', 'officer')[1]}"}
    auditor = {"Authorization": f"Bearer {tokens.create('TJ-CREDIT', 'auditor')[1]}"}
    uscc = make_uscc(7400)
    settings = {"CREDIT_LEDGER_PROJECTOR": "0", "CREDIT_LEDGER_MIN_POSITION_WAIT": "0.3"}
    with serving(clean_db, **settings) as base, httpx.Client(base_url=base, timeout=30) as client:
        position = client.post("/v1/records", json=registered(uscc), headers=officer).json()["results"][0]["position"]
        refused = [
            client.get(f"/v1/enterprises/{uscc}/public-view", params={"min_position": position}),
            client.get("/v1/lists/serious", params={"min_position": position}),
            client.get("/v1/stats/departments", params={"min_position": position}),
            client.get("/v1/lists/risk", params={"min_position": position}, headers=auditor),
        ]
        timeline = client.get(f"/v1/enterprises/{uscc}/timeline", headers=auditor)
    for answer in refused:
        assert answer.status_code == 503, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.headers["Retry-After"] == "1"
        body = answer.json()
        assert body["min_position"] == position and body["position"] < position
        assert str(position) in body["detail"]
    # the log itself has the record: the timeline reads it, not a read model
    assert [r["type"] for r in timeline.json()["records"]] == ["enterprise.registered"]


@pytest.mark.parametrize("value", ["-1", "abc", str(2**63), str(2**62)])
def test_a_bad_min_position_is_refused_naming_it(client: TestClient, value: str) -> None:
    uscc = make_uscc(7500)
    answers = [
        client.get(f"/v1/enterprises/{uscc}/public-view", params={"min_position": value}),
        client.get("/v1/lists/abnormal", params={"min_position": value}),
        client.get("/v1/enterprises", params={"q": "天津", "min_position": value}),
    ]
    for answer in answers:
        assert answer.status_code == 422, answer.text
        assert [e["field"] for e in answer.json()["errors"]] == ["min_position"]
        if value == str(2**62):  # well-formed, but past every write: waiting cannot help
            assert "beyond the head of the log" in answer.json()["errors"][0]["reason"]
