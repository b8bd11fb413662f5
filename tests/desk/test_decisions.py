"""Deciding one comment: approve, reject with a reason, edit then approve."""

from __future__ import annotations

from broadsheet.comments.models import Comment
from broadsheet.core.models import SiteSettings
from broadsheet.moderation.models import Decision
from tests.conftest import make_comment
from tests.desk.conftest import HTMX


def test_it_approves_a_comment_so_readers_see_it_and_the_count_goes_up(
    public_client, moderator_client, article, committed
):
    make_comment(article, text="Already there")
    comment = make_comment(article, status="pending", text="Worth publishing")
    before = public_client.get(article.get_absolute_url())
    assert b"Comments (1)" in before.content

    response = committed(lambda: moderator_client.post(
        f"/desk/comments/{comment.pk}/approve/",
        {"next": "/desk/pending/", "seen_status": "pending"},
    ))

    assert response.status_code == 303
    assert response["Location"] == "/desk/pending/"
    after = public_client.get(article.get_absolute_url())
    assert b"Comments (2)" in after.content
    assert b"Worth publishing" in after.content
    decision = Decision.objects.get(comment=comment)
    assert (decision.action, decision.actor_name) == ("approve", "moderator")
    queue = moderator_client.get("/desk/pending/")
    assert b"Approved by moderator" in queue.content


def test_it_replaces_the_item_with_a_result_line_when_htmx_approves(moderator_client, article):
    comment = make_comment(article, status="pending", text="In place please")

    response = moderator_client.post(
        f"/desk/comments/{comment.pk}/approve/", {"seen_status": "pending"}, headers=HTMX
    )

    assert response.status_code == 200
    assert f'id="item-{comment.pk}"'.encode() in response.content
    assert b"data-decided" in response.content
    assert b"Approved by moderator" in response.content
    assert b"<html" not in response.content


def test_it_rejects_a_comment_with_the_chosen_reason(
    public_client, moderator_client, article, reasons, committed
):
    comment = make_comment(article, status="pending", text="Buy cheap watches here")

    response = committed(lambda: moderator_client.post(
        f"/desk/comments/{comment.pk}/reject/", {"reason": "spam", "next": "/desk/pending/"}
    ))

    assert response.status_code == 303
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REJECTED
    assert comment.rejection_reason == reasons["spam"]
    assert Decision.objects.get(comment=comment).reason == reasons["spam"]
    assert b"Buy cheap watches" not in public_client.get(article.get_absolute_url()).content
    rejected = moderator_client.get("/desk/rejected/")
    assert b"Rejected as <strong>Spam or advertising</strong>" in rejected.content


def test_it_refuses_to_reject_without_a_reason_it_offers(moderator_client, article, reasons):
    comment = make_comment(article, status="pending")

    no_reason = moderator_client.post(f"/desk/comments/{comment.pk}/reject/", {}, follow=True)
    retired = moderator_client.post(
        f"/desk/comments/{comment.pk}/reject/", {"reason": "banned"}, headers=HTMX
    )

    assert b"Choose a reason to reject this comment." in no_reason.content
    assert retired.status_code == 400
    assert b"That reason is no longer offered" in retired.content
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_it_publishes_an_edited_comment_and_keeps_the_original_in_history(
    public_client, moderator_client, article, committed
):
    comment = make_comment(
        article, status="pending", text="Great innings. Call me on 0300 1234567 to talk cricket."
    )

    form = moderator_client.get(f"/desk/comments/{comment.pk}/edit/?next=/desk/")
    response = committed(lambda: moderator_client.post(
        f"/desk/comments/{comment.pk}/edit/",
        {"text": "Great innings.", "note": "removed a phone number", "next": "/desk/"},
    ))

    assert form.status_code == 200
    assert b"0300 1234567" in form.content
    assert response.status_code == 303
    decision = Decision.objects.get(comment=comment)
    assert decision.action == Decision.Action.EDIT_APPROVE
    assert decision.text_before.endswith("to talk cricket.")
    assert decision.text_after == "Great innings."
    assert decision.note == "removed a phone number"
    page = public_client.get(article.get_absolute_url())
    assert b"Great innings." in page.content
    assert b"0300 1234567" not in page.content


