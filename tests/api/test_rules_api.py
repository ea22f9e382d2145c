from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from api.bootstrap import Runtime
from tests.builders import make_uscc, penalty_decided, record, registered
from tests.conftest import officer

USCC = make_uscc(41)
Auth = Callable[..., dict[str, str]]


def test_the_rule_catalogue_lists_ids_sources_and_versions(client: TestClient) -> None:
    rules = {r["id"]: r for r in client.get("/v1/rules").json()["rules"]}
    assert {"PEN-09", "PEN-11", "SDL-30", "AOL-20", "KEY-03", "TIME-01"} <= set(rules)
    before_2021, pen09 = rules["PEN-09"]["versions"]
    assert pen09["source"] == "S-45 Art 13" and pen09["provisional"] is False
    assert pen09["params"] == {"short": "3 M", "long": "3 Y"}
    assert before_2021["valid_until"] == "2021-09-01" and before_2021["provisional"] is True  # Order 71
    transfer_2014, transfer_2024 = rules["AOL-20"]["versions"]
    assert transfer_2014["valid_until"] == "2024-05-01" and transfer_2024["valid_from"] == "2024-05-01"


def test_adding_working_days_skips_the_spring_festival_and_counts_the_make_up_sunday(client: TestClient) -> None:
    body = client.get("/v1/calendar/add-working-days", params={"start": "2024-02-09", "days": 1}).json()
    assert body == {"start": "2024-02-09", "days": 1, "date": "2024-02-18", "provisional": False}


def test_a_year_without_an_official_schedule_gives_a_provisional_answer(client: TestClient) -> None:
    body = client.get("/v1/calendar/add-working-days", params={"start": "2027-09-30", "days": 1}).json()
    assert body["date"] == "2027-10-01" and body["provisional"] is True


def test_loading_the_years_schedule_makes_the_answer_firm(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from psycopg.conninfo import conninfo_to_dict

    from adapters.database import Server
    from api.main import create_app
    from tests.e2e.conftest import run_cli

    schedule = {
        "year": 2027,
        "holidays": [f"2027-10-0{d}" for d in range(1, 8)],
        "make_up_working_days": ["2027-09-26", "2027-10-09"],
        "source": "test schedule (not the official text)",
    }
    file = tmp_path / "2027.json"
    file.write_text(json.dumps(schedule))
    server = Server(conninfo_to_dict(settings.database_url))
    result = run_cli(server, "calendar", "load", str(file))
    assert result.returncode == 0, result.stderr

    with TestClient(create_app(lambda: Runtime.open(settings))) as client:
        body = client.get("/v1/calendar/add-working-days", params={"start": "2027-09-30", "days": 1}).json()
    assert body == {"start": "2027-09-30", "days": 1, "date": "2027-10-08", "provisional": False}


def test_a_bad_calendar_question_is_a_422_naming_the_parameter(client: TestClient) -> None:
    response = client.get("/v1/calendar/add-working-days", params={"start": "2024-02-30", "days": -1})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"start", "days"}


def test_repair_eligibility_names_the_earliest_date_for_a_food_penalty(
    client: TestClient, runtime: Runtime, auth: Auth
) -> None:
    penalty = penalty_decided(
        USCC, data={"fine_yuan": "200000.00", "sector": "food_production", "published_on": "2024-03-10"}
    )
    runtime.intake.submit([registered(USCC)], author=officer("TJ-LIC"))
    runtime.intake.submit([penalty], author=officer("TJ-ENF"))
    decision_no = penalty["data"]["decision_no"]
    params = {"target_kind": "penalty", "target_ref": decision_no, "on": "2024-09-10"}
    body = client.get(
        f"/v1/enterprises/{USCC}/repair-eligibility", params=params, headers=auth("TJ-CREDIT", "auditor")
    ).json()
    assert body["may_apply"] is False
    assert body["earliest_on"] == "2025-03-11"
    assert [c["rule"] for c in body["unmet"]] == ["PEN-11"]

    later = client.get(
        f"/v1/enterprises/{USCC}/repair-eligibility",
        params={**params, "on": "2025-03-11"},
        headers=auth("TJ-CREDIT", "auditor"),
    ).json()
    assert later["may_apply"] is True and later["unmet"] == []


def test_a_suspension_can_never_be_repaired(client: TestClient, runtime: Runtime, auth: Auth) -> None:
    penalty = penalty_decided(USCC, data={"penalty_kinds": ["suspension"], "fine_yuan": None})
    runtime.intake.submit([registered(USCC)], author=officer("TJ-LIC"))
    runtime.intake.submit([penalty], author=officer("TJ-ENF"))
    params = {"target_kind": "penalty", "target_ref": penalty["data"]["decision_no"], "on": "2026-01-01"}
    body = client.get(
        f"/v1/enterprises/{USCC}/repair-eligibility", params=params, headers=auth("TJ-CREDIT", "auditor")
    ).json()
    assert body["may_apply"] is False and body["earliest_on"] is None
    assert body["unmet"][0]["rule"] == "PEN-12" and body["unmet"][0]["never"] is True


