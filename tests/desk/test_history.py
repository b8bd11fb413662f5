"""A comment's page on the desk: its full history, before and after each edit."""

from __future__ import annotations

from broadsheet.comments.services import comment_report
from broadsheet.moderation.services import comment_edit_approve, comment_reject
from tests.conftest import make_comment
from tests.desk.conftest import scanned


def test_it_shows_every_decision_with_who_when_why_and_the_text_before_and_after(
    moderator_client, article, moderator, reasons
):
    comment = make_comment(article, status="pending", text="Rubbish <take>, call 0300 1234567",
                           **scanned())
    comment_reject(comment=comment, actor=None, reason=reasons["abusive"], note="word list")
    comment_edit_approve(comment=comment, actor=moderator, text="Rubbish <take>",
                         max_length=1500, note="cut the phone number")

    response = moderator_client.get(f"/desk/comments/{comment.pk}/")
    content = " ".join(response.content.decode().split())

    assert response.status_code == 200
    assert 'Rejected</strong> by <span class="desk-actor is-auto">auto-moderator' in content
    assert "Reason: <strong>Abusive</strong>" in content
    assert "Note: word list" in content
    assert 'Edited and approved</strong> by <span class="desk-actor">moderator' in content
    assert "Note: cut the phone number" in content
    assert "pending → rejected" in content
    assert "rejected → approved" in content
    assert "Rubbish &lt;take&gt;<del>, call 0300 1234567</del>" in content
    assert "Scores: abuse 0.93, spam 0.02" in content
    assert "The automatic reader had said: hold" in content


def test_it_lists_the_reports_readers_sent_open_and_closed(moderator_client, article):
    comment = make_comment(article)
    comment_report(comment=comment, reason="off-topic", note="nothing to do with cricket")

    response = moderator_client.get(f"/desk/comments/{comment.pk}/")

    assert b"Reports from readers" in response.content
    assert "“nothing to do with cricket”".encode() in response.content
    assert b"<strong>open</strong>" in response.content


def test_it_answers_a_missing_comment_with_not_found(moderator_client, db):
    response = moderator_client.get("/desk/comments/31337/")

    assert response.status_code == 404
    assert b"Page not found" in response.content
