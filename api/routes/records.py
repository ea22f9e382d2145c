from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse

from api.deps import RuntimeDep
from api.errors import InvalidInputError, PayloadTooLargeError, problem

router = APIRouter(prefix="/v1/records", tags=["records"])

REQUEST_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "oneOf": [
                    {"$ref": "#/components/schemas/Record"},
                    {"type": "array", "items": {"$ref": "#/components/schemas/Record"}, "minItems": 1},
                ]
            }
        }
    },
}


@router.post(
    "",
    openapi_extra={"requestBody": REQUEST_BODY},
    responses={
        200: {"description": "a batch, or one record already recorded (duplicate): an outcome per record"},
        201: {"description": "one record, recorded"},
        413: {"description": "batch larger than the documented maximum"},
        422: {"description": "one record, rejected (problem+json with the outcome)"},
    },
)
def post_records(runtime: RuntimeDep, body: Annotated[Any, Body()]) -> JSONResponse:
    """Record one record (a JSON object) or a batch (a JSON array), each judged alone.

    Per record: `recorded`, `duplicate` (same record under the same
    `(source.department, source.record_id)`), or `rejected` with errors naming the field,
    the reason and the rule.
    """
    single = isinstance(body, dict)
    records = [body] if single else body
    if not isinstance(records, list) or not records:
        raise InvalidInputError("the body must be a record object or a non-empty array of records")
    limit = runtime.settings.max_batch_records
    if len(records) > limit:
        raise PayloadTooLargeError(f"a batch holds at most {limit} records; this one has {len(records)}")
    outcomes = [o.as_json() for o in runtime.intake.submit(records)]
    summary = {s: sum(1 for o in outcomes if o["status"] == s) for s in ("recorded", "duplicate", "rejected")}
    if single and outcomes[0]["status"] == "rejected":
        errors = outcomes[0]["errors"]
        return problem(422, "Record rejected", "the record was not recorded", errors=errors, results=outcomes)
    status = 201 if single and outcomes[0]["status"] == "recorded" else 200
    return JSONResponse({"results": outcomes, "summary": summary}, status_code=status)

