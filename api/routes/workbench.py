"""The repair reviewer's workbench and the auditor's timeline picture (issue 24, docs/portal.md).

Signed in with a reviewer's or an auditor's token, kept in an HttpOnly, SameSite=Strict cookie
(never readable by a script, never sent by another site's form); every form carries a CSRF token
(an HMAC of the session's token), and a form posted without it or without the cookie records
nothing and answers 403. The pages call the JSON routes' own functions (the queue, the case with
its preview, the intake), so they show and record exactly what `/v1/repair-cases` and
`POST /v1/records` would."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from adapters import clock
from api.deps import in_china_if_naive
from api.portal import SESSION_COOKIE, csrf_ok, csrf_token, new_nonce, page
from api.routes import repair_cases as cases_api
from api.timeline_svg import timeline_svg
from domain.access import Author, Principal, Role
from domain.errors import ForbiddenError, InvalidTokenError, LedgerError, NotFoundError
from domain.identifiers import normalise_uscc
from domain.time import CHINA

router = APIRouter(prefix="/workbench", include_in_schema=False)
LOGIN_COOKIE = "cl_login"
DECISIONS = {
    "repair.accepted": "受理",
    "repair.rejected": "不予受理",
    "repair.correction_requested": "要求补正材料",
    "repair.materials_received": "收到材料",
    "repair.granted": "准予修复",
    "repair.denied": "不予修复",
    "repair.revoked": "撤销修复决定",
}
MATERIALS = {
    "application_form": "信用修复申请书",
    "commitment_letter": "守信承诺书",
    "evidence": "履行义务/消除影响的证明",
    "statement": "事实和理由的说明",
    "identity_documents": "身份证明",
    "service_address_confirmation": "送达地址确认书",
    "other": "其他",
}
STATES = {
    "submitted": "已申请", "correction_requested": "补正中", "accepted": "已受理", "rejected": "不予受理",
    "granted": "准予修复", "denied": "不予修复", "executed": "已执行", "revoked": "已撤销",
}  # fmt: skip
WORKBENCH_ROLES = (Role.reviewer, Role.auditor)


def _cookie(response: Response, request: Request, name: str, value: str, path: str) -> None:
    response.set_cookie(
        name, value, httponly=True, samesite="strict", secure=request.url.scheme == "https", path=path, max_age=8 * 3600
    )


async def _principal(request: Request) -> tuple[Principal, str] | None:
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret:
        return None
    try:
        principal = await run_in_threadpool(request.app.state.runtime.tokens.authenticate, secret)
    except InvalidTokenError:
        return None
    if principal.role not in WORKBENCH_ROLES:
        return None
    return principal, secret


async def _form(request: Request) -> dict[str, list[str]]:
    body = await request.body()
    return parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=50)


def _one(form: dict[str, list[str]], name: str) -> str:
    return (form.get(name) or [""])[0].strip()


def _forbidden(message: str) -> Response:
    return page("error.html", status_code=403, title="拒绝", message=message, workbench=True)


def _to_sign_in() -> Response:
    return RedirectResponse("/workbench/sign-in", status_code=303)


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(request: Request) -> Response:
    nonce = new_nonce()
    response = page("sign_in.html", title="工作台登录", csrf=nonce, workbench=True)
    _cookie(response, request, LOGIN_COOKIE, nonce, "/workbench/sign-in")
    return response


@router.post("/sign-in", response_class=HTMLResponse)
async def sign_in(request: Request) -> Response:
    form = await _form(request)
    nonce = request.cookies.get(LOGIN_COOKIE)
    if not nonce or _one(form, "csrf") != nonce:
        return _forbidden("表单已失效或来源不明（缺少 CSRF 令牌），请重新打开登录页。")
    secret = _one(form, "token")
    try:
        principal = await run_in_threadpool(request.app.state.runtime.tokens.authenticate, secret)
    except InvalidTokenError:
        again = new_nonce()
        refused: Response = page(
            "sign_in.html", status_code=401, title="工作台登录", csrf=again, workbench=True,
            error="令牌无效、未知或已吊销。",
        )  # fmt: skip
        _cookie(refused, request, LOGIN_COOKIE, again, "/workbench/sign-in")
        return refused
    if principal.role not in WORKBENCH_ROLES:
        return _forbidden(f"{principal.role.value} 令牌不能使用工作台：仅限信用修复审核人员（REP-02）与审计人员。")
    response: Response = RedirectResponse("/workbench", status_code=303)
    _cookie(response, request, SESSION_COOKIE, secret, "/workbench")
    response.delete_cookie(LOGIN_COOKIE, path="/workbench/sign-in")
    return response


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    session = await _principal(request)
    form = await _form(request)
    if session is None or not csrf_ok(session[1], _one(form, "csrf")):
        return _forbidden("缺少有效的会话或 CSRF 令牌。")
    response = RedirectResponse("/workbench/sign-in", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/workbench")
    return response


@router.get("", response_class=HTMLResponse)
async def queue(request: Request) -> Response:
    session = await _principal(request)
    if session is None:
        return _to_sign_in()
    principal, secret = session
    runtime = request.app.state.runtime
    try:
        found = await run_in_threadpool(cases_api.get_queue, runtime, principal, None, None, None, None, None)
    except LedgerError as exc:
        return _forbidden(str(exc))
    return page(
        "queue.html",
        title="信用修复案件",
        q=found,
        states=STATES,
        who=principal,
        csrf=csrf_token(secret),
        workbench=True,
    )


@router.get("/cases/{application_id}", response_class=HTMLResponse)
async def case(request: Request, application_id: str) -> Response:
    session = await _principal(request)
    if session is None:
        return _to_sign_in()
    principal, secret = session
    uscc = request.query_params.get("uscc") or None
    runtime = request.app.state.runtime
    try:
        detail = await run_in_threadpool(cases_api.get_case, runtime, principal, application_id, uscc, None, None)
    except LedgerError as exc:
        return page("error.html", status_code=_status(exc), title="无法显示", message=str(exc), workbench=True)
    return page(
        "case.html", title=f"案件 {application_id}", c=detail, who=principal, csrf=csrf_token(secret),
        nonce=new_nonce(), decisions=DECISIONS, states=STATES, materials=MATERIALS, today=clock.today().isoformat(),
        done=request.query_params.get("done"), workbench=True,
    )  # fmt: skip


def _status(exc: LedgerError) -> int:
    return 403 if isinstance(exc, ForbiddenError) else 404 if isinstance(exc, NotFoundError) else 422


@router.post("/cases/{application_id}/decide", response_class=HTMLResponse)
async def decide(request: Request, application_id: str) -> Response:
    """A `repair.*` record through the intake, as `POST /v1/records` with the session's token."""
    session = await _principal(request)
    form = await _form(request)
    if session is None:
        return _forbidden("未登录（缺少会话 Cookie），未记录任何内容。")
    principal, secret = session
    if not csrf_ok(secret, _one(form, "csrf")):
        return _forbidden("缺少或错误的 CSRF 令牌，未记录任何内容。")
    kind = _one(form, "type")
    if kind not in DECISIONS:
        return page("error.html", status_code=422, title="无法记录", message="未知的决定类型。", workbench=True)
    data: dict[str, Any] = {"application_id": application_id}
    if reason := _one(form, "reason"):
        data["reason"] = reason[:2000]
    chosen = [m for m in form.get("materials", []) if m in MATERIALS]
    if kind == "repair.materials_received":
        data["materials"] = chosen
    if kind == "repair.correction_requested":
        data["missing"] = chosen
    record = {
        "type": kind,
        "uscc": _one(form, "uscc"),
        "effective_on": _one(form, "effective_on"),
        "source": {"department": principal.department, "record_id": f"WB-{_one(form, 'nonce')[:40]}"},
        "data": data,
    }
    runtime = request.app.state.runtime
    outcomes = await run_in_threadpool(runtime.intake.submit, [record], author=Author.of(principal))
    outcome = outcomes[0]
    if outcome.status == "rejected":
        errors = outcome.as_json().get("errors", [])
        text = "；".join(f"{e.get('field')}: {e.get('reason')} ({e.get('rule') or '—'})" for e in errors)
        status = 403 if any(e.get("rule") in ("AUTH-01", "AUTH-02", "AUTH-03", "REP-02") for e in errors) else 422
        return page("error.html", status_code=status, title="未记录", message=f"记录被拒绝：{text}", workbench=True)
    runtime.projector.wake()
    where = f"/workbench/cases/{quote(application_id)}?uscc={record['uscc']}&done={quote(kind)}"
    return RedirectResponse(where, status_code=303)


