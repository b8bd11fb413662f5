"""A signed-in commenter hears what the desk decided, by email through a real SMTP server."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from broadsheet.notifications import services
from broadsheet.notifications.models import Notification
from tests.conftest import make_comment


def test_a_rejection_emails_the_reason_and_the_house_rules(
    smtp_server, decide, article, reader, reasons, faq
):
    comment = make_comment(article, status="pending", user=reader, name="Reader R",
                           email=reader.email, text="You are all idiots & fools.")

    response = decide(comment, "reject", {"reason": "personal-attack", "note": "insult"})

    assert response.status_code == 303
    [message] = smtp_server.wait_for(1)
    assert message.envelope_recipients == ["reader@example.com"]
    assert "was not published" in message["Subject"]
    text = smtp_server.text(message)
    assert f"Reason: {reasons['personal-attack'].label}" in text
    assert "You are all idiots & fools." in text  # the text part is not HTML-escaped
    assert f"http://127.0.0.1:8000{faq.get_absolute_url()}" in text
    html = smtp_server.html(message)
    assert reasons["personal-attack"].label in html
    assert "idiots &amp; fools" in html
    assert f'href="http://127.0.0.1:8000{faq.get_absolute_url()}"' in html
    assert " ".join(str(message["List-Unsubscribe"]).split()).startswith("<http://127.0.0.1:8000/notifications/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_an_approval_emails_a_link_to_the_published_comment(smtp_server, decide, article, reader):
    comment = make_comment(article, status="pending", user=reader, email=reader.email)

    decide(comment, "approve")

    [message] = smtp_server.wait_for(1)
    assert "is published" in message["Subject"]
    assert f"{article.get_absolute_url()}#c{comment.pk}" in smtp_server.text(message)
    assert Notification.objects.get().state == Notification.State.SENT


def test_a_commenter_without_an_account_gets_no_email(smtp_server, decide, article, reasons):
    comment = make_comment(article, status="pending", email="typed-by-anyone@example.com")

    decide(comment, "reject", {"reason": "spam"})
    decide(make_comment(article, status="pending", email="typed@example.com"), "approve")

    assert smtp_server.messages == []
    assert not Notification.objects.exists()


def test_a_second_decision_signal_sends_no_second_email(smtp_server, decide, article, reader):
    comment = make_comment(article, status="pending", user=reader, email=reader.email)

    decide(comment, "approve")
    decide(comment, "approve")

    assert len(smtp_server.wait_for(1)) == 1
    assert Notification.objects.count() == 1


def test_a_down_mail_server_does_not_stop_a_decision_and_the_email_is_retried(
    smtp_down, settings, moderator_client, decide, article, reader, reasons
):
    comment = make_comment(article, status="pending", user=reader, email=reader.email)

    response = decide(comment, "reject", {"reason": "spam"})

    assert response.status_code == 303
    comment.refresh_from_db()
    assert comment.status == "rejected"
    email = Notification.objects.get()
    assert email.state == Notification.State.PENDING
    assert email.attempts == 1
    assert "Connection" in email.last_error or "refused" in email.last_error.lower()
    assert email.next_attempt_at > timezone.now()
    # Not due yet: a sweep now sends nothing.
    assert services.send_due() == 0

    from aiosmtpd.controller import Controller

    from tests.conftest import SmtpInbox

    inbox = SmtpInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_down)
    controller.start()
    try:
        later = timezone.now() + timedelta(minutes=5)
        assert services.send_due(now=later) == 1
        [message] = inbox.wait_for(1)
    finally:
        controller.stop()
    assert "not published" in message["Subject"]
    email.refresh_from_db()
    assert email.state == Notification.State.SENT
    assert email.attempts == 2


def test_an_email_is_given_up_after_its_attempts(smtp_down, settings, decide, article, reader):
    settings.BROADSHEET_EMAIL_ATTEMPTS = 2
    decide(make_comment(article, status="pending", user=reader, email=reader.email), "approve")

    assert services.send_due(now=timezone.now() + timedelta(hours=1)) == 0

    email = Notification.objects.get()
    assert email.state == Notification.State.FAILED
    assert email.next_attempt_at is None


def test_without_a_mail_server_the_email_is_written_to_the_mail_folder(
    settings, tmp_path, decide, article, reader
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"

    decide(make_comment(article, status="pending", user=reader, email=reader.email), "approve")

    [written] = list((tmp_path / "mail").iterdir())
    content = written.read_text()
    assert "To: reader@example.com" in content
    assert "is published" in content
    assert Notification.objects.get().state == Notification.State.SENT
