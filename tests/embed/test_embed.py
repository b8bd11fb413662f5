"""The embed's server side: the script, the story endpoint, the frame and its writes."""

from __future__ import annotations

import gzip
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from broadsheet.articles.cache import article_comments_changed
from broadsheet.comments.models import Comment, Report
from broadsheet.embed.models import EmbedOrigin
from broadsheet.integrations.models import ExternalStory
from tests.conftest import make_comment

pytestmark = pytest.mark.django_db

HOST = "https://www.host.example"
STORY = f"{HOST}/news/2026/12/harbour-wall"
OWN = "http://testserver"


@pytest.fixture(autouse=True)
def allowed_host(settings):
    settings.BROADSHEET_EMBED_ORIGINS = [HOST]


def ask_story(client, origin=HOST, **fields):
    data = {"url": STORY, "title": "The harbour wall reopens", "summary": "Walkers are back."}
    data.update(fields)
    return client.post("/embed/v1/story", data, HTTP_ORIGIN=origin)


def frame_path(client) -> str:
    response = ask_story(client)
    assert response.status_code == 200
    return urlsplit(response.json()["frame"])._replace(scheme="", netloc="").geturl()


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_embed_a_host_page_downloads_is_at_most_15_kb_gzipped(client):
    """Everything the comments cost a host page's visitor: /embed.js, the frame's HTML for a
    story with a few comments, and every script and stylesheet the frame names."""
    files = {"embed.js": client.get("/embed.js").content}
    path = frame_path(client)
    article = ExternalStory.objects.get().article
    for n in range(6):
        thread = make_comment(article, name=f"Reader {n}", text=f"A fair point, number {n}, "
                              "about the harbour wall and the steps down to the beach.")
        make_comment(article, parent=thread, name="Ana Reyes", text="I agree with you there.")
    article_comments_changed(article.pk)
    frame = client.get(path)
    files["frame"] = frame.content
    assert frame.content.decode().count('<li class="bs-comment ') == 12
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', frame.content.decode())
    assert {a.rsplit("/", 1)[-1] for a in assets} == {"frame.css", "frame.js"}
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200
        files[asset] = body_of(response)
    weight = {name: len(gzip.compress(raw, 9)) for name, raw in files.items()}
    assert sum(weight.values()) <= 15 * 1024, weight


