"""Every operation of the OpenAPI document, fuzzed by schemathesis, as the public and with tokens.

Each generated case is sent four times — as generated, without a token, with an officer's and
with an auditor's — against the real app and PostgreSQL. No answer may be a 5xx, every 4xx must be
application/problem+json, and every answer must conform to the response model the OpenAPI document
declares for it. The number of cases and calls is printed at the end of the module.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from adapters.config import Settings
from adapters.database import Server
from adapters.tokens import TokenStore
from api.bootstrap import Runtime
from api.main import create_app
from tests.builders import make_uscc, penalty_decided, registered
from tests.conftest import LEDGER_TABLES, officer

MAX_EXAMPLES = 30  # per operation and phase; ~1 minute on 2 cores
COUNTS: Counter[str] = Counter()
_SETTINGS: dict[str, Settings] = {}
# The app exists at import, so that its OpenAPI document can parametrize the tests; its runtime
# opens at the first call (schemathesis starts the lifespan), on the database fuzz_app prepares.
APP = create_app(lambda: Runtime.open(_SETTINGS["settings"]))
schema = schemathesis.openapi.from_dict(APP.openapi())


@pytest.fixture(scope="module")
def fuzz_app(test_server: Server, request: pytest.FixtureRequest) -> Iterator[FastAPI]:
    from psycopg.rows import dict_row

    with test_server.connect(autocommit=True) as conn:
        conn.execute(f"TRUNCATE {', '.join(LEDGER_TABLES)} RESTART IDENTITY")
    settings_ = Settings(DATABASE_URL=test_server.conninfo)
    runtime = Runtime.open(settings_)
    try:  # an enterprise with a record, so that some generated reads find something
        uscc = make_uscc(71)
        runtime.intake.submit([registered(uscc)], author=officer("TJ-LIC"))
        runtime.intake.submit([penalty_decided(uscc)], author=officer("TJ-ENF"))
    finally:
        runtime.close()
    store = TokenStore(lambda: test_server.connect(row_factory=dict_row))
    _SETTINGS["settings"] = settings_
    app = APP
    app.state.fuzz_tokens = {
        "public": None,
        "officer": store.create("TJ-LIC", "officer", label="fuzz-officer")[1],
        "auditor": store.create("TJ-CREDIT", "auditor", label="fuzz-auditor")[1],
    }
    yield app
    shutdown_lifespans()  # close the runtime schemathesis started, before the test database goes
    line = f"schemathesis: {COUNTS['cases']} cases, {COUNTS['calls']} calls; {_statuses()}"
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if capture is not None and reporter is not None:
        with capture.global_and_fixture_disabled():  # shown even under -q, without -s
            reporter.write_line(line)


def _statuses() -> dict[str, int]:
    return {k: v for k, v in sorted(COUNTS.items()) if k.startswith("status ")}


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_operation_answers_a_server_error_and_every_4xx_is_a_problem(case: Any, fuzz_app: FastAPI) -> None:
    COUNTS["cases"] += 1
    generated = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
    # As generated (perhaps with a random Authorization header), then as each principal.
    variants = [("generated", dict(case.headers or {}))] + [
        (who, {**generated, **({"Authorization": f"Bearer {secret}"} if secret else {})})
        for who, secret in fuzz_app.state.fuzz_tokens.items()
    ]
    for who, headers in variants:
        case.headers = headers
        response = case.call(app=fuzz_app)
        COUNTS["calls"] += 1
        COUNTS[f"status {response.status_code}"] += 1
        # and every answer has the shape the OpenAPI document declares for its status (issue 17)
        case.validate_response(
            response, checks=[not_a_server_error, response_schema_conformance, content_type_conformance]
        )
        if 400 <= response.status_code < 500:
            content_type = (response.headers.get("content-type") or [""])[0]
            assert content_type.startswith("application/problem+json"), (who, response.status_code, content_type)
