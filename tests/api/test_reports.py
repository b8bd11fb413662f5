"""Readers report published comments to the moderators."""

from __future__ import annotations

import pytest

from broadsheet.comments.models import Report
from tests.api.conftest import error_fields, post_json
from tests.conftest import make_comment

pytestmark = pytest.mark.django_db


def report(client, comment, **data):
    return post_json(client, f"/comments/{comment.pk}/reports", {"reason": "spam"} | data)


def test_it_takes_a_report_with_202_and_puts_the_comment_in_the_reported_queue(
    client, article
):
    comment = make_comment(article)

    response = report(client, comment, note="  Links to a pill shop.  ")

    assert response.status_code == 202
    assert response.json() == {"comment_id": comment.pk, "reason": "spam"}
    stored = Report.objects.get()
    assert (stored.reason, stored.note) == ("spam", "Links to a pill shop.")
    assert stored.reporter_ip_hash and stored.reporter is None
    comment.refresh_from_db()
    assert comment.open_report_count == 1


def test_it_refuses_an_unknown_reason_naming_the_reason(client, article):
    response = report(client, make_comment(article), reason="boring")

    assert response.status_code == 400
    assert error_fields(response) == ["reason"]
    assert Report.objects.count() == 0


def test_it_refuses_a_note_longer_than_the_forms_limit(client, article):
    response = report(client, make_comment(article), note="x" * 501)

    assert response.status_code == 400
    assert error_fields(response) == ["note"]


def test_it_cannot_report_a_comment_that_is_not_published(client, article):
    pending = make_comment(article, status="pending")

    assert report(client, pending).status_code == 404
    assert post_json(client, "/comments/999999/reports", {"reason": "spam"}).status_code == 404


def test_it_limits_reports_per_address_with_429(client, article):
    comments = [make_comment(article) for _ in range(11)]

    statuses = [report(client, comment).status_code for comment in comments]

    assert statuses == [202] * 10 + [429]
    assert Report.objects.count() == 10
