"""One open report per reader and comment: a second report is answered kindly and stores
nothing, whether it comes through the page, the API, or both at once."""

from __future__ import annotations

import pytest
from django.test import Client

from broadsheet.comments.models import Comment, Report
from tests.concurrency import at_once
from tests.conftest import make_comment


def report_on_page(client, comment, reason="spam", **extra):
    return client.post(f"/comments/{comment.pk}/report/", {"reason": reason, "note": ""},
                       **extra)


def report_over_api(client, comment, reason="spam", **extra):
    return client.post(f"/api/v1/comments/{comment.pk}/reports", {"reason": reason},
                       content_type="application/json", **extra)


def open_reports(comment) -> int:
    comment.refresh_from_db()
    assert comment.open_report_count == Report.objects.filter(
        comment=comment, resolved_at__isnull=True).count()
    return comment.open_report_count


@pytest.mark.django_db
def test_a_second_report_from_the_same_reader_on_the_page_is_refused(client, article):
    comment = make_comment(article)

    first = report_on_page(client, comment)
    second = report_on_page(client, comment, reason="abusive")

    assert first.status_code == 303
    assert second.status_code == 409
    assert "You have already reported this comment" in second.text
    assert open_reports(comment) == 1


@pytest.mark.django_db
def test_a_second_report_over_the_api_is_refused_with_409(client, article):
    comment = make_comment(article)

    first = report_over_api(client, comment)
    second = report_over_api(client, comment)
    by_page = report_on_page(Client(), comment)  # the same address, another channel

    assert first.status_code == 202
    assert second.status_code == 409
    assert second.json()["errors"][0]["code"] == "already_reported"
    assert by_page.status_code == 409
    assert open_reports(comment) == 1


@pytest.mark.django_db
def test_other_readers_and_other_comments_still_report(client, article):
    comment, other = make_comment(article), make_comment(article)

    answers = [
        report_on_page(client, comment).status_code,
        report_on_page(client, other).status_code,
        report_on_page(Client(), comment, REMOTE_ADDR="198.51.100.7").status_code,
    ]

    assert answers == [303, 303, 303]
    assert open_reports(comment) == 2


@pytest.mark.django_db
def test_a_signed_in_reader_is_one_reader_from_any_address(client, article, reader):
    comment = make_comment(article)
    client.force_login(reader)

    first = report_on_page(client, comment, REMOTE_ADDR="198.51.100.1")
    second = report_on_page(client, comment, REMOTE_ADDR="198.51.100.2")

    assert (first.status_code, second.status_code) == (303, 409)


@pytest.mark.django_db
def test_once_the_desk_dealt_with_it_the_reader_may_report_again(client, article,
                                                                 moderator):
    comment = make_comment(article)
    report_on_page(client, comment)
    desk = Client()
    desk.force_login(moderator)
    desk.post(f"/desk/comments/{comment.pk}/dismiss-reports/")

    again = report_on_page(client, comment)

    assert again.status_code == 303
    assert open_reports(comment) == 1


@pytest.mark.django_db(transaction=True)
def test_reports_sent_at_once_by_one_reader_store_one(article):
    comment = make_comment(article)

    answers = at_once(
        lambda: report_over_api(Client(), comment),
        lambda: report_over_api(Client(), comment),
        lambda: report_on_page(Client(), comment),
    )

    assert sorted(r.status_code for r in answers)[-2:] == [409, 409]
    assert Report.objects.filter(comment=comment).count() == 1
    assert Comment.objects.get(pk=comment.pk).open_report_count == 1
