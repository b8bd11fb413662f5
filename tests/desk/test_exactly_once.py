"""Two moderators, one comment: exactly one decision lands; the other hears who decided what.

The races run over HTTP from two threads, each with its own database connection, on a
committed database (on PostgreSQL, the suite's second run, this is where row locks matter).
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from broadsheet.api.auth import staff_token_create
from broadsheet.comments.models import Comment
from broadsheet.moderation.models import Decision
from tests.concurrency import at_once
from tests.conftest import make_comment
from tests.desk.conftest import HTMX

ROUNDS = 8


def _staff_client(name: str) -> Client:
    user = get_user_model().objects.create_user(name, f"{name}@newsroom.example", "pw",
                                                is_staff=True)
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db(transaction=True)
def test_approve_and_reject_sent_at_once_on_the_desk_decide_once(article, reasons_installed):
    ayesha, bilal = _staff_client("ayesha"), _staff_client("bilal")
    comments = [make_comment(article, status="pending") for _ in range(ROUNDS)]

    for comment in comments:
        approve, reject = at_once(
            lambda c=comment: ayesha.post(
                f"/desk/comments/{c.pk}/approve/", {"seen_status": "pending"}, headers=HTMX),
            lambda c=comment: bilal.post(
                f"/desk/comments/{c.pk}/reject/",
                {"reason": "off-topic", "seen_status": "pending"}, headers=HTMX),
        )
        comment.refresh_from_db()
        assert sorted([approve.status_code, reject.status_code]) == [200, 409]
        loser = approve if approve.status_code == 409 else reject
        winner_name, verb = (
            ("ayesha", "approved") if approve.status_code == 200 else ("bilal", "rejected")
        )
        assert comment.status == verb
        assert f"was {verb} by {winner_name} while you were reading it" in loser.text
        assert Decision.objects.filter(comment=comment).count() == 1


@pytest.mark.django_db(transaction=True)
def test_approve_and_reject_sent_at_once_over_the_api_decide_once(article, reasons_installed):
    tokens = [
        staff_token_create(user=get_user_model().objects.create_user(
            name, f"{name}@newsroom.example", "pw", is_staff=True))
        for name in ("ayesha", "bilal")
    ]
    comments = [make_comment(article, status="pending") for _ in range(ROUNDS)]

    for comment in comments:
        approve, reject = at_once(
            lambda c=comment: Client().post(
                f"/api/v1/moderation/comments/{c.pk}/approve",
                HTTP_AUTHORIZATION=f"Bearer {tokens[0]}"),
            lambda c=comment: Client().post(
                f"/api/v1/moderation/comments/{c.pk}/reject", {"reason": "off-topic"},
                content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {tokens[1]}"),
        )
        assert sorted([approve.status_code, reject.status_code]) == [200, 409]
        loser = approve if approve.status_code == 409 else reject
        assert loser.json()["errors"][0]["code"] == "conflict"
        assert "while you were reading it" in loser.json()["errors"][0]["message"]
        assert Decision.objects.filter(comment=comment).count() == 1


@pytest.fixture
def reasons_installed(transactional_db):
    """A committed database is flushed between tests, taking the migration's reasons along."""
    from broadsheet.moderation.models import RejectionReason

    RejectionReason.objects.get_or_create(slug="off-topic", defaults={"label": "Off-topic"})


def test_a_stale_bulk_approve_after_a_reject_is_refused(moderator_client, article, reasons):
    comment = make_comment(article, status="pending")
    colleague = _staff_client("bilal")
    colleague.post(f"/desk/comments/{comment.pk}/reject/",
                   {"reason": "abusive", "seen_status": "pending"})

    # The moderator's queue page still showed it pending.
    response = moderator_client.post(
        "/desk/bulk/",
        {"ids": [comment.pk], f"seen-{comment.pk}": "pending", "decision": "approve"},
        headers=HTMX,
    )

    assert response.status_code == 409
    assert "was rejected by bilal while you were reading it" in response.text
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REJECTED
    assert list(Decision.objects.filter(comment=comment).values_list("action", flat=True)) == [
        "reject"
    ]


def test_a_bulk_decision_decides_the_others_and_names_the_stale_one(moderator_client, article,
                                                                     reasons):
    fresh, stale = make_comment(article, status="pending"), make_comment(article, status="pending")
    _staff_client("bilal").post(f"/desk/comments/{stale.pk}/approve/",
                                {"seen_status": "pending"})

    response = moderator_client.post(
        "/desk/bulk/",
        {"ids": [fresh.pk, stale.pk], f"seen-{fresh.pk}": "pending",
         f"seen-{stale.pk}": "pending", "decision": "reject:off-topic", "next": "/desk/"},
        follow=True,
    )

    assert "Rejected as Off-topic: 1 comment, by moderator." in response.text
    assert "was approved by bilal while you were reading it" in response.text
    fresh.refresh_from_db(), stale.refresh_from_db()
    assert (fresh.status, stale.status) == ("rejected", "approved")


def test_the_queue_page_sends_each_comments_status_with_a_bulk_decision(moderator_client,
                                                                         article):
    comment = make_comment(article, status="pending")

    page = moderator_client.get("/desk/pending/")

    assert (f'name="seen-{comment.pk}" value="pending" form="bulk-form"') in page.text


def test_an_api_decision_on_a_status_the_client_no_longer_sees_is_refused(
    client, article, moderator, reasons
):
    comment = make_comment(article, status="rejected")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {staff_token_create(user=moderator)}"}

    stale = client.post(f"/api/v1/moderation/comments/{comment.pk}/approve?expected_status=pending",
                        **headers)
    current = client.post(
        f"/api/v1/moderation/comments/{comment.pk}/approve?expected_status=rejected", **headers
    )

    assert stale.status_code == 409
    assert stale.json()["errors"][0]["code"] == "conflict"
    assert current.status_code == 200
    assert current.json()["status"] == "approved"
