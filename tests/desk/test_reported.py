"""Published comments readers reported: dismiss the reports, or take the comment down."""

from __future__ import annotations

from broadsheet.comments.models import Comment, Report
from broadsheet.comments.services import comment_report
from broadsheet.moderation.models import Decision
from tests.conftest import make_comment
from tests.desk.conftest import HTMX


def test_it_dismisses_reports_and_keeps_the_comment_published(moderator_client, article):
    comment = make_comment(article, text="A fair point, sharply put")
    comment_report(comment=comment, reason="abusive")

    response = moderator_client.post(
        f"/desk/comments/{comment.pk}/dismiss-reports/", {"next": "/desk/reported/"}, follow=True
    )

    assert response.redirect_chain == [("/desk/reported/", 303)]
    assert b"Reports dismissed by moderator; the comment stays published" in response.content
    assert b"No published comment has an open report." in response.content
    comment.refresh_from_db()
    assert (comment.status, comment.open_report_count) == ("approved", 0)
    assert Report.objects.get().resolution == "dismissed"
    assert Decision.objects.get().action == Decision.Action.DISMISS_REPORTS


def test_it_rejects_a_reported_comment_and_closes_its_reports(moderator_client, article):
    comment = make_comment(article, text="Nasty remark")
    comment_report(comment=comment, reason="personal-attack", note="aimed at the author")

    response = moderator_client.post(
        f"/desk/comments/{comment.pk}/reject/",
        {"reason": "personal-attack", "seen_status": "approved"},
        headers=HTMX,
    )

    assert b"Rejected as Personal attack by moderator" in response.content
    comment.refresh_from_db()
    assert (comment.status, comment.open_report_count) == ("rejected", 0)
    assert Report.objects.get().resolution == "rejected"
    assert b"Nasty remark" not in moderator_client.get("/desk/reported/").content


def test_it_says_when_the_reports_were_already_dealt_with(moderator_client, article):
    comment = make_comment(article)

    response = moderator_client.post(
        f"/desk/comments/{comment.pk}/dismiss-reports/", headers=HTMX
    )

    assert response.status_code == 409
    assert b"This comment has no open reports to dismiss" in response.content
    assert not Decision.objects.exists()
    assert Comment.objects.get().status == "approved"
