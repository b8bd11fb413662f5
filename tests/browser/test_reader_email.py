"""The email a reader gets when the desk does not publish their comment, as they would open it:
a moderator rejects it on the desk in the browser, the email arrives at a real SMTP server
(aiosmtpd), and its HTML part is opened in chromium: the reason is there, "your comments"
leads to the decision and the request for a review, the house rules link opens the FAQ, and
"Stop these emails" works without signing in."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from broadsheet.comments.models import Comment
from broadsheet.moderation.models import RejectionReason
from broadsheet.notifications.models import NotificationPreference
from tests.browser.pages import new_page, sign_in
from tests.conftest import make_comment, make_reader

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

READER_PASSWORD = "a-long-reader-passphrase"
COMMENT_TEXT = "The third umpire was asleep and everyone in the ground could see it."



def signed_in(page: Page, base: str, login: str, password: str) -> None:
    sign_in(page, base, login, password)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_the_not_published_email_gives_the_reason_and_its_links_work(
    browser: Browser, live_server, article, faq, moderator, smtp_server, settings,
    screenshots: Path,
):
    settings.SITE_URL = live_server.url
    reader = make_reader("ruth@example.com", "Ruth O", password=READER_PASSWORD)
    comment = make_comment(article, status="pending", text=COMMENT_TEXT, name="Ruth O",
                           email=reader.email, user=reader, minutes_ago=5)
    # An earlier browser test's flush may have taken the migration's reasons with it.
    off_topic, _ = RejectionReason.objects.get_or_create(
        slug="off-topic", defaults={"label": "Off-topic"}
    )

    desk = new_page(browser)
    signed_in(desk, live_server.url, "moderator", "desk-password")
    desk.goto(f"{live_server.url}/desk/")
    item = desk.locator(f"#item-{comment.pk}")
    item.locator("summary", has_text="Reject").click()
    item.get_by_role("button", name=off_topic.label).click()
    expect(desk.locator(".desk-result").first).to_be_visible()

    [email] = smtp_server.wait_for(1)
    assert email.envelope_recipients == ["ruth@example.com"]
    assert "was not published" in email["Subject"]
    assert email["List-Unsubscribe"]
    html = smtp_server.html(email)

    # The reader, signed in, opens the email in the browser.
    inbox = new_page(browser, width=720, height=400)
    signed_in(inbox, live_server.url, "ruth@example.com", READER_PASSWORD)
    inbox.set_content(html)
    expect(inbox.get_by_text("Reason:")).to_be_visible()
    expect(inbox.locator("body")).to_contain_text(f"Reason: {off_topic.label}")
    expect(inbox.locator("blockquote")).to_contain_text(COMMENT_TEXT)
    inbox.screenshot(path=str(screenshots / "email-not-published.png"), full_page=True)

    inbox.get_by_role("link", name="house rules for comments").click()
    expect(inbox.locator("h1")).to_contain_text(faq.title)

    inbox.set_content(html)
    inbox.get_by_role("link", name="your comments").click()
    own = inbox.locator(f"#c{comment.pk}")
    expect(own.locator(".rejection-reason")).to_have_text(off_topic.label)
    own.get_by_role("link", name="Ask for a review").click()
    expect(inbox.locator("h1")).to_be_visible()
    assert "/review/" in inbox.url

    # The unsubscribe link, from a browser that is not signed in (a mail program's view).
    stranger = new_page(browser, width=720)
    stranger.set_content(html)
    stranger.get_by_role("link", name="Stop these emails").click()
    expect(stranger.locator("h1")).to_have_text("Unsubscribe")
    assert not NotificationPreference.objects.filter(user=reader, not_published=False).exists()
    stranger.get_by_role("button", name="Unsubscribe", exact=True).click()
    expect(stranger.locator("h1")).to_have_text("You are unsubscribed")
    assert NotificationPreference.objects.get(user=reader).not_published is False
    assert Comment.objects.get(pk=comment.pk).status == "rejected"
