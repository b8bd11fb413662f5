"""The desk's pages cost the same number of queries for 3 comments as for a full page of 50."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from broadsheet.comments.services import comment_report
from tests.conftest import make_comment
from tests.desk.conftest import scanned

# Session user, counts, paginator count, the page, records, reports, reasons, filter boxes
# (sections, articles), where live arrivals start — and a little room for the site's own.
QUERY_BUDGET = 14


def _fill_queue(article, how_many: int, parent) -> None:
    for n in range(how_many):
        comment = make_comment(
            article, status="approved" if n % 2 else "pending", parent=parent,
            email=f"reader{n}@example.com", **scanned(),
        )
        if n % 2:
            comment_report(comment=comment, reason="abusive", note=f"note {n}")


def _queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("queue", ["pending", "reported", "approved", "rejected"])
def test_a_queue_page_does_not_query_per_comment(
    moderator_client, article, queue, django_assert_max_num_queries
):
    parent = make_comment(article, text="The parent of every reply")
    _fill_queue(article, 4, parent)
    moderator_client.get(f"/desk/{queue}/")  # warm the site-settings cache, as in production
    few = _queries_for(moderator_client, f"/desk/{queue}/")
    _fill_queue(article, 96, parent)

    with django_assert_max_num_queries(QUERY_BUDGET):
        response = moderator_client.get(f"/desk/{queue}/")

    assert response.status_code == 200
    assert _queries_for(moderator_client, f"/desk/{queue}/") == few


def test_live_arrivals_do_not_query_per_comment(
    moderator_client, article, django_assert_max_num_queries
):
    _fill_queue(article, 60, None)

    # One more than before the moderators' notes on commenters, read for the whole page at once.
    with django_assert_max_num_queries(11):
        response = moderator_client.get(
            "/desk/arrivals/?queue=pending&after=0&insert=1", headers={"HX-Request": "true"}
        )

    assert response.content.count(b'<article class="desk-item') == 30
