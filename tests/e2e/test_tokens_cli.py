"""Tokens from the command line, as an operator uses them, against a real server process."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from adapters.database import Server
from tests.builders import make_uscc, penalty_decided, registered
from tests.e2e.conftest import _free_port, cli_env, run_cli

USCC = make_uscc(81)


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_a_token_is_created_listed_and_revoked_from_the_command_line(clean_db: Server, client: TestClient) -> None:
    created = run_cli(clean_db, "tokens", "create", "--department", "TJ-LIC", "--role", "officer", "--label", "张科员")
    assert created.returncode == 0, created.stderr
    secret = created.stdout.strip()
    assert secret.startswith("tjcl_") and len(secret) > 50
    token_id = secret.split("_")[1]
    assert token_id in created.stderr and secret not in created.stderr

    listed = run_cli(clean_db, "tokens", "list")
    assert (
        token_id in listed.stdout
        and "TJ-LIC" in listed.stdout
        and "officer" in listed.stdout
        and "张科员" in listed.stdout
    )
    assert secret not in listed.stdout + listed.stderr

    assert client.post("/v1/records", json=registered(USCC), headers=_bearer(secret)).status_code == 201
    revoked = run_cli(clean_db, "tokens", "revoke", token_id)
    assert revoked.returncode == 0 and token_id in revoked.stdout
    response = client.post("/v1/records", json=registered(make_uscc(82)), headers=_bearer(secret))
    assert response.status_code == 401
    assert token_id not in run_cli(clean_db, "tokens", "list").stdout
    assert "revoked" in run_cli(clean_db, "tokens", "list", "--all").stdout


def test_a_bad_role_or_unknown_token_id_is_a_clear_error(clean_db: Server) -> None:
    bad_role = run_cli(clean_db, "tokens", "create", "--department", "TJ-LIC", "--role", "superuser")
    assert bad_role.returncode == 2 and "officer, reviewer, auditor or admin" in bad_role.stderr
    assert run_cli(clean_db, "tokens", "revoke", "0123456789abcdef").returncode == 1


def test_an_import_records_only_lines_of_the_department_given(
    clean_db: Server, tmp_path: Path, client: TestClient
) -> None:
    lines = [
        registered(USCC, department="TJ-LIC"),
        registered(make_uscc(82), department="TJ-ENF"),
        penalty_decided(USCC),
    ]
    file = tmp_path / "mixed.jsonl"
    file.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n", encoding="utf-8")
    result = run_cli(clean_db, "import", str(file), "--department", "TJ-LIC", "--operator", "批量导入")
    assert result.returncode == 0, result.stderr
    assert "recorded=1 duplicate=0 rejected=2" in result.stdout
    report = [json.loads(line) for line in (tmp_path / "mixed.jsonl.report.jsonl").read_text().splitlines()]
    assert [(r["line"], r["errors"][0]["rule"]) for r in report] == [(2, "AUTH-01"), (3, "AUTH-01")]

    auditor = run_cli(clean_db, "tokens", "create", "--department", "TJ-CREDIT", "--role", "auditor").stdout.strip()
    [entry] = client.get(f"/v1/enterprises/{USCC}/timeline", headers=_bearer(auditor)).json()["records"]
    assert entry["source"] == {
        "department": "TJ-LIC",
        "record_id": lines[0]["source"]["record_id"],
        "operator": "批量导入",
    }


def test_the_demo_prints_working_tokens_for_its_departments(clean_db: Server, client: TestClient) -> None:
    first = run_cli(clean_db, "demo")
    assert first.returncode == 0, first.stderr
    tokens = {}
    for line in first.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2].startswith("tjcl_"):
            tokens[(parts[0], parts[1])] = parts[2]
    assert ("TJ-ENF", "officer") in tokens and ("TJ-ENF", "reviewer") in tokens and ("TJ-CREDIT", "auditor") in tokens
    demo_uscc = json.loads(
        (Path(__file__).parents[2] / "demo" / "tianjin-demo.jsonl").open(encoding="utf-8").readline()
    )["uscc"]
    assert (
        client.get(
            f"/v1/enterprises/{demo_uscc}/timeline", headers=_bearer(tokens[("TJ-CREDIT", "auditor")])
        ).status_code
        == 200
    )
    record = registered(USCC, department="TJ-ENF")
    assert client.post("/v1/records", json=record, headers=_bearer(tokens[("TJ-ENF", "officer")])).status_code == 201

    # Secrets are shown once: a second run revokes the first run's demo tokens and prints new ones.
    second = run_cli(clean_db, "demo")
    assert second.returncode == 0, second.stderr
    old = client.post(
        "/v1/records",
        json=registered(make_uscc(82), department="TJ-ENF"),
        headers=_bearer(tokens[("TJ-ENF", "officer")]),
    )
    assert old.status_code == 401


def test_the_first_start_says_how_to_create_an_admin_token_and_the_server_never_logs_a_secret(clean_db: Server) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
        env=cli_env(clean_db),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        secret = run_cli(clean_db, "tokens", "create", "--department", "TJ-LIC", "--role", "officer").stdout.strip()
        assert (
            httpx.post(f"{base}/v1/records", json=registered(USCC), headers=_bearer(secret), timeout=30).status_code
            == 201
        )
        assert (
            httpx.get(f"{base}/v1/enterprises/{USCC}/timeline", headers=_bearer(secret), timeout=30).status_code == 200
        )
        foreign = registered(make_uscc(82), department="TJ-ENF")
        assert httpx.post(f"{base}/v1/records", json=foreign, headers=_bearer(secret), timeout=30).status_code == 403
        assert (
            httpx.get(
                f"{base}/v1/enterprises/{USCC}", headers={"Authorization": f"Basic {secret}"}, timeout=30
            ).status_code
            == 401
        )
        run_cli(clean_db, "tokens", "revoke", secret.split("_")[1])
        assert httpx.post(f"{base}/v1/records", json=foreign, headers=_bearer(secret), timeout=30).status_code == 401
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert "no admin token yet" in output and "tokens create --department" in output and "--role admin" in output
    assert "POST /v1/records" in output  # the access log was captured
    assert secret not in output and secret.split("_", 2)[2] not in output  # tjcl_<id>_<random, may hold "_">
