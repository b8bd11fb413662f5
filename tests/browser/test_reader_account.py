"""A reader signs up in the browser, confirms the address by the emailed link, and comments
under their display name without typing a name or address."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import Browser, expect

from broadsheet.comments.models import Comment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 10_000


def test_a_reader_signs_up_confirms_and_comments(
    browser: Browser, live_server, article, screenshots: Path
):
    page = browser.new_context(viewport={"width": 1100, "height": 900}).new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("pageerror", lambda error: pytest.fail(f"Script error on {page.url}: {error}"))

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Create a reader account").click()
    page.locator("#id_email").fill("ruth@example.com")
    page.locator("#id_password1").fill("a-long-reader-passphrase")
    page.locator("#id_password2").fill("a-long-reader-passphrase")
    page.locator("#id_display_name").fill("Ruth O")
    page.locator("form button[type=submit]").last.click()
    expect(page.locator(".account-status")).to_contain_text("is not confirmed yet")

    link = re.search(r"https?://[^/\s]+(/\S+)", mail.outbox[-1].body).group(1)
    page.goto(f"{live_server.url}{link}")
    expect(page.locator(".account-status")).to_contain_text(
        "Your email address ruth@example.com is confirmed."
    )
    page.screenshot(path=str(screenshots / "reader-account.png"), full_page=True)

    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    expect(page.locator(".posting-as")).to_contain_text("Posting as Ruth O")
    expect(page.locator("#id_email")).to_have_count(0)
    expect(page.locator(".account-link")).to_be_visible()
    page.locator("#id_text").fill("Signed up a minute ago and already commenting.")
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator(".messages")).to_contain_text("awaiting moderation")

    comment = Comment.objects.get()
    assert (comment.author_name, comment.author_email) == ("Ruth O", "ruth@example.com")
    page.goto(f"{live_server.url}/accounts/comments/")
    expect(page.locator(".own-status")).to_contain_text("Awaiting moderation.")
