"""Who is asking: the principal behind `Authorization: Bearer <token>`, and role checks.

No header: the public (None). A header that is not a usable bearer token — malformed,
unknown or revoked — is a 401 on every route, public ones included, so that a client with a
broken token finds out at once instead of silently reading as the public.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.deps import RuntimeDep, UsccDep
from domain.access import RISK_DIVISIONS, Principal, Role, may_read_risk
from domain.errors import ForbiddenError, InvalidTokenError, UnauthenticatedError

# Declared for the OpenAPI document (a `bearer` security scheme); the header is read below,
# because HTTPBearer(auto_error=False) would read a malformed header as "no token".
_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="An API token (`credit-ledger tokens create`), bound to one department and one role.",
)


async def optional_principal(
    request: Request,
    runtime: RuntimeDep,
    _declared: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> Principal | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, secret = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise InvalidTokenError("the Authorization header must be `Bearer <token>`")
    try:
        # The look-up may query the database: in the thread pool, never on the event loop.
        return await run_in_threadpool(runtime.tokens.authenticate, secret.strip())
    except InvalidTokenError:
        raise InvalidTokenError("the token is malformed, unknown or revoked") from None


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]


async def require_principal(principal: OptionalPrincipal) -> Principal:
    if principal is None:
        raise UnauthenticatedError("this endpoint needs a token: send `Authorization: Bearer <token>`")
    return principal


def require_role(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency admitting only tokens of `roles` (401 without a token, 403 with another role)."""
    allowed = ", ".join(r.value for r in roles)

    async def dependency(principal: Annotated[Principal, Depends(require_principal)]) -> Principal:
        if principal.role not in roles:
            raise ForbiddenError(f"a {principal.role.value} token may not do this; it needs: {allowed}")
        return principal

    return dependency


def require_enterprise_reader(
    uscc: UsccDep, runtime: RuntimeDep, principal: Annotated[Principal, Depends(require_principal)]
) -> Principal:
    """Non-public views of one enterprise (its timeline, personal data): an auditor, or an
    officer or reviewer of a department that has a record about the enterprise."""
    if principal.role is Role.auditor:
        return principal
    if principal.role in (Role.officer, Role.reviewer):
        departments = {fact.department for fact in runtime.reads.history(uscc)}  # 404 if unknown
        if principal.department in departments:
            return principal
        raise ForbiddenError(f"department {principal.department!r} has no record about {uscc}; ask an auditor")
    raise ForbiddenError(
        f"a {principal.role.value} token does not read enterprise records; it needs: auditor, officer, reviewer"
    )


async def require_risk_reader(principal: Annotated[Principal, Depends(require_principal)]) -> Principal:
    """Risk classes (RISK-02: internal): an auditor, or an officer or reviewer of the credit
    division or a sector division (`domain.access.RISK_DIVISIONS`)."""
    if may_read_risk(principal):
        return principal
    raise ForbiddenError(
        f"a {principal.role.value} token of {principal.department} may not read risk classes (RISK-02); they are "
        f"for auditors and officers of {', '.join(sorted(RISK_DIVISIONS))}"
    )


async def require_risk_overview(principal: Annotated[Principal, Depends(require_principal)]) -> Principal:
    """Models and run reports (counts, no enterprise): risk readers, and administrators."""
    if principal.role is Role.admin or may_read_risk(principal):
        return principal
    raise ForbiddenError(f"a {principal.role.value} token of {principal.department} may not read risk runs (RISK-02)")


Writer = Annotated[Principal, Depends(require_role(Role.officer, Role.reviewer))]
EnterpriseReader = Annotated[Principal, Depends(require_enterprise_reader)]
RiskReader = Annotated[Principal, Depends(require_risk_reader)]
RiskOverview = Annotated[Principal, Depends(require_risk_overview)]
Admin = Annotated[Principal, Depends(require_role(Role.admin))]
