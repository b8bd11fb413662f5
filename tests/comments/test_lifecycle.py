"""The whole life of a comment: posted, moderated, published, replied to, reported."""

from __future__ import annotations

import pytest
from django.test import Client

from broadsheet.comments.models import Comment, Report
from broadsheet.moderation import services
from broadsheet.moderation.models import Decision, RejectionReason
from tests.conftest import comment_payload, make_comment

pytestmark = pytest.mark.django_db


def test_a_comment_appears_and_is_counted_the_moment_it_is_approved(client, article, moderator):
    client.post(f"/comments/post/{article.pk}/", comment_payload(text="Great win for the side."))
    comment = Comment.objects.get()
    stranger = Client()
    assert b"Great win for the side." not in stranger.get(article.get_absolute_url()).content

    services.comment_approve(comment=comment, actor=moderator)

    page = stranger.get(article.get_absolute_url())
    assert b"Great win for the side." in page.content
    assert b"Comments (1)" in page.content
    history = Decision.objects.get(comment=comment)
    assert (history.actor_name, history.action) == ("moderator", "approve")


def test_a_reply_says_whom_it_replies_to(client, article, moderator):
    parent = make_comment(article, name="Hamza", text="The declaration came too late.")
    client.post(
        f"/comments/post/{article.pk}/",
        comment_payload(text="It was the right call given the forecast.", parent=str(parent.pk)),
    )
    reply = Comment.objects.get(parent=parent)
    assert (reply.depth, reply.thread_root_id) == (1, parent.pk)
    services.comment_approve(comment=reply, actor=moderator)
    html = Client().get(article.get_absolute_url()).content.decode()
    assert "Replying to Hamza" in html
    assert html.index("The declaration came too late.") < html.index("the right call")
    assert 'class="comment level-1' in html


def test_replies_deeper_than_the_limit_stay_at_the_last_level(client, article):
    chain = [make_comment(article, name="Level0")]
    for level in range(1, 6):
        chain.append(make_comment(article, parent=chain[-1], name=f"Level{level}"))
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'class="comment level-3' in html
    assert "level-4" not in html and "level-5" not in html
    assert "Replying to Level4" in html


def test_a_rejected_comment_never_appears(client, article, moderator):
    comment = make_comment(article, status="pending", text="Nonsense about something else")
    reason = RejectionReason.objects.get(slug="off-topic")
    services.comment_reject(comment=comment, actor=moderator, reason=reason)
    page = client.get(article.get_absolute_url())
    assert b"Nonsense about something else" not in page.content
    comment.refresh_from_db()
    assert comment.status == "rejected" and comment.decided_at is not None


def test_edit_then_approve_publishes_the_edit_and_keeps_the_original(client, article, moderator):
    comment = make_comment(article, status="pending", text="Teh bowlers were brillaint")
    services.comment_edit_approve(
        comment=comment, actor=moderator, text="The bowlers were brilliant", max_length=1500
    )
    page = client.get(article.get_absolute_url()).content
    assert b"The bowlers were brilliant" in page and b"Teh bowlers" not in page
    decision = Decision.objects.get(comment=comment)
    assert decision.text_before == "Teh bowlers were brillaint"
    assert decision.text_after == "The bowlers were brilliant"


def test_reporting_a_comment_asks_for_a_reason_then_records_it(client, article):
    comment = make_comment(article, text="A comment someone dislikes")
    form = client.get(f"/comments/{comment.pk}/report/")
    assert form.status_code == 200 and b"What is wrong with it?" in form.content
    missing = client.post(f"/comments/{comment.pk}/report/", {"reason": ""})
    assert missing.status_code == 400
    assert b"Choose why you are reporting" in missing.content
    done = client.post(f"/comments/{comment.pk}/report/", {"reason": "abusive", "note": "rude"})
    assert done.status_code == 303
    comment.refresh_from_db()
    assert comment.open_report_count == 1
    assert Report.objects.get().reason == "abusive"


def test_a_pending_comment_cannot_be_reported_or_replied_to(client, article):
    pending = make_comment(article, status="pending")
    assert client.get(f"/comments/{pending.pk}/report/").status_code == 404
    assert client.get(f"/comments/{pending.pk}/reply/").status_code == 404


def test_the_reply_form_opens_in_place_with_htmx_and_as_a_page_without(client, article):
    parent = make_comment(article, name="Zara")
    fragment = client.get(f"/comments/{parent.pk}/reply/", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert b"Replying to Zara" in fragment.content
    assert b"<html" not in fragment.content
    plain = client.get(f"/comments/{parent.pk}/reply/")
    assert plain.status_code == 302
    page = client.get(plain["Location"].split("#")[0])
    assert b"Replying to Zara" in page.content
    assert f'name="parent" value="{parent.pk}"'.encode() in page.content