def test_an_early_repair_application_is_refused_at_intake_with_rule_and_date(runtime: Runtime) -> None:
    penalty = penalty_decided(
        USCC, data={"fine_yuan": "200000.00", "sector": "food_production", "published_on": "2024-03-10"}
    )
    runtime.intake.submit([registered(USCC)], author=officer("TJ-LIC"))
    runtime.intake.submit([penalty], author=officer("TJ-ENF"))
    application = record(
        "repair.applied",
        USCC,
        "2024-09-10",
        {"application_id": "A-1", "target_kind": "penalty", "target_ref": penalty["data"]["decision_no"]},
        department="TJ-ENF",
    )
    [outcome] = runtime.intake.submit([application], author=officer("TJ-ENF"))
    assert outcome.status == "rejected"
    problem = outcome.errors[0]
    assert problem.rule == "PEN-11" and problem.earliest_on is not None
    assert problem.earliest_on.isoformat() == "2025-03-11"


def test_a_penalty_entered_late_shows_a_missed_publication_deadline(
    client: TestClient, runtime: Runtime, auth: Auth
) -> None:
    runtime.intake.submit([registered(USCC)], author=officer("TJ-LIC"))
    runtime.intake.submit([penalty_decided(USCC, effective_on="2024-03-01")], author=officer("TJ-ENF"))
    body = client.get(
        f"/v1/enterprises/{USCC}/deadlines", params={"as_of": "2026-11-25"}, headers=auth("TJ-ENF")
    ).json()
    missed = [d for d in body["deadlines"] if d["status"] == "missed"]
    assert any(d["rule"] == "PEN-05" for d in missed)
    assert all(d["due"] < "2026-11-25" for d in missed)


def test_an_administrator_can_set_the_fine_threshold_from_a_date(settings, runtime: Runtime, auth: Auth) -> None:  # type: ignore[no-untyped-def]
    from psycopg.conninfo import conninfo_to_dict

    from adapters.database import Server
    from api.main import create_app
    from tests.e2e.conftest import run_cli

    penalty = penalty_decided(USCC, data={"fine_yuan": "20000.00", "published_on": "2024-03-10"})
    runtime.intake.submit([registered(USCC)], author=officer("TJ-LIC"))
    runtime.intake.submit([penalty], author=officer("TJ-ENF"))
    params = {"target_kind": "penalty", "target_ref": penalty["data"]["decision_no"], "on": "2024-04-01"}
    url = f"/v1/enterprises/{USCC}/repair-eligibility"
    with TestClient(create_app(lambda: Runtime.open(settings))) as client:
        unset = client.get(url, params=params, headers=auth("TJ-CREDIT", "auditor")).json()
    assert [c["rule"] for c in unset["unmet"]] == ["PEN-11"]  # no threshold set: a 3-year penalty, wait 6 M

    server = Server(conninfo_to_dict(settings.database_url))
    bad = run_cli(
        server, "reference", "set", "lower_fine_threshold_organisation", "lots", "--from", "2021-09-01", "--source", "x"
    )
    assert bad.returncode == 2 and "amount in yuan" in bad.stderr
    result = run_cli(
        server,
        "reference",
        "set",
        "lower_fine_threshold_organisation",
        "50000",
        "--from",
        "2021-09-01",
        "--source",
        "TJ notice (test)",
    )
    assert result.returncode == 0, result.stderr
    with TestClient(create_app(lambda: Runtime.open(settings))) as client:
        body = client.get(url, params=params, headers=auth("TJ-CREDIT", "auditor")).json()
        catalogue = {r["id"]: r for r in client.get("/v1/rules").json()["rules"]}
    assert [c["rule"] for c in body["unmet"]] == ["PEN-12"]  # 20,000 < 50,000: 3 M, no early stop
    assert "50000" in json.dumps(catalogue["PEN-10"])


def test_the_public_cannot_read_an_enterprises_repair_eligibility_or_deadlines(
    client: TestClient, runtime: Runtime, auth: Auth
) -> None:
    runtime.intake.submit([registered(USCC)], author=officer("TJ-LIC"))
    params = {"target_kind": "penalty", "target_ref": "X"}
    for path in ("repair-eligibility", "deadlines"):
        response = client.get(f"/v1/enterprises/{USCC}/{path}", params=params)
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        stranger = client.get(f"/v1/enterprises/{USCC}/{path}", params=params, headers=auth("TJ-D120101"))
        assert stranger.status_code == 403
