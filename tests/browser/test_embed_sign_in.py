"""A reader with an account signs in inside the embed on another site: a popup on the
comments' site, a one-time code handed to the frame, the frame's own partitioned session.
The browser keeps no ordinary third-party cookie here (a control cookie proves it), so the
sign-in cannot be riding on one."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Browser, expect

from broadsheet.comments.models import Comment
from broadsheet.core.models import Commenting, SiteSettings
from broadsheet.embed.models import FrameSignIn
from broadsheet.embed.origins import origins_changed
from broadsheet.moderation.services import comment_approve
from tests.browser.pages import issued_frame
from tests.browser.test_embed_flow import host_site, open_page  # noqa: F401 (fixture)
from tests.conftest import make_reader

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPLY = "The railings are a good start, but the steps at the far end still need a handrail."
ANSWER = "And the lamps along the top of the wall should be fixed before the dark evenings."


def test_a_reader_signs_in_inside_the_embed_and_posts_under_their_name(
    browser: Browser, live_server, host_site: str, settings  # noqa: F811
) -> None:
    settings.BROADSHEET_EMBED_ORIGINS = [host_site]
    origins_changed()
    # Only signed-in readers may comment: the frame must apply the site's rule too.
    site = SiteSettings.load()
    site.commenting = Commenting.VERIFIED
    site.save()
    make_reader("mei@readers.example", "Mei Tanaka", password="reader-pw-12")
    editor = get_user_model().objects.create_user(
        "editor", "editor@newsroom.example", "desk-password", is_staff=True
    )
    errors: list[str] = []
    page = open_page(browser, f"{host_site}/news/harbour-wall", errors)
    frame = page.frame_locator("#broadsheet-comments iframe")
    expect(frame.locator(".bs-restricted")).to_contain_text("signed in with a confirmed account")
    expect(frame.get_by_label("Name")).to_have_count(0)

    # The control: an ordinary third-party cookie written inside the frame is dropped.
    inner = page.frames[1]
    inner.evaluate("document.cookie = 'control=1; SameSite=None; Secure; Path=/'")
    assert "control=1" not in inner.evaluate("document.cookie")

    with page.context.expect_page() as opened:
        frame.get_by_role("link", name="Sign in").click()
    popup = opened.value
    popup.wait_for_load_state()
    assert popup.url.startswith(f"{live_server.url}/embed/sign-in/login/")
    popup.locator("#id_username").fill("mei@readers.example")
    popup.locator("#id_password").fill("reader-pw-12")
    popup.get_by_role("button", name="Sign in").click()
    expect(popup.get_by_text(f"Post comments on {host_site} as Mei Tanaka")).to_be_visible()
    with popup.expect_event("close"):
        popup.get_by_role("button", name="Continue as Mei Tanaka").click()

    expect(frame.get_by_text("Signed in as Mei Tanaka")).to_be_visible()
    assert FrameSignIn.objects.get().used_at is not None
    expect(frame.get_by_label("Name")).to_have_count(0)
    expect(frame.get_by_label("Email")).to_have_count(0)
    frame.get_by_label("Your comment").fill(REPLY)
    frame.get_by_role("button", name="Post comment").click()
    expect(frame.locator(".bs-pending")).to_contain_text(REPLY)
    comment = Comment.objects.get(text=REPLY)
    assert comment.author_name == "Mei Tanaka" and comment.user.email == "mei@readers.example"
    assert comment.status == "pending"

    # Reloading the host page keeps the reader signed in (the partitioned cookie).
    page.reload()
    frame = page.frame_locator("#broadsheet-comments iframe")
    expect(frame.get_by_text("Signed in as Mei Tanaka")).to_be_visible()

    comment_approve(comment=comment, actor=editor)
    other = open_page(browser, f"{host_site}/news/harbour-wall", errors)
    other_frame = other.frame_locator("#broadsheet-comments iframe")
    expect(other_frame.locator(f"#c{comment.pk}")).to_contain_text("Mei Tanaka")
    expect(other_frame.locator(f"#c{comment.pk}")).to_contain_text(REPLY)
    # ...and a new visitor in another browser context is not signed in.
    expect(other_frame.get_by_role("link", name="Sign in")).to_be_visible()

    # A reply in place while signed in: the frame's session and CSRF token go with it.
    page.reload()
    frame = page.frame_locator("#broadsheet-comments iframe")
    frame.get_by_role("link", name="Reply to Mei Tanaka").click()
    slot = frame.locator(f"#bs-reply-{comment.pk}")
    expect(slot.get_by_label("Your comment")).to_be_focused()
    slot.get_by_label("Your comment").fill(ANSWER)
    slot.get_by_role("button", name="Post reply").click()
    expect(slot.locator(".bs-pending")).to_contain_text(ANSWER)
    answer = Comment.objects.get(text=ANSWER)
    assert (answer.user_id, answer.parent_id) == (comment.user_id, comment.pk)

    frame.get_by_role("button", name="Sign out").click()
    expect(frame.locator(".bs-notice")).to_contain_text("signed out")
    expect(frame.get_by_role("link", name="Sign in")).to_be_visible()
    assert not [e for e in errors if "Content Security Policy" in e or "Uncaught" in e], errors


def test_a_popup_that_lost_its_frame_says_what_to_do(
    browser: Browser, live_server, host_site: str, settings  # noqa: F811
) -> None:
    """Signing in by an emailed code or a sign-up passes through pages with the site's own
    opener policy, which cuts the popup from the frame: the last page then says so (here the
    page is opened on its own, with no opener at all)."""
    settings.BROADSHEET_EMBED_ORIGINS = [host_site]
    origins_changed()
    make_reader("mei@readers.example", "Mei Tanaka", password="reader-pw-12")
    frame = issued_frame(host_site)
    token = frame.split("t=", 1)[1]
    errors: list[str] = []
    page = open_page(browser, f"{live_server.url}/embed/sign-in/?t={token}", errors)
    page.locator("#id_username").fill("mei@readers.example")
    page.locator("#id_password").fill("reader-pw-12")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Continue as Mei Tanaka").click()
    expect(page.locator("#bs-no-opener")).to_be_visible()
    expect(page.locator("#bs-no-opener")).to_contain_text("press “Sign in” in the comments again")
    assert not page.is_closed()
    assert not [e for e in errors if "Content Security Policy" in e or "Uncaught" in e], errors
