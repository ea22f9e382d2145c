"""The one place where failures become HTTP answers: RFC 9457 problem+json.

Routes raise typed errors (or let domain/ledger errors through); nothing else in `api/`
chooses an error status code.
"""

from __future__ import annotations

from typing import Any

import psycopg
from eventsourcing.persistence import OperationalError as EventStoreOperationalError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg_pool import PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from domain.consistency import Problem
from domain.identifiers import InvalidUSCCError
from ledger.intake import WriterBusyError
from ledger.reads import EnterpriseNotFoundError

PROBLEM_JSON = "application/problem+json"


class ApiError(Exception):
    """An error with its HTTP status and the problems behind it."""

    status = 400
    title = "Bad request"
    headers: dict[str, str] = {}

    def __init__(self, detail: str, problems: list[Problem] | None = None, **extra: Any):
        super().__init__(detail)
        self.detail = detail
        self.problems = problems or []
        self.extra = extra


class InvalidInputError(ApiError):
    status = 422
    title = "Invalid input"


class PayloadTooLargeError(ApiError):
    status = 413
    title = "Payload too large"


class NotFoundError(ApiError):
    status = 404
    title = "Not found"


class UnauthenticatedError(ApiError):
    """No usable token where one is needed; the detail never repeats the token."""

    status = 401
    title = "Unauthorized"
    headers = {"WWW-Authenticate": 'Bearer realm="credit-ledger"'}


class BadTokenError(UnauthenticatedError):
    """A token was sent but is malformed, unknown or revoked (RFC 6750 invalid_token)."""

    headers = {"WWW-Authenticate": 'Bearer realm="credit-ledger", error="invalid_token"'}


class ForbiddenError(ApiError):
    status = 403
    title = "Forbidden"


class TooManyRequestsError(ApiError):
    status = 429
    title = "Too many requests"

    def __init__(self, detail: str, retry_after: int):
        super().__init__(detail)
        self.headers = {"Retry-After": str(retry_after)}


def problem(status: int, title: str, detail: str, problems: list[Problem] = (), **extra: Any) -> JSONResponse:  # type: ignore[assignment]
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if problems:
        body["errors"] = [
            {k: v for k, v in {"field": p.field, "reason": p.reason, "rule": p.rule}.items() if v is not None}
            | ({"earliest_on": p.earliest_on.isoformat()} if p.earliest_on else {})
            for p in problems
        ]
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def _request_problems(exc: RequestValidationError) -> tuple[int, list[Problem]]:
    problems, status = [], 422
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        if err["type"] == "json_invalid":
            status = 400
            reason = f"malformed JSON: {err.get('ctx', {}).get('error', err['msg'])}"
            problems.append(Problem("body", reason))
            continue
        if loc and loc[0] in ("body", "query", "path", "header"):
            loc = loc[1:] if loc[0] != "body" or len(loc) > 1 else loc
        reason = err["msg"]
        if err["type"] == "string_pattern_mismatch" and "\\x00" in str(err.get("ctx", {}).get("pattern", "")):
            reason = "control characters (such as NUL) are not allowed"
        problems.append(Problem(".".join(loc) or "request", reason))
    return status, problems


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        response = problem(exc.status, exc.title, exc.detail, exc.problems, **exc.extra)
        response.headers.update(exc.headers)
        return response

    @app.exception_handler(EnterpriseNotFoundError)
    def _not_found(_: Request, exc: EnterpriseNotFoundError) -> JSONResponse:
        return problem(404, "Not found", str(exc))

    @app.exception_handler(InvalidUSCCError)
    def _bad_uscc(_: Request, exc: InvalidUSCCError) -> JSONResponse:
        return problem(422, "Invalid input", "invalid USCC", [Problem("uscc", str(exc), "ID-02")])

    @app.exception_handler(RequestValidationError)
    def _invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        status, problems = _request_problems(exc)
        title = "Malformed request" if status == 400 else "Invalid input"
        return problem(status, title, "the request does not match the API", problems)

    @app.exception_handler(StarletteHTTPException)
    def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        response = problem(exc.status_code, _TITLES.get(exc.status_code, "Error"), str(exc.detail))
        response.headers.update(getattr(exc, "headers", None) or {})
        return response

    @app.exception_handler(WriterBusyError)
    def _busy(_: Request, exc: WriterBusyError) -> JSONResponse:
        response = problem(503, "Busy", f"{exc}; send the batch again: it is safe to repeat")
        response.headers["Retry-After"] = "1"
        return response

    @app.exception_handler(PoolTimeout)
    def _pool_timeout(_: Request, exc: PoolTimeout) -> JSONResponse:
        response = problem(
            503, "Busy", "no database connection free in time; ask again (a batch of records: it is safe to repeat)"
        )
        response.headers["Retry-After"] = "1"
        return response

    @app.exception_handler(psycopg.OperationalError)
    @app.exception_handler(EventStoreOperationalError)
    def _database_unavailable(_: Request, exc: Exception) -> JSONResponse:
        # The database is down, restarting or out of connections: a passing condition.
        response = problem(503, "Database unavailable", "the ledger cannot reach its database now; try again")
        response.headers["Retry-After"] = "5"
        return response

    @app.exception_handler(Exception)
    def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        # Still a problem document, so that clients parse every failure the same way.
        return problem(500, "Internal error", "the ledger could not complete the request")


_TITLES = {404: "Not found", 405: "Method not allowed", 413: "Payload too large", 401: "Unauthorized", 403: "Forbidden"}
