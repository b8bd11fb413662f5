"""The embed on another site: a plain page served from a second loopback origin embeds the
comments, a reader posts, the desk approves, the reader sees it; a site not on the list gets
nothing at all."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Browser, Page, expect

from broadsheet.comments.models import Comment
from broadsheet.embed.origins import origins_changed
from broadsheet.integrations.models import ExternalStory
from tests.browser.pages import issued_frame

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 10_000
COMMENT = "The new railings are a big improvement; my children can walk the wall again."
HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Harbour news</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src {bs};
 frame-src {bs}; connect-src {bs}; style-src 'self'">
</head><body><h1>The harbour wall reopens</h1>
<p>Walkers are back on the harbour wall after six months of repairs.</p>
<div id="broadsheet-comments" data-url="{host}/news/harbour-wall"
 data-title="The harbour wall reopens"
 data-summary="Walkers are back on the harbour wall after six months of repairs."></div>
<script src="{bs}/embed.js" async></script></body></html>"""


def host_server(address: str, broadsheet: str) -> tuple[ThreadingHTTPServer, str]:
    """A plain web server for the host page, on another loopback address (another origin)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = HOST_PAGE.format(bs=broadsheet, host=origin).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer((address, 0), Handler)
    origin = f"http://{address}:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, origin


@pytest.fixture
def host_site(live_server) -> Iterator[str]:
    server, origin = host_server("127.0.0.2", live_server.url)
    yield origin
    server.shutdown()
    server.server_close()


@pytest.fixture
def other_site(live_server) -> Iterator[str]:
    server, origin = host_server("127.0.0.3", live_server.url)
    yield origin
    server.shutdown()
    server.server_close()


def open_page(browser: Browser, url: str, errors: list[str]) -> Page:
    page = browser.new_context(viewport={"width": 1000, "height": 900}).new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(url)
    return page


def test_a_reader_posts_through_the_embed_and_sees_it_once_approved(
    browser: Browser, live_server, host_site: str, settings
) -> None:
    settings.BROADSHEET_EMBED_ORIGINS = [host_site]
    origins_changed()
    get_user_model().objects.create_user(
        "editor", "editor@newsroom.example", "desk-password", is_staff=True
    )
    errors: list[str] = []
    reader = open_page(browser, f"{host_site}/news/harbour-wall", errors)
    frame = reader.frame_locator("#broadsheet-comments iframe")
    expect(frame.get_by_role("heading", name="Comments (0)")).to_be_visible()
    story = ExternalStory.objects.get()
    assert story.url == f"{host_site}/news/harbour-wall"
    assert story.article.body.startswith("Walkers are back")

    frame.get_by_label("Name").fill("Mei Tanaka")
    frame.get_by_label("Email").fill("mei@readers.example")
    frame.get_by_label("Your comment").fill(COMMENT)
    frame.get_by_role("button", name="Post comment").click()
    expect(frame.locator(".bs-notice")).to_contain_text("awaiting moderation")
    expect(frame.locator(".bs-pending")).to_contain_text(COMMENT)
    comment = Comment.objects.get(text=COMMENT)
    assert comment.status == "pending" and comment.article_id == story.article_id

    desk = open_page(browser, f"{live_server.url}/accounts/login/?next=/desk/", errors)
    desk.locator("#id_username").fill("editor")
    desk.locator("#id_password").fill("desk-password")
    desk.get_by_role("button", name="Sign in").click()
    desk.wait_for_url(f"{live_server.url}/desk/")
    item = desk.locator("article.desk-item", has_text=COMMENT)
    item.get_by_role("button", name="Approve", exact=True).click()
    expect(desk.locator(f"#item-{comment.pk}")).to_contain_text("Approved by editor")

    other = open_page(browser, f"{host_site}/news/harbour-wall", errors)
    other_frame = other.frame_locator("#broadsheet-comments iframe")
    expect(other_frame.get_by_role("heading", name="Comments (1)")).to_be_visible()
    expect(other_frame.locator(f"#c{comment.pk}")).to_contain_text(COMMENT)
    expect(other_frame.locator(f"#c{comment.pk}")).to_contain_text("Mei Tanaka")
    # The frame grew to fit its content (the height message from the frame to embed.js).
    height = other.locator("#broadsheet-comments iframe").evaluate("f => f.offsetHeight")
    assert height > 300
    assert not [e for e in errors if "Content Security Policy" in e or "Uncaught" in e], errors


def test_a_site_not_on_the_list_gets_nothing(
    browser: Browser, live_server, host_site: str, other_site: str, settings
) -> None:
    settings.BROADSHEET_EMBED_ORIGINS = [host_site]
    origins_changed()
    errors: list[str] = []
    page = open_page(browser, f"{other_site}/news/harbour-wall", errors)
    host = page.locator("#broadsheet-comments")
    expect(host).to_have_attribute("data-broadsheet-state", "refused")
    expect(host.locator("iframe")).to_have_count(0)
    assert not ExternalStory.objects.exists()
    response = page.request.post(
        f"{live_server.url}/embed/v1/story",
        form={"url": f"{other_site}/news/x", "title": "X"},
        headers={"Origin": other_site},
    )
    assert response.status == 403

    # Even with a frame address issued to the allowed site, the browser will not show the
    # frame here: its CSP names only the allowed host as a frame ancestor.
    issued = issued_frame(host_site, live_server.url)
    page.evaluate(
        """src => new Promise(done => { const f = document.createElement('iframe');
                    f.id = 'copied'; f.onload = done; f.src = src;
                    document.body.appendChild(f); })""",
        issued,
    )
    copied = page.locator("#copied").element_handle().content_frame()
    assert copied is not None
    assert not copied.url.startswith(live_server.url), copied.url  # the browser's error page
    assert copied.locator("h2").count() == 0
    # ...while the same address opened on its own, by the allowed host's frame, does render.
    direct = open_page(browser, issued, errors)
    expect(direct.get_by_role("heading", name="Comments (0)")).to_be_visible()
