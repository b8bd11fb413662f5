"""The desk in a real browser: one-key decisions, editing in place and live arrivals.

Drives Debian's chromium through Playwright (`make browser` installs it), like tests/browser.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Browser, Page, expect, sync_playwright

from broadsheet.comments.models import Comment
from broadsheet.moderation.models import RejectionReason
from tests.conftest import make_comment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = Path("/usr/bin/chromium")
TIMEOUT_MS = 10_000
# Two polling intervals and some room: the page polls every five seconds.
POLL_WAIT_MS = 12_000


@pytest.fixture
def chromium(monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"Debian's chromium is not installed at {CHROMIUM}; run `make browser`.",
                    pytrace=False)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"], headless=True
        )
        try:
            yield launched
        finally:
            launched.close()


def _offer_reasons() -> None:
    # Transactional tests empty the tables, data migrations included: put the reasons back.
    for position, (slug, label) in enumerate([("off-topic", "Off-topic"), ("abusive", "Abusive")]):
        RejectionReason.objects.get_or_create(
            slug=slug, defaults={"label": label, "position": position}
        )


def _signed_in_desk(chromium: Browser, base_url: str) -> Page:
    get_user_model().objects.create_user("editor", "editor@example.com", "desk-pass-123",
                                         is_staff=True)
    page = chromium.new_context(viewport={"width": 1200, "height": 900}).new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("pageerror", lambda error: pytest.fail(f"Script error on {page.url}: {error}"))
    page.goto(f"{base_url}/accounts/login/?next=/desk/")
    page.locator("#id_username").fill("editor")
    page.locator("#id_password").fill("desk-pass-123")
    page.locator("#id_password").press("Enter")
    page.wait_for_url(f"{base_url}/desk/")
    return page


def test_a_moderator_decides_with_single_keys_and_sees_new_comments_arrive(
    chromium: Browser, live_server, article
) -> None:
    _offer_reasons()
    first = make_comment(article, status="pending", text="First in the queue", minutes_ago=30)
    second = make_comment(article, status="pending", text="Second, rather rude", minutes_ago=20)
    third = make_comment(article, status="pending", text="Thrid with a typo", minutes_ago=10)
    desk = _signed_in_desk(chromium, live_server.url)
    expect(desk.locator("#desk-keys")).to_be_visible()

    # j selects the first comment, a approves it, and the selection moves on.
    desk.keyboard.press("j")
    expect(desk.locator(f"#item-{first.pk}")).to_have_class(re.compile(r"\bis-current\b"))
    desk.keyboard.press("a")
    expect(desk.locator(f"#item-{first.pk}")).to_contain_text("Approved by editor")
    expect(desk.locator(f"#item-{second.pk}")).to_have_class(re.compile(r"\bis-current\b"))

    # r opens the reasons, 2 picks the second one (Abusive).
    desk.keyboard.press("r")
    expect(desk.locator(f"#item-{second.pk} details.desk-reject")).to_have_attribute("open", "")
    desk.keyboard.press("2")
    expect(desk.locator(f"#item-{second.pk}")).to_contain_text("Rejected as Abusive by editor")

    # e opens the editor in place; typing there must not trigger the shortcuts.
    expect(desk.locator(f"#item-{third.pk}")).to_have_class(re.compile(r"\bis-current\b"))
    desk.keyboard.press("e")
    textarea = desk.locator(f"#item-{third.pk} textarea[name=text]")
    expect(textarea).to_be_focused()
    textarea.fill("")
    textarea.type("Third, with a typo fixed. jkarx")
    assert Comment.objects.get(pk=third.pk).status == "pending"
    desk.locator(f"#item-{third.pk}").get_by_role("button", name="Publish edited text").click()
    expect(desk.locator(f"#item-{third.pk}")).to_contain_text("Edited and approved by editor")
    third.refresh_from_db()
    assert (third.status, third.text) == ("approved", "Third, with a typo fixed. jkarx")

    # A comment posted now appears at the end of the queue without a reload (the desk asks
    # every five seconds), and the Pending count catches up with the decisions above.
    arrived = make_comment(article, status="pending", text="Just posted by a reader",
                           minutes_ago=0)
    expect(desk.locator(f"#item-{arrived.pk}")).to_contain_text(
        "Just posted by a reader", timeout=POLL_WAIT_MS
    )
    expect(desk.locator('.desk-count[data-queue="pending"]')).to_have_text(
        "1", timeout=POLL_WAIT_MS
    )
    assert Comment.objects.get(pk=first.pk).status == "approved"
    assert Comment.objects.get(pk=second.pk).rejection_reason.slug == "abusive"


def test_the_desk_says_so_when_a_comment_vanished_before_the_decision(
    chromium: Browser, live_server, article
) -> None:
    gone = make_comment(article, status="pending", text="Deleted meanwhile")
    desk = _signed_in_desk(chromium, live_server.url)
    Comment.objects.filter(pk=gone.pk).delete()

    desk.locator(f"#item-{gone.pk}").get_by_role("button", name="Approve").click()

    # The message comes from the page (in the desk's language), not from the script.
    expect(desk.locator("#desk-status")).to_have_text(
        "That comment no longer exists. Refresh the queue."
    )
