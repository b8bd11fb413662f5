"""The desk's activity page: comments by day and outcome, decisions by who, the queue by risk."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from broadsheet.desk.selectors import desk_activity
from broadsheet.desk.templatetags.desk_tags import desk_duration
from broadsheet.moderation.models import Decision, RejectionReason
from broadsheet.moderation.services import comment_approve, comment_reject
from tests.conftest import make_comment


def test_it_counts_comments_by_day_and_where_they_are_now(article, moderator):
    # Posted now, not half an hour ago, so that "today" holds them at any time of day.
    make_comment(article, status="approved", minutes_ago=0)
    make_comment(article, status="rejected", minutes_ago=0)
    make_comment(article, status="pending", risk=0.05, minutes_ago=0)
    make_comment(article, status="pending", risk=0.95, minutes_ago=0)
    make_comment(article, status="pending", minutes_ago=0)  # not scanned yet
    make_comment(article, status="approved", minutes_ago=60 * 24 * 3)
    make_comment(article, status="approved", minutes_ago=60 * 24 * 30)  # outside the window

    activity = desk_activity()

    assert len(activity.days) == 14
    today = activity.days[0]
    assert today.day == timezone.localdate()
    assert (today.approved, today.rejected, today.pending) == (1, 1, 3)
    three_days_ago = next(d for d in activity.days if d.day == today.day - timedelta(days=3))
    assert three_days_ago.approved == 1
    assert sum(d.total for d in activity.days) == 6
    assert activity.risk_buckets[0] == 1 and activity.risk_buckets[9] == 1
    assert activity.pending_unscanned == 1


def test_it_separates_the_automatic_readers_decisions_from_the_moderators(article, moderator):
    by_scanner = make_comment(article, status="pending")
    comment_approve(comment=by_scanner, actor=None)
    waited = make_comment(article, status="pending", minutes_ago=40)
    comment_reject(comment=waited, actor=moderator,
                   reason=RejectionReason.objects.get(slug="abusive"))

    activity = desk_activity()

    assert ("Automatic reader", "Approved", 1) in activity.decisions
    assert ("Moderators", "Rejected", 1) in activity.decisions
    assert activity.human_decisions == 1
    assert timedelta(minutes=39) < activity.median_wait < timedelta(minutes=41)


def test_the_page_draws_the_charts(moderator_client, article, moderator):
    make_comment(article, status="pending", risk=0.7)
    comment_approve(comment=make_comment(article, status="pending"), actor=moderator)
    assert Decision.objects.count() == 1

    page = moderator_client.get("/desk/activity/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Desk activity" in html
    assert "Comments by day" in html and "by the automatic reader's risk" in html
    assert 'class="desk-seg is-approved"' in html and "0.7–0.8" in html
    assert "for a moderator's decision" in html
    # (Staff only: tests/desk/test_permissions.py sends anonymous readers and non-staff
    # accounts to every desk page.)


def test_an_empty_site_says_so_instead_of_drawing_empty_charts(moderator_client):
    html = moderator_client.get("/desk/activity/").content.decode()
    assert "No comments in these 14 days." in html
    assert "Nothing is waiting." in html
    assert "No moderator has decided a scanned comment yet." in html


def test_waits_read_in_the_units_that_matter():
    assert desk_duration(timedelta(seconds=40)) == "40 seconds"
    assert desk_duration(timedelta(minutes=12)) == "12 minutes"
    assert desk_duration(timedelta(hours=3, minutes=20)) == "3 h 20 min"
    assert desk_duration(timedelta(days=4)) == "4 days"
    assert desk_duration(None) == "—"


def test_the_desk_labels_download_as_csv(moderator_client, article, moderator):
    comment_reject(comment=make_comment(article, status="pending", text="You utter fool."),
                   actor=moderator, reason=RejectionReason.objects.get(slug="abusive"))
    page = moderator_client.get("/desk/activity/")
    assert "/desk/activity/labels.csv?task=abuse" in page.content.decode()

    download = moderator_client.get("/desk/activity/labels.csv?task=abuse")

    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="desk_abuse.csv"' in download["Content-Disposition"]
    lines = download.content.decode().splitlines()
    assert lines[0] == "text,label,article_title,article_summary,parent_text"
    assert lines[1].startswith("You utter fool.,1,")
    assert "@example.com" not in download.content.decode()


def test_an_unknown_label_task_is_explained(moderator_client):
    response = moderator_client.get("/desk/activity/labels.csv?task=spelling")
    assert response.status_code == 400
    assert "?task=abuse or ?task=relevance" in response.content.decode()


def test_risk_at_the_edges_of_the_scale_lands_in_the_first_and_last_tenth(article):
    make_comment(article, status="pending", risk=0.0)
    make_comment(article, status="pending", risk=1.0)
    make_comment(article, status="pending", risk=0.35)
    assert desk_activity().risk_buckets == [1, 0, 0, 1, 0, 0, 0, 0, 0, 1]
