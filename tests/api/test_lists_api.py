"""Lists, search and status through HTTP (issue 4)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from projections.view import PUBLIC_KINDS
from tests.builders import food_licence_no, make_uscc, permit_granted, registered

PROBLEM = "application/problem+json"


def _load(client: TestClient, auth: Callable[..., dict[str, str]]) -> list[str]:
    usccs = []
    for n in range(7):
        uscc = make_uscc(700 + n, "120116" if n % 2 else "120111")
        data = {"name": f"天津市海河第{n}食品有限公司", "district_code": "120116" if n % 2 else "120111"}
        sector = "special_food" if n == 3 else "food_production"
        records = [registered(uscc, data=data), permit_granted(uscc, food_licence_no(n), data={"sector": sector})]
        assert client.post("/v1/records", json=records, headers=auth("TJ-LIC")).status_code == 200
        usccs.append(uscc)
    client.app.state.runtime.projector.catch_up()  # type: ignore[attr-defined]
    return sorted(usccs)


def test_list_members_come_in_uscc_order_page_by_page_and_filter_by_sector_and_district(
    client: TestClient, auth
) -> None:
    usccs = _load(client, auth)
    seen, cursor = [], None
    while True:
        params = {"as_of": "2024-01-01", "limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/lists/key-sector", params=params).json()
        seen += [m["uscc"] for m in page["members"]]
        assert all(m["from"] == "2021-03-01" and m["records"] and "KEY-03" in m["rules"] for m in page["members"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == usccs
    special = client.get("/v1/lists/key-sector", params={"as_of": "2024-01-01", "sector": "special_food"}).json()
    assert [m["uscc"] for m in special["members"]] == [make_uscc(703, "120116")]
    binhai = client.get("/v1/lists/key-sector", params={"as_of": "2024-01-01", "district": "120116"}).json()
    assert {m["district_code"] for m in binhai["members"]} == {"120116"} and len(binhai["members"]) == 3
    assert client.get("/v1/lists/key-sector", params={"as_of": "2020-01-01"}).json()["members"] == []


def test_an_unknown_list_or_a_forged_cursor_is_a_problem(client: TestClient) -> None:
    response = client.get("/v1/lists/blacklist")
    assert response.status_code == 404 and response.headers["content-type"] == PROBLEM
    response = client.get("/v1/lists/serious", params={"cursor": "not-a-cursor"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "cursor"


def test_search_finds_by_part_of_a_chinese_name_or_by_uscc_prefix(client: TestClient, auth) -> None:
    usccs = _load(client, auth)
    found = client.get("/v1/enterprises", params={"q": "海河第3"}).json()["results"]
    assert [r["uscc"] for r in found] == [make_uscc(703, "120116")]
    assert found[0]["name"] == "天津市海河第3食品有限公司"
    by_uscc = client.get("/v1/enterprises", params={"q": usccs[0][:16].lower()}).json()["results"]
    assert usccs[0] in [r["uscc"] for r in by_uscc]
    vague = client.get("/v1/enterprises", params={"q": "海"})
    assert vague.status_code == 422 and vague.json()["errors"][0]["rule"] == "GSXT-02"


PUBLIC_VIEW_KEYS = {
    "uscc",
    "as_of",
    "known_at",
    "source",
    "basic",
    "key_sector_tags",
    "administrative_permits",
    "administrative_penalties",
    "inspections",
    "abnormal_list",
    "serious_list",
    "credit_commitments",
    "untrue_commitments",
    "annual_reports",
    "instant_information",
    "typical_cases",
}


def test_the_public_view_never_shows_personal_data_and_unknown_enterprises_are_not_found(
    client: TestClient, auth
) -> None:
    usccs = _load(client, auth)
    for source in ("read-model", "replay"):
        response = client.get(f"/v1/enterprises/{usccs[0]}/public-view", params={"source": source})
        assert response.status_code == 200
        assert "王建国" not in response.text and "legal_representative" not in response.text
        view = response.json()
        # Only the GSXT sections (and what identifies the answer) are public: a new kind of
        # derived item (a risk class, a notify-and-commit block) appears nowhere unless listed.
        assert set(view) == PUBLIC_VIEW_KEYS, set(view) ^ PUBLIC_VIEW_KEYS
        shown = {item["kind"] for key, items in view.items() if isinstance(items, list) for item in items}
        assert shown and shown <= set(PUBLIC_KINDS), shown - set(PUBLIC_KINDS)
        assert "notify_commit_ineligible" not in response.text and "licence_revocation_due" not in response.text
        missing = client.get(f"/v1/enterprises/{make_uscc(799)}/public-view", params={"source": source})
        assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM


def test_status_reports_position_head_and_lag(client: TestClient, auth) -> None:
    _load(client, auth)
    status = client.get("/v1/status").json()["projection"]
    assert status["position"] == status["head"] == 14 and status["lag"] == 0


def test_the_servers_own_runner_brings_the_read_models_up_to_date_without_help(client: TestClient, auth) -> None:
    import time

    uscc = make_uscc(790)
    assert (
        client.post("/v1/records", json=[registered(uscc), permit_granted(uscc)], headers=auth("TJ-LIC")).status_code
        == 200
    )
    deadline = time.monotonic() + 20
    while client.get("/v1/status").json()["projection"]["lag"] and time.monotonic() < deadline:
        time.sleep(0.1)
    status = client.get("/v1/status").json()["projection"]
    assert status["lag"] == 0 and status["running"] and status["error"] is None
    assert uscc in [
        m["uscc"] for m in client.get("/v1/lists/key-sector", params={"as_of": "2024-01-01"}).json()["members"]
    ]


def test_department_activity_counts_the_records_each_department_entered_as_known_at_a_moment(
    client: TestClient, auth
) -> None:
    before = datetime.now(UTC)
    usccs = _load(client, auth)
    client.app.state.runtime.projector.catch_up()  # type: ignore[attr-defined]
    now = client.get("/v1/stats/departments").json()["counts"]
    by_department: dict[str, int] = {}
    for row in now:
        by_department[row["department"]] = by_department.get(row["department"], 0) + row["records"]
    with client.app.state.runtime.server.connect() as conn:  # type: ignore[attr-defined]
        expected = dict(conn.execute("SELECT department, count(*) FROM record_log GROUP BY 1").fetchall())
    assert by_department == expected and sum(expected.values()) >= len(usccs)
    earlier = client.get("/v1/stats/departments", params={"known_at": before.isoformat()}).json()
    assert earlier["counts"] == []
