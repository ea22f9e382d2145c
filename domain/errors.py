"""The ledger's one exception tree.

Every error the ledger raises on purpose is a `LedgerError`. Each says what went wrong in the
user's terms (`detail`) and, where it can, which field, which rule and why (`problems`). What a
class means to a client (an HTTP status, a command line's exit code) is decided in one place
per interface: `api/errors.py` for HTTP.

    LedgerError
    ├── InvalidInputError          the input does not match the vocabulary or the API
    │   ├── MalformedInputError    not even parseable (JSON, encoding)
    │   │   ├── JsonEncodingError  not UTF-8: UTF-16, UTF-32, GBK… (INPUT-01)
    │   │   ├── DuplicateMemberError  a member name twice in one object (INPUT-02)
    │   │   └── JsonValueError     a value parsers read differently (INPUT-03)
    │   ├── InvalidUSCCError       ID-01, ID-02
    │   ├── BadCursorError         a paging cursor this ledger did not hand out
    │   ├── ReferenceValueError    a reference-data value of the wrong shape
    │   └── RiskModelError         a risk model file that is not a valid model (RISK-08)
    ├── RecordRefusedError         a record breaks a rule of the ledger (nothing recorded)
    │   └── RecordRejectedError    …and it was the only record sent (outcome attached)
    ├── NotFoundError
    │   ├── EnterpriseNotFoundError
    │   └── NoRiskClassError       no effective run or special case classified it then (RISK-06)
    ├── AccessError
    │   ├── UnauthenticatedError   no usable token
    │   │   └── InvalidTokenError  a token was sent, malformed, unknown or revoked
    │   └── ForbiddenError         the token may not do this
    ├── LimitError
    │   ├── PayloadTooLargeError
    │   └── TooManyRequestsError
    ├── ConflictError              the request contradicts what the ledger holds
    │   ├── StaleWriteError        another writer got there first (intake retries)
    │   └── RiskModelConflictError a risk model version loaded before with other content
    ├── UnavailableError           a passing condition: ask again (retry_after seconds)
    │   ├── WriterBusyError
    │   └── DatabaseUnavailableError
    └── VerificationError          the stored log is not the log that was signed (names the row)
        └── CheckpointRefusedError a checkpoint not signed by the trusted key, or not an extension
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One reason something was refused: the field, why, and the rule (rulebook ID or LEDGER-*)."""

    field: str
    reason: str
    rule: str | None = None
    earliest_on: date | None = None

    def __str__(self) -> str:
        rule = f" ({self.rule})" if self.rule else ""
        return f"{self.field}: {self.reason}{rule}"

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field, "reason": self.reason, "rule": self.rule}
        if self.earliest_on is not None:
            out["earliest_on"] = self.earliest_on.isoformat()
        return out


