"""Joint punishment (issue 23, docs/feeds.md): the measures catalogue, the change feed (pull),
subscriptions (push), dead letters, feedback of applied measures and an enterprise's measures."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel, Field

from adapters import clock
from adapters import subscriptions as store
from api.auth import Admin, EnterpriseReader, require_principal
from api.deps import RuntimeDep, UsccDep
from domain.access import Author, Principal, Role
from domain.errors import BadCursorError, ForbiddenError, InvalidInputError, Problem, RecordRejectedError
from domain.measures import feedback_due, measures_for, shown
from projections import change_feed

router = APIRouter(tags=["feeds"])
Day = Annotated[date, Query(ge=date(1990, 1, 1), le=date(2100, 12, 31))]
Department = Annotated[str, Path(min_length=2, max_length=40, pattern=r"^[A-Z0-9][A-Z0-9-]*$")]


class MeasureOut(BaseModel):
    id: str
    list: str
    rule: str
    title: str
    title_zh: str
    applied_by: str
    legal_basis: str
    grounds: str
    valid_from: str
    valid_from_source: str
    valid_until: str | None
    status: str
    open_question: str | None
    note: str


class Measures(BaseModel):
    list_name: str | None = Field(alias="list")
    as_of: str
    measures: list[MeasureOut]


@router.get("/v1/measures", response_model=Measures)
def get_measures(
    runtime: RuntimeDep,
    list_name: Annotated[Literal["serious", "abnormal"] | None, Query(alias="list")] = None,
    as_of: Day | None = None,
) -> dict[str, Any]:
    """The joint-punishment measures in force on `as_of` (default today) for a list (SDL-20,
    SDL-21, SDL-22, AOL-22): who applies each, its legal basis, from when; an open rulebook
    question (Q17) is shown as such. Public: the law, no enterprise."""
    day = as_of or clock.today()
    reference = runtime.rules.reference
    found = measures_for(list_name, day, reference)
    return {"list": list_name, "as_of": day.isoformat(), "measures": shown(found, reference)}


class SubscriptionIn(BaseModel):
    department: str = Field(min_length=2, max_length=40, pattern=r"^[A-Z0-9][A-Z0-9-]*$")
    url: str | None = Field(default=None, max_length=2000, pattern=r"^https?://")
    types: list[str] | None = Field(default=None, max_length=64, description="absent: every item")
    secret: str | None = Field(default=None, max_length=200, description="whsec_ + base64 (Standard Webhooks)")


class SubscriptionOut(BaseModel):
    id: UUID
    department: str
    url: str | None
    types: list[str] | None
    created_at: datetime
    active: bool
    cursor: str
    attempts: int
    failing_since: datetime | None
    next_attempt_at: datetime | None
    last_error: str | None
    delivered: int


class Subscriptions(BaseModel):
    subscriptions: list[SubscriptionOut]


def _subscription(row: dict[str, Any]) -> dict[str, Any]:
    return {
        **{k: v for k, v in row.items() if k not in ("position", "n")},
        "url": row["url"] or None,
        "cursor": change_feed.cursor_text((row["position"], row["n"])),
    }


@router.post("/v1/subscriptions", response_model=SubscriptionOut, status_code=201)
def create_subscription(body: SubscriptionIn, runtime: RuntimeDep, _admin: Admin) -> dict[str, Any]:
    """Subscribe a department to the change feed (admin): pull only without `url`; with one,
    pushed as Standard Webhooks signed with `secret`. Re-sending one (department, url) updates it."""
    unknown = sorted(set(body.types or []) - set(change_feed.FEED_TYPES))
    if unknown:
        raise InvalidInputError(
            "unknown feed types", [Problem("types", f"not a feed type: {', '.join(unknown)}", "SDL-21")]
        )
    with runtime.server.connect(autocommit=True) as conn:
        row = store.create(conn, body.department, body.url, body.types, body.secret)
    return _subscription(row)


@router.get("/v1/subscriptions", response_model=Subscriptions)
def list_subscriptions(runtime: RuntimeDep, _admin: Admin) -> dict[str, Any]:
    """Every subscription and its delivery state (admin); secrets are never shown."""
    with runtime.read_connection() as conn:
        return {"subscriptions": [_subscription(r) for r in store.listing(conn)]}


class DeadLetter(BaseModel):
    item_id: str
    position: int
    n: int
    attempts: int
    last_error: str | None
    dead_at: datetime
    replayed_at: datetime | None


class DeadLetters(BaseModel):
    subscription: UUID
    dead_letters: list[DeadLetter]


@router.get("/v1/subscriptions/{subscription_id}/dead-letters", response_model=DeadLetters)
def get_dead_letters(subscription_id: UUID, runtime: RuntimeDep, _admin: Admin) -> dict[str, Any]:
    """Items the relay gave up on after retrying for 24 hours (admin)."""
    with runtime.read_connection() as conn:
        return {"subscription": subscription_id, "dead_letters": store.dead_letters(conn, subscription_id)}


class Replayed(BaseModel):
    subscription: UUID
    replayed: int
    failed: int


@router.post("/v1/subscriptions/{subscription_id}/dead-letters/replay", response_model=Replayed)
def replay_dead_letters(subscription_id: UUID, runtime: RuntimeDep, _admin: Admin) -> dict[str, Any]:
    """Send the subscription's dead letters again, oldest first (admin); those accepted are
    marked replayed, the others stay with their error. Safe to repeat."""
    with runtime.server.connect(autocommit=True) as conn:
        store.one(conn, subscription_id)
        counts = runtime.relay.replay_dead_letters(conn, subscription_id)
    return {"subscription": subscription_id, **counts}


class FeedPage(BaseModel):
    department: str
    items: list[dict[str, Any]] = Field(description="CloudEvents 1.0, JSON format")
    next_after: str | None = Field(description="the cursor to ask with next; the same one when nothing is new")
    watermark: int = Field(description="the log position up to which the feed is complete")


@router.get("/v1/feeds/{department}", response_model=FeedPage)
def get_feed(
    department: Department,
    runtime: RuntimeDep,
    principal: Annotated[Principal, Depends(require_principal)],
    after: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """The items of the department's subscriptions after the cursor, in commit order, gap-free:
    only up to the feed's safe watermark, so no later commit can add an item before one handed
    out. A token of that department, or an admin's."""
    _may_read_feed(principal, department)
    try:
        cursor = change_feed.parse_cursor(after)
    except ValueError:
        raise BadCursorError("not a feed cursor", [Problem("after", "a cursor this feed returned", "SDL-21")]) from None
    with runtime.read_connection() as conn:
        types = store.types_of(conn, department)
        page, watermark = change_feed.read_page(conn, types, cursor, limit)
    last = page[-1][0] if page else cursor
    return {
        "department": department,
        "items": [event for _, event in page],
        "next_after": change_feed.cursor_text(last) if last else None,
        "watermark": watermark,
    }


