"""The demo host page works as docs/embedding.md says: served by the dev server at
http://localhost:PORT/embed-demo/, it embeds the comments of the site at 127.0.0.1:PORT (a
different origin) under the page's own Content-Security-Policy, and a comment posted there
shows in it once approved."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, expect

from broadsheet.comments.models import Comment
from broadsheet.embed.origins import origins_changed
from broadsheet.moderation.services import comment_approve
from tests.browser.test_embed_flow import open_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "Good to see the wall open again before the summer."


def test_the_demo_page_embeds_the_comments_from_the_other_origin(
    browser: Browser, live_server, settings, moderator
) -> None:
    port = urlsplit(live_server.url).port
    # What `make demo` has on port 8000: the site's address and the dev default origin.
    settings.SITE_URL = f"http://127.0.0.1:{port}"
    settings.BROADSHEET_EMBED_ORIGINS = [f"http://localhost:{port}"]
    origins_changed()
    errors: list[str] = []
    demo = f"http://localhost:{port}/embed-demo/"
    page = open_page(browser, demo, errors)
    expect(page.locator("#broadsheet-comments")).to_have_attribute(
        "data-broadsheet-state", "ready"
    )
    frame = page.frame_locator("#broadsheet-comments iframe")
    expect(frame.get_by_role("heading", name="Comments (0)")).to_be_visible()
    frame.get_by_label("Name").fill("Mei Tanaka")
    frame.get_by_label("Email").fill("mei@readers.example")
    frame.get_by_label("Your comment").fill(TEXT)
    frame.get_by_role("button", name="Post comment").click()
    expect(frame.locator(".bs-pending")).to_contain_text(TEXT)
    comment_approve(comment=Comment.objects.get(text=TEXT), actor=moderator)
    page.reload()
    frame = page.frame_locator("#broadsheet-comments iframe")
    expect(frame.get_by_role("heading", name="Comments (1)")).to_be_visible()
    expect(frame.locator(".bs-comment")).to_contain_text(TEXT)
    assert not [e for e in errors if "Content Security Policy" in e or "Uncaught" in e], errors
