"""Suspensions: a ban with an end, the reason emailed, the commenter's posts refused until
it ends (the clock is moved, nothing sleeps)."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from broadsheet.comments.models import Comment
from broadsheet.moderation.models import Ban
from tests.conftest import comment_payload, make_comment


def _suspend(moderator_client, comment, django_capture_on_commit_callbacks, **form):
    with django_capture_on_commit_callbacks(execute=True):
        return moderator_client.post(
            f"/desk/comments/{comment.pk}/ban/",
            {"target": "account" if comment.user_id else "email", "note": "Repeated insults",
             **form},
            follow=True,
        )


def _post_as(reader, article, **fields) -> Comment:
    browser = Client()
    browser.force_login(reader)
    text = fields.pop("text", "Back again with another view on the pitch.")
    browser.post(f"/comments/post/{article.pk}/", comment_payload(text=text, **fields))
    return Comment.objects.get(text=text)


def test_a_seven_day_suspension_emails_the_reason_and_ends_by_itself(
    smtp_server, moderator_client, article, reader, clock, django_capture_on_commit_callbacks
):
    comment = make_comment(article, status="pending", user=reader, email=reader.email)

    response = _suspend(moderator_client, comment, django_capture_on_commit_callbacks, days="7")

    ban = Ban.objects.get()
    assert ban.user == reader
    assert ban.email == "reader@example.com"  # the account's own address is banned with it
    assert timedelta(days=6, hours=23) < ban.expires_at - timezone.now() <= timedelta(days=7)
    assert f"until {ban.ends}" in response.content.decode()
    [message] = smtp_server.wait_for(1)
    assert message.envelope_recipients == ["reader@example.com"]
    assert "suspended until" in message["Subject"]
    assert "Reason: Repeated insults" in smtp_server.text(message)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    during = _post_as(reader, article, name="A Brand New Name", text="Trying again at once.")
    assert during.status == Comment.Status.REJECTED
    assert during.rejection_reason.slug == "banned"

    clock(timedelta(days=7, minutes=1))
    after = _post_as(reader, article, text="Back after the suspension.")
    assert after.status == Comment.Status.PENDING
    assert b"No one is banned." in moderator_client.get("/desk/bans/").content


def test_a_suspension_until_a_date_lasts_to_the_end_of_that_day(
    smtp_server, moderator_client, article, django_capture_on_commit_callbacks
):
    comment = make_comment(article, status="pending", email="Anon.Reader+x@Example.com")
    last_day = (timezone.localtime() + timedelta(days=3)).date()

    _suspend(moderator_client, comment, django_capture_on_commit_callbacks,
             days="custom", until=last_day.isoformat())

    ban = Ban.objects.get()
    assert timezone.localtime(ban.expires_at).date() == last_day
    # Without an account, the notice goes to the address the commenter gave.
    [message] = smtp_server.wait_for(1)
    assert message.envelope_recipients == ["anon.reader+x@example.com"]


def test_a_custom_suspension_needs_a_future_date(moderator_client, article):
    comment = make_comment(article, status="pending")

    missing = moderator_client.post(f"/desk/comments/{comment.pk}/ban/",
                                    {"target": "email", "days": "custom"})
    past = moderator_client.post(
        f"/desk/comments/{comment.pk}/ban/",
        {"target": "email", "days": "custom", "until": "2001-01-01"},
    )

    assert missing.status_code == past.status_code == 400
    assert b"Give the date the suspension ends." in missing.content
    assert b"Choose a date in the future." in past.content
    assert not Ban.objects.exists()


def test_a_permanent_ban_stays_and_says_so(
    smtp_server, moderator_client, article, reader, clock, django_capture_on_commit_callbacks
):
    comment = make_comment(article, status="pending", user=reader, email=reader.email)

    _suspend(moderator_client, comment, django_capture_on_commit_callbacks)

    assert Ban.objects.get().expires_at is None
    [message] = smtp_server.wait_for(1)
    assert message["Subject"] == "You can no longer comment"
    clock(timedelta(days=400))
    assert _post_as(reader, article).status == Comment.Status.REJECTED
