"""Replying inside the embed: in place with frame.js (only the reply's slot changes, the frame
is not reloaded), and the same with JavaScript off (the frame reloads with the form)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from broadsheet.articles.cache import article_comments_changed
from broadsheet.comments.models import Comment
from broadsheet.embed.origins import origins_changed
from broadsheet.integrations.stories import story_get_or_create
from tests.browser.pages import issued_frame
from tests.browser.test_embed_flow import host_site, open_page  # noqa: F401 (fixture)
from tests.conftest import make_comment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPLY = "The far steps still have no handrail; that needs fixing before winter."


@pytest.fixture
def story_with_a_comment(host_site: str, settings):  # noqa: F811
    settings.BROADSHEET_EMBED_ORIGINS = [host_site]
    origins_changed()
    article, _ = story_get_or_create(
        url=f"{host_site}/news/harbour-wall", title="The harbour wall reopens",
        summary="Walkers are back on the harbour wall after six months of repairs.",
    )
    parent = make_comment(article, name="Nadia Parveen", text="The railings look solid.")
    article_comments_changed(article.pk)
    return parent


def test_a_reply_opens_and_posts_in_place_without_reloading_the_frame(
    browser: Browser, host_site: str, story_with_a_comment: Comment  # noqa: F811
) -> None:
    parent = story_with_a_comment
    errors: list[str] = []
    page = open_page(browser, f"{host_site}/news/harbour-wall", errors)
    frame = page.frame_locator("#broadsheet-comments iframe")
    expect(frame.locator(f"#c{parent.pk}")).to_contain_text("The railings look solid.")
    inner = page.frames[1]
    loaded_url = inner.url
    navigations: list[str] = []
    page.on("framenavigated", lambda f: navigations.append(f.url) if f == inner else None)

    frame.get_by_role("link", name="Reply to Nadia Parveen").click()
    slot = frame.locator(f"#bs-reply-{parent.pk}")
    expect(slot.get_by_role("heading", name="Replying to Nadia Parveen")).to_be_visible()
    expect(slot.get_by_label("Name")).to_be_focused()
    # A mistake is answered in place too.
    slot.get_by_label("Name").fill("Mei Tanaka")
    slot.get_by_label("Email").fill("mei@readers.example")
    slot.get_by_role("button", name="Post reply").click()
    expect(slot.locator(".bs-error")).to_contain_text("Write your comment")
    slot.get_by_label("Your comment").fill(REPLY)
    slot.get_by_role("button", name="Post reply").click()
    expect(slot.locator(".bs-pending")).to_contain_text(REPLY)
    expect(slot.locator(".bs-pending")).to_contain_text("Replying to Nadia Parveen")
    expect(frame.locator("#bs-notice")).to_contain_text("awaiting moderation")
    reply = Comment.objects.get(text=REPLY)
    assert (reply.parent_id, reply.status) == (parent.pk, "pending")
    # The frame itself was never reloaded, and it now remembers the reader's pending reply.
    assert inner.url == loaded_url and navigations == [], navigations
    assert frame.locator("#bs-mine").input_value() != ""
    # Cancel closes a reply form opened in place.
    frame.get_by_role("link", name="Reply to Nadia Parveen").click()
    expect(slot.locator("form")).to_have_count(1)
    slot.get_by_role("button", name="Cancel").click()
    expect(slot.locator("form")).to_have_count(0)
    expect(frame.get_by_role("link", name="Reply to Nadia Parveen")).to_be_focused()
    assert not [e for e in errors if "Content Security Policy" in e or "Uncaught" in e], errors


def test_a_refused_reply_is_said_in_place_and_keeps_the_text(
    browser: Browser, host_site: str, story_with_a_comment: Comment, settings  # noqa: F811
) -> None:
    parent = story_with_a_comment
    page = open_page(browser, f"{host_site}/news/harbour-wall", [])
    frame = page.frame_locator("#broadsheet-comments iframe")
    frame.get_by_role("link", name="Reply to Nadia Parveen").click()
    slot = frame.locator(f"#bs-reply-{parent.pk}")
    slot.get_by_label("Name").fill("Mei Tanaka")
    slot.get_by_label("Email").fill("mei@readers.example")
    slot.get_by_label("Your comment").fill(REPLY)
    # The site stops allowing this host while the reader writes: the post is refused.
    settings.BROADSHEET_EMBED_ORIGINS = []
    origins_changed()
    slot.get_by_role("button", name="Post reply").click()
    expect(slot.get_by_role("alert")).to_contain_text("not available on this site")
    expect(slot.get_by_label("Your comment")).to_have_value(REPLY)
    expect(slot.get_by_role("button", name="Post reply")).to_be_enabled()
    assert not Comment.objects.filter(text=REPLY).exists()


def test_without_javascript_the_reply_link_and_form_reload_the_frame(
    browser: Browser, live_server, host_site: str, story_with_a_comment: Comment  # noqa: F811
) -> None:
    parent = story_with_a_comment
    issued = issued_frame(host_site, live_server.url)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(issued)
    page.get_by_role("link", name="Reply to Nadia Parveen").click()
    assert f"reply_to={parent.pk}" in page.url
    form = page.locator("#bs-form")
    expect(form.get_by_role("heading")).to_contain_text("Replying to Nadia Parveen")
    form.get_by_label("Name").fill("Mei Tanaka")
    form.get_by_label("Email").fill("mei@readers.example")
    form.get_by_label("Your comment").fill(REPLY)
    form.get_by_role("button", name="Post reply").click()
    expect(page.locator(".bs-notice")).to_contain_text("awaiting moderation")
    expect(page.locator(".bs-pending")).to_contain_text(REPLY)
    assert Comment.objects.get(text=REPLY).parent_id == parent.pk
    context.close()


def test_the_frame_with_a_reply_form_open_has_no_serious_accessibility_violations(
    browser: Browser, live_server, host_site: str, story_with_a_comment: Comment  # noqa: F811
) -> None:
    from tests.browser.test_accessibility import serious_violations

    parent = story_with_a_comment
    issued = issued_frame(host_site, live_server.url)
    page = browser.new_context(viewport={"width": 700, "height": 900}).new_page()
    page.goto(issued)
    page.get_by_role("link", name="Reply to Nadia Parveen").click()
    expect(page.locator(f"#bs-reply-{parent.pk} form")).to_be_visible()
    assert serious_violations(page) == []
    page.context.close()


def test_view_more_adds_the_next_threads_in_place(
    browser: Browser, host_site: str, story_with_a_comment: Comment  # noqa: F811
) -> None:
    from broadsheet.core.models import SiteSettings

    site = SiteSettings.load()
    site.threads_per_page = 1
    site.save()
    article = story_with_a_comment.article
    later = make_comment(article, name="Omar Haddad", text="Later thread.", minutes_ago=5)
    article_comments_changed(article.pk)
    errors: list[str] = []
    page = open_page(browser, f"{host_site}/news/harbour-wall", errors)
    frame = page.frame_locator("#broadsheet-comments iframe")
    expect(frame.locator(f"#c{story_with_a_comment.pk}")).to_be_visible()
    expect(frame.locator(f"#c{later.pk}")).to_have_count(0)
    inner = page.frames[1]
    loaded_url = inner.url
    frame.get_by_role("link", name="View more comments").click()
    expect(frame.locator(f"#c{later.pk}")).to_be_focused()
    # Both pages are now in the frame, which was not reloaded.
    expect(frame.locator(f"#c{story_with_a_comment.pk}")).to_be_visible()
    expect(frame.get_by_role("link", name="View more comments")).to_have_count(0)
    assert inner.url == loaded_url
    assert not [e for e in errors if "Content Security Policy" in e or "Uncaught" in e], errors
