"""The reviewer's workbench and the timeline picture in a real browser (issue 24): sign in with a
token kept in an HttpOnly SameSite=Strict cookie, grant a case, watch the public page change on
the execution date; forms without the CSRF token or the cookie record nothing (403)."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import quote

import html5lib
import httpx
from playwright.sync_api import Page, expect

from tests.e2e.portal_support import Portal, browser, page, portal, shoot

__all__ = ["browser", "page", "portal"]  # the fixtures, imported
CASE, USCC, PENALTY = "津和信修〔2026〕4号", "91120101MA0002102K", "津和市监罚〔2025〕7号"


def sign_in(page: Page, portal: Portal, department: str, role: str = "reviewer") -> None:
    page.context.clear_cookies()
    page.goto(portal.base + "/workbench")
    assert page.url.endswith("/workbench/sign-in")
    page.get_by_label("令牌").fill(portal.tokens[(department, role)])
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("信用修复案件")


def test_the_session_cookie_is_httponly_and_samesite_strict(portal: Portal, page: Page) -> None:
    sign_in(page, portal, "TJ-ENF")
    cookie = next(c for c in page.context.cookies() if c["name"] == "cl_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/workbench"
    assert "cl_session" not in page.evaluate("document.cookie")
    shoot(page, "workbench-queue")
    page.get_by_role("button", name="退出").click()
    assert page.url.endswith("/workbench/sign-in")
    page.goto(portal.base + "/workbench")
    assert page.url.endswith("/workbench/sign-in")


def test_a_reviewer_grants_a_case_and_the_public_page_changes_on_the_execution_date(portal: Portal, page: Page) -> None:
    today = date.today()
    tomorrow = (today + timedelta(days=1)).isoformat()
    public = f"{portal.base}/enterprises/{USCC}?as_of={tomorrow}"
    page.goto(public)
    expect(page.locator("#penalties")).to_contain_text(PENALTY)
    sign_in(page, portal, "TJ-ENF")
    page.get_by_role("link", name=CASE).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(CASE)
    expect(page.locator("main")).to_contain_text("REP-06")
    expect(page.get_by_role("heading", name="执行后（假设今天准予并执行）")).to_be_visible()
    shoot(page, "workbench-case")
    page.get_by_label("决定", exact=True).select_option("repair.granted")
    page.get_by_label("决定日期").fill(today.isoformat())
    page.get_by_label("理由", exact=True).fill("已履行处罚决定，提交完整材料")
    page.get_by_role("button", name="记录决定").click()
    expect(page.get_by_role("status")).to_contain_text("准予修复")
    httpx.get(portal.base + "/v1/lists/serious", params={"min_position": 1}, timeout=30)
    for _ in range(50):  # the projector follows the log: wait until the grant is projected
        page.goto(public)
        if PENALTY not in page.locator("#penalties").inner_text():
            break
        page.wait_for_timeout(200)
    expect(page.locator("#penalties")).not_to_contain_text(PENALTY)
    page.goto(f"{portal.base}/enterprises/{USCC}?as_of={(today - timedelta(days=1)).isoformat()}")
    expect(page.locator("#penalties")).to_contain_text(PENALTY)


def test_a_form_posted_without_the_csrf_token_or_the_cookie_records_nothing_and_answers_403(
    portal: Portal, page: Page
) -> None:
    sign_in(page, portal, "TJ-ENF")
    cookie = next(c for c in page.context.cookies() if c["name"] == "cl_session")
    url = f"{portal.base}/workbench/cases/{quote('津信修〔2026〕31号')}/decide"
    form = {"type": "repair.denied", "uscc": "91120112MA0002101E", "effective_on": date.today().isoformat(),
            "nonce": "csrf-probe", "reason": "x"}  # fmt: skip
    before = httpx.get(portal.base + "/v1/status").json()
    no_token = httpx.post(url, data=form, cookies={"cl_session": cookie["value"]})
    wrong_token = httpx.post(url, data={**form, "csrf": "0" * 64}, cookies={"cl_session": cookie["value"]})
    page.goto(portal.base + f"/workbench/cases/{quote('津信修〔2026〕31号')}?uscc=91120112MA0002101E")
    good_csrf = page.locator("input[name=csrf]").first.get_attribute("value")
    no_cookie = httpx.post(url, data={**form, "csrf": good_csrf or ""})
    assert (no_token.status_code, wrong_token.status_code, no_cookie.status_code) == (403, 403, 403)
    sign_in_without = httpx.post(
        portal.base + "/workbench/sign-in", data={"token": portal.tokens[("TJ-ENF", "reviewer")]}
    )
    assert sign_in_without.status_code == 403 and "cl_session" not in sign_in_without.cookies
    assert httpx.get(portal.base + "/v1/status").json()["projection"] == before["projection"]
    reviewer = {"Authorization": f"Bearer {portal.tokens[('TJ-ENF', 'reviewer')]}"}
    case = httpx.get(f"{portal.base}/v1/repair-cases/{quote('津信修〔2026〕31号')}", headers=reviewer).json()
    assert case["state"] == "accepted"


def test_an_officer_token_does_not_open_the_workbench(portal: Portal, page: Page) -> None:
    page.context.clear_cookies()
    page.goto(portal.base + "/workbench/sign-in")
    page.get_by_label("令牌").fill(portal.tokens[("TJ-ENF", "officer")])
    page.get_by_role("button", name="登录").click()
    expect(page.locator("main")).to_contain_text("REP-02")
    assert not any(c["name"] == "cl_session" for c in page.context.cookies())


def test_the_timeline_picture_draws_bars_marks_and_corrections_and_redraws_as_known_earlier(
    portal: Portal, page: Page
) -> None:
    sign_in(page, portal, "TJ-CREDIT", "auditor")
    page.goto(f"{portal.base}/workbench/enterprises/91120103MAGMNLRR15/timeline")
    svg = page.locator("figure.timeline svg")
    expect(svg).to_be_visible()
    assert svg.locator("rect.bar").count() > 0 and svg.locator("path.inspection").count() > 0
    assert svg.locator("line.amendment").count() >= 1
    shoot(page, "timeline")
    page.get_by_label("按账本在某一时刻所知重绘（known_at，北京时间）").fill("2020-01-01T00:00")
    page.get_by_role("button", name="重绘").click()
    assert "known_at=2020-01-01T00%3A00" in page.url or "known_at=2020-01-01T00:00" in page.url
    assert svg.locator("rect.bar").count() == 0 and svg.locator("line.amendment").count() == 0


def test_the_workbench_pages_parse_as_valid_html(portal: Portal, page: Page) -> None:
    sign_in(page, portal, "TJ-ENF")
    cookies = {"cl_session": next(c["value"] for c in page.context.cookies() if c["name"] == "cl_session")}
    for path in (
        "/workbench",
        f"/workbench/cases/{quote('津信修〔2026〕31号')}?uscc=91120112MA0002101E",
        "/workbench/enterprises/91120112MA0002101E/timeline",
        "/workbench/sign-in",
    ):
        answer = httpx.get(portal.base + path, cookies=cookies)
        assert answer.status_code == 200, path
        html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(answer.text)


def test_a_reviewer_of_another_department_cannot_decide_a_case_and_nothing_is_recorded(
    portal: Portal, page: Page
) -> None:
    sign_in(page, portal, "TJ-CREDIT")
    csrf = page.locator("input[name=csrf]").first.get_attribute("value") or ""
    cookies = {"cl_session": next(c["value"] for c in page.context.cookies() if c["name"] == "cl_session")}
    url = f"{portal.base}/workbench/cases/{quote('津信修〔2026〕31号')}/decide"
    form = {"csrf": csrf, "type": "repair.denied", "uscc": "91120112MA0002101E",
            "effective_on": date.today().isoformat(), "nonce": "other-department"}  # fmt: skip
    answer = httpx.post(url, data=form, cookies=cookies)
    assert answer.status_code == 403 and "REP-02" in answer.text
    reviewer = {"Authorization": f"Bearer {portal.tokens[('TJ-ENF', 'reviewer')]}"}
    case = httpx.get(f"{portal.base}/v1/repair-cases/{quote('津信修〔2026〕31号')}", headers=reviewer).json()
    assert case["state"] == "accepted"
