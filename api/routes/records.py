from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.auth import Writer
from api.deps import RuntimeDep
from api.json_body import JsonBody
from api.schemas import RecordsAnswer
from domain.access import Author, refused_for_who
from domain.errors import (
    ForbiddenError,
    InvalidInputError,
    PayloadTooLargeError,
    RecordRejectedError,
)

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
        200: {
            "model": RecordsAnswer,
            "description": "a batch, or one record already recorded (duplicate): an outcome per record",
        },
        201: {"model": RecordsAnswer, "description": "one record, recorded"},
        401: {"description": "no token, or a malformed, unknown or revoked one"},
        403: {
            "description": "the token may not write this: another department (AUTH-01), a record type "
            "outside its role (AUTH-02), a repair of another authority's record (AUTH-03, REP-02), "
            "an amendment of another department's record (LEDGER-05); for a batch, when every record is refused so"
        },
        400: {
            "description": "not one UTF-8 JSON text as I-JSON (RFC 7493) has it: malformed, a duplicated member "
            "name (INPUT-02, each named by its JSON Pointer), UTF-16 or another encoding (INPUT-01, `encoding` "
            "names it), a lone surrogate or a number parsers read differently (INPUT-03); nothing recorded"
        },
        413: {"description": "batch larger than the documented maximum"},
        422: {"description": "one record, rejected (problem+json with the outcome)"},
    },
)
def post_records(principal: Writer, runtime: RuntimeDep, body: JsonBody) -> JSONResponse:
    """Record one record (a JSON object) or a batch (a JSON array), each judged alone.

    Needs an `officer` token (every record type but repair decisions) or a `reviewer` token
    (repair decisions). `source.department` is the token's department (it may be left out;
    naming another one is refused) and `source.operator` is the token's label or id,
    whatever the body says.

    Per record: `recorded`, `duplicate` (same record under the same
    `(source.department, source.record_id)`), or `rejected` with errors naming the field,
    the reason and the rule.

    The body is one UTF-8 JSON text (RFC 8259, I-JSON RFC 7493): a duplicated member name
    (INPUT-02), another encoding (INPUT-01) or a value parsers read differently (INPUT-03) is
    refused with 400 naming it, and nothing is recorded.
    """
    if body is None:
        raise InvalidInputError("a body is required: a record object or a non-empty array of records")
    single = isinstance(body, dict)
    records = [body] if single else body
    if not isinstance(records, list) or not records:
        raise InvalidInputError("the body must be a record object or a non-empty array of records")
    limit = runtime.settings.max_batch_records
    if len(records) > limit:
        raise PayloadTooLargeError(f"a batch holds at most {limit} records; this one has {len(records)}")
    outcomes = runtime.intake.submit(records, author=Author.of(principal))
    if any(o.status == "recorded" for o in outcomes):
        runtime.projector.wake()  # project it now, not after the idle wait (min_position readers)
    results = [o.as_json() for o in outcomes]
    if all(o.status == "rejected" and refused_for_who(o.errors) for o in outcomes):
        if single:
            raise ForbiddenError("the record was not recorded", outcomes[0].errors, results=results)
        raise ForbiddenError("no record of the batch may be written with this token", results=results)
    if single and outcomes[0].status == "rejected":
        raise RecordRejectedError(outcomes[0].errors, results=results)
    summary: dict[str, int | None] = {
        s: sum(1 for o in outcomes if o.status == s) for s in ("recorded", "duplicate", "rejected")
    }
    summary["position"] = max((o.position for o in outcomes if o.position is not None), default=None)
    status = 201 if single and outcomes[0].status == "recorded" else 200
    return JSONResponse({"results": results, "summary": summary}, status_code=status)
