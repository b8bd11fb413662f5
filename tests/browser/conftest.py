"""A real browser for the end-to-end tests: Debian's chromium driven by Playwright.

No browser is downloaded; `make browser` installs the distribution's chromium. A missing
chromium fails the test instead of skipping it, so a green run always means the browser ran.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"The browser tests drive Debian's chromium at {CHROMIUM}, which is not installed. "
            "Run `make browser` to install it, then run the tests again.",
            pytrace=False,
        )
    # Playwright's sync API keeps an event loop in this thread, which Django would take as
    # async code touching the ORM; the test's own queries are ordinary blocking calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            # Closed before the database is flushed, so no event loop is left running.
            launched.close()


@pytest.fixture
def demo_site(live_server, browser: Browser, settings) -> str:
    """The live server's base URL, with the demo newsroom loaded into its database."""
    # The real scanners read the demo's pending comments, so the desk shows their reasons.
    settings.BROADSHEET_SCANNING = True
    call_command("load_demo", stdout=StringIO())
    return live_server.url


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """Where the browser tests save their screenshots: the tracked docs/screenshots/ only when
    asked (`make screenshots` sets BROADSHEET_SCREENSHOTS=1), so `make test` leaves the tree
    clean; otherwise a temporary folder, the pictures still taken."""
    if os.environ.get("BROADSHEET_SCREENSHOTS") != "1":
        return tmp_path
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
