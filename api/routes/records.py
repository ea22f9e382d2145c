from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse

from api.auth import Writer, author_of
from api.deps import RuntimeDep
from api.errors import InvalidInputError, PayloadTooLargeError, problem
from ledger.intake import FORBIDDEN_RULES

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
        401: {"description": "no token, or a malformed, unknown or revoked one"},
        403: {
            "description": "the token may not write this: another department (AUTH-01), a record type "
            "outside its role (AUTH-02), a repair of another authority's record (AUTH-03, REP-02), "
            "an amendment of another department's record (LEDGER-05); for a batch, when every record is refused so"
        },
        413: {"description": "batch larger than the documented maximum"},
        422: {"description": "one record, rejected (problem+json with the outcome)"},
    },
)
def post_records(principal: Writer, runtime: RuntimeDep, body: Annotated[Any, Body()]) -> JSONResponse:
    """Record one record (a JSON object) or a batch (a JSON array), each judged alone.

    Needs an `officer` token (every record type but repair decisions) or a `reviewer` token
    (repair decisions). `source.department` is the token's department (it may be left out;
    naming another one is refused) and `source.operator` is the token's label or id,
    whatever the body says.

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
    outcomes = [o.as_json() for o in runtime.intake.submit(records, author=author_of(principal))]
    summary = {s: sum(1 for o in outcomes if o["status"] == s) for s in ("recorded", "duplicate", "rejected")}
    if all(_forbidden(o) for o in outcomes):
        if single:
            return problem(
                403, "Forbidden", "the record was not recorded", errors=outcomes[0]["errors"], results=outcomes
            )
        return problem(403, "Forbidden", "no record of the batch may be written with this token", results=outcomes)
    if single and outcomes[0]["status"] == "rejected":
        errors = outcomes[0]["errors"]
        return problem(422, "Record rejected", "the record was not recorded", errors=errors, results=outcomes)
    status = 201 if single and outcomes[0]["status"] == "recorded" else 200
    return JSONResponse({"results": outcomes, "summary": summary}, status_code=status)


def _forbidden(outcome: dict[str, Any]) -> bool:
    errors = outcome["errors"]
    return outcome["status"] == "rejected" and bool(errors) and all(e["rule"] in FORBIDDEN_RULES for e in errors)
