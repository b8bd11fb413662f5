"""Replies in place inside the frame (frame.js asks for fragments), server side."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from broadsheet.comments.models import Comment
from broadsheet.embed import tokens
from broadsheet.integrations.models import ExternalStory
from tests.conftest import make_comment
from tests.embed.test_embed import HOST, OWN, frame_path

pytestmark = pytest.mark.django_db
HX = {"HTTP_X_BROADSHEET_FRAGMENT": "1"}


@pytest.fixture(autouse=True)
def allowed_host(settings):
    settings.BROADSHEET_EMBED_ORIGINS = [HOST]


def test_the_reply_form_comes_alone_for_frame_js_and_as_the_frame_without_it(client):
    path = frame_path(client)
    token = parse_qs(urlsplit(path).query)["t"][0]
    parent = make_comment(ExternalStory.objects.get().article, name="Nadia")
    frame = client.get(path).content.decode()
    assert f'data-bs-reply="/embed/frame/reply/{parent.pk}?t=' in frame
    assert f'id="bs-reply-{parent.pk}"' in frame and "htmx" not in frame
    fragment = client.get(f"/embed/frame/reply/{parent.pk}?t={token}&mine=", **HX)
    html = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in html
    assert "Replying to Nadia" in html and f'value="{parent.pk}"' in html
    assert fragment["Content-Security-Policy"].endswith(f"frame-ancestors {HOST}")
    assert "X-Broadsheet-Fragment" in fragment["Vary"]
    plain = client.get(f"/embed/frame/reply/{parent.pk}?t={token}")
    assert plain.status_code == 302 and f"reply_to={parent.pk}" in plain["Location"]
    assert client.get(f"/embed/frame/reply/{parent.pk}?t=forged", **HX).status_code == 403


def test_a_reply_posted_in_place_answers_with_the_reply_and_the_readers_new_list(client):
    path = frame_path(client)
    token = parse_qs(urlsplit(path).query)["t"][0]
    parent = make_comment(ExternalStory.objects.get().article, name="Nadia")
    data = {"t": token, "name": "Mei", "email": "mei@readers.example", "parent": parent.pk}
    bad = client.post("/embed/frame/post", {**data, "text": ""}, HTTP_ORIGIN=OWN, **HX)
    assert bad.status_code == 400 and "Write your comment" in bad.content.decode()
    assert "<html" not in bad.content.decode()
    ok = client.post("/embed/frame/post", {**data, "text": "In place."}, HTTP_ORIGIN=OWN, **HX)
    html = ok.content.decode()
    reply = Comment.objects.get(text="In place.")
    assert ok.status_code == 200 and f'id="c{reply.pk}"' in html
    assert "Awaiting moderation" in html and "Replying to Nadia" in html
    assert html.count("data-bs-oob") == 2  # the notice and the reader's list, elsewhere
    mine = html.split('id="bs-mine" value="', 1)[1].split('"', 1)[0]
    assert tokens.read_own_token(mine) == {reply.pk}
    # The same writes from elsewhere are still refused.
    assert client.post(
        "/embed/frame/post", {**data, "text": "x"}, HTTP_ORIGIN=HOST, **HX
    ).status_code == 403