class LedgerError(Exception):
    """Base of every error the ledger raises on purpose."""

    def __init__(self, detail: str, problems: Sequence[Problem] = (), **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.problems = list(problems)
        self.extra = extra
        """Further members of the problem document (e.g. `results` of a batch)."""

    def __str__(self) -> str:
        if not self.problems:
            return self.detail
        return f"{self.detail}: " + "; ".join(str(p) for p in self.problems)


class InvalidInputError(LedgerError):
    """The input does not match the record vocabulary or the API."""


class MalformedInputError(InvalidInputError):
    """The input cannot even be parsed (malformed JSON, a duplicated key, another encoding)."""


INVALID_UTF8 = "invalid UTF-8"
"""`JsonEncodingError.encoding` when the bytes are no UTF we can name (GBK, Latin-1, broken UTF-8)."""


class JsonEncodingError(MalformedInputError):
    """A JSON text not in UTF-8 (RFC 8259 §8.1, RFC 7493 §2.1): `encoding` names what it is."""

    def __init__(self, encoding: str, reason: str) -> None:
        super().__init__(
            f"the body is {encoding}, not UTF-8; nothing was recorded"
            if encoding != INVALID_UTF8
            else "the body is not UTF-8; nothing was recorded",
            [Problem("body", reason, "INPUT-01")],
            encoding=encoding,
        )
        self.encoding = encoding


class DuplicateMemberError(MalformedInputError):
    """A JSON object naming one member twice (RFC 7493 §2.3); each problem's field is the JSON
    Pointer (RFC 6901) of a duplicated member."""


class JsonValueError(MalformedInputError):
    """A JSON value that parsers read differently (RFC 7493 §2.1, §2.2): a lone surrogate, a
    noncharacter, a number beyond binary64, an integer beyond 2**53 - 1, NaN or Infinity."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{reason}; nothing was recorded", [Problem(field, reason, "INPUT-03")])


class InvalidUSCCError(InvalidInputError, ValueError):
    """Not a valid unified social credit code (rulebook ID-01, ID-02). A ValueError too, so that
    a pydantic validator raising it reports it as a field error."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, [Problem("uscc", reason, "ID-02")])


class BadCursorError(InvalidInputError, ValueError):
    """A paging cursor that this ledger did not return."""


class ReferenceValueError(InvalidInputError, ValueError):
    """A reference-data value (or its name) that the ledger cannot use."""


class RiskModelError(InvalidInputError):
    """A risk model file (or a run's choice of model) that the ledger cannot use (RISK-08)."""


class RecordRefusedError(LedgerError):
    """The record breaks a rule of the ledger; nothing was recorded."""

    def __init__(self, problems: Sequence[Problem], detail: str = "the record was not recorded", **extra: Any):
        super().__init__(detail, problems, **extra)

    def __str__(self) -> str:
        return "; ".join(str(p) for p in self.problems) or self.detail


class RecordRejectedError(RecordRefusedError):
    """A single record sent alone was rejected; `extra['results']` holds its outcome."""


class NotFoundError(LedgerError):
    pass


class EnterpriseNotFoundError(NotFoundError, LookupError):
    def __init__(self, uscc: str) -> None:
        super().__init__(f"no enterprise with USCC {uscc} in the ledger")
        self.uscc = uscc


class NoRiskClassError(NotFoundError):
    """The enterprise had no risk class on that date as known then: no effective run had
    classified it, nor a special case re-scored it (RISK-06)."""


class AccessError(LedgerError):
    pass


class UnauthenticatedError(AccessError):
    """No usable token where one is needed; the detail never repeats the token."""


class InvalidTokenError(UnauthenticatedError):
    """Malformed, unknown or revoked: one error for all three, so that a caller learns nothing."""


class ForbiddenError(AccessError):
    """The bearer is known but may not do this."""


class LimitError(LedgerError):
    pass


class PayloadTooLargeError(LimitError):
    pass


class TooManyRequestsError(LimitError):
    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class ConflictError(LedgerError):
    """The request contradicts what the ledger holds (a step out of order, a used key)."""


class StaleWriteError(ConflictError):
    """Another writer appended to the same enterprise, or took the same idempotency key, first:
    read again and judge again (intake does so by itself)."""


class RiskModelConflictError(ConflictError):
    """A risk model version is immutable: the same version with other content is refused."""


class UnavailableError(LedgerError):
    """A passing condition: the same request may succeed if sent again after `retry_after` s."""

    retry_after = 1


class WriterBusyError(UnavailableError):
    """Other writers kept winning the same enterprises; nothing of this batch was recorded."""


class NotProjectedYetError(UnavailableError):
    """A read asked for `min_position` and the read model had not reached it within the wait
    (issue 25): `position` says where it is; ask again after `retry_after` s."""


class DatabaseUnavailableError(UnavailableError):
    """The database is down, restarting or out of connections."""

    retry_after = 5


class VerificationError(LedgerError):
    """The stored log differs from what was recorded and signed (docs/audit.md): `kind` is
    edited, deleted, inserted, re-ordered or rewritten; `notification_id`, `uscc` and `record`
    name the first changed row where it can be told."""

    def __init__(
        self,
        detail: str,
        *,
        kind: str | None = None,
        notification_id: int | None = None,
        uscc: str | None = None,
        record: str | None = None,
        **extra: Any,
    ) -> None:
        named = {"kind": kind, "notification_id": notification_id, "uscc": uscc, "record": record}
        super().__init__(detail, (), **{k: v for k, v in named.items() if v is not None}, **extra)
        self.kind, self.notification_id, self.uscc, self.record = kind, notification_id, uscc, record


class CheckpointRefusedError(VerificationError):
    """A checkpoint refused: badly formed, not signed by the trusted key, of another log, or not
    an extension of a checkpoint seen before (a witness's refusal)."""

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail, kind="checkpoint", **extra)
