"""Random draws through HTTP (issue 20): the public item list as of a date, a draw by an officer of
the inspecting body, the public notice with no class (RISK-02), the bundle for auditors only and
re-runnable, recusals and publication by the body that drew."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from domain import hashrank
from domain.draws import InspectionItem
from tests.api.test_risk_api import effective_run, post, project
from tests.integration.test_draws import ITEM, inspectors
from tests.integration.test_risk_classes import before_the_run

PROBLEM = "application/problem+json"
Auth = Callable[..., dict[str, str]]
DRAW = {"task_id": "TJ-DR-2026-HTTP", "item_id": ITEM["item_id"], "on": "2026-03-02"}


def ready(client: TestClient, auth: Auth, publish: bool = True) -> dict[str, Any]:
    post(client, auth, before_the_run())
    effective_run(client, auth)
    draws = client.app.state.runtime.draws  # type: ignore[attr-defined]
    draws.load_items([InspectionItem.model_validate(ITEM)], "test")
    draws.load_inspectors(inspectors(), "test")
    project(client)
    response = client.post("/v1/draws", json={**DRAW, "publish": publish}, headers=auth("TJ-ENF"))
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_the_item_list_is_public_and_dated(client: TestClient) -> None:
    draws = client.app.state.runtime.draws  # type: ignore[attr-defined]
    draws.load_items([InspectionItem.model_validate(ITEM)], "test")
    before = client.get("/v1/inspection-items", params={"as_of": "2025-12-31"}).json()
    assert [i["item_id"] for i in before["items"]] == ["TJ-DR06-PUBLIC-INFO"]  # DR-06's, built in
    found = client.get("/v1/inspection-items", params={"as_of": "2026-01-01"}).json()
    assert [i["item_id"] for i in found["items"]] == ["TJ-DR06-PUBLIC-INFO", ITEM["item_id"]]
    assert found["items"][1]["ratios"]["D"] == 1


def test_an_officer_of_the_body_draws_and_the_public_notice_shows_no_class(client: TestClient, auth: Auth) -> None:
    notice = ready(client, auth)
    assert notice["step"] == "published" and notice["selected"]
    public = client.get(f"/v1/draws/{DRAW['task_id']}")
    assert public.status_code == 200
    body = public.text
    for word in ('"class"', "stratum", "strata", "score", '"A"', '"D"'):
        assert word not in body
    assert all(s["inspectors"] and len(s["inspectors"]) == 2 for s in public.json()["selected"])


def test_before_publication_the_notice_names_no_inspector(client: TestClient, auth: Auth) -> None:
    notice = ready(client, auth, publish=False)
    assert notice["step"] == "drawn" and all(s["inspectors"] is None for s in notice["selected"])
    published = client.post(f"/v1/draws/{DRAW['task_id']}/publish", headers=auth("TJ-ENF"))
    assert published.status_code == 200 and published.json()["published_on"] is not None


def test_the_bundle_needs_an_auditor_token_and_re_runs(client: TestClient, auth: Auth) -> None:
    ready(client, auth)
    url = f"/v1/draws/{DRAW['task_id']}/bundle"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=auth("TJ-ENF")).status_code == 403
    bundle = client.get(url, headers=auth("TJ-CREDIT", "auditor"))
    assert bundle.status_code == 200
    assert hashrank.verify(bundle.json()).seed == bundle.json()["seed"]


def test_another_body_may_not_draw_the_item(client: TestClient, auth: Auth) -> None:
    ready(client, auth)
    response = client.post("/v1/draws", json={**DRAW, "task_id": "T-OTHER"}, headers=auth("TJ-LIC"))
    assert response.status_code == 403 and response.headers["content-type"].startswith(PROBLEM)
    assert "DR-01" in response.text


def test_a_bad_date_or_unknown_task_is_a_problem_not_a_500(client: TestClient, auth: Auth) -> None:
    ready(client, auth)
    bad = client.post("/v1/draws", json={**DRAW, "on": "2026-02-30"}, headers=auth("TJ-ENF"))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "on"
    assert client.get("/v1/draws/NO-SUCH-TASK").status_code == 404


def test_a_recusal_over_http_redraws_and_is_logged_in_the_bundle(client: TestClient, auth: Auth) -> None:
    ready(client, auth)
    bundle = client.get(f"/v1/draws/{DRAW['task_id']}/bundle", headers=auth("TJ-CREDIT", "auditor")).json()
    first = bundle["selected"][0]
    body = {"inspector": first["inspectors"][0], "uscc": first["uscc"], "reason": "曾任该企业顾问"}
    response = client.post(f"/v1/draws/{DRAW['task_id']}/recusals", json=body, headers=auth("TJ-ENF"))
    assert response.status_code == 200, response.text
    after = client.get(f"/v1/draws/{DRAW['task_id']}/bundle", headers=auth("TJ-CREDIT", "auditor")).json()
    assert after["redraws"] == [response.json()]
    assert hashrank.verify(after).as_json() == after["selected"]


def test_a_key_supervision_list_is_internal_and_read_by_risk_readers(client: TestClient, auth: Auth) -> None:
    from tests.integration.test_key_supervision import PLAN

    client.app.state.runtime.key_supervision.load([PLAN], "test")  # type: ignore[attr-defined]
    url = f"/v1/key-supervision/plans/{PLAN.plan_id}/enterprises"
    assert client.get(url, params={"as_of": "2026-03-02"}).status_code == 401
    assert client.get(url, headers=auth("TJ-ENF")).status_code == 403
    found = client.get(url, params={"as_of": "2026-03-02"}, headers=auth("TJ-CREDIT", "auditor"))
    assert found.status_code == 200, found.text
    assert [e["reasons"][0]["criterion"] for e in found.json()["enterprises"]] == ["named"]
    plans = client.get("/v1/key-supervision/plans", params={"as_of": "2026-03-02"}, headers=auth("TJ-FOOD"))
    assert [p["plan_id"] for p in plans.json()["plans"]] == [PLAN.plan_id]
    missing = client.get("/v1/key-supervision/plans/NOPE/enterprises", headers=auth("TJ-CREDIT", "auditor"))
    assert missing.status_code == 404


def test_with_another_party_the_draw_waits_for_its_secret_which_must_match_its_commitment(
    client: TestClient, auth: Auth
) -> None:
    post(client, auth, before_the_run())
    effective_run(client, auth)
    draws = client.app.state.runtime.draws  # type: ignore[attr-defined]
    draws.load_items([InspectionItem.model_validate(ITEM)], "test")
    draws.load_inspectors(inspectors(), "test")
    project(client)
    notary = "ab" * 32
    body = {**DRAW, "parties": [{"name": "天津市公证处", "commit": hashrank.commit(notary)}]}
    waiting = client.post("/v1/draws", json=body, headers=auth("TJ-ENF"))
    assert waiting.status_code == 200, waiting.text
    assert waiting.json()["step"] == "inputs_committed" and waiting.json()["selected"] == []
    wrong = client.post(
        f"/v1/draws/{DRAW['task_id']}/secrets", json={"party": 1, "secret": "cd" * 32}, headers=auth("TJ-ENF")
    )
    assert wrong.status_code == 422 and "DR-08" in wrong.text
    done = client.post(
        f"/v1/draws/{DRAW['task_id']}/secrets", json={"party": 1, "secret": notary}, headers=auth("TJ-ENF")
    )
    assert done.status_code == 200, done.text
    assert done.json()["step"] == "published" and done.json()["selected"]
    bundle = client.get(f"/v1/draws/{DRAW['task_id']}/bundle", headers=auth("TJ-CREDIT", "auditor")).json()
    assert bundle["inputs"]["parties"] == ["credit-ledger", "天津市公证处"] and bundle["secrets"][1] == notary
    assert hashrank.verify(bundle).as_json() == bundle["selected"]
