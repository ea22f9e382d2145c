"""The auditor's tools, as an auditor runs them: `credit-ledger verify --database`, `audit bundle`
and `verify DIR` fail on each kind of tampering, name the row and the kind, and exit 1; an
untouched ledger verifies with exit 0; a rebuild refuses a tampered log; a witness refuses a
checkpoint of another key or one that does not extend what it saw."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from adapters.config import Settings
from adapters.database import Server
from api.bootstrap import Runtime
from bench.generate import generate
from domain.signed_note import SignerKey
from tests.e2e.conftest import cli_env, run_cli, serving
from tests.integration.test_projection_parity import submit_in_steps


@pytest.fixture
def ledger(clean_db: Server) -> Iterator[Server]:
    """About a hundred records of a dozen enterprises, all under signed checkpoints."""
    runtime = Runtime.open(Settings(DATABASE_URL=clean_db.conninfo))
    try:
        submit_in_steps(runtime, [list(generate(12, 21, profile="demo"))])
        runtime.checkpointer.step(now=True)
    finally:
        runtime.close()
    yield clean_db


def key_of(server: Server) -> str:
    result = run_cli(server, "audit", "key")
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def row(conn: psycopg.Connection[Any], offset: int) -> tuple[int, str, str]:
    found = conn.execute(
        "SELECT notification_id, uscc, department || '/' || record_id FROM record_log ORDER BY 1 OFFSET %s LIMIT 1",
        (offset,),
    ).fetchone()
    assert found is not None
    return found[0], found[1], found[2]


def edit_bytes(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    nid, uscc, record = row(conn, 10)
    conn.execute("UPDATE ledger_events SET state = state || '\\x20'::bytea WHERE notification_id = %s", (nid,))
    return {"kind": "edited", "notification_id": nid, "uscc": uscc, "record": record}


def delete_row(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    nid, uscc, record = row(conn, 20)
    conn.execute("DELETE FROM ledger_events WHERE notification_id = %s", (nid,))
    return {"kind": "deleted", "notification_id": nid, "uscc": uscc, "record": record}


def insert_row(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    nid, _, _ = row(conn, 5)
    inserted = conn.execute(
        "INSERT INTO ledger_events (originator_id, originator_version, topic, state) "
        "SELECT originator_id, originator_version + 1000, topic, state FROM ledger_events WHERE notification_id = %s "
        "RETURNING notification_id, originator_id",
        (nid,),
    ).fetchone()
    assert inserted is not None
    return {"kind": "inserted", "notification_id": inserted[0], "enterprise_id": str(inserted[1])}


def swap_ids(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    (a, uscc, record), (b, _, _) = row(conn, 7), row(conn, 30)
    conn.execute(
        "UPDATE ledger_events SET notification_id = -notification_id WHERE notification_id IN (%s, %s)", (a, b)
    )
    conn.execute(
        "UPDATE ledger_events SET notification_id = CASE notification_id WHEN %s THEN %s ELSE %s END "
        "WHERE notification_id IN (%s, %s)",
        (-a, b, a, -a, -b),
    )
    # the event recorded at b now sits at a: named where it is stored, with where it was recorded
    moved = conn.execute("SELECT r.uscc, r.department || '/' || r.record_id FROM record_log r WHERE notification_id = %s", (b,)).fetchone()  # fmt: skip
    assert moved is not None and moved[0] and uscc and record
    return {"kind": "re-ordered", "notification_id": a, "recorded_at_notification_id": b, "uscc": moved[0], "record": moved[1]}  # fmt: skip


def change_record_log(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    nid, uscc, record = row(conn, 40)
    conn.execute(
        "UPDATE record_log SET recorded_at = recorded_at - interval '1 day' WHERE notification_id = %s", (nid,)
    )
    return {"kind": "edited", "notification_id": nid, "uscc": uscc, "record": record}


TAMPERING: dict[str, Callable[[psycopg.Connection[Any]], dict[str, Any]]] = {
    "one event's stored bytes edited": edit_bytes,
    "one row deleted": delete_row,
    "one row inserted": insert_row,
    "two rows' ids swapped": swap_ids,
    "one record_log row changed": change_record_log,
}


def failed_line(result: subprocess.CompletedProcess[str]) -> dict[str, str]:
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    line = next(line for line in result.stdout.splitlines() if line.startswith("FAILED "))
    return dict(part.split("=", 1) for part in line.removeprefix("FAILED ").split(" "))


@pytest.mark.parametrize("tamper", list(TAMPERING.values()), ids=list(TAMPERING))
def test_verify_names_the_changed_row_and_the_kind_and_exits_1_on_the_database_and_offline(
    ledger: Server, tmp_path: Path, tamper: Callable[[psycopg.Connection[Any]], dict[str, Any]]
) -> None:
    key = key_of(ledger)
    with ledger.connect() as conn:
        expected = {k: str(v) for k, v in tamper(conn).items()}
        conn.commit()
    online = failed_line(run_cli(ledger, "verify", "--database"))
    assert {k: online.get(k) for k in expected} == expected

    bundled = run_cli(ledger, "audit", "bundle", "--out", str(tmp_path / "bundle"))
    assert bundled.returncode == 0, bundled.stderr
    offline = failed_line(run_cli(ledger, "verify", str(tmp_path / "bundle"), "--key", key))
    assert {k: offline.get(k) for k in expected} == expected


def test_an_untouched_ledger_verifies_with_exit_0_online_and_offline(ledger: Server, tmp_path: Path) -> None:
    online = run_cli(ledger, "verify", "--database")
    assert online.returncode == 0, online.stdout + online.stderr
    assert online.stdout.startswith("OK ") and "unsigned=0" in online.stdout
    assert run_cli(ledger, "audit", "bundle", "--out", str(tmp_path / "b")).returncode == 0
    offline = run_cli(ledger, "verify", str(tmp_path / "b"), "--key", key_of(ledger))
    assert offline.returncode == 0 and offline.stdout == online.stdout, offline.stdout + offline.stderr


def test_a_bundle_edited_after_it_was_written_fails_offline(ledger: Server, tmp_path: Path) -> None:
    assert run_cli(ledger, "audit", "bundle", "--out", str(tmp_path / "b")).returncode == 0
    log = tmp_path / "b" / "log.jsonl"
    lines = log.read_text(encoding="utf-8").splitlines()
    entry = json.loads(lines[3])
    entry["record"]["department"] = "TJ-FORGED"
    lines[3] = json.dumps(entry, ensure_ascii=False)
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    failed = failed_line(run_cli(ledger, "verify", str(tmp_path / "b")))
    assert (failed["kind"], failed["notification_id"]) == ("edited", str(entry["notification_id"]))


def test_a_bundle_from_a_checkpoint_on_verifies_the_rest_of_the_log(ledger: Server, tmp_path: Path) -> None:
    with ledger.connect() as conn:
        size = conn.execute("SELECT max(tree_size) FROM audit_checkpoints").fetchone()[0]  # type: ignore[index]
    runtime = Runtime.open(Settings(DATABASE_URL=ledger.conninfo))
    try:
        submit_in_steps(runtime, [list(generate(3, 77, profile="demo"))])
    finally:
        runtime.close()
    assert run_cli(ledger, "audit", "bundle", "--out", str(tmp_path / "b"), "--from", str(size)).returncode == 0
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert manifest["from"] == size and manifest["latest_checkpoint"] > size
    verified = run_cli(ledger, "verify", str(tmp_path / "b"), "--key", key_of(ledger))
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_a_rebuild_over_a_tampered_log_fails_loudly_and_publishes_nothing(ledger: Server) -> None:
    with ledger.connect() as conn:
        expected = edit_bytes(conn)
        conn.commit()
    refused = run_cli(ledger, "rebuild")
    assert failed_line(refused)["notification_id"] == str(expected["notification_id"])
    assert "nothing rebuilt" in refused.stderr
    with ledger.connect() as conn:
        assert conn.execute("SELECT count(*) FROM projection_items").fetchone()[0] == 0  # type: ignore[index]
    assert run_cli(ledger, "rebuild", "--no-verify").returncode == 0


def cli(server: Server, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        env={**cli_env(server), **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def rewrite_and_resign(server: Server) -> None:
    """What only the key's holder can do: change a signed row, give it a matching leaf, and sign
    the rewritten tree again (checkpoints that no longer extend the ones signed before)."""
    with server.connect() as conn:
        nid, _, _ = row(conn, 3)
        conn.execute("UPDATE record_log SET fingerprint = 'rewritten' WHERE notification_id = %s", (nid,))
        conn.execute(
            "UPDATE audit_leaves l SET leaf_hash = audit_leaf_hash(e.notification_id, e.originator_id, "
            "e.originator_version, e.topic, e.state, r) FROM ledger_events e JOIN record_log r USING (notification_id) "
            "WHERE l.notification_id = e.notification_id AND e.notification_id = %s",
            (nid,),
        )
        conn.execute("TRUNCATE audit_checkpoints, audit_nodes")
        conn.commit()
    runtime = Runtime.open(Settings(DATABASE_URL=server.conninfo))
    try:
        submit_in_steps(runtime, [list(generate(2, 99, profile="demo"))])
        runtime.checkpointer.step(now=True)
    finally:
        runtime.close()


def test_a_witness_refuses_a_log_signed_by_another_key_or_rewritten_since_it_last_looked(
    ledger: Server, tmp_path: Path
) -> None:
    key, state = key_of(ledger), tmp_path / "witness.json"
    assert run_cli(ledger, "audit", "bundle", "--out", str(tmp_path / "first")).returncode == 0
    first = run_cli(ledger, "verify", str(tmp_path / "first"), "--key", key, "--witness", str(state))
    assert first.returncode == 0, first.stdout + first.stderr
    witnessed = json.loads(state.read_text())["note"]

    other_key = tmp_path / "other-key"
    other_key.write_text(SignerKey.generate("scjg.tj.gov.cn/credit-ledger").encode())
    with ledger.connect() as conn:  # the same log, signed again by someone holding another key
        conn.execute("TRUNCATE audit_checkpoints, audit_nodes")
        conn.commit()
    resigned = cli(
        ledger, "audit", "bundle", "--out", str(tmp_path / "other"), CREDIT_LEDGER_SIGNING_KEY=str(other_key)
    )
    assert resigned.returncode == 0, resigned.stderr
    foreign = run_cli(ledger, "verify", str(tmp_path / "other"), "--witness", str(state))
    assert failed_line(foreign)["kind"] == "checkpoint" and "not signed by the trusted key" in foreign.stderr

    rewrite_and_resign(ledger)
    assert run_cli(ledger, "audit", "bundle", "--out", str(tmp_path / "rewritten")).returncode == 0
    self_consistent = run_cli(ledger, "verify", str(tmp_path / "rewritten"), "--key", key)
    assert self_consistent.returncode == 0, "the rewritten log is consistent with itself and signed by the key"
    refused = run_cli(ledger, "verify", str(tmp_path / "rewritten"), "--witness", str(state))
    assert failed_line(refused)["kind"] == "checkpoint"
    assert "not an extension of checkpoint" in refused.stderr
    assert json.loads(state.read_text())["note"] == witnessed  # a refused log never becomes the witness's memory


def test_a_witness_of_a_live_server_follows_it_and_refuses_a_rewritten_log(ledger: Server, tmp_path: Path) -> None:
    state = tmp_path / "witness.json"
    with serving(ledger) as base:
        first = run_cli(ledger, "audit", "witness", "--url", base, "--state", str(state), "--key", key_of(ledger))
        assert first.returncode == 0, first.stdout + first.stderr
        runtime = Runtime.open(Settings(DATABASE_URL=ledger.conninfo))
        try:
            submit_in_steps(runtime, [list(generate(2, 55, profile="demo"))])
            runtime.checkpointer.step(now=True)
        finally:
            runtime.close()
        grown = run_cli(ledger, "audit", "witness", "--url", base, "--state", str(state))
        assert grown.returncode == 0 and int(grown.stdout.split("size=")[1]) > int(first.stdout.split("size=")[1])
        rewrite_and_resign(ledger)
        refused = run_cli(ledger, "audit", "witness", "--url", base, "--state", str(state))
    assert failed_line(refused)["kind"] == "checkpoint", refused.stderr


def test_the_first_start_generates_a_key_in_the_data_directory_and_prints_it(clean_db: Server, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CREDIT_LEDGER_SIGNING_KEY"}
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", "project", "--once"],
        env={**env, "DATABASE_URL": clean_db.conninfo, "CREDIT_LEDGER_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    key_file = tmp_path / "signing-key"
    assert key_file.stat().st_mode & 0o077 == 0  # readable by its owner only
    public = SignerKey.parse(key_file.read_text()).verifier.encode()
    assert "generated the key that signs checkpoints" in result.stderr and public in result.stderr
