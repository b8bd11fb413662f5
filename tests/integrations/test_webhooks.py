"""Webhooks: signed JSON delivered after commit to a real receiver, retried when it fails."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from broadsheet.comments.models import Comment
from broadsheet.comments.services import comment_report, comment_submit
from broadsheet.integrations import tasks
from broadsheet.integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from broadsheet.integrations.webhooks import deliver_due, endpoint_add
from broadsheet.moderation.models import RejectionReason
from broadsheet.moderation.services import comment_approve, comment_edit_approve, comment_reject
from tests.conftest import make_comment
from tests.integrations.receiver import start_receiver

SECRET = "a-long-shared-secret-for-tests"


@pytest.fixture
def receiver():
    found, server = start_receiver()
    yield found
    server.shutdown()
    server.server_close()


def events_of(receiver) -> list[str]:
    return [json.loads(r.body)["event"] for r in receiver.received]


def post(article, text="The drainage covers arrived an hour late.") -> Comment:
    comment, _ = comment_submit(
        article=article, author_name="Sana Malik", author_email="sana@private.example", text=text
    )
    return comment


@pytest.mark.django_db
def test_each_event_is_signed_json_with_an_id_and_timestamp_and_no_email(
    receiver, article, moderator, django_capture_on_commit_callbacks
):
    endpoint_add(url=receiver.url, secret=SECRET)
    with django_capture_on_commit_callbacks(execute=True):
        comment = post(article)
    with django_capture_on_commit_callbacks(execute=True):
        comment_approve(comment=comment, actor=moderator)
    with django_capture_on_commit_callbacks(execute=True):
        comment_report(comment=comment, reason="off-topic", note="Not about cricket")
    with django_capture_on_commit_callbacks(execute=True):
        comment_edit_approve(comment=comment, actor=moderator, text="Trimmed.", max_length=500)
    reason = RejectionReason.objects.create(slug="abuse", label="Abuse")
    with django_capture_on_commit_callbacks(execute=True):
        comment_reject(comment=comment, actor=moderator, reason=reason)

    assert events_of(receiver) == [
        "comment.created", "comment.approved", "comment.reported", "comment.edited",
        "comment.rejected",
    ]
    ids = set()
    for delivery in receiver.received:
        expected = hmac.new(SECRET.encode(), delivery.body, hashlib.sha256).hexdigest()
        assert delivery.headers["X-Broadsheet-Signature"] == f"sha256={expected}"
        assert delivery.headers["Content-Type"] == "application/json"
        assert b"private.example" not in delivery.body
        data = json.loads(delivery.body)
        assert data["timestamp"] and data["comment"]["id"] == comment.pk
        assert data["comment"]["article"]["url"] == article.get_absolute_url()
        ids.add(data["id"])
    assert len(ids) == 5
    rejected = json.loads(receiver.received[-1].body)
    assert rejected["comment"]["status"] == "rejected"
    assert rejected["comment"]["rejection_reason"] == {"slug": "abuse", "label": "Abuse"}
    assert json.loads(receiver.received[2].body)["report"]["reason"] == "off-topic"
    assert WebhookDelivery.objects.filter(state="delivered").count() == 5


@pytest.mark.django_db
def test_an_authors_own_edit_is_a_comment_edited_event_too(
    receiver, article, moderator, django_capture_on_commit_callbacks
):
    from broadsheet.moderation.author_actions import comment_edit_by_its_author
    from tests.conftest import make_reader

    author = make_reader("sana@private.example", "Sana Malik")
    endpoint_add(url=receiver.url, secret=SECRET, events=["comment.edited"])
    with django_capture_on_commit_callbacks(execute=True):
        comment, _ = comment_submit(
            article=article, author_name="Sana Malik", author_email=author.email,
            text="The covers came at nine.", user=author,
        )
        comment_approve(comment=comment, actor=moderator)
    with django_capture_on_commit_callbacks(execute=True):
        comment_edit_by_its_author(comment_id=comment.pk, user=author, text="At ten, in fact.")
    assert events_of(receiver) == ["comment.edited"]
    data = json.loads(receiver.received[0].body)["comment"]
    assert (data["id"], data["text"], data["status"]) == (comment.pk, "At ten, in fact.", "pending")


@pytest.mark.django_db
def test_a_receiver_gets_only_the_events_it_subscribed_to(
    receiver, article, moderator, django_capture_on_commit_callbacks
):
    endpoint_add(url=receiver.url, secret=SECRET, events=["comment.approved"])
    with django_capture_on_commit_callbacks(execute=True):
        comment = post(article)
    assert receiver.received == []
    assert not WebhookDelivery.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        comment_approve(comment=comment, actor=moderator)
    assert events_of(receiver) == ["comment.approved"]


@pytest.mark.django_db
def test_nothing_is_sent_when_the_transaction_rolls_back(receiver, article, moderator):
    from django.db import transaction

    endpoint_add(url=receiver.url, secret=SECRET)
    comment = make_comment(article, status="pending")
    with pytest.raises(RuntimeError), transaction.atomic():
        comment_approve(comment=comment, actor=moderator)
        raise RuntimeError("the desk's request failed")
    assert receiver.received == [] and not WebhookDelivery.objects.exists()


@pytest.mark.django_db
def test_a_failed_delivery_is_retried_with_growing_waits_and_each_attempt_logged(
    receiver, article, django_capture_on_commit_callbacks
):
    endpoint_add(url=receiver.url, secret=SECRET)
    receiver.planned.extend([500, 503])
    with django_capture_on_commit_callbacks(execute=True):
        post(article)
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "pending" and delivery.attempts == 1
    first_wait = delivery.next_attempt_at - delivery.created_at
    assert timedelta(0) < first_wait <= timedelta(minutes=1)

    assert deliver_due(now=delivery.created_at) == 0  # not due yet: nothing sent
    assert len(receiver.received) == 1

    assert deliver_due(now=delivery.next_attempt_at) == 0  # the 503
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.state == "pending"
    assert delivery.next_attempt_at - delivery.created_at > first_wait * 2

    assert deliver_due(now=delivery.next_attempt_at) == 1
    delivery.refresh_from_db()
    assert delivery.state == "delivered" and delivery.attempts == 3
    assert [a.status_code for a in WebhookAttempt.objects.filter(delivery=delivery)] == [
        500, 503, 200
    ]
    bodies = {r.body for r in receiver.received}
    assert len(bodies) == 1  # every attempt sends the same signed body and event id


@pytest.mark.django_db
def test_a_receiver_that_never_answers_is_given_up_after_a_day(
    article, django_capture_on_commit_callbacks
):
    endpoint_add(url="http://127.0.0.1:9/nothing-listens", secret=SECRET)
    with django_capture_on_commit_callbacks(execute=True):
        post(article)
    delivery = WebhookDelivery.objects.get()
    while delivery.state == "pending":
        deliver_due(now=delivery.next_attempt_at)
        delivery.refresh_from_db()
    assert delivery.state == "failed"
    last = WebhookAttempt.objects.filter(delivery=delivery).last()
    assert last.attempted_at - delivery.created_at <= timedelta(days=1)
    assert last.attempted_at - delivery.created_at > timedelta(hours=12)
    assert last.status_code is None and last.error


@pytest.mark.django_db(transaction=True)
def test_a_slow_receiver_does_not_hold_up_posting(receiver, client, article, settings):
    settings.BROADSHEET_TASK_RUNNER = "thread"
    endpoint_add(url=receiver.url, secret=SECRET, events=["comment.created"])
    receiver.gate = threading.Event()
    try:
        response = client.post(
            f"/comments/post/{article.pk}/",
            {"name": "Sana", "email": "sana@example.com", "text": "Posted while it hangs."},
        )
        assert response.status_code == 303
        # The receiver has not answered yet, so the page did not wait for it.
        assert receiver.answered == 0
        receiver.gate.set()
        assert receiver.arrived.wait(10)
        assert tasks.sender.wait_idle(10)
        assert WebhookDelivery.objects.get().state == "delivered"
    finally:
        receiver.gate.set()
        tasks.sender.stop()


@pytest.mark.django_db
def test_the_command_adds_lists_and_removes_receivers(capsys):
    call_command(
        "webhooks", "add", "https://hooks.example/in", "--secret", SECRET,
        "--events", "comment.created,comment.approved",
    )
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["comment.created", "comment.approved"]
    call_command("webhooks", "list")
    assert "https://hooks.example/in" in capsys.readouterr().out
    with pytest.raises(CommandError, match="Unknown event comment.deleted"):
        call_command("webhooks", "add", "https://x.example/", "--secret", SECRET,
                     "--events", "comment.deleted")
    with pytest.raises(CommandError, match="at least 16"):
        call_command("webhooks", "add", "https://x.example/", "--secret", "short")
    with pytest.raises(CommandError, match="not an http"):
        call_command("webhooks", "add", "ftp://x.example/", "--secret", SECRET)
    call_command("webhooks", "remove", str(endpoint.pk))
    assert not WebhookEndpoint.objects.exists()
    with pytest.raises(CommandError, match="No webhook receiver"):
        call_command("webhooks", "remove", "42")


@pytest.mark.django_db
def test_the_admin_shows_deliveries_with_their_attempts(
    admin_client, receiver, article, django_capture_on_commit_callbacks
):
    endpoint_add(url=receiver.url, secret=SECRET)
    receiver.planned.append(502)
    with django_capture_on_commit_callbacks(execute=True):
        post(article)
    delivery = WebhookDelivery.objects.get()
    page = admin_client.get(f"/admin/integrations/webhookdelivery/{delivery.pk}/change/")
    assert page.status_code == 200
    assert b"HTTP 502" in page.content
    listing = admin_client.get("/admin/integrations/webhookendpoint/")
    assert receiver.url.encode() in listing.content
    assert SECRET.encode() not in admin_client.get(
        f"/admin/integrations/webhookendpoint/{delivery.endpoint_id}/change/"
    ).content


@pytest.mark.redis
@pytest.mark.usefixtures("celery_on_redis")
@pytest.mark.django_db(transaction=True)
def test_with_celery_the_worker_delivers_through_the_real_redis(
    request, receiver, client, article
):
    from celery.signals import task_postrun
    from django.db import connections

    recorded = threading.Event()

    def check_after_each_task(**_kwargs) -> None:
        # In the worker's thread, once a task has finished writing.
        if WebhookDelivery.objects.filter(state="delivered").exists():
            recorded.set()
        connections.close_all()

    task_postrun.connect(check_after_each_task, weak=False)
    request.addfinalizer(lambda: task_postrun.disconnect(check_after_each_task))
    endpoint_add(url=receiver.url, secret=SECRET, events=["comment.created"])
    response = client.post(
        f"/comments/post/{article.pk}/",
        {"name": "Sana", "email": "sana@example.com", "text": "Sent by the worker."},
    )
    assert response.status_code == 303
    assert receiver.arrived.wait(20)
    assert recorded.wait(20), "the worker did not record the delivery"
    assert json.loads(receiver.received[0].body)["comment"]["text"] == "Sent by the worker."


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_delivery_waits_for_the_sweep(receiver, client, article, settings):
    from broadsheet.celery import app

    settings.BROADSHEET_TASK_RUNNER = "celery"
    previous = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there
    app.conf.broker_connection_retry = False
    app.conf.broker_connection_max_retries = 0
    app.conf.broker_transport_options = {"max_retries": 0}
    try:
        endpoint_add(url=receiver.url, secret=SECRET)
        response = client.post(
            f"/comments/post/{article.pk}/",
            {"name": "Sana", "email": "sana@example.com", "text": "Queued while down."},
        )
        assert response.status_code == 303
        assert receiver.received == []
        assert WebhookDelivery.objects.get().state == "pending"
        assert deliver_due() == 1  # what beat's sweep runs
        assert events_of(receiver) == ["comment.created"]
    finally:
        app.conf.broker_url = previous
