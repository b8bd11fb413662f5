"""Live arrivals on the Pending queue: htmx polls for comments newer than the newest shown."""

from __future__ import annotations

import re

from tests.conftest import make_comment
from tests.desk.conftest import HTMX


def test_the_pending_page_polls_from_the_newest_comment_it_shows(moderator_client, article):
    make_comment(article, status="pending")
    newest = make_comment(article, status="pending")

    response = moderator_client.get("/desk/pending/")

    poller = re.search(
        rb'<div id="desk-poller" hx-get="([^"]+)" hx-trigger="every 5s', response.content
    )
    assert poller is not None
    assert f"after={newest.pk}".encode() in poller.group(1)
    assert b"insert=1" in poller.group(1)


def test_it_returns_only_comments_newer_than_the_last_one_shown(moderator_client, article):
    shown = make_comment(article, status="pending", text="Already on screen")
    arrived = make_comment(article, status="pending", text="Just arrived")
    make_comment(article, status="approved", text="Not for the queue")

    response = moderator_client.get(
        f"/desk/arrivals/?queue=pending&after={shown.pk}&insert=1", headers=HTMX
    )

    assert response.status_code == 200
    assert b"Just arrived" in response.content
    assert b"Already on screen" not in response.content
    assert b"Not for the queue" not in response.content
    # The counts and the next poll's starting point come back out of band.
    assert b'id="desk-tabs" hx-swap-oob="true"' in response.content
    assert b'data-queue="pending">2<' in response.content
    assert f"after={arrived.pk}".encode() in response.content


def test_it_returns_no_items_when_nothing_new_arrived(moderator_client, article):
    shown = make_comment(article, status="pending", text="Already on screen")

    response = moderator_client.get(
        f"/desk/arrivals/?queue=pending&after={shown.pk}&insert=1", headers=HTMX
    )

    assert b"<article" not in response.content
    assert f"after={shown.pk}".encode() in response.content


def test_it_respects_the_filters_when_polling(moderator_client, article, section):
    from tests.conftest import make_article

    elsewhere = make_article(section)
    make_comment(elsewhere, status="pending", text="On another article")
    mine = make_comment(article, status="pending", text="On the filtered article")

    response = moderator_client.get(
        f"/desk/arrivals/?queue=pending&article={article.pk}&after=0&insert=1", headers=HTMX
    )

    assert b"On the filtered article" in response.content
    assert b"On another article" not in response.content
    assert f"after={mine.pk}".encode() in response.content


def test_it_only_updates_counts_on_pages_where_new_comments_do_not_belong(
    moderator_client, article
):
    make_comment(article, status="pending", text="New but belongs on the last page")

    response = moderator_client.get("/desk/arrivals/?queue=pending&after=0", headers=HTMX)

    assert b"New but belongs" not in response.content
    assert b'data-queue="pending">1<' in response.content


def test_without_htmx_the_poll_address_goes_back_to_the_queue(moderator_client, db):
    response = moderator_client.get("/desk/arrivals/?queue=pending&sort=newest&after=3")

    assert response.status_code == 302
    assert response["Location"] == "/desk/pending/?sort=newest"