def _may_read_feed(principal: Principal, department: str) -> None:
    if principal.role is Role.admin or principal.department == department:
        return
    raise ForbiddenError(f"a token of {principal.department} may not read the feed of {department}")


class FeedbackIn(BaseModel):
    item_id: str = Field(min_length=1, max_length=120, description="the change-feed item (CloudEvent id)")
    measure_id: str = Field(min_length=1, max_length=120, description="a measure of GET /v1/measures")
    action: Literal["applied", "lifted"]
    effective_on: date = Field(ge=date(1990, 1, 1), le=date(2100, 12, 31))
    idempotency_key: str = Field(
        min_length=1, max_length=120, description="the department's own id of this feedback (source.record_id)"
    )
    note: str | None = Field(default=None, max_length=500)


class FeedbackOut(BaseModel):
    status: Literal["recorded", "duplicate"]
    uscc: str
    type: str
    source: dict[str, str]


@router.post(
    "/v1/feeds/{department}/feedback",
    response_model=FeedbackOut,
    status_code=201,
    responses={200: {"model": FeedbackOut, "description": "the same feedback again (duplicate)"}},
)
def post_feedback(
    department: Department,
    body: FeedbackIn,
    runtime: RuntimeDep,
    principal: Annotated[Principal, Depends(require_principal)],
    response: Response,
) -> dict[str, Any]:
    """A department reports that it applied or lifted a measure on a feed item (trigger →
    feedback, SDL-21): recorded as a `measure.applied` / `measure.lifted` record of that
    department about the item's enterprise, with the idempotency key as its record id (sending
    it again is a duplicate, 200). An officer token of that department."""
    if principal.role is not Role.officer or principal.department != department:
        raise ForbiddenError(f"feedback of {department} is sent with an officer token of {department}")
    with runtime.read_connection() as conn:
        item = change_feed.item_by_id(conn, body.item_id)
    if item is None:
        raise InvalidInputError("unknown feed item", [Problem("item_id", "no feed item has this id", "SDL-21")])
    offered = {m["id"] for m in item["data"].get("measures", [])}
    if body.measure_id not in offered:
        reason = f"the item carries no measure {body.measure_id!r}; it carries: {', '.join(sorted(offered)) or 'none'}"
        raise InvalidInputError("not a measure of this item", [Problem("measure_id", reason, "SDL-21")])
    record = {
        "type": f"measure.{body.action}",
        "uscc": item["subject"],
        "effective_on": body.effective_on.isoformat(),
        "source": {"department": department, "record_id": body.idempotency_key},
        "data": {"item_id": body.item_id, "measure_id": body.measure_id, **({"note": body.note} if body.note else {})},
    }
    [outcome] = runtime.intake.submit([record], author=Author.of(principal))
    if outcome.status == "rejected":
        raise RecordRejectedError(outcome.errors, results=[outcome.as_json()])
    response.status_code = 201 if outcome.status == "recorded" else 200
    return {
        "status": outcome.status,
        "uscc": item["subject"],
        "type": record["type"],
        "source": {"department": department, "record_id": body.idempotency_key},
    }


