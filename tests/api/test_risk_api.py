"""Risk classes through HTTP (issue 19): who sees them, runs, the explained class as of a date,
the list of a class, and RISK-02: no public endpoint ever mentions a class."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.integration.test_risk_classes import (
    CLEAN,
    LISTED,
    PENALISED,
    UNTRUE,
    before_the_run,
    the_listing,
)

PROBLEM = "application/problem+json"
Auth = Callable[..., dict[str, str]]


def post(client: TestClient, auth: Auth, records: list[dict[str, Any]]) -> None:
    for r in records:
        response = client.post("/v1/records", json=r, headers=auth(r["source"]["department"]))
        assert response.status_code in (200, 201), response.text


def project(client: TestClient) -> None:
    client.app.state.runtime.projector.catch_up()  # type: ignore[attr-defined]


def effective_run(client: TestClient, auth: Auth, on: str = "2026-01-01") -> dict[str, Any]:
    response = client.post("/v1/risk/runs", json={"kind": "effective", "on": on}, headers=auth("TJ-CREDIT", "admin"))
    assert response.status_code == 200, response.text
    project(client)
    return dict(response.json())


def loaded(client: TestClient, auth: Auth) -> dict[str, Any]:
    post(client, auth, before_the_run())
    run = effective_run(client, auth)
    post(client, auth, the_listing())
    project(client)
    return run


def test_auditors_and_officers_of_the_credit_and_sector_divisions_read_classes_and_no_one_else(
    client: TestClient, auth: Auth
) -> None:
    loaded(client, auth)
    url = f"/v1/enterprises/{PENALISED}/risk"
    assert client.get(url).status_code == 401
    for department, role in [
        ("TJ-CREDIT", "auditor"),
        ("TJ-ENF", "auditor"),
        ("TJ-CREDIT", "officer"),
        ("TJ-SE", "officer"),
    ]:
        assert client.get(url, headers=auth(department, role)).status_code == 200, (department, role)
    for department, role in [("TJ-ENF", "officer"), ("TJ-D120116", "officer"), ("TJ-CREDIT", "admin")]:
        response = client.get(url, headers=auth(department, role))
        assert response.status_code == 403 and "RISK-02" in response.json()["detail"], (department, role)
    assert client.get("/v1/lists/risk", headers=auth("TJ-ENF")).status_code == 403
    assert client.get("/v1/lists/risk").status_code == 401


def test_only_an_admin_of_the_credit_division_runs_a_classification(client: TestClient, auth: Auth) -> None:
    post(client, auth, before_the_run())
    body = {"kind": "trial", "on": "2026-01-01"}
    assert client.post("/v1/risk/runs", json=body).status_code == 401
    assert client.post("/v1/risk/runs", json=body, headers=auth("TJ-CREDIT", "officer")).status_code == 403
    assert client.post("/v1/risk/runs", json=body, headers=auth("TJ-ENF", "admin")).status_code == 403
    bad = client.post("/v1/risk/runs", json={"kind": "trial", "on": "2026-13-01"}, headers=auth("TJ-CREDIT", "admin"))
    assert bad.status_code == 422 and bad.headers["content-type"] == PROBLEM
    early = client.post("/v1/risk/runs", json={"kind": "trial", "on": "2020-01-01"}, headers=auth("TJ-CREDIT", "admin"))
    assert early.status_code == 422 and "RISK-08" in early.text  # no model in force before 2021-10-31
    trial = client.post("/v1/risk/runs", json=body, headers=auth("TJ-CREDIT", "admin"))
    assert trial.status_code == 200 and trial.json()["kind"] == "trial"
    shown = client.get(f"/v1/risk/runs/{trial.json()['run_id']}", headers=auth("TJ-CREDIT", "admin")).json()
    assert shown["by_class"] == trial.json()["by_class"] and shown["kind"] == "trial"


def test_a_run_shows_its_kind_date_model_and_counts_per_class_and_sector(client: TestClient, auth: Auth) -> None:
    run = effective_run(client, auth) if post(client, auth, before_the_run()) is None else {}
    shown = client.get(f"/v1/risk/runs/{run['run_id']}", headers=auth("TJ-CREDIT", "auditor"))
    assert shown.status_code == 200
    body = shown.json()
    assert (body["kind"], body["on"], body["model_version"]) == ("effective", "2026-01-01", "tj-2021.1-provisional")
    assert body["by_class"] == {"A": 2, "B": 1, "C": 1, "D": 0}
    assert body["by_sector"] == {"food_production": {"A": 2, "B": 1, "C": 1}}
    assert client.get("/v1/risk/runs/not-a-run", headers=auth("TJ-CREDIT", "auditor")).status_code == 422
    missing = "00000000-0000-0000-0000-000000000000"
    assert client.get(f"/v1/risk/runs/{missing}", headers=auth("TJ-CREDIT", "auditor")).status_code == 404
    models = client.get("/v1/risk/models", headers=auth("TJ-CREDIT", "admin")).json()["models"]
    assert [m["version"] for m in models] == ["tj-2021.1-provisional"] and models[0]["provisional"]


def test_the_class_is_explained_contributions_add_up_and_name_records_of_the_timeline(
    client: TestClient, auth: Auth
) -> None:
    run = loaded(client, auth)
    auditor = auth("TJ-CREDIT", "auditor")
    for uscc, expected in [(CLEAN, "A"), (PENALISED, "B"), (UNTRUE, "C")]:
        answer = client.get(f"/v1/enterprises/{uscc}/risk", params={"as_of": "2026-02-01"}, headers=auditor).json()
        assert answer["class"] == expected and answer["run_id"] == run["run_id"] and answer["basis"] == "run"
        assert sum(c["points"] for c in answer["contributions"]) == answer["score"]
        timeline = client.get(f"/v1/enterprises/{uscc}/timeline", headers=auditor).json()["records"]
        keys = {(r["source"]["department"], r["source"]["record_id"]) for r in timeline}
        named = {(k["department"], k["record_id"]) for c in answer["contributions"] for k in c["records"]}
        assert named <= keys and (named or expected == "A")
    listed = client.get(f"/v1/enterprises/{LISTED}/risk", params={"as_of": "2026-03-02"}, headers=auditor).json()
    assert listed["class"] == "D" and listed["basis"] == "special_case" and listed["cause"]["kind"] == "serious_listed"
    assert [o["kind"] for o in listed["overrides"]] == ["serious_list"] and listed["overrides"][0]["to_class"] == "D"
    early = client.get(f"/v1/enterprises/{CLEAN}/risk", params={"as_of": "2025-12-31"}, headers=auditor)
    assert early.status_code == 404 and early.headers["content-type"] == PROBLEM and "RISK-06" in early.json()["detail"]


def test_the_risk_list_pages_a_class_by_cursor_and_filters_by_sector_and_district(
    client: TestClient, auth: Auth
) -> None:
    loaded(client, auth)
    officer = auth("TJ-CREDIT")
    seen, cursor = [], None
    while True:
        params = {"as_of": "2026-06-01", "limit": 1, **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/lists/risk", params=params, headers=officer).json()
        seen += [(m["uscc"], m["class"]) for m in page["members"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == sorted([(CLEAN, "A"), (PENALISED, "B"), (UNTRUE, "C"), (LISTED, "D")])
    d_class = client.get("/v1/lists/risk", params={"as_of": "2026-06-01", "class": "D"}, headers=officer).json()
    assert [(m["uscc"], m["basis"]) for m in d_class["members"]] == [(LISTED, "special_case")]
    before = client.get("/v1/lists/risk", params={"as_of": "2026-03-01", "class": "D"}, headers=officer).json()
    assert before["members"] == []
    general = client.get("/v1/lists/risk", params={"as_of": "2026-06-01", "sector": "general"}, headers=officer).json()
    assert general["members"] == []
    elsewhere = client.get("/v1/lists/risk", params={"as_of": "2026-06-01", "district": "120101"}, headers=officer)
    assert elsewhere.json()["members"] == []
    bad = client.get("/v1/lists/risk", params={"cursor": "forged"}, headers=officer)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "cursor"
    assert client.get("/v1/lists/risk", params={"class": "E"}, headers=officer).status_code == 422


def _public_gets(client: TestClient, uscc: str) -> list[str]:
    """Every GET of the OpenAPI document that answers the public, with the enterprise filled in."""
    paths = client.get("/openapi.json").json()["paths"]
    urls = []
    for path, operations in paths.items():
        if "get" not in operations:
            continue
        for list_name in ("key-sector", "abnormal", "serious", "exposure") if "{list_name}" in path else (None,):
            url = path.replace("{uscc}", uscc)
            if list_name:
                url = url.replace("{list_name}", list_name)
            if "{" not in url:
                urls.append(url)
    return urls


def test_risk_02_no_public_endpoint_mentions_the_class_of_an_enterprise_that_has_one(
    client: TestClient, auth: Auth
) -> None:
    run = loaded(client, auth)
    auditor = auth("TJ-CREDIT", "auditor")
    assert client.get(f"/v1/enterprises/{LISTED}/risk", headers=auditor).json()["class"] == "D"
    params = {
        "as_of": "2026-06-01",
        "q": "海河",
        "from": "2025-01-01",
        "to": "2026-12-31",
        "start": "2026-01-05",
        "days": 3,
    }
    answered = 0
    for url in _public_gets(client, LISTED):
        response = client.get(url, params=params)
        if response.status_code in (401, 403):
            continue  # not public
        text = response.text
        assert run["run_id"] not in text and run["model_version"] not in text, url
        if LISTED in text:  # an answer about the enterprise: nothing of its class
            answered += 1
            assert not re.search(r"risk|\"class\"|\"score\"|风险", text, re.IGNORECASE), url
    assert answered >= 5  # its public view, its registration, the serious list and its changes, search
    search = client.get("/v1/enterprises", params={"q": LISTED[:10]}).json()
    assert "risk" not in json.dumps(search).lower()
