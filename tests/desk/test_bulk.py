"""Deciding many comments at once from the queue's checkboxes."""

from __future__ import annotations

from broadsheet.comments.models import Comment
from broadsheet.moderation.models import Decision
from tests.conftest import make_comment
from tests.desk.conftest import HTMX


def test_it_approves_the_selected_comments_and_leaves_the_rest(moderator_client, article):
    first, second, untouched = (make_comment(article, status="pending") for _ in range(3))

    response = moderator_client.post(
        "/desk/bulk/",
        {"ids": [first.pk, second.pk], "decision": "approve", "next": "/desk/pending/"},
        follow=True,
    )

    assert response.redirect_chain == [("/desk/pending/", 303)]
    assert b"Approved: 2 comments, by moderator." in response.content
    statuses = dict(Comment.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "approved", second.pk: "approved", untouched.pk: "pending"}
    assert Decision.objects.filter(action="approve").count() == 2


def test_it_rejects_the_selected_comments_with_one_reason(moderator_client, article, reasons):
    first, second = (make_comment(article, status="pending") for _ in range(2))

    response = moderator_client.post(
        "/desk/bulk/", {"ids": [first.pk, second.pk], "decision": "reject:off-topic"},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert b"Rejected as Off-topic: 2 comments" in response.content
    result_line = f'id="item-{first.pk}" data-comment-id="{first.pk}" data-decided hx-swap-oob'
    assert result_line.encode() in response.content
    for comment in (first, second):
        comment.refresh_from_db()
        assert comment.status == Comment.Status.REJECTED
        assert comment.rejection_reason == reasons["off-topic"]


def test_it_asks_for_a_selection_and_a_decision_before_acting(moderator_client, article):
    comment = make_comment(article, status="pending")

    nothing_selected = moderator_client.post("/desk/bulk/", {"decision": "approve"}, follow=True)
    no_decision = moderator_client.post("/desk/bulk/", {"ids": [comment.pk]}, headers=HTMX)
    unknown_reason = moderator_client.post(
        "/desk/bulk/", {"ids": [comment.pk], "decision": "reject:rudeness"}, headers=HTMX
    )

    assert b"Select at least one comment first" in nothing_selected.content
    assert no_decision.status_code == 400
    assert b"Choose what to do with the selected comments." in no_decision.content
    assert b"That choice is no longer offered" in unknown_reason.content
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_it_skips_selected_comments_that_no_longer_exist(moderator_client, article):
    comment = make_comment(article, status="pending")

    response = moderator_client.post(
        "/desk/bulk/", {"ids": [comment.pk, 987654], "decision": "approve"}, follow=True
    )

    assert b"Approved: 1 comment, by moderator." in response.content
