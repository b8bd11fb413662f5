"""A reader's own data, in the browser: sign up and confirm through the real email, comment,
download "my data" and read the file, then delete the account and see what is left: their
published comment stays as a former reader's, they cannot sign in again, and the desk's
history keeps its decisions without their address."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import Browser, Page, expect

from broadsheet.comments.models import Comment
from broadsheet.moderation.models import Decision, RejectionReason
from tests.browser.pages import new_page, sign_in
from tests.conftest import make_comment, make_reader

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADDRESS = "ruth@example.com"
PASSWORD = "a-long-reader-passphrase"
PUBLISHED = "The groundsmen had the covers on in under a minute; credit to them."
REJECTED = "Whoever picked this side should be sacked before lunch."
OTHER_TEXT = "I was in the stand behind the bowler and saw it differently."




def sign_up_and_confirm(page: Page, base: str, smtp_server) -> None:
    page.goto(f"{base}/accounts/signup/")
    page.locator("#id_email").fill(ADDRESS)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("#id_display_name").fill("Ruth O")
    page.locator("form button[type=submit]").last.click()
    expect(page.locator(".account-status")).to_contain_text("is not confirmed yet")
    [confirmation] = smtp_server.wait_for(1)
    assert confirmation.envelope_recipients == [ADDRESS]
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)",
                     smtp_server.text(confirmation)).group(1)
    page.goto(f"{base}{link}")
    expect(page.locator(".account-status")).to_contain_text(f"{ADDRESS} is confirmed.")


def post_comment(page: Page, base: str, article, text: str) -> Comment:
    page.goto(f"{base}{article.get_absolute_url()}")
    page.locator("#id_text").fill(text)
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator(".messages")).to_contain_text("awaiting moderation")
    return Comment.objects.get(text=text)


def decide(desk: Client, comment: Comment, action: str, data: dict, outcome: str) -> None:
    assert desk.post(f"/desk/comments/{comment.pk}/{action}/", data).status_code in (302, 303)
    comment.refresh_from_db()
    assert comment.status == outcome


def test_a_reader_downloads_their_data_then_deletes_the_account(
    browser: Browser, live_server, article, moderator, smtp_server, settings, tmp_path: Path
):
    settings.SITE_URL = live_server.url
    base = live_server.url
    page = new_page(browser, downloads=True)
    sign_up_and_confirm(page, base, smtp_server)
    published = post_comment(page, base, article, PUBLISHED)
    rejected = post_comment(page, base, article, REJECTED)
    desk = Client()
    desk.force_login(moderator)
    # An earlier browser test's flush may have taken the migration's reasons with it.
    RejectionReason.objects.get_or_create(slug="abusive", defaults={"label": "Abusive"})
    decide(desk, published, "approve", {}, "approved")
    decide(desk, rejected, "reject",
           {"reason": "abusive", "note": f"Wrote again from {ADDRESS}, as last week"},
           "rejected")
    # Another reader answers, with an account and an address of their own.
    other = make_reader("nadia@example.com", "Nadia P")
    make_comment(article, parent=published, text=OTHER_TEXT, name="Nadia P",
                 email=other.email, user=other)

    page.goto(f"{base}/accounts/notifications/")
    page.get_by_label("When someone replies to my comment").uncheck()
    page.get_by_role("button", name="Save").click()

    page.goto(f"{base}/accounts/")
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download my data").click()
    saved = tmp_path / downloading.value.suggested_filename
    downloading.value.save_as(saved)
    raw = saved.read_text(encoding="utf-8")
    data = json.loads(raw)

    assert data["account"]["email"] == ADDRESS
    assert data["account"]["display_name"] == "Ruth O"
    assert [(c["text"], c["status"], c["rejection_reason"]) for c in data["comments"]] == [
        (PUBLISHED, "approved", None),
        (REJECTED, "rejected", "Abusive"),
    ]
    assert data["notification_settings"] == {
        "approved": True, "not_published": True, "replies": False,
    }
    for someone_elses in ("nadia", "Nadia P", OTHER_TEXT, moderator.email, "Wrote again"):
        assert someone_elses.lower() not in raw.lower()

    decisions_before = Decision.objects.filter(comment__in=[published, rejected]).count()
    page.goto(f"{base}/accounts/")
    page.get_by_role("link", name="Delete my account").click()
    page.get_by_role("button", name="Delete my account").click()  # nothing typed: refused
    expect(page.locator("#id_confirm")).to_be_visible()
    page.locator("#id_confirm").fill("keep")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.locator(".form-errors")).to_contain_text('Type "delete"')
    page.locator("#id_confirm").fill("delete")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.locator(".messages")).to_contain_text("Your account is deleted")
    expect(page.locator(".account-link")).to_have_count(0)

    # The published comment stays, as a former reader's; the reply to it is untouched.
    page.goto(f"{base}{article.get_absolute_url()}")
    kept = page.locator(f"#c{published.pk}")
    expect(kept).to_contain_text(PUBLISHED)
    expect(kept).to_contain_text("Former reader")
    expect(page.locator("#comment-threads")).not_to_contain_text("Ruth O")
    expect(page.locator("#comment-threads")).to_contain_text(OTHER_TEXT)

    # Signing in with the old address and password no longer works.
    sign_in(page, base, ADDRESS, PASSWORD)
    expect(page.locator(".form-errors, .errorlist").first).to_contain_text(
        "Please enter a correct"
    )

    # The desk's history keeps every decision, and the moderator's note, without the address.
    assert Decision.objects.filter(comment__in=[published, rejected]).count() == decisions_before
    history = new_page(browser)
    sign_in(history, base, "moderator", "desk-password")
    history.goto(f"{base}/desk/comments/{rejected.pk}/")
    expect(history.locator("main")).to_contain_text("Wrote again from [erased], as last week")
    expect(history.locator("main")).to_contain_text(REJECTED)
    expect(history.locator("main")).not_to_contain_text(ADDRESS)
    expect(history.locator("main")).not_to_contain_text("Ruth O")
