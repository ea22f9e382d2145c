"""A missing Chromium fails the browser tests loudly, saying how to install it (issue 24): never a skip."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e import browser


def test_a_missing_chromium_fails_with_the_command_that_installs_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(browser, "CHROMIUM", Path("/nonexistent/chromium"))
    with pytest.raises(RuntimeError, match=r"apt-get install -y chromium"), browser.chromium():
        pass
