"""The demo served by `credit-ledger serve`, and Debian's Chromium, for the portal's browser tests."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page

from adapters.database import Server
from tests.conftest import LEDGER_TABLES, reset_read_models
from tests.e2e.browser import chromium
from tests.e2e.conftest import run_cli, serving

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@dataclass
class Portal:
    base: str
    tokens: dict[tuple[str, str], str]
    demo_output: str


@pytest.fixture(scope="module")
def portal(test_server: Server) -> Iterator[Portal]:
    """The demo loaded once for the module, served by `credit-ledger serve` in its own process."""
    with test_server.connect(autocommit=True) as conn:
        conn.execute(f"TRUNCATE {', '.join(LEDGER_TABLES)} RESTART IDENTITY")
        reset_read_models(conn)
    loaded = run_cli(test_server, "demo", timeout=600)
    assert loaded.returncode == 0, loaded.stderr
    tokens = {}
    for line in loaded.stdout.splitlines():
        m = re.match(r"^(\S+)\s+(officer|reviewer|auditor)\s+(tjcl_\S+)$", line)
        if m:
            tokens[(m[1], m[2])] = m[3]
    with serving(test_server) as base:
        httpx.get(f"{base}/v1/lists/serious", params={"min_position": 1}, timeout=30)
        yield Portal(base, tokens, loaded.stdout)


@pytest.fixture(scope="module")
def browser() -> Iterator[BrowserContext]:
    with chromium() as context:
        yield context


@pytest.fixture
def page(browser: BrowserContext) -> Iterator[Page]:
    p = browser.new_page()
    p.set_viewport_size({"width": 1440, "height": 900})
    yield p
    p.close()


def shoot(page: Page, name: str) -> None:
    """docs/screenshots/NAME-1440.png and NAME-360.png (the README shows them)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1440, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=width == 1440)
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width + 1, f"{name} is {wide} px wide at {width} px: it must not scroll sideways"
    page.set_viewport_size({"width": 1440, "height": 900})
