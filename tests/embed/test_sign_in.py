"""Signing in inside the embed, server side: the popup's pages, the one-time code, the
frame's partitioned session and the checks on every signed-in write."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from broadsheet.comments.models import Comment, Report
from broadsheet.core.models import Commenting, SiteSettings
from broadsheet.embed import signin
from broadsheet.embed.models import FrameSignIn
from broadsheet.integrations.models import ExternalStory
from tests.conftest import make_comment, make_reader
from tests.embed.test_embed import HOST, OWN, frame_path

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def allowed_host(settings):
    settings.BROADSHEET_EMBED_ORIGINS = [HOST]


def _token(client: Client) -> tuple[str, str]:
    path = frame_path(client)
    return path, parse_qs(urlsplit(path).query)["t"][0]


def _popup_code(token: str, reader) -> str:
    """What the popup does: the reader is signed in on the site and presses Continue."""
    popup = Client(enforce_csrf_checks=True)
    popup.force_login(reader)
    page = popup.get(f"/embed/sign-in/?t={token}")
    assert page.status_code == 200
    assert page["Cross-Origin-Opener-Policy"] == "unsafe-none"
    csrf = popup.cookies["csrftoken"].value
    done = popup.post(f"/embed/sign-in/?t={token}", {"csrfmiddlewaretoken": csrf})
    html = done.content.decode()
    return html.split('data-code="', 1)[1].split('"', 1)[0]


def _sign_in_frame(client: Client, token: str, code: str):
    return client.post(
        "/embed/frame/session", {"t": token, "code": code, "mine": ""}, HTTP_ORIGIN=OWN
    )


def _session_cookie(response) -> str:
    header = response["Set-Cookie"]
    assert "Partitioned" in header and "Secure" in header and "SameSite=None" in header
    assert "HttpOnly" in header and "Path=/embed/frame/" in header
    return header.split(";", 1)[0].split("=", 1)[1]


def signed_in_frame(client: Client, reader) -> tuple[str, str, str]:
    path, token = _token(client)
    response = _sign_in_frame(client, token, _popup_code(token, reader))
    assert response.status_code == 200 and "signed_in=1" in response.json()["frame"]
    client.cookies["broadsheet_frame"] = _session_cookie(response)
    html = client.get(path).content.decode()
    csrf = html.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    return path, token, csrf


def test_the_popup_sends_an_anonymous_reader_to_sign_in_first(client):
    _path, token = _token(client)
    response = Client().get(f"/embed/sign-in/?t={token}")
    assert response.status_code == 302
    assert response["Location"].startswith("/embed/sign-in/login/?next=")
    login = Client().get(response["Location"])
    assert login.status_code == 200 and login["Cross-Origin-Opener-Policy"] == "unsafe-none"
    # A pass that is not this site's (or a host taken off the list) gets nothing.
    assert Client().get("/embed/sign-in/?t=forged").status_code == 403


def test_a_signed_in_frame_posts_as_the_reader_with_no_name_or_email(client):
    reader = make_reader("mei@readers.example", "Mei Tanaka")
    path, token, csrf = signed_in_frame(client, reader)
    html = client.get(path).content.decode()
    assert "Signed in as <strong>Mei Tanaka</strong>" in html
    # Their comments, reasons and requests for review open on the site itself, in a new tab.
    assert '<a href="/accounts/comments/" target="_blank" rel="noopener">Your comments</a>' in html
    assert 'name="email"' not in html and 'name="name"' not in html
    response = client.post(
        "/embed/frame/post", {"t": token, "csrf": csrf, "text": "Signed in and posting."},
        HTTP_ORIGIN=OWN,
    )
    assert response.status_code == 303
    comment = Comment.objects.get()
    assert comment.user_id == reader.pk and comment.author_name == "Mei Tanaka"
    assert comment.author_email == "mei@readers.example" and comment.status == "pending"
    # Their pending comment is theirs to see in any signed-in frame, not only this one's.
    elsewhere = Client()
    path2, _token2, _csrf2 = signed_in_frame(elsewhere, reader)
    html = elsewhere.get(path2).content.decode()
    assert "Signed in and posting." in html and "Awaiting moderation" in html
    assert "Signed in and posting." not in Client().get(path).content.decode()


def test_a_code_works_once_for_its_host_and_briefly(client):
    reader = make_reader()
    _path, token = _token(client)
    code = _popup_code(token, reader)
    assert _sign_in_frame(client, token, code).status_code == 200
    assert _sign_in_frame(Client(), token, code).status_code == 403  # spent
    assert signin.redeem_code(code=_popup_code(token, reader), origin="https://other.example") \
        is None
    late = _popup_code(token, reader)
    FrameSignIn.objects.filter(used_at__isnull=True).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert _sign_in_frame(Client(), token, late).status_code == 403
    # The trade is a write of the frame: from anywhere else it is refused.
    fresh = _popup_code(token, reader)
    assert client.post(
        "/embed/frame/session", {"t": token, "code": fresh}, HTTP_ORIGIN=HOST
    ).status_code == 403


def test_signed_in_writes_without_the_frames_csrf_token_are_refused(client):
    reader = make_reader()
    path, token, csrf = signed_in_frame(client, reader)
    parent = make_comment(ExternalStory.objects.get().article, text="Approved one")
    for data in ({"t": token, "text": "No token"}, {"t": token, "text": "Bad", "csrf": "x" * 64}):
        assert client.post("/embed/frame/post", data, HTTP_ORIGIN=OWN).status_code == 403
    assert client.post(
        f"/embed/frame/report/{parent.pk}", {"t": token, "reason": "spam"}, HTTP_ORIGIN=OWN
    ).status_code == 403
    assert client.post("/embed/frame/sign-out", {"t": token}, HTTP_ORIGIN=OWN).status_code == 403
    assert not Report.objects.exists() and Comment.objects.count() == 1
    # With the token the report is the reader's.
    assert client.post(
        f"/embed/frame/report/{parent.pk}", {"t": token, "reason": "spam", "csrf": csrf},
        HTTP_ORIGIN=OWN,
    ).status_code == 303
    assert Report.objects.get().reporter_id == reader.pk
    del path


def test_sign_out_and_a_password_change_end_the_frames_session(client):
    reader = make_reader(password="old-password-1")
    path, token, csrf = signed_in_frame(client, reader)
    reader.set_password("new-password-2")
    reader.save()
    assert "Signed in as" not in client.get(path).content.decode()

    other = Client()
    path, token, csrf = signed_in_frame(other, reader)
    response = other.post(
        "/embed/frame/sign-out", {"t": token, "csrf": csrf}, HTTP_ORIGIN=OWN
    )
    assert response.status_code == 303 and "Max-Age=0" in response["Set-Cookie"]
    assert "Signed in as" not in other.get(path).content.decode()  # the session row is gone


def test_the_frame_applies_the_sites_commenting_rule(client):
    site = SiteSettings.load()
    site.commenting = Commenting.VERIFIED
    site.save()
    path, token = _token(client)
    html = client.get(path).content.decode()
    assert "signed in with a confirmed account" in html and 'name="email"' not in html
    response = client.post("/embed/frame/post", {
        "t": token, "name": "Anon", "email": "anon@example.com", "text": "Let me in",
    }, HTTP_ORIGIN=OWN)
    assert response.status_code == 403 and not Comment.objects.exists()
    # A signed-in account whose address is not confirmed is told so, and may not post.
    unconfirmed = make_reader("new@readers.example", "New Reader", verified=False)
    frame = Client()
    path, token, csrf = signed_in_frame(frame, unconfirmed)
    assert "is not confirmed yet" in frame.get(path).content.decode()
    assert frame.post("/embed/frame/post", {"t": token, "csrf": csrf, "text": "Me too"},
                      HTTP_ORIGIN=OWN).status_code == 403
    assert not Comment.objects.exists()
