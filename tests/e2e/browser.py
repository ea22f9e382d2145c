"""Debian's Chromium driven by Playwright (issue 24): never a browser download, never a skip.

`apt-get install -y chromium` puts it at /usr/bin/chromium (`.ci/run` does so when it is missing)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import BrowserContext, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def chromium() -> Iterator[BrowserContext]:
    """A fresh Chromium (its own user-data-dir), closed afterwards. Missing: a loud failure."""
    if not CHROMIUM.exists():
        raise RuntimeError(
            f"no Chromium at {CHROMIUM}: the portal's browser tests need Debian's Chromium; install it with "
            "`apt-get install -y chromium` (as root; .ci/run does it). `playwright install` is not used: "
            "browser downloads are blocked here."
        )
    with tempfile.TemporaryDirectory(prefix="cl-chromium-") as profile, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=ARGS, locale="zh-CN"
        )
        try:
            yield context
        finally:
            context.close()
