from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import httpx

from adapters.database import Server
from adapters.tokens import TokenStore
from tests.builders import make_uscc, record, registered
from tests.e2e.conftest import serving

ENTERPRISES = [make_uscc(500 + n) for n in range(10)]


def _client_records(client_no: int) -> list[dict]:
    out = []
    for n in range(1000):
        uscc = ENTERPRISES[n % len(ENTERPRISES)]
        data = {
            "task_id": f"C{client_no}-T{n}",
            "item": "特种设备定期检验",
            "kind": "double_random",
            "result": "compliant",
        }
        out.append(
            record("inspection.concluded", uscc, "2025-04-01", data, department="TJ-SE", record_id=f"C{client_no}-{n}")
        )
    return out


def _post_all(base: str, records: list[dict], token: str) -> list[str]:
    statuses = []
    with httpx.Client(base_url=base, timeout=120, headers={"Authorization": f"Bearer {token}"}) as client:
        for start in range(0, len(records), 50):
            response = client.post("/v1/records", json=records[start : start + 50])
            response.raise_for_status()
            statuses += [r["status"] for r in response.json()["results"]]
    return statuses


def test_eight_concurrent_clients_lose_no_record_and_record_none_twice(live_server: str, tokens: TokenStore) -> None:
    licensing = {"Authorization": f"Bearer {tokens.create('TJ-LIC', 'officer')[1]}"}
    inspectors = tokens.create("TJ-SE", "officer")[1]
    auditor = {"Authorization": f"Bearer {tokens.create('TJ-CREDIT', 'auditor')[1]}"}
    setup = httpx.post(
        f"{live_server}/v1/records", json=[registered(u) for u in ENTERPRISES], timeout=60, headers=licensing
    )
    assert setup.json()["summary"]["recorded"] == 10

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda c: _post_all(live_server, _client_records(c), inspectors), range(8)))
    assert all(statuses == ["recorded"] * 1000 for statuses in results)

    seen: list[str] = []
    for uscc in ENTERPRISES:
        timeline = httpx.get(f"{live_server}/v1/enterprises/{uscc}/timeline", timeout=60, headers=auditor).json()[
            "records"
        ]
        seen += [e["source"]["record_id"] for e in timeline if e["type"] == "inspection.concluded"]
    assert len(seen) == 8000
    assert len(set(seen)) == 8000


def test_the_server_runs_with_several_workers(clean_db: Server) -> None:
    with serving(clean_db, "--workers", "2") as base, httpx.Client(base_url=base, timeout=30) as client:
        answers = [client.get("/v1/ping").json() for _ in range(20)]
        assert answers == [{"pong": True}] * 20
        assert client.get("/healthz").json() == {"status": "ok"}


def test_public_views_asked_concurrently_answer_as_they_do_one_at_a_time(clean_db: Server, tokens: TokenStore) -> None:
    """Each server worker sends the read-model lookups of concurrent public views to PostgreSQL
    in one statement (api.batching): each answer must still be its own request's. (A check of
    correctness under concurrency, not that batches form: tests/unit/test_batching.py.)"""
    licensing = {"Authorization": f"Bearer {tokens.create('TJ-LIC', 'officer')[1]}"}
    with serving(clean_db, "--workers", "2") as base, httpx.Client(base_url=base, timeout=60) as client:
        posted = client.post("/v1/records", json=[registered(u) for u in ENTERPRISES], headers=licensing)
        assert posted.json()["summary"]["recorded"] == len(ENTERPRISES)
        deadline = time.monotonic() + 60
        while client.get("/v1/status").json()["projection"]["lag"] and time.monotonic() < deadline:
            time.sleep(0.2)
        known_at = datetime.now(UTC).isoformat().replace("+00:00", "Z")  # answers echo it: fixed, so comparable
        paths = [
            f"/v1/enterprises/{uscc}/public-view?as_of={day}&known_at={known_at}"
            for uscc in [*ENTERPRISES, make_uscc(599)]
            for day in ("2019-06-01", "2024-06-01")
        ]
        one_at_a_time = {p: (r.status_code, r.text) for p in paths for r in [client.get(p)]}
        assert [status for status, _ in one_at_a_time.values()] == [200] * 2 * len(ENTERPRISES) + [404, 404]
        with ThreadPoolExecutor(max_workers=24) as pool:
            answers = list(pool.map(lambda p: (p, client.get(p)), paths * 10))
    assert all((r.status_code, r.text) == one_at_a_time[p] for p, r in answers)
