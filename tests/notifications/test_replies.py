"""Someone replied to you: emailed once the reply is public, never exposing its author's
address."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.test import Client

from tests.conftest import make_comment


def test_an_approved_reply_emails_the_commenter_it_answers(smtp_server, decide, article, reader):
    parent = make_comment(article, user=reader, email=reader.email, name="Reader R")
    reply = make_comment(article, parent=parent, status="pending", name="Zara",
                         email="zara.private@example.com", text="I saw it differently.")

    decide(reply, "approve")

    [message] = smtp_server.wait_for(1)
    assert message.envelope_recipients == ["reader@example.com"]
    assert "Zara replied" in message["Subject"]
    assert "I saw it differently." in smtp_server.text(message)
    assert f"#c{reply.pk}" in smtp_server.text(message)
    raw = message.as_string()
    assert "zara.private" not in raw


def test_a_rejected_reply_sends_nothing_to_the_commenter_it_answers(
    smtp_server, decide, article, reader, reasons
):
    parent = make_comment(article, user=reader, email=reader.email)
    reply = make_comment(article, parent=parent, status="pending")

    decide(reply, "reject", {"reason": "spam"})

    assert smtp_server.messages == []


def test_a_reply_in_a_thread_that_is_not_public_sends_nothing(
    smtp_server, decide, article, reader
):
    root = make_comment(article, status="rejected", user=reader, email=reader.email)
    parent = make_comment(article, parent=root, status="approved", user=reader,
                          email=reader.email)
    reply = make_comment(article, parent=parent, status="pending")

    decide(reply, "approve")

    assert smtp_server.messages == []


def test_replying_to_yourself_sends_nothing(smtp_server, decide, article, reader):
    parent = make_comment(article, user=reader, email=reader.email)
    reply = make_comment(article, parent=parent, status="pending", user=reader,
                         email=reader.email)

    decide(reply, "approve")

    # Only the approval notice to its author.
    [message] = smtp_server.wait_for(1)
    assert "is published" in message["Subject"]


def test_a_reply_notice_follows_the_preference(smtp_server, decide, article, reader):
    readers_browser = Client()
    readers_browser.force_login(reader)
    readers_browser.post("/accounts/notifications/", {"approved": "on", "not_published": "on"})
    other = get_user_model().objects.create_user("other", "other@example.com", "pw")
    parent = make_comment(article, user=reader, email=reader.email)

    decide(make_comment(article, parent=parent, status="pending", user=other,
                        email=other.email), "approve")

    [message] = smtp_server.wait_for(1)
    assert message.envelope_recipients == ["other@example.com"]  # its approval, no reply notice


def test_a_reply_the_scanner_publishes_at_once_emails_the_commenter_it_answers(
    smtp_server, monkeypatch, settings, article, reader, django_capture_on_commit_callbacks
):
    from broadsheet.moderation import pipeline
    from broadsheet.moderation.pipeline import context as pipeline_context
    from tests.moderation.conftest import StandIn, set_policy

    settings.BROADSHEET_SCANNING = True
    set_policy("auto")
    monkeypatch.setattr(pipeline_context, "_wordlist_scanner", lambda: StandIn("wordlist", {}))
    monkeypatch.setattr(pipeline_context, "_model_scanners", lambda: (StandIn("spam", {}),))
    parent = make_comment(article, user=reader, email=reader.email)
    reply = make_comment(article, parent=parent, status="pending", scan_state="unscanned",
                         name="Zara", text="Fair point about the pitch.")

    with django_capture_on_commit_callbacks(execute=True):
        pipeline.scan_comments([reply.pk])

    reply.refresh_from_db()
    assert reply.status == "approved"
    [message] = smtp_server.wait_for(1)
    assert message.envelope_recipients == ["reader@example.com"]
    assert "Zara replied" in message["Subject"]
