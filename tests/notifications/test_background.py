"""Emails leave after the decision commits, from the in-process thread or a Celery worker."""

from __future__ import annotations

import pytest

from broadsheet.moderation.models import RejectionReason
from broadsheet.notifications import tasks
from broadsheet.notifications.models import Notification
from tests.conftest import make_comment


@pytest.mark.django_db(transaction=True)
def test_without_redis_a_thread_of_the_web_process_sends_the_email(
    smtp_server, settings, moderator_client, article, reader
):
    settings.BROADSHEET_TASK_RUNNER = "thread"
    RejectionReason.objects.get_or_create(slug="off-topic", defaults={"label": "Off-topic"})
    comment = make_comment(article, status="pending", user=reader, email=reader.email)
    try:
        response = moderator_client.post(
            f"/desk/comments/{comment.pk}/reject/", {"reason": "off-topic"}
        )
        assert response.status_code == 303
        assert tasks.sender.wait_idle(20)
        [message] = smtp_server.wait_for(1, timeout=20)
    finally:
        tasks.sender.stop()
    assert "Reason: Off-topic" in smtp_server.text(message)
    assert Notification.objects.get().state == Notification.State.SENT


@pytest.mark.usefixtures("celery_on_redis")
@pytest.mark.django_db(transaction=True)
def test_with_redis_the_celery_worker_sends_the_email(
    smtp_server, moderator_client, article, reader
):
    comment = make_comment(article, status="pending", user=reader, email=reader.email)

    response = moderator_client.post(f"/desk/comments/{comment.pk}/approve/")

    assert response.status_code == 303
    [message] = smtp_server.wait_for(1, timeout=30)
    assert message.envelope_recipients == ["reader@example.com"]
    assert "is published" in message["Subject"]