def test_the_script_asks_nothing_of_third_parties(client):
    response = client.get("/embed.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    hosts = set(re.findall(rb"https?://([\w.-]+)", response.content))
    assert hosts <= {b"comments.example"}  # only in the usage comment
    assert b"cookie" not in response.content.lower().replace(b"no cookies", b"")


def test_an_allowed_origin_creates_the_story_once(client):
    first = ask_story(client)
    assert first.status_code == 200
    assert first["Access-Control-Allow-Origin"] == HOST
    story = ExternalStory.objects.get()
    assert story.url == STORY and story.article.headline == "The harbour wall reopens"
    assert story.article.body == "Walkers are back."
    assert ask_story(client, url=STORY + "/?utm_campaign=x").status_code == 200
    assert ExternalStory.objects.count() == 1


def test_an_origin_from_the_admin_list_is_allowed_too(client):
    EmbedOrigin.objects.create(origin="HTTPS://Blog.Example:443/")
    assert EmbedOrigin.objects.get().origin == "https://blog.example"
    response = ask_story(client, origin="https://blog.example", url="https://blog.example/p/1")
    assert response.status_code == 200


def test_any_other_origin_is_refused_and_creates_nothing(client):
    for origin in ("https://evil.example", "null", ""):
        response = ask_story(client, origin=origin)
        assert response.status_code == 403
        assert "Access-Control-Allow-Origin" not in response
    response = ask_story(client, url="https://elsewhere.example/story")
    assert response.status_code == 400 and "data-url" in response.json()["error"]
    assert not ExternalStory.objects.exists()


def test_the_frame_shows_approved_comments_and_may_be_framed_only_by_the_host(client):
    path = frame_path(client)
    article = ExternalStory.objects.get().article
    make_comment(article, text="The railings look solid.")
    make_comment(article, text="Held back by a moderator.", status="pending")
    article_comments_changed(article.pk)  # what the decision services do
    response = client.get(path)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Comments (1)" in html and "The railings look solid." in html
    assert "Held back" not in html
    assert f"frame-ancestors {HOST}" in response["Content-Security-Policy"]
    assert "X-Frame-Options" not in response
    assert "Set-Cookie" not in response and not response.cookies


def test_posting_from_the_frame_waits_for_moderation_and_shows_it_to_its_author(client):
    path = frame_path(client)
    token = parse_qs(urlsplit(path).query)["t"][0]
    response = client.post(
        "/embed/frame/post",
        {"t": token, "name": "Mei", "email": "mei@readers.example", "text": "Finally open!"},
        HTTP_ORIGIN=OWN,
    )
    assert response.status_code == 303
    comment = Comment.objects.get()
    assert comment.status == "pending" and comment.article == ExternalStory.objects.get().article
    page = client.get(response["Location"]).content.decode()
    assert "Finally open!" in page and "Awaiting moderation" in page
    assert "Comments (0)" in page
    # Another reader (no pass for Mei's comment) does not see it.
    assert "Finally open!" not in client.get(path).content.decode()


def test_a_reply_and_a_report_from_the_frame(client):
    path = frame_path(client)
    token = parse_qs(urlsplit(path).query)["t"][0]
    parent = make_comment(ExternalStory.objects.get().article, text="First impressions?")
    form = client.get(f"{path}&reply_to={parent.pk}").content.decode()
    assert "Replying to Bilal" in form
    client.post("/embed/frame/post", {
        "t": token, "name": "Mei", "email": "mei@readers.example", "text": "Good so far.",
        "parent": parent.pk,
    }, HTTP_ORIGIN=OWN)
    assert Comment.objects.get(text="Good so far.").parent_id == parent.pk
    report_page = client.get(f"/embed/frame/report/{parent.pk}?t={token}")
    assert report_page.status_code == 200
    response = client.post(
        f"/embed/frame/report/{parent.pk}", {"t": token, "reason": "off-topic"},
        HTTP_ORIGIN=OWN,
    )
    assert response.status_code == 303
    assert Report.objects.get().comment_id == parent.pk
    again = client.post(
        f"/embed/frame/report/{parent.pk}", {"t": token, "reason": "spam"}, HTTP_ORIGIN=OWN
    )
    assert again.status_code == 409
    assert "already reported this comment" in again.content.decode()
    assert Report.objects.count() == 1


def test_every_write_without_a_valid_pass_or_from_another_origin_is_refused(client, settings):
    path = frame_path(client)
    token = parse_qs(urlsplit(path).query)["t"][0]
    parent = make_comment(ExternalStory.objects.get().article)
    post = {"t": token, "name": "X", "email": "x@example.com", "text": "Hello"}
    assert client.post("/embed/frame/post", post, HTTP_ORIGIN=HOST).status_code == 403
    assert client.post("/embed/frame/post", post).status_code == 403  # no Origin at all
    forged = {**post, "t": token[:-3] + "abc"}
    assert client.post("/embed/frame/post", forged, HTTP_ORIGIN=OWN).status_code == 403
    report = {"t": token, "reason": "spam"}
    assert client.post(
        f"/embed/frame/report/{parent.pk}", report, HTTP_ORIGIN="https://evil.example"
    ).status_code == 403
    # A site taken off the list loses its frames at once.
    settings.BROADSHEET_EMBED_ORIGINS = []
    from broadsheet.embed.origins import origins_changed

    origins_changed()
    assert client.get(path).status_code == 403
    assert client.post("/embed/frame/post", post, HTTP_ORIGIN=OWN).status_code == 403
    assert not Comment.objects.exclude(pk=parent.pk).exists() and not Report.objects.exists()


def test_a_bad_post_keeps_the_text_and_says_what_is_wrong(client):
    path = frame_path(client)
    token = parse_qs(urlsplit(path).query)["t"][0]
    response = client.post(
        "/embed/frame/post", {"t": token, "name": "Mei", "email": "not-an-email",
                              "text": "Keep me"}, HTTP_ORIGIN=OWN,
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a valid email address" in html and "Keep me" in html


def test_the_demo_page_is_for_development_only(client, settings):
    page = client.get("/embed-demo/", HTTP_HOST="localhost:8000").content.decode()
    assert 'data-url="http://localhost:8000/embed-demo/harbour-wall"' in page
    assert 'src="http://127.0.0.1:8000/embed.js"' in page
    settings.DEV_MODE = False
    assert client.get("/embed-demo/").status_code == 404


def test_the_story_endpoint_answers_json_errors(client):
    response = ask_story(client, title="")
    assert response.status_code == 400
    assert json.loads(response.content)["error"].startswith("The story has no title")


def test_view_more_pages_through_the_threads_with_replying_to(client):
    from broadsheet.core.models import SiteSettings

    site = SiteSettings.load()
    site.threads_per_page = 2
    site.save()
    path = frame_path(client)
    article = ExternalStory.objects.get().article
    first = make_comment(article, text="Thread one", minutes_ago=30)
    make_comment(article, parent=first, text="A reply to one", name="Ana", minutes_ago=25)
    make_comment(article, text="Thread two", minutes_ago=20)
    make_comment(article, text="Thread three", minutes_ago=10)
    article_comments_changed(article.pk)
    html = client.get(path).content.decode()
    assert "Comments (4)" in html
    assert "Thread one" in html and "Thread two" in html and "Thread three" not in html
    assert "Replying to Bilal" in html
    more = re.search(r'<a class="bs-more" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    later = client.get(more).content.decode()
    assert "Thread three" in later and "Thread one" not in later
    # For frame.js, the next page's threads come alone, to be added under the others.
    fragment = client.get(more, HTTP_X_BROADSHEET_FRAGMENT="1").content.decode()
    assert "Thread three" in fragment and "<html" not in fragment
    assert fragment.lstrip().startswith('<li class="bs-comment')
    assert 'id="bs-more"' not in fragment  # the last page
