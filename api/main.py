"""The FastAPI application."""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles
from psycopg_pool import AsyncConnectionPool
from pydantic import TypeAdapter

from api import errors
from api.auth import optional_principal
from api.batching import Batcher
from api.bootstrap import Runtime
from api.json_body import json_body
from api.limits import BodySizeLimit
from api.portal import STATIC
from api.routes import (
    audit,
    draws,
    enterprises,
    feeds,
    health,
    lists,
    portal,
    public,
    records,
    repair_cases,
    risk,
    rules,
    search,
    stats,
    workbench,
)
from api.schemas import Problem
from domain.records import Record
from projections.public_items import Shown, items_at_many_async


def create_app(open_runtime: Callable[[], Runtime] = Runtime.open) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> Any:
        runtime = open_runtime()
        app.state.runtime = runtime
        if runtime.settings.run_projector:
            runtime.projector.start()  # read models follow the log (issue 4); stopped by close()
        if runtime.settings.run_signer:
            runtime.checkpointer.start()  # signed checkpoints (issue 22); stopped by close()
        if runtime.settings.run_relay:
            runtime.relay.start()  # the change feed's webhooks and NATS (issue 23); stopped by close()
        # The public view's batched lookups: one batch in flight per worker needs one connection
        # (kept open: opening one, a new PostgreSQL backend, takes several milliseconds); a
        # second stands in while a broken one is replaced.
        read_pool = AsyncConnectionPool(
            runtime.read_server.conninfo,
            min_size=1,
            max_size=2,
            kwargs={"autocommit": True, "application_name": "credit-ledger reads"},
            open=False,
        )
        await read_pool.open()

        async def public_items(lookups: Sequence[tuple[str, date, datetime]]) -> list[list[Shown] | None]:
            # A short wait: everyone waiting behind this batch fails with it (503, not a hang).
            async with read_pool.connection(timeout=5.0) as conn:
                return await items_at_many_async(conn, lookups)

        app.state.public_items = Batcher(public_items)
        # What exists now lives as long as the process: kept out of the garbage collector's full
        # passes, which otherwise walk every route, schema and rule each time (tens of ms added
        # to every request waiting behind one).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()  # an app made and dropped in-process (the tests) can then be collected
            await read_pool.close()
            runtime.close()

    app = FastAPI(
        title="Key-sector credit ledger",
        version="0.1.0",
        description="Event-sourced credit records of enterprises supervised by the Tianjin "
        "Market Supervision Commission. Errors are application/problem+json (RFC 9457). "
        "Tokens (`Authorization: Bearer …`) are bound to one department and one role; without one "
        "you are the public. A malformed, unknown or revoked token is a 401 on every route.",
        lifespan=lifespan,
        # On every route, so that a broken token is a 401 everywhere, never a silent public read.
        # Every JSON body read strictly, once (api/json_body.py: duplicated members, UTF-16 refused).
        dependencies=[Depends(optional_principal), Depends(json_body)],
    )
    app.add_middleware(BodySizeLimit)
    errors.install(app)
    # risk before lists: its /v1/lists/risk is matched before /v1/lists/{list_name}
    for module in (
        health,
        records,
        search,
        enterprises,
        public,
        risk,
        lists,
        rules,
        stats,
        audit,
        repair_cases,
        draws,
        feeds,
        portal,
        workbench,
    ):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")  # the portal's style sheet (issue 24)
    app.openapi = lambda: _openapi_with_records(app)  # type: ignore[method-assign]
    return app


def _openapi_with_records(app: FastAPI) -> dict[str, Any]:
    """Publish the record vocabulary (every `data` schema) as components."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    record_schema = TypeAdapter(Record).json_schema(ref_template="#/components/schemas/{model}")
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.update(record_schema.pop("$defs", {}))
    components["Record"] = record_schema
    _problems_documented(schema)
    app.openapi_schema = schema
    return schema


def _problems_documented(schema: dict[str, Any]) -> None:
    """Every error answer is an RFC 9457 problem document (api/errors.py): say so for each
    operation's documented error statuses, and as its default answer for any other."""
    components = schema["components"]["schemas"]
    components["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(components["Problem"].pop("$defs", {}))
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operations in schema["paths"].values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, response in responses.items():
                if status.isdigit() and int(status) >= 400:
                    response["content"] = problem
            responses["default"] = {"description": "an error (RFC 9457 problem document)", "content": problem}
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
