"""Request limits: body size (before a body is parsed), page size, public search rate."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Query, Request
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.config import Settings, get_settings
from api.auth import OptionalPrincipal
from api.errors import answer
from domain.errors import InvalidInputError, PayloadTooLargeError, Problem, TooManyRequestsError


class BodySizeLimit:
    """Refuse bodies over CREDIT_LEDGER_MAX_BODY_BYTES with 413, declared or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int | None = None):
        self.app = app
        self.max_bytes = max_bytes or get_settings().max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                # An HTTPException, because FastAPI turns any other error met while reading
                # the body into a 400; this one it passes on to the error mapping (413).
                raise HTTPException(413, f"the body exceeds {self.max_bytes} bytes")
            return message

        await self.app(scope, limited_receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = answer(PayloadTooLargeError(f"the body exceeds {self.max_bytes} bytes"))
        await response(scope, receive, send)


async def page_size(
    request: Request,
    limit: Annotated[
        int, Query(ge=1, description="rows per page; at most CREDIT_LEDGER_MAX_PAGE_SIZE (default 100)")
    ] = 20,
) -> int:
    """The `limit` query parameter of a list or search, checked against the configured maximum."""
    maximum = request.app.state.runtime.settings.max_page_size
    if limit > maximum:
        raise InvalidInputError("page too large", [Problem("limit", f"at most {maximum} rows per page")])
    return limit


PageSizeDep = Annotated[int, Depends(page_size)]


class RateLimiter:
    """A token bucket per key: `burst` requests at once, then `per_minute` sustained.

    In memory, per server process (with N workers a client gets N times the rate): enough to
    blunt scraping of the public search; a deployment behind a proxy limits there as well.
    """

    _MAX_KEYS = 100_000  # forget full buckets beyond this, so that many addresses cannot exhaust memory

    def __init__(self, per_minute: int, burst: int, clock: Callable[[], float] = time.monotonic):
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def acquire(self, key: str) -> float:
        """0 if allowed (one request spent); else the seconds until one would be."""
        with self._lock:
            now = self.clock()
            tokens, then = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - then) * self.rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                if len(self._buckets) > self._MAX_KEYS:
                    self._forget_full(now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate

    def _forget_full(self, now: float) -> None:
        for key, (tokens, then) in list(self._buckets.items()):
            if tokens + (now - then) * self.rate >= self.burst:
                del self._buckets[key]


def _public_search_limiter(request: Request) -> RateLimiter:
    state = request.app.state
    limiter: RateLimiter | None = getattr(state, "public_search_limiter", None)
    if limiter is None:
        settings: Settings = state.runtime.settings
        limiter = RateLimiter(settings.public_search_per_minute, settings.public_search_burst)
        state.public_search_limiter = limiter  # one per app; a benign race creates it twice at most
    return limiter


async def public_search_rate_limit(request: Request, principal: OptionalPrincipal) -> None:
    """Dependency for public search routes: per client address, 429 with Retry-After when
    exceeded. Requests with a valid token are not limited (they are accountable)."""
    if principal is not None:
        return
    address = request.client.host if request.client else "unknown"
    wait = _public_search_limiter(request).acquire(address)
    if wait > 0:
        retry_after = max(1, math.ceil(wait))
        raise TooManyRequestsError(f"too many searches from this address; try again in {retry_after} s", retry_after)
