"""The public portal in a real browser (issue 24): Debian's Chromium through Playwright, against
`credit-ledger serve` over the demo data, as a person uses it."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import html5lib
import httpx
from playwright.sync_api import Page, expect

from tests.e2e.portal_support import Portal, browser, page, portal, shoot

__all__ = ["browser", "page", "portal"]  # the fixtures, imported

ROOT = Path(__file__).resolve().parents[2]
DEMO = [json.loads(line) for line in (ROOT / "demo" / "tianjin-demo.jsonl").read_text(encoding="utf-8").splitlines()]
DATES = ("2020-06-30", "2023-06-30", date.today().isoformat())


def penalty_with_a_past_window(base: str) -> tuple[str, str, str]:
    """(uscc, decision number, a date inside its window) of a penalty public once and no longer."""
    today = date.today().isoformat()
    for record in DEMO:
        if record["type"] != "penalty.decided":
            continue
        uscc, number = record["uscc"], record["data"]["decision_no"]
        now = httpx.get(f"{base}/v1/enterprises/{uscc}/public-view", params={"as_of": today}).json()
        if any(p["subject"] == number for p in now["administrative_penalties"]):
            continue
        inside = (date.fromisoformat(record["effective_on"]) + timedelta(days=40)).isoformat()  # published by then
        then = httpx.get(f"{base}/v1/enterprises/{uscc}/public-view", params={"as_of": inside}).json()
        if any(p["subject"] == number for p in then.get("administrative_penalties", [])):
            return uscc, number, inside
    raise AssertionError("the demo holds no penalty whose publicity window has ended")


def test_a_person_finds_an_enterprise_by_name_and_opens_its_page_in_gsxt_order(portal: Portal, page: Page) -> None:
    page.goto(portal.base + "/")
    shoot(page, "home")
    page.get_by_label("企业名称或统一社会信用代码").fill("东丽嘉新")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("heading", name="查询结果")).to_be_visible()
    shoot(page, "search")
    page.get_by_role("link", name="天津东丽嘉新调味品有限公司").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("天津东丽嘉新调味品有限公司")
    headings = page.locator("main h2").all_inner_texts()
    gsxt = ["基础信息", "行政许可信息", "行政处罚信息", "列入经营异常名录信息", "列入严重违法失信名单信息",
            "抽查检查结果信息", "信用承诺"]  # fmt: skip
    assert headings[: len(gsxt)] == gsxt
    assert "重点领域标签" in headings and headings.index("重点领域标签") > headings.index("信用承诺")
    rule = page.locator("#permits a.rule").first
    rule_id = rule.inner_text()
    rule.click()
    expect(page.locator(f"[id='{rule_id}']")).to_be_visible()
    assert page.url.endswith(f"/rules#{rule_id}")


def test_a_person_finds_an_enterprise_by_its_uscc(portal: Portal, page: Page) -> None:
    page.goto(portal.base + "/")
    page.get_by_label("企业名称或统一社会信用代码").fill("91120110290440273M")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="天津东丽嘉新调味品有限公司")).to_be_visible()


def test_moving_the_date_back_into_a_penaltys_window_shows_the_penalty(portal: Portal, page: Page) -> None:
    uscc, number, inside = penalty_with_a_past_window(portal.base)
    page.goto(f"{portal.base}/enterprises/{uscc}")
    penalties = page.locator("#penalties")
    expect(penalties).not_to_contain_text(number)
    page.get_by_label("查看某日的公示信息").fill(inside)
    page.get_by_role("button", name="查看").click()
    expect(penalties).to_contain_text(number)
    assert f"as_of={inside}" in page.url
    shoot(page, "enterprise")


def test_list_pages_filter_by_sector_and_district_and_page_on(portal: Portal, page: Page) -> None:
    page.goto(portal.base + "/lists/key-sector")
    rows = page.locator("tbody tr")
    everyone = rows.count()
    assert everyone == 20 and page.get_by_role("link", name="下一页").is_visible()
    shoot(page, "list")
    page.get_by_label("重点领域").select_option("special_equipment")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_label("重点领域")).to_have_value("special_equipment")
    assert 0 < rows.count() < everyone
    page.goto(portal.base + "/lists/key-sector")
    page.get_by_role("link", name="下一页").click()
    assert "cursor=" in page.url and rows.count() > 0
    first_page = httpx.get(portal.base + "/v1/lists/key-sector", params={"limit": 20}).json()["members"]
    assert page.locator("tbody tr td.code").first.inner_text() not in {m["uscc"] for m in first_page}


def test_the_exposure_board_typical_cases_and_rules_are_reachable_from_home(portal: Portal, page: Page) -> None:
    page.goto(portal.base + "/")
    for name, heading in (("曝光台", "曝光台"), ("典型案例", "典型案例"), ("适用规则", "适用规则"),
                          ("经营异常名录", "经营异常名录"), ("严重违法失信名单", "严重违法失信名单")):  # fmt: skip
        page.goto(portal.base + "/")
        page.locator("main").get_by_role("link", name=name, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    page.goto(portal.base + "/lists/exposure")
    shoot(page, "exposure")
    page.goto(portal.base + "/rules")
    expect(page.locator("[id='PEN-09']")).to_be_visible()


def test_every_form_control_is_labelled_and_reachable_by_keyboard(portal: Portal, page: Page) -> None:
    for path in ("/", "/lists/serious", "/enterprises/91120110290440273M"):
        page.goto(portal.base + path)
        unlabelled = page.evaluate(
            "[...document.querySelectorAll('input,select,textarea')].filter(e => e.type !== 'hidden' && "
            "(!e.labels || e.labels.length === 0)).map(e => e.name)"
        )
        assert unlabelled == [], f"{path}: controls without a label: {unlabelled}"
    page.goto(portal.base + "/")
    reached = []
    for _ in range(15):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()"))
    assert "q" in reached and "查询" in reached


def test_pages_carry_no_script_so_they_read_without_javascript(portal: Portal, page: Page) -> None:
    for path in ("/", "/search?q=%E4%B8%9C%E4%B8%BD", "/enterprises/91120110290440273M", "/lists/exposure", "/rules"):
        page.goto(portal.base + path)
        assert page.evaluate("document.scripts.length") == 0, path
    expect(page.get_by_role("heading", level=1)).to_have_text("适用规则")


def html_of(base: str, path: str, **params: str) -> str:
    answer = httpx.get(base + path, params=params, timeout=30)
    assert answer.status_code == 200, (path, answer.status_code)
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(answer.text)  # raises on any parse error
    return answer.text


def test_no_portal_page_shows_a_risk_class_a_personal_field_or_a_penalty_outside_its_window(portal: Portal) -> None:
    """Every demo enterprise as of three dates, and every list page (RISK-02, PEN-03, PEN-09)."""
    personal = {r["data"][f] for r in DEMO for f in ("legal_representative", "requested_by") if r["data"].get(f)}
    usccs = sorted({r["uscc"] for r in DEMO})
    assert len(usccs) >= 50 and personal
    penalties = {r["data"]["decision_no"] for r in DEMO if r["type"] == "penalty.decided"}
    pages = [html_of(portal.base, p) for p in ("/", "/rules", "/typical-cases")]
    for day in DATES:
        pages += [
            html_of(portal.base, f"/lists/{name}", as_of=day)
            for name in ("key-sector", "abnormal", "serious", "exposure")
        ]
        for uscc in usccs:
            html = html_of(portal.base, f"/enterprises/{uscc}", as_of=day)
            public = httpx.get(f"{portal.base}/v1/enterprises/{uscc}/public-view", params={"as_of": day}).json()
            shown = {p["subject"] for p in public.get("administrative_penalties", [])}
            section = html.split('id="penalties"', 1)[1].split("</section>", 1)[0]
            assert {n for n in penalties if n in section} == shown, (uscc, day)
            pages.append(html)
    for html in pages:
        assert not re.search(r"risk|风险分类|风险等级|信用风险|[ABCD]类", html, re.IGNORECASE)
        assert not any(name in html for name in personal)


def test_a_page_parses_as_valid_html_with_its_style_sheet_local(portal: Portal) -> None:
    html = html_of(portal.base, "/enterprises/91120110290440273M")
    assert 'href="/static/portal.css"' in html and "http://" not in html and "https://" not in html
    assert httpx.get(portal.base + "/static/portal.css").status_code == 200


def test_the_demo_prints_the_portal_and_workbench_addresses(portal: Portal) -> None:
    assert "open http://127.0.0.1:8000/ while `./dev serve` runs" in portal.demo_output
    assert "http://127.0.0.1:8000/workbench" in portal.demo_output


def test_a_typical_case_shows_on_its_enterprises_page_while_the_penalty_it_links_to_is_public(
    portal: Portal, page: Page
) -> None:
    page.goto(f"{portal.base}/enterprises/91120110290440273M?as_of=2020-06-30")
    expect(page.locator("#cases")).to_contain_text("津市监典型〔2025〕1号")
    expect(page.locator("#cases")).to_contain_text("GSXT-06")
    page.goto(f"{portal.base}/enterprises/91120110290440273M?as_of=2023-06-30")  # the penalty's window ended
    expect(page.locator("#cases")).not_to_contain_text("津市监典型〔2025〕1号")
