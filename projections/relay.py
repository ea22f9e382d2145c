"""The feed relay: pushes the change feed to subscribers' webhooks and to NATS JetStream (issue 23,
docs/feeds.md).

Webhooks: Standard Webhooks 1.0 (`webhook-id` = the CloudEvent id, so a duplicate is recognisable;
`webhook-timestamp`; `webhook-signature` v1 HMAC-SHA256 by the `standardwebhooks` package), the body
the CloudEvent in JSON (`application/cloudevents+json`). At least once and in feed order per
subscription (so in order per subject): the next item waits until the one before it is accepted
(2xx). A failure is retried with exponential backoff; an item still failing after the horizon
(24 hours) goes to the subscription's dead letters and delivery moves on; an admin replays them.

NATS: every item published to the JetStream stream `CREDIT_FEED` on `credit.feed.<type>`, with
`Nats-Msg-Id` = the CloudEvent id (JetStream drops a re-publication within its duplicate window).

Several relays may run (inside `serve`, `credit-ledger relay`): each subscription, and the
publisher, is served under a PostgreSQL advisory lock, so one relay at a time delivers it.
`NOTIFY change_feed` (sent by the feed's projection) wakes a relay; it never carries data.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
import orjson
import psycopg
from standardwebhooks import Webhook

from projections import change_feed

logger = logging.getLogger(__name__)
LOCK_CLASS = 23  # advisory lock keys (23, hashtext(subscription id)); (23, 0) is the NATS publisher
STREAM = "CREDIT_FEED"
SUBJECT_PREFIX = "credit.feed."
NATS_HOW_TO = (
    "start NATS with JetStream on 127.0.0.1:4222: `apt-get install nats-server` then "
    "`nats-server -a 127.0.0.1 -p 4222 -js -sd /tmp/nats-js &` (or `docker compose up nats`)"
)


def subject_of(event_type: str) -> str:
    return SUBJECT_PREFIX + event_type.removeprefix(change_feed.TYPE_PREFIX)


def signed(event: dict[str, Any], secret: str, now: datetime) -> tuple[bytes, dict[str, str]]:
    """The body and headers of one webhook delivery (Standard Webhooks 1.0)."""
    body = orjson.dumps(event)
    signature = Webhook(secret).sign(event["id"], now, body)
    headers = {
        "content-type": "application/cloudevents+json",
        "webhook-id": event["id"],
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }
    return body, headers


@dataclass
class Relay:
    conninfo: str
    nats_url: str | None = None
    base_delay: float = 1.0
    """Seconds before the first retry; doubled each time, up to `max_delay`."""
    max_delay: float = 3600.0
    horizon: timedelta = timedelta(hours=24)
    timeout: float = 5.0
    batch: int = 100
    now: Callable[[], datetime] = lambda: datetime.now(UTC)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._http = httpx.Client(timeout=self.timeout)
        self.last_error: str | None = None

    # --- one pass ---------------------------------------------------------------------------

    def step(self) -> int:
        """Deliver what is due to every subscription and publish to NATS; items delivered."""
        done = 0
        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            due = conn.execute(
                "SELECT id FROM feed_subscriptions WHERE active AND url <> '' "
                "AND (next_attempt_at IS NULL OR next_attempt_at <= %s) ORDER BY created_at",
                (self.now(),),
            ).fetchall()
            for (subscription_id,) in due:
                done += self._deliver(conn, subscription_id)
            if self.nats_url:
                done += self.publish(conn)
        return done

    def _deliver(self, conn: psycopg.Connection[Any], subscription_id: UUID) -> int:
        key = str(subscription_id)
        got = conn.execute("SELECT pg_try_advisory_lock(%s, hashtext(%s))", (LOCK_CLASS, key)).fetchone()
        if not got or not got[0]:
            return 0  # another relay delivers it
        try:
            row = conn.execute(
                "SELECT url, types, secret, position, n, attempts, failing_since, next_attempt_at "
                "FROM feed_subscriptions WHERE id = %s AND active",
                (subscription_id,),
            ).fetchone()
            if row is None:
                return 0
            url, types, secret, position, n, attempts, failing_since, next_at = row
            if next_at is not None and next_at > self.now():
                return 0
            page, _ = change_feed.read_page(conn, types, (position, n), self.batch)
            delivered = 0
            for cursor, event in page:
                error = self._send(url, secret, event)
                if error is None:
                    conn.execute(
                        "UPDATE feed_subscriptions SET position = %s, n = %s, attempts = 0, failing_since = NULL, "
                        "next_attempt_at = NULL, last_error = NULL, delivered = delivered + 1 WHERE id = %s",
                        (cursor[0], cursor[1], subscription_id),
                    )
                    delivered += 1
                    attempts, failing_since = 0, None
                    continue
                now = self.now()
                since = failing_since or now
                if now - since >= self.horizon:  # give up on this item: a dead letter, move on
                    conn.execute(
                        "INSERT INTO feed_dead_letters (subscription_id, item_id, position, n, attempts, last_error) "
                        "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (subscription_id, item_id) DO UPDATE "
                        "SET attempts = excluded.attempts, last_error = excluded.last_error, dead_at = clock_timestamp(), "
                        "replayed_at = NULL",
                        (subscription_id, event["id"], cursor[0], cursor[1], attempts + 1, error),
                    )
                    conn.execute(
                        "UPDATE feed_subscriptions SET position = %s, n = %s, attempts = 0, failing_since = NULL, "
                        "next_attempt_at = NULL, last_error = %s WHERE id = %s",
                        (cursor[0], cursor[1], error, subscription_id),
                    )
                    attempts, failing_since = 0, None
                    continue
                delay = min(self.base_delay * 2**attempts, self.max_delay)
                conn.execute(
                    "UPDATE feed_subscriptions SET attempts = attempts + 1, failing_since = %s, "
                    "next_attempt_at = %s, last_error = %s WHERE id = %s",
                    (since, now + timedelta(seconds=delay), error, subscription_id),
                )
                break
            return delivered
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))", (LOCK_CLASS, key))

    def _send(self, url: str, secret: str, event: dict[str, Any]) -> str | None:
        """None when the receiver accepted the item (2xx); else why not."""
        body, headers = signed(event, secret, self.now())
        try:
            response = self._http.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"
        if 200 <= response.status_code < 300:
            return None
        return f"HTTP {response.status_code}"

    def replay_dead_letters(self, conn: psycopg.Connection[Any], subscription_id: UUID) -> dict[str, int]:
        """Send a subscription's dead letters again, oldest first; those accepted are marked replayed."""
        row = conn.execute("SELECT url, secret FROM feed_subscriptions WHERE id = %s", (subscription_id,)).fetchone()
        if row is None or not row[0]:
            return {"replayed": 0, "failed": 0}
        url, secret = row
        letters = conn.execute(
            "SELECT d.item_id, f.event FROM feed_dead_letters d JOIN feed_items f ON f.id = d.item_id "
            "WHERE d.subscription_id = %s AND d.replayed_at IS NULL ORDER BY d.position, d.n",
            (subscription_id,),
        ).fetchall()
        replayed = failed = 0
        for item_id, event in letters:
            error = self._send(url, secret, event)
            if error is None:
                conn.execute(
                    "UPDATE feed_dead_letters SET replayed_at = clock_timestamp() WHERE subscription_id = %s AND item_id = %s",
                    (subscription_id, item_id),
                )
                replayed += 1
            else:
                conn.execute(
                    "UPDATE feed_dead_letters SET attempts = attempts + 1, last_error = %s "
                    "WHERE subscription_id = %s AND item_id = %s",
                    (error, subscription_id, item_id),
                )
                failed += 1
        return {"replayed": replayed, "failed": failed}

    # --- NATS JetStream -----------------------------------------------------------------------

    def publish(self, conn: psycopg.Connection[Any]) -> int:
        """Publish the items after the publisher's cursor to JetStream; items published."""
        assert self.nats_url
        got = conn.execute("SELECT pg_try_advisory_lock(%s, 0)", (LOCK_CLASS,)).fetchone()
        if not got or not got[0]:
            return 0
        try:
            conn.execute("INSERT INTO feed_publishers (name) VALUES ('nats') ON CONFLICT DO NOTHING")
            row = conn.execute("SELECT position, n FROM feed_publishers WHERE name = 'nats'").fetchone()
            assert row is not None
            page, _ = change_feed.read_page(conn, None, (row[0], row[1]), self.batch)
            if not page:
                return 0
            published = asyncio.run(publish_to_jetstream(self.nats_url, [event for _, event in page]))
            if published:
                last = page[published - 1][0]
                conn.execute(
                    "UPDATE feed_publishers SET position = %s, n = %s, published = published + %s WHERE name = 'nats'",
                    (last[0], last[1], published),
                )
            return published
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s, 0)", (LOCK_CLASS,))

    def status(self) -> dict[str, Any]:
        with psycopg.connect(self.conninfo) as conn:
            row = conn.execute(
                "SELECT (SELECT count(*) FROM feed_subscriptions WHERE active AND failing_since IS NOT NULL), "
                "(SELECT count(*) FROM feed_dead_letters WHERE replayed_at IS NULL)"
            ).fetchone()
        failing, dead = row if row else (0, 0)
        return {
            "running": self.running,
            "error": self.last_error,
            "nats": self.nats_url is not None,
            "failing_subscriptions": int(failing),
            "dead_letters": int(dead),
        }

    # --- the loop -------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, idle: float = 1.0) -> None:
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(idle,), name="feed-relay", daemon=True)
        self._thread.start()

    def _run(self, idle: float) -> None:
        listener: psycopg.Connection[Any] | None = None
        while not self._stop.is_set():
            try:
                if listener is None or listener.closed:
                    listener = psycopg.connect(self.conninfo, autocommit=True)
                    listener.execute(f"LISTEN {change_feed.NOTIFY_CHANNEL}")
                delivered = self.step()
                self.last_error = None
                if not delivered:  # wait for a NOTIFY (new items) or the idle time (retries due)
                    for _ in listener.notifies(timeout=idle, stop_after=1):
                        pass
            except Exception as exc:  # keep relaying; the error is visible in /v1/status
                logger.exception("feed relay step failed")
                self.last_error = f"{type(exc).__name__}: {exc}"
                if listener is not None:
                    listener.close()
                listener = None
                self._stop.wait(idle)
        if listener is not None:
            listener.close()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def close(self) -> None:
        self.stop()
        self._http.close()


async def publish_to_jetstream(url: str, events: Sequence[dict[str, Any]]) -> int:
    """Publish in order, each acknowledged by JetStream before the next; how many were."""
    import nats
    from nats.js.api import StreamConfig

    nc = await nats.connect(url, connect_timeout=5, max_reconnect_attempts=1)
    published = 0
    try:
        js = nc.jetstream()
        await ensure_stream(js, StreamConfig)
        for event in events:
            await js.publish(
                subject_of(event["type"]),
                orjson.dumps(event),
                headers={"Nats-Msg-Id": event["id"], "content-type": "application/cloudevents+json"},
            )
            published += 1
    finally:
        await nc.close()
    return published


async def ensure_stream(js: Any, config_class: Any) -> None:
    from nats.js.errors import NotFoundError

    try:
        await js.stream_info(STREAM)
    except NotFoundError:
        await js.add_stream(config_class(name=STREAM, subjects=[SUBJECT_PREFIX + ">"], duplicate_window=24 * 3600.0))