@router.get("/enterprises/{uscc}/timeline", response_class=HTMLResponse)
async def timeline(request: Request, uscc: str) -> Response:
    """The enterprise's history as an SVG picture, as the ledger knew it at `known_at`."""
    session = await _principal(request)
    if session is None:
        return _to_sign_in()
    principal, _ = session
    runtime = request.app.state.runtime
    try:
        code = normalise_uscc(uscc)
    except LedgerError as exc:
        return page("error.html", status_code=422, title="代码无效", message=str(exc), workbench=True)
    raw = request.query_params.get("known_at", "").strip()
    note = None
    moment: datetime | None = None
    if raw:
        try:
            moment = in_china_if_naive(datetime.fromisoformat(raw))
        except ValueError:
            note = f"时间“{raw}”无效；已显示现在所知。"
    if principal.role is not Role.auditor and not await run_in_threadpool(_reviewer_may_read, runtime, principal, code):
        return _forbidden("审核人员仅可查看本部门有记录的主体（docs/access.md）。")
    settled = await run_in_threadpool(runtime.reads.settle, moment) if moment else None
    entries = await run_in_threadpool(runtime.reads.timeline, code, settled)
    history = await run_in_threadpool(runtime.reads.history, code, settled)
    svg = timeline_svg(code, entries, history, runtime.rules, settled or clock.now(), clock.today())
    shown = (settled or clock.now()).astimezone(CHINA).strftime("%Y-%m-%dT%H:%M")
    return page(
        "timeline.html", title=f"时间线 {code}", uscc=code, svg=svg, known_at=shown, entries=entries, note=note,
        workbench=True, csrf=csrf_token(session[1]),
    )  # fmt: skip


def _reviewer_may_read(runtime: Any, principal: Principal, uscc: str) -> bool:
    return any(e["source"]["department"] == principal.department for e in runtime.reads.timeline(uscc))
