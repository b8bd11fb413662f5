"""A reader replies in place, a moderator approves it on the desk, another reader sees it nested.

The one path through the site that needs every layer at once: htmx loading the reply form,
the session remembering the reader's own pending comment, the desk's approve button and the
thread placement on a fresh page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from broadsheet.articles.models import Article
from broadsheet.comments.models import Comment
from broadsheet.demo import content

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPLY_TEXT = (
    "The lift at University Road was working when I passed through this evening, so at "
    "least one of the two is fixed."
)
TIMEOUT_MS = 10_000


def open_page(browser: Browser, url: str) -> Page:
    """A page in a fresh context (its own cookies), failing the test on any script error."""
    page = browser.new_context(viewport={"width": 1100, "height": 900}).new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("pageerror", lambda error: pytest.fail(f"Script error on {page.url}: {error}"))
    page.goto(url)
    return page


def comment_rows(page: Page) -> list[dict]:
    """The thread list as the reader sees it: each item's id, level and text, in order."""
    return page.locator("#comment-threads > li.comment").evaluate_all(
        """items => items.map(li => ({
            id: li.id,
            level: Number((li.className.match(/level-(\\d+)/) || [])[1]),
            text: li.innerText,
        }))"""
    )


def test_a_reply_is_posted_in_place_approved_on_the_desk_and_shown_nested(
    browser: Browser, demo_site: str, screenshots: Path
) -> None:
    article = Article.objects.get(slug=content.MANY_THREADS_ARTICLE)
    # A published thread with replies of its own, so "after its subtree" means something.
    parent = Comment.objects.get(
        article=article, depth=0, author_name="Nadia Parveen", status="approved"
    )
    article_url = demo_site + article.get_absolute_url()

    # A reader opens the reply form; htmx puts it under the comment without leaving the page.
    reader = open_page(browser, article_url)
    assert reader.evaluate("typeof window.htmx") == "object", (
        "htmx did not load, so nothing on the page can work in place: check that the site "
        "serves /static/broadsheet/vendor/htmx.min.js"
    )
    parent_item = reader.locator(f"#c{parent.pk}")
    parent_item.get_by_role("link", name="Reply").click()
    form = reader.locator(f"#reply-slot-{parent.pk} form.comment-form")
    expect(form).to_be_visible()
    expect(form).to_contain_text("Replying to Nadia Parveen")
    assert "reply_to" not in reader.url, "the reply form should load in place, not by navigation"

    form.locator("input[name=name]").fill("Parvez Anjum")
    form.locator("input[name=email]").fill("parvez.anjum@example.com")
    form.locator("textarea[name=text]").fill(REPLY_TEXT)
    form.get_by_role("button", name="Post reply").click()

    reader.wait_for_url(re.compile(r"#c\d+$"))
    expect(reader.locator(".messages")).to_contain_text("awaiting moderation")
    own = reader.locator("li.comment.pending", has_text=REPLY_TEXT)
    expect(own).to_be_visible()
    expect(own).to_contain_text("Awaiting moderation")
    reply = Comment.objects.get(text=REPLY_TEXT)
    assert (reply.status, reply.parent_id, reply.depth) == ("pending", parent.pk, 1)

    # The editor signs in and approves it from the Pending queue.
    desk = open_page(browser, f"{demo_site}/accounts/login/?next=/desk/")
    desk.locator("#id_username").fill(content.EDITOR_USERNAME)
    desk.locator("#id_password").fill(content.EDITOR_PASSWORD)
    desk.get_by_role("button", name="Sign in").click()
    desk.wait_for_url(f"{demo_site}/desk/")
    item = desk.locator("article.desk-item", has_text=REPLY_TEXT)
    expect(item).to_contain_text("In reply to Nadia Parveen")
    item.get_by_role("button", name="Approve", exact=True).click()
    expect(desk.locator(f"#item-{reply.pk}")).to_contain_text("Approved by editor")
    desk.screenshot(path=str(screenshots / "desk.png"), full_page=True)
    reply.refresh_from_db()
    assert reply.status == "approved"

    # The desk's activity charts count it among today's approved comments.
    desk.get_by_role("link", name="Activity").click()
    expect(desk.get_by_role("heading", name="Desk activity")).to_be_visible()
    expect(desk.locator(".desk-seg.is-approved").first).to_be_visible()
    desk.screenshot(path=str(screenshots / "activity.png"), full_page=True)

    # Another reader, with no session, finds it nested at the end of its parent's subtree.
    other = open_page(browser, article_url)
    rows = comment_rows(other)
    ids = [row["id"] for row in rows]
    at_parent, at_reply = ids.index(f"c{parent.pk}"), ids.index(f"c{reply.pk}")
    parent_level = rows[at_parent]["level"]
    subtree_end = at_parent + 1
    while subtree_end < len(rows) and rows[subtree_end]["level"] > parent_level:
        subtree_end += 1
    assert at_reply == subtree_end - 1, "the reply should close its parent's subtree"
    assert subtree_end - at_parent > 2, "the parent already had replies before this one"
    assert rows[at_reply]["level"] == parent_level + 1
    reply_item = other.locator(f"#c{reply.pk}")
    expect(reply_item).to_contain_text("Replying to Nadia Parveen")
    expect(reply_item).not_to_have_class(re.compile(r"\bpending\b"))
    expect(reply_item.locator(".pending-badge")).to_have_count(0)
    expect(other.get_by_role("link", name="View more comments")).to_be_visible()
    reply_item.scroll_into_view_if_needed()
    other.screenshot(path=str(screenshots / "article.png"), full_page=True)