def test_it_shows_the_edit_form_in_place_for_htmx_and_cancels_back(moderator_client, article):
    comment = make_comment(article, status="pending", text="Fix my speling")

    form = moderator_client.get(f"/desk/comments/{comment.pk}/edit/", headers=HTMX)
    cancel = moderator_client.get(f"/desk/comments/{comment.pk}/item/", headers=HTMX)

    assert b"<textarea" in form.content
    assert b"<html" not in form.content
    assert b"<textarea" not in cancel.content
    assert b"Fix my speling" in cancel.content


def test_it_explains_why_an_edit_cannot_be_published(moderator_client, article):
    SiteSettings.objects.create(pk=1, max_comment_length=50)
    comment = make_comment(article, status="pending", text="Short")

    empty = moderator_client.post(f"/desk/comments/{comment.pk}/edit/", {"text": "   "})
    too_long = moderator_client.post(
        f"/desk/comments/{comment.pk}/edit/", {"text": "x" * 60}, headers=HTMX
    )

    assert empty.status_code == 400
    assert b"The edited comment is empty" in empty.content
    assert too_long.status_code == 400
    assert b"The edited comment has 60 characters; the limit is 50." in too_long.content
    assert b"<textarea" in too_long.content
    comment.refresh_from_db()
    assert (comment.status, comment.text) == ("pending", "Short")


def test_it_does_not_overrule_a_decision_made_while_the_page_was_open(
    moderator_client, article, reasons
):
    from broadsheet.moderation.services import comment_reject

    comment = make_comment(article, status="pending")
    comment_reject(comment=comment, actor=None, reason=reasons["abusive"])

    response = moderator_client.post(
        f"/desk/comments/{comment.pk}/approve/", {"seen_status": "pending"}, headers=HTMX
    )

    assert response.status_code == 409
    assert b"was rejected by auto-moderator while you were reading it" in response.content
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REJECTED


def test_it_shows_the_comment_when_an_action_address_is_opened_directly(
    moderator_client, article
):
    comment = make_comment(article, status="pending")

    response = moderator_client.get(f"/desk/comments/{comment.pk}/approve/")

    assert response.status_code == 302
    assert response["Location"] == f"/desk/comments/{comment.pk}/"
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_it_answers_a_decision_on_a_missing_comment_with_not_found(moderator_client, db):
    response = moderator_client.post("/desk/comments/424242/approve/")

    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_it_never_redirects_to_another_site_after_a_decision(moderator_client, article):
    comment = make_comment(article, status="pending")

    response = moderator_client.post(
        f"/desk/comments/{comment.pk}/approve/", {"next": "https://evil.example/"}
    )

    assert response["Location"] == "/desk/"


def test_it_takes_down_a_published_comment_from_the_approved_queue(
    public_client, moderator_client, article, committed
):
    comment = make_comment(article, text="Slipped through")
    assert b"Slipped through" in public_client.get(article.get_absolute_url()).content

    committed(lambda: moderator_client.post(
        f"/desk/comments/{comment.pk}/reject/", {"reason": "abusive", "seen_status": "approved"}
    ))

    page = public_client.get(article.get_absolute_url())
    assert b"Slipped through" not in page.content
    assert b"Comments (0)" in page.content


def test_a_second_click_on_approve_changes_nothing_more(moderator_client, article):
    comment = make_comment(article, status="pending")
    form = {"seen_status": "pending", "next": "/desk/"}

    first = moderator_client.post(f"/desk/comments/{comment.pk}/approve/", form)
    second = moderator_client.post(f"/desk/comments/{comment.pk}/approve/", form)

    assert (first.status_code, second.status_code) == (303, 303)
    assert Decision.objects.filter(comment=comment).count() == 1


def test_it_warns_before_editing_a_comment_someone_else_rejected_meanwhile(
    moderator_client, article, reasons
):
    from broadsheet.moderation.services import comment_reject

    comment = make_comment(article, status="pending", text="Original words")
    comment_reject(comment=comment, actor=None, reason=reasons["spam"])

    response = moderator_client.post(
        f"/desk/comments/{comment.pk}/edit/",
        {"text": "Softened words", "seen_status": "pending", "next": "/desk/"},
        follow=True,
    )

    assert b"This comment was rejected by auto-moderator while you were reading it" in (
        response.content
    )
    comment.refresh_from_db()
    assert (comment.status, comment.text) == ("rejected", "Original words")
