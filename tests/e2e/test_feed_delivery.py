"""The change feed pushed: signed webhooks to a local receiver, retried while it is down, and
NATS JetStream (issue 23). Real servers only: the receiver is an HTTP server on 127.0.0.1, NATS
the server at 127.0.0.1:4222 (JetStream enabled); without one the NATS test fails saying how to
start it."""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from standardwebhooks import Webhook

from adapters.config import Settings
from adapters.database import Server
from api.bootstrap import Runtime
from projections import change_feed, relay
from projections.change_feed import TYPE_PREFIX
from tests.api.test_feeds_api import serious_listing
from tests.builders import make_uscc, record, registered

SECRET = "whsec_" + base64.b64encode(b"tianjin-credit-ledger-test-key!!").decode()
SERIOUS = [f"{TYPE_PREFIX}serious.listed", f"{TYPE_PREFIX}serious.removed"]
NATS_URL = os.environ.get("CREDIT_LEDGER_TEST_NATS_URL", "nats://127.0.0.1:4222")


class Receiver:
    """A department's webhook endpoint on 127.0.0.1 that can go down and come back on its port."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes, float]] = []
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/credit"

    def up(self) -> None:
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["content-length"]))
                received.append((dict(self.headers.items()), body, time.monotonic()))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def down(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def events(self) -> list[dict[str, Any]]:
        return [orjson.loads(body) for _, body, _ in self.received]


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture
def fast_client(clean_db: Server) -> Iterator[TestClient]:
    from api.main import create_app

    settings = Settings(
        DATABASE_URL=clean_db.conninfo, CREDIT_LEDGER_RELAY_RETRY_BASE=0.2, CREDIT_LEDGER_RELAY_RETRY_MAX=0.5
    )
    with TestClient(create_app(lambda: Runtime.open(settings)), raise_server_exceptions=False) as client:
        yield client


def test_a_subscribed_receiver_gets_signed_cloudevents_and_after_an_outage_every_item_then_the_withdrawal(
    fast_client: TestClient, auth: Callable[..., dict[str, str]]
) -> None:
    client = fast_client
    receiver = Receiver()
    receiver.up()
    try:
        admin = auth("TJ-CREDIT", "admin")
        sub = {"department": "TJ-FIN", "url": receiver.url, "types": SERIOUS, "secret": SECRET}
        assert client.post("/v1/subscriptions", json=sub, headers=admin).status_code == 201
        first = make_uscc(2310)
        client.post("/v1/records", json=registered(first), headers=auth("TJ-LIC"))
        recorded = time.monotonic()
        assert client.post("/v1/records", json=serious_listing(first), headers=auth("TJ-ENF")).status_code == 200
        assert wait_for(lambda: len(receiver.received) >= 1, 5.0), "no webhook within 5 s of the listing"
        headers, body, at = receiver.received[0]
        assert at - recorded < 5.0
        event = Webhook(SECRET).verify(body, headers)  # raises unless the signature verifies
        assert event["type"] == f"{TYPE_PREFIX}serious.listed" and event["subject"] == first
        assert headers["webhook-id"] == event["id"] and event["specversion"] == "1.0"
        with pytest.raises(Exception, match="signature"):
            Webhook("whsec_" + base64.b64encode(b"x" * 32).decode()).verify(body, headers)

        receiver.down()  # the department's server is down for a while
        others = [make_uscc(2311 + k) for k in range(3)]
        for k, uscc in enumerate(others):
            client.post("/v1/records", json=registered(uscc), headers=auth("TJ-LIC"))
            listing = serious_listing(uscc, f"黑-{k + 2}", f"罚-{k + 2}")
            assert client.post("/v1/records", json=listing, headers=auth("TJ-ENF")).status_code == 200
        time.sleep(1.5)  # the relay retries meanwhile, and fails
        with client.app.state.runtime.server.connect() as conn:  # type: ignore[attr-defined]
            attempts, error = conn.execute("SELECT attempts, last_error FROM feed_subscriptions").fetchone()
        assert attempts >= 1 and error
        receiver.up()
        with client.app.state.runtime.server.connect() as conn:  # type: ignore[attr-defined]
            expected = [
                i
                for (i,) in conn.execute(
                    "SELECT id FROM feed_items WHERE type = ANY(%s) ORDER BY position, n", (SERIOUS,)
                )
            ]
        assert wait_for(lambda: {e["id"] for e in receiver.events()} >= set(expected), 10.0), "items were lost"
        ids = [h["webhook-id"] for h, _, _ in receiver.received]
        assert list(dict.fromkeys(ids)) == expected  # in feed order; a duplicate would repeat an id
        for headers, body, _ in receiver.received:
            Webhook(SECRET).verify(body, headers)

        removed = record(
            "serious.removed", first, "2025-07-01", {"listing_id": "黑-1", "kind": "early_repair"}, department="TJ-ENF"
        )
        assert client.post("/v1/records", json=removed, headers=auth("TJ-ENF")).status_code == 201

        def withdrawn() -> bool:
            return any(
                e["type"] == f"{TYPE_PREFIX}serious.removed" and e["data"]["stop_using_from"] == "2025-07-01"
                for e in receiver.events()
            )

        assert wait_for(withdrawn, 5.0), "the repair's withdrawal was not sent"
    finally:
        receiver.down()


def test_an_item_failing_past_the_horizon_becomes_a_dead_letter_an_admin_replays(
    client: TestClient, auth: Callable[..., dict[str, str]]
) -> None:
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    runtime.relay.stop()
    receiver = Receiver()  # not up: every delivery fails
    admin = auth("TJ-CREDIT", "admin")
    sub = client.post(
        "/v1/subscriptions",
        json={"department": "TJ-LAND", "url": receiver.url, "types": SERIOUS, "secret": SECRET},
        headers=admin,
    ).json()
    uscc = make_uscc(2320)
    client.post("/v1/records", json=registered(uscc), headers=auth("TJ-LIC"))
    client.post("/v1/records", json=serious_listing(uscc), headers=auth("TJ-ENF"))
    runtime.projector.catch_up()
    clock = [time.time()]
    from datetime import UTC, datetime

    late = relay.Relay(runtime.server.conninfo, base_delay=0.01, now=lambda: datetime.fromtimestamp(clock[0], UTC))
    try:
        assert late.step() == 0
        clock[0] += 25 * 3600  # still failing a day later: given up
        late.step()
        letters = client.get(f"/v1/subscriptions/{sub['id']}/dead-letters", headers=admin).json()["dead_letters"]
        assert len(letters) >= 1 and letters[0]["last_error"]
        assert client.get("/v1/status").json()["relay"]["dead_letters"] == len(letters)
        receiver.up()
        replayed = client.post(f"/v1/subscriptions/{sub['id']}/dead-letters/replay", headers=admin).json()
        assert replayed["replayed"] >= 1 and replayed["failed"] == 0
        assert letters[0]["item_id"] in {e["id"] for e in receiver.events()}
    finally:
        late.close()
        receiver.down()


def _nats_up() -> None:
    host, port = NATS_URL.removeprefix("nats://").split(":")
    with socket.socket() as s:
        s.settimeout(2)
        if s.connect_ex((host, int(port))) != 0:
            pytest.fail(f"no NATS server at {NATS_URL}: {relay.NATS_HOW_TO}")


async def _stream_messages(since_seq: int) -> list[tuple[str, dict[str, Any], str]]:
    import nats

    nc = await nats.connect(NATS_URL)
    try:
        js = nc.jetstream()
        info = await js.stream_info(relay.STREAM)
        out = []
        for seq in range(since_seq + 1, info.state.last_seq + 1):
            msg = await js.get_msg(relay.STREAM, seq)
            out.append((msg.subject, orjson.loads(msg.data or b"{}"), (msg.headers or {}).get("Nats-Msg-Id", "")))
        return out
    finally:
        await nc.close()


async def _last_seq() -> int:
    import nats
    from nats.js.api import StreamConfig

    nc = await nats.connect(NATS_URL)
    try:
        js = nc.jetstream()
        await relay.ensure_stream(js, StreamConfig)
        return int((await js.stream_info(relay.STREAM)).state.last_seq)
    finally:
        await nc.close()


def test_the_same_items_arrive_on_a_jetstream_stream_once_each(
    client: TestClient, auth: Callable[..., dict[str, str]]
) -> None:
    _nats_up()
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    runtime.relay.stop()
    uscc = make_uscc(2330)
    client.post("/v1/records", json=registered(uscc), headers=auth("TJ-LIC"))
    client.post("/v1/records", json=serious_listing(uscc), headers=auth("TJ-ENF"))
    runtime.projector.catch_up()
    before = asyncio.run(_last_seq())
    publisher = relay.Relay(runtime.server.conninfo, nats_url=NATS_URL)
    try:
        assert publisher.step() > 0
        with runtime.server.connect() as conn:
            conn.execute("UPDATE feed_publishers SET position = 0, n = -1")  # publish everything again
            conn.commit()
        publisher.step()
    finally:
        publisher.close()
    with runtime.server.connect() as conn:
        page, _ = change_feed.read_page(conn, None, None, 1000)
    messages = asyncio.run(_stream_messages(before))
    assert [m[2] for m in messages] == [event["id"] for _, event in page]  # once each: the re-run deduplicated
    assert [m[1] for m in messages] == [event for _, event in page]
    assert messages[0][0] == relay.subject_of(page[0][1]["type"]) and messages[0][0].startswith("credit.feed.")


def test_two_relays_at_once_deliver_each_item_once_and_in_order(
    client: TestClient, auth: Callable[..., dict[str, str]]
) -> None:
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    runtime.relay.stop()
    receiver = Receiver()
    receiver.up()
    admin = auth("TJ-CREDIT", "admin")
    sub = {"department": "TJ-PRTC", "url": receiver.url, "secret": SECRET}
    assert client.post("/v1/subscriptions", json=sub, headers=admin).status_code == 201
    for k in range(4):
        uscc = make_uscc(2350 + k)
        client.post("/v1/records", json=registered(uscc), headers=auth("TJ-LIC"))
        client.post("/v1/records", json=serious_listing(uscc, f"黑-{k}", f"罚-{k}"), headers=auth("TJ-ENF"))
    runtime.projector.catch_up()
    relays = [relay.Relay(runtime.server.conninfo, batch=3) for _ in range(2)]

    def drain(one: relay.Relay) -> None:
        while one.step():
            pass

    try:
        threads = [threading.Thread(target=drain, args=(r,)) for r in relays]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for one in relays:
            drain(one)
        with runtime.server.connect() as conn:
            expected = [i for (i,) in conn.execute("SELECT id FROM feed_items ORDER BY position, n")]
        assert [h["webhook-id"] for h, _, _ in receiver.received] == expected
    finally:
        for one in relays:
            one.close()
        receiver.down()


def test_the_relay_command_delivers_what_is_due_and_exits_with_once(
    clean_db: Server, client: TestClient, auth: Callable[..., dict[str, str]]
) -> None:
    from tests.e2e.conftest import run_cli

    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    runtime.relay.stop()
    receiver = Receiver()
    receiver.up()
    try:
        admin = auth("TJ-CREDIT", "admin")
        sub = {"department": "TJ-FIN", "url": receiver.url, "types": SERIOUS, "secret": SECRET}
        client.post("/v1/subscriptions", json=sub, headers=admin)
        uscc = make_uscc(2360)
        client.post("/v1/records", json=registered(uscc), headers=auth("TJ-LIC"))
        client.post("/v1/records", json=serious_listing(uscc), headers=auth("TJ-ENF"))
        runtime.projector.catch_up()
        done = run_cli(clean_db, "relay", "--once", timeout=120)
        assert done.returncode == 0, done.stderr
        assert "delivered=2" in done.stdout  # listed, and its removal after 3 years (SDL-30)
        assert [e["type"] for e in receiver.events()] == SERIOUS
    finally:
        receiver.down()
