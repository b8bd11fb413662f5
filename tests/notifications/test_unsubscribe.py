"""Every email's one-click unsubscribe link works without signing in."""

from __future__ import annotations

from broadsheet.notifications.models import NotificationPreference
from tests.conftest import make_comment


def _unsubscribe_path(message) -> str:
    # A long header may be folded onto a second line; unfolded it is "<url>".
    header = " ".join(str(message["List-Unsubscribe"]).split())
    return header.strip("<>").removeprefix("http://127.0.0.1:8000")


def test_the_link_asks_first_then_unsubscribes_without_a_login(
    smtp_server, decide, article, reader, reasons, anonymous_client
):
    decide(make_comment(article, status="pending", user=reader, email=reader.email), "reject",
           {"reason": "spam"})
    [message] = smtp_server.wait_for(1)
    path = _unsubscribe_path(message)
    assert path in smtp_server.text(message)
    assert path in smtp_server.html(message)

    confirm = anonymous_client.get(path)
    assert confirm.status_code == 200
    assert b"Unsubscribe" in confirm.content
    assert not NotificationPreference.objects.exists()  # a GET (a link scanner) changes nothing

    # The one-click POST a mail program sends: no cookie, no CSRF token.
    done = anonymous_client.post(path, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert b"You are unsubscribed" in done.content
    preference = NotificationPreference.objects.get(user=reader)
    assert preference.not_published is False
    assert preference.approved is True

    decide(make_comment(article, status="pending", user=reader, email=reader.email), "reject",
           {"reason": "spam"})
    assert len(smtp_server.messages) == 1


def test_stop_everything_switches_every_kind_off(
    smtp_server, decide, article, reader, anonymous_client
):
    decide(make_comment(article, status="pending", user=reader, email=reader.email), "approve")
    [message] = smtp_server.wait_for(1)

    anonymous_client.post(_unsubscribe_path(message), {"everything": "1"})

    preference = NotificationPreference.objects.get(user=reader)
    assert (preference.approved, preference.not_published, preference.replies) == (
        False, False, False
    )


def test_a_tampered_link_is_refused_with_a_message(anonymous_client, db):
    response = anonymous_client.post("/notifications/unsubscribe/not-a-real-token/")

    assert response.status_code == 400
    assert b"This link does not work" in response.content
    assert not NotificationPreference.objects.exists()


def test_the_preferences_page_needs_a_login_and_saves_choices(client, reader):
    assert client.get("/accounts/notifications/").status_code == 302

    client.force_login(reader)
    page = client.get("/accounts/notifications/")
    assert b"When someone replies to my comment" in page.content
    client.post("/accounts/notifications/", {"approved": "on"})

    preference = NotificationPreference.objects.get(user=reader)
    assert (preference.approved, preference.not_published, preference.replies) == (
        True, False, False
    )
