"""The public portal (issue 24, docs/portal.md): server-rendered pages in Chinese over the same
read models as the JSON routes (`projections.view`, `projections.lists`, the rule catalogue).
No token; nothing a public JSON route would not show (no risk class: RISK-02)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from adapters import clock
from api.portal import LISTS, SECTORS, page
from domain.errors import BadCursorError, EnterpriseNotFoundError, InvalidInputError
from domain.identifiers import normalise_uscc
from domain.rules.catalogue import listing
from projections import lists, view

router = APIRouter(include_in_schema=False)
PAGE = 20


def _day(request: Request, name: str = "as_of") -> tuple[date, str | None]:
    """The date asked for (a GET form's `as_of`), today when absent; a bad one: today and a note."""
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return clock.today(), None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return clock.today(), f"日期“{raw}”无效，请使用 YYYY-MM-DD 格式；已显示今天的信息。"
    if not date(1990, 1, 1) <= day <= date(2100, 12, 31):
        return clock.today(), f"日期“{raw}”超出范围；已显示今天的信息。"
    return day, None


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    return page("home.html", title="首页", q="")


@router.get("/search", response_class=HTMLResponse)
def search(request: Request) -> Response:
    """Search by USCC (or its beginning) or part of a name (GSXT-02), as `/v1/enterprises?q=`."""
    q = request.query_params.get("q", "").strip()[:100]
    if len(q) < 2:
        return page(
            "home.html",
            status_code=422,
            title="查询",
            q=q,
            error="请至少输入两个字符（名称或统一社会信用代码，GSXT-02）。",
        )
    runtime = request.app.state.runtime
    with runtime.read_connection() as conn:
        results = lists.search(conn, q, PAGE)
    return page("search.html", title=f"查询：{q}", q=q, results=results)


@router.get("/enterprises/{uscc}", response_class=HTMLResponse)
def enterprise(request: Request, uscc: str) -> Response:
    """The enterprise as the publicity system shows it on `as_of` (GSXT-03 order), as known now."""
    try:
        code = normalise_uscc(uscc)
    except InvalidInputError:
        return page("error.html", status_code=422, title="代码无效", message="统一社会信用代码无效（ID-02）。")
    day, note = _day(request)
    runtime = request.app.state.runtime
    try:
        with runtime.read_connection() as conn:
            shown = view.from_read_model(conn, code, day, clock.now())
    except EnterpriseNotFoundError:
        return page("error.html", status_code=404, title="未找到", message=f"未找到统一社会信用代码为 {code} 的主体。")
    return page("enterprise.html", title=_name(shown) or code, v=shown, as_of=day.isoformat(), note=note)


def _name(shown: dict[str, Any]) -> str | None:
    basic = shown.get("basic") or {}
    return basic.get("name")


@router.get("/lists/{list_name}", response_class=HTMLResponse)
def list_page(request: Request, list_name: str) -> Response:
    if list_name not in LISTS:
        return page("error.html", status_code=404, title="未找到", message="没有这个名单。")
    return _members(request, list_name, template="list.html", title=LISTS[list_name])


@router.get("/typical-cases", response_class=HTMLResponse)
def typical_cases(request: Request) -> Response:
    """Typical cases (seed 八(十四)): the exposure board's ground `typical_case` (GSXT-06)."""
    return _members(request, "exposure", template="list.html", title="典型案例", only="typical_case")


def _members(request: Request, list_name: str, *, template: str, title: str, only: str | None = None) -> Response:
    day, note = _day(request)
    q = request.query_params
    sector = q.get("sector") or None
    district = q.get("district") or None
    if sector not in (None, *SECTORS):
        sector, note = None, "未知的重点领域；已显示全部。"
    if district is not None and not (district.isdigit() and len(district) == 6):
        district, note = None, "行政区划代码应为 6 位数字；已显示全部。"
    cursor = q.get("cursor") or None
    runtime = request.app.state.runtime
    try:
        with runtime.read_connection() as conn:
            found = lists.members(
                conn, list_name, day, clock.now(), sector=sector, district=district, cursor=cursor, limit=PAGE
            )
    except BadCursorError:
        return page("error.html", status_code=422, title="页码无效", message="翻页参数无效，请从第一页开始。")
    members = [m for m in found["members"] if only is None or m["subject"] == only]
    return page(
        template,
        title=title,
        list_name=list_name,
        path=request.url.path,
        members=members,
        next_cursor=found["next_cursor"],
        as_of=day.isoformat(),
        sector=sector or "",
        district=district or "",
        note=note,
        first=cursor is None,
    )


@router.get("/rules", response_class=HTMLResponse)
def rules(request: Request) -> Response:
    """The rules the ledger applies, as `/v1/rules` (anchors are the rule IDs)."""
    runtime = request.app.state.runtime
    return page("rules.html", title="适用规则", rules=listing(runtime.rules.reference))
