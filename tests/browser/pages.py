"""What the browser tests share: a fresh page that fails the test on any script error, the
sign-in form filled in, and an embed frame's address issued for a host page."""

from __future__ import annotations

from typing import Literal

import pytest
from django.test import Client
from playwright.sync_api import Browser, Page

TIMEOUT_MS = 10_000


def new_page(
    browser: Browser, *, width: int = 1100, height: int = 900,
    scheme: Literal["light", "dark"] = "light", downloads: bool = False,
) -> Page:
    context = browser.new_context(
        viewport={"width": width, "height": height}, color_scheme=scheme,
        accept_downloads=downloads,
    )
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("pageerror", lambda error: pytest.fail(f"Script error on {page.url}: {error}"))
    return page


def sign_in(page: Page, base: str, login: str, password: str) -> None:
    """Submit the sign-in form; the caller checks where it leads (it may be refused)."""
    page.goto(f"{base}/accounts/login/")
    page.locator("#id_username").fill(login)
    page.locator("#id_password").fill(password)
    page.locator("form button[type=submit]").first.click()


def issued_frame(host_site: str, base: str = "http://testserver") -> str:
    """The frame address Broadsheet issues for the host page's harbour-wall story, on BASE."""
    frame = Client().post(
        "/embed/v1/story", {"url": f"{host_site}/news/harbour-wall", "title": "Harbour"},
        HTTP_ORIGIN=host_site,
    ).json()["frame"]
    return frame.replace("http://testserver", base)
