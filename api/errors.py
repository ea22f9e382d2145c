"""The one place where failures become HTTP answers: RFC 9457 problem+json.

Routes raise the ledger's errors (`domain.errors`) or let them through; nothing else in the
project chooses an HTTP status. A class not in `STATUS` takes the status of its nearest
ancestor that is; an error that is not a `LedgerError` is a 500, still a problem document.
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

from domain import errors
from domain.errors import LedgerError, Problem

PROBLEM_JSON = "application/problem+json"

STATUS: dict[type[LedgerError], tuple[int, str]] = {
    errors.LedgerError: (400, "Bad request"),
    errors.InvalidInputError: (422, "Invalid input"),
    errors.MalformedInputError: (400, "Malformed request"),
    # RFC 8259 / I-JSON (RFC 7493): read one way only (domain/json_text.py).
    errors.JsonEncodingError: (400, "Body not UTF-8"),
    errors.DuplicateMemberError: (400, "Duplicated member name"),
    errors.JsonValueError: (400, "JSON value read differently by other parsers"),
    errors.RecordRefusedError: (422, "Record rejected"),
    errors.NotFoundError: (404, "Not found"),
    errors.UnauthenticatedError: (401, "Unauthorized"),
    errors.ForbiddenError: (403, "Forbidden"),
    errors.PayloadTooLargeError: (413, "Payload too large"),
    errors.TooManyRequestsError: (429, "Too many requests"),
    errors.ConflictError: (409, "Conflict"),
    errors.UnavailableError: (503, "Busy"),
    errors.DatabaseUnavailableError: (503, "Database unavailable"),
    errors.NotProjectedYetError: (503, "Not projected yet"),
    # The stored log is not what was signed: the ledger cannot give a trustworthy answer.
    errors.VerificationError: (500, "Ledger verification failed"),
}
_REALM = 'Bearer realm="credit-ledger"'


def status_of(exc: LedgerError) -> tuple[int, str]:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return STATUS[LedgerError]


def headers_of(exc: LedgerError) -> dict[str, str]:
    if isinstance(exc, errors.InvalidTokenError):
        return {"WWW-Authenticate": _REALM + ', error="invalid_token"'}  # RFC 6750
    if isinstance(exc, errors.UnauthenticatedError):
        return {"WWW-Authenticate": _REALM}
    if isinstance(exc, errors.TooManyRequestsError | errors.UnavailableError):
        return {"Retry-After": str(exc.retry_after)}
    return {}


def problem(
    status: int, title: str, detail: str, problems: list[Problem] | tuple[()] = (), **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if problems:
        body["errors"] = [{k: v for k, v in p.as_json().items() if v is not None} for p in problems]
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def answer(exc: LedgerError) -> JSONResponse:
    status, title = status_of(exc)
    response = problem(status, title, exc.detail, exc.problems, **exc.extra)
    response.headers.update(headers_of(exc))
    return response


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


_TITLES = {404: "Not found", 405: "Method not allowed", 413: "Payload too large", 401: "Unauthorized", 403: "Forbidden"}


def install(app: FastAPI) -> None:
    @app.exception_handler(LedgerError)
    def _ledger_error(_: Request, exc: LedgerError) -> JSONResponse:
        return answer(exc)

    @app.exception_handler(RequestValidationError)
    def _invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        status, problems = _request_problems(exc)
        title = "Malformed request" if status == 400 else "Invalid input"
        return problem(status, title, "the request does not match the API", problems)

    @app.exception_handler(StarletteHTTPException)
    def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        # Starlette's own answers (an unknown path, a method not allowed), as problem documents.
        response = problem(exc.status_code, _TITLES.get(exc.status_code, "Error"), str(exc.detail))
        response.headers.update(getattr(exc, "headers", None) or {})
        return response

    @app.exception_handler(PoolTimeout)
    def _pool_timeout(_: Request, exc: PoolTimeout) -> JSONResponse:
        return answer(
            errors.UnavailableError(
                "no database connection free in time; ask again (a batch of records: it is safe to repeat)"
            )
        )

    @app.exception_handler(psycopg.OperationalError)
    @app.exception_handler(EventStoreOperationalError)
    def _database_unavailable(_: Request, exc: Exception) -> JSONResponse:
        # The database is down, restarting or out of connections: a passing condition.
        return answer(errors.DatabaseUnavailableError("the ledger cannot reach its database now; try again"))

    @app.exception_handler(Exception)
    def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        # Still a problem document, so that clients parse every failure the same way.
        return problem(500, "Internal error", "the ledger could not complete the request")
