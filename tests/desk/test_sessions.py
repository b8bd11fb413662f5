"""Sessions live on the server: logging out or changing the password ends them for good."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from tests.conftest import comment_payload

pytestmark = pytest.mark.django_db


def _signed_in(username: str, password: str) -> Client:
    browser = Client()
    response = browser.post(
        "/accounts/login/", {"username": username, "password": password}
    )
    assert response.status_code == 302
    return browser


def _with_cookie(value: str) -> Client:
    copy = Client()
    copy.cookies[settings.SESSION_COOKIE_NAME] = value
    return copy


def test_a_copied_session_cookie_no_longer_opens_the_desk_after_logout(moderator):
    browser = _signed_in("moderator", "desk-password")
    stolen = browser.cookies[settings.SESSION_COOKIE_NAME].value
    assert _with_cookie(stolen).get("/desk/").status_code == 200

    assert browser.post("/accounts/logout/").status_code in (200, 302)

    response = _with_cookie(stolen).get("/desk/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(moderator):
    laptop = _signed_in("moderator", "desk-password")
    phone = _signed_in("moderator", "desk-password")

    response = laptop.post("/admin/password_change/", {
        "old_password": "desk-password",
        "new_password1": "a-new-long-passphrase-7",
        "new_password2": "a-new-long-passphrase-7",
    })

    assert response.status_code == 302
    assert laptop.get("/desk/").status_code == 200
    assert phone.get("/desk/").status_code == 302


def test_a_reader_who_posts_is_given_no_server_side_session(client, article):
    response = client.post(
        f"/comments/post/{article.pk}/", comment_payload(text="Waiting for the desk."),
        follow=True,
    )

    assert b"awaiting moderation" in response.content
    assert b"Waiting for the desk." in response.content  # the author sees it while it waits
    assert settings.SESSION_COOKIE_NAME not in client.cookies
    assert Session.objects.count() == 0
