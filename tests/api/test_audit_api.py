"""GET /v1/audit/*: the key and the checkpoints are public, inclusion proofs are for auditors,
every proof verifies against a signed checkpoint; the replay's `verify=true` names a changed row."""

from __future__ import annotations

import base64
from collections.abc import Callable

from fastapi.testclient import TestClient

from api.bootstrap import Runtime
from bench.generate import generate
from domain import merkle
from domain.signed_note import VerifierKey, open_checkpoint
from tests.integration.test_projection_parity import submit_in_steps


def b64(text: str) -> bytes:
    return base64.b64decode(text)


def signed(client: TestClient, n: int, seed: int) -> int:
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    records = list(generate(n, seed, profile="demo"))
    submit_in_steps(runtime, [records])
    runtime.checkpointer.step(now=True)
    return int(client.get("/v1/audit/checkpoints/latest").json()["size"])


def test_the_key_and_checkpoints_are_public_and_each_checkpoint_opens_with_the_key(client: TestClient) -> None:
    assert client.get("/v1/audit/checkpoints/latest").status_code in (200, 404)
    size = signed(client, 4, 1)
    key = VerifierKey.parse(client.get("/v1/audit/key").json()["key"])
    latest = client.get("/v1/audit/checkpoints/latest").json()
    checkpoint = open_checkpoint(latest["note"], key, "scjg.tj.gov.cn/credit-ledger")
    assert (checkpoint.size, base64.b64encode(checkpoint.root).decode()) == (size, latest["root"])
    assert client.get("/v1/audit/checkpoints", params={"size": size}).json() == latest
    missing = client.get("/v1/audit/checkpoints", params={"size": size + 1000})
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"


def test_inclusion_proofs_are_for_auditors_and_verify_against_the_signed_root(
    client: TestClient, auth: Callable[..., dict[str, str]]
) -> None:
    size = signed(client, 5, 2)
    root = b64(client.get("/v1/audit/checkpoints", params={"size": size}).json()["root"])
    params = {"position": size // 2, "size": size}
    assert client.get("/v1/audit/inclusion", params=params).status_code == 401
    assert client.get("/v1/audit/inclusion", params=params, headers=auth("TJ-ENF")).status_code == 403
    proof = client.get("/v1/audit/inclusion", params=params, headers=auth("TJ-CREDIT", "auditor")).json()
    hashes = [b64(h) for h in proof["proof"]]
    assert merkle.verify_inclusion(size // 2, size, b64(proof["leaf_hash"]), hashes, root)
    assert proof["notification_id"] >= size // 2 + 1
    beyond = client.get(
        "/v1/audit/inclusion", params={"position": size, "size": size}, headers=auth("TJ-CREDIT", "auditor")
    )
    assert beyond.status_code == 422 and beyond.json()["errors"][0]["field"] == "position"


def test_consistency_proofs_are_public_and_tie_two_signed_checkpoints(client: TestClient) -> None:
    first = signed(client, 3, 3)
    second = signed(client, 3, 4)
    roots = [b64(client.get("/v1/audit/checkpoints", params={"size": s}).json()["root"]) for s in (first, second)]
    proof = client.get("/v1/audit/consistency", params={"from": first, "to": second}).json()
    assert merkle.verify_consistency(first, second, [b64(h) for h in proof["proof"]], *roots)
    too_far = client.get("/v1/audit/consistency", params={"from": first, "to": second + 1})
    assert too_far.status_code == 422 and too_far.json()["errors"][0]["field"] == "to"


def test_a_replay_with_verify_says_what_it_proved_and_refuses_a_changed_row(client: TestClient) -> None:
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    records = list(generate(3, 6, profile="demo"))
    submit_in_steps(runtime, [records])
    runtime.checkpointer.step(now=True)
    uscc = records[0]["uscc"]
    path = f"/v1/enterprises/{uscc}/public-view"
    answer = client.get(path, params={"source": "replay", "verify": "true"})
    assert answer.status_code == 200
    verified = answer.json()["verified"]
    assert verified["events"] == verified["signed"] > 0
    assert client.get(path, params={"verify": "true"}).status_code == 422  # only with the replay

    with runtime.server.connect() as conn:
        nid = conn.execute("SELECT min(notification_id) FROM record_log WHERE uscc = %s", (uscc,)).fetchone()[0]  # type: ignore[index]
        conn.execute("UPDATE ledger_events SET state = state || ' '::bytea WHERE notification_id = %s", (nid,))
        conn.commit()
    refused = client.get(path, params={"source": "replay", "verify": "true"})
    body = refused.json()
    assert refused.status_code == 500 and body["title"] == "Ledger verification failed"
    assert (body["kind"], body["notification_id"], body["uscc"]) == ("edited", nid, uscc)
    assert client.get(path, params={"source": "replay"}).status_code == 200  # without verify: as before
