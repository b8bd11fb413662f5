"""A reader's own comments: their status and reason, one request for a review of a
rejection (to the desk's Reported queue), editing within the window, deleting."""

from __future__ import annotations

import pytest

from broadsheet.comments.models import Comment, Report
from broadsheet.moderation.models import RejectionReason
from broadsheet.moderation.services import comment_approve, comment_dismiss_reports
from tests.conftest import make_comment, make_reader

pytestmark = pytest.mark.django_db


@pytest.fixture
def amina(client):
    user = make_reader()
    client.force_login(user)
    return user


def own(article, user, status, **fields):
    return make_comment(article, status=status, user=user, name="Amina K",
                        email=user.email, **fields)


def test_my_comments_shows_each_status_and_the_rejection_reason(client, article, amina):
    reason = RejectionReason.objects.get(slug="abusive")
    own(article, amina, "pending", text="Still waiting.")
    published = own(article, amina, "approved", text="Out in the world.")
    own(article, amina, "rejected", text="Too sharp.", rejection_reason=reason)
    make_comment(article, text="Someone else's words.")

    page = client.get("/accounts/comments/")

    assert page.status_code == 200
    assert "Awaiting moderation." in page.text
    assert f'href="{published.get_absolute_url()}"' in page.text
    assert f'<span class="rejection-reason">{reason.label}</span>' in page.text
    assert "Someone else" not in page.text


def test_a_rejected_comment_can_be_sent_for_review_once_and_reaches_the_desk(
    client, article, amina, moderator
):
    rejected = own(article, amina, "rejected", text="Please look again.",
                   rejection_reason=RejectionReason.objects.get(slug="off-topic"))

    sent = client.post(f"/accounts/comments/{rejected.pk}/review/",
                       {"note": "It was about the match."})
    again = client.post(f"/accounts/comments/{rejected.pk}/review/", {"note": "Again."})

    assert sent.status_code == 303
    assert again.status_code == 409 and "already asked for a review" in again.text
    appeal = Report.objects.get(comment=rejected)
    assert (appeal.reason, appeal.note) == ("appeal", "It was about the match.")
    client.force_login(moderator)
    queue = client.get("/desk/reported/")
    assert "Please look again." in queue.text

    comment_approve(comment=rejected, actor=moderator)

    appeal.refresh_from_db()
    assert appeal.resolved_at is not None
    assert Comment.objects.get(pk=rejected.pk).open_report_count == 0


def test_a_declined_review_keeps_the_comment_rejected_and_cannot_be_asked_again(
    client, article, amina, moderator
):
    rejected = own(article, amina, "rejected",
                   rejection_reason=RejectionReason.objects.get(slug="off-topic"))
    client.post(f"/accounts/comments/{rejected.pk}/review/", {"note": "Look again."})
    comment_dismiss_reports(comment=rejected, actor=moderator)

    page = client.get("/accounts/comments/")
    again = client.post(f"/accounts/comments/{rejected.pk}/review/", {"note": "Once more."})

    assert "the moderators kept their decision" in page.text
    assert again.status_code == 409
    assert Comment.objects.get(pk=rejected.pk).status == "rejected"


def test_only_a_rejected_comment_of_ones_own_can_be_sent_for_review(client, article, amina):
    published = own(article, amina, "approved")
    others = make_comment(article, status="rejected")

    assert client.post(f"/accounts/comments/{published.pk}/review/",
                       {"note": "x"}).status_code == 409
    assert client.post(f"/accounts/comments/{others.pk}/review/",
                       {"note": "x"}).status_code == 404
    assert not Report.objects.exists()


def test_the_public_report_form_does_not_offer_an_appeal(client, article):
    comment = make_comment(article)

    form = client.get(f"/comments/{comment.pk}/report/")

    assert 'value="appeal"' not in form.text


def test_editing_a_just_published_comment_sends_it_back_to_moderation(
    client, article, amina
):
    comment = own(article, amina, "approved", minutes_ago=1)

    edited = client.post(f"/accounts/comments/{comment.pk}/edit/", {"text": "Better words."})

    assert edited.status_code == 303
    comment.refresh_from_db()
    assert (comment.text, comment.status, comment.scan_state) == (
        "Better words.", "pending", "unscanned"
    )
    assert "Better words." not in client.get(
        f"/api/v1/articles/{article.pk}/comments").text


def test_a_pending_comment_can_be_edited(client, article, amina):
    comment = own(article, amina, "pending")

    assert client.post(f"/accounts/comments/{comment.pk}/edit/",
                       {"text": "Fixed a typo."}).status_code == 303
    comment.refresh_from_db()
    assert comment.text == "Fixed a typo."


def test_a_comment_published_longer_ago_than_the_window_cannot_be_edited(
    client, article, amina, settings
):
    settings.BROADSHEET_EDIT_MINUTES = 10
    comment = own(article, amina, "approved", minutes_ago=11)

    refused = client.post(f"/accounts/comments/{comment.pk}/edit/", {"text": "Too late."})

    assert refused.status_code == 409
    assert "for 10 minutes after they are published" in refused.text
    comment.refresh_from_db()
    assert comment.status == "approved" and comment.text != "Too late."


def test_deleting_a_comment_without_replies_removes_it(client, article, amina):
    comment = own(article, amina, "approved")

    assert client.post(f"/accounts/comments/{comment.pk}/delete/").status_code == 303
    assert not Comment.objects.filter(pk=comment.pk).exists()


def test_deleting_a_comment_with_replies_leaves_a_placeholder(client, article, amina):
    comment = own(article, amina, "approved", text="My original words.")
    make_comment(article, parent=comment, text="A reply that stays.")

    client.post(f"/accounts/comments/{comment.pk}/delete/")
    page = client.get(article.get_absolute_url())

    assert "This comment was deleted by its author." in page.text
    assert "A reply that stays." in page.text
    assert "My original words." not in page.text
    stored = Comment.objects.get(pk=comment.pk)
    assert (stored.author_email, stored.user) == ("", None)


def test_a_reader_cannot_touch_someone_elses_comment(client, article, amina):
    others = make_comment(article, status="pending")

    assert client.post(f"/accounts/comments/{others.pk}/edit/",
                       {"text": "Hijack"}).status_code == 404
    assert client.post(f"/accounts/comments/{others.pk}/delete/").status_code == 404
    assert Comment.objects.filter(pk=others.pk).exists()