class Trigger(BaseModel):
    item_id: str
    type: str
    list_kind: str = Field(alias="list")
    listing: str
    since: str | None
    until: str | None
    measure: MeasureOut
    feedback: list[dict[str, Any]]
    due: str | None = Field(description="feedback due by this date (working days after the trigger's recording)")
    open_deadline: bool = Field(description="no feedback, and the due date has passed")


class EnterpriseMeasures(BaseModel):
    uscc: str
    as_of: str
    triggers: list[Trigger]


@router.get("/v1/enterprises/{uscc}/measures", response_model=EnterpriseMeasures)
def get_enterprise_measures(
    uscc: UsccDep, runtime: RuntimeDep, _reader: EnterpriseReader, as_of: Day | None = None
) -> dict[str, Any]:
    """The measures the feed triggered for the enterprise's listings in force on `as_of`, and
    beside each the departments' feedback (`measure.applied` / `measure.lifted`); a trigger with
    no feedback within `measure_feedback_window` (reference data, 10 WD assumed) is an open deadline.
    Same readers as the timeline."""
    day = as_of or clock.today()
    history = runtime.reads.history(uscc)
    feedback: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for fact in history:
        if fact.type in ("measure.applied", "measure.lifted"):
            data = fact.data.model_dump(mode="json")
            feedback.setdefault((data["item_id"], data["measure_id"]), []).append(
                {
                    "action": fact.type.split(".")[1],
                    "department": fact.department,
                    "record_id": fact.record_id,
                    "effective_on": fact.effective_on.isoformat(),
                    "note": data.get("note"),
                }
            )
    with runtime.read_connection() as conn:
        page, _ = change_feed.read_page(conn, [f"{change_feed.TYPE_PREFIX}measure.imposed"], None, 1000, uscc=uscc)
    window = runtime.rules.reference.measure_feedback_window.on(day)
    today = clock.today()
    triggers = []
    for _, event in page:
        data = event["data"]
        since, until = data["from"], data["until"]
        if since is None or date.fromisoformat(since) > day or (until and date.fromisoformat(until) <= day):
            continue
        recorded = datetime.fromisoformat(event["time"]).date()
        for measure in data.get("measures", []):
            given = feedback.get((event["id"], measure["id"]), [])
            due, open_deadline = feedback_due(recorded, window, runtime.rules.calendar, bool(given), today)
            triggers.append(
                {
                    "item_id": event["id"],
                    "type": event["type"],
                    "list": data["kind"],
                    "listing": data["subject"],
                    "since": since,
                    "until": until,
                    "measure": measure,
                    "feedback": given,
                    "due": due.isoformat(),
                    "open_deadline": open_deadline,
                }
            )
    return {"uscc": uscc, "as_of": day.isoformat(), "triggers": triggers}
