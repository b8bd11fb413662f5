"""Pages of threads: order, cursor pagination, 'View more comments' with and without htmx."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from broadsheet.comments.models import Comment
from broadsheet.comments.selectors import comment_threads_for_article
from broadsheet.core.models import Profile
from tests.conftest import make_comment

pytestmark = pytest.mark.django_db


def shown_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<li class="comment[^"]*" id="c(\d+)"', html)]


def test_it_shows_ten_threads_then_a_plain_link_to_the_next_ten(client, article):
    roots = [make_comment(article, minutes_ago=100 - n, text=f"Thread {n}") for n in range(25)]
    html = client.get(article.get_absolute_url()).content.decode()
    assert shown_ids(html) == [c.pk for c in roots[:10]]
    link = re.search(r'<a href="\?after=([^"#&]+)#comments"', html)
    assert link and "View more comments" in html
    second = client.get(f"{article.get_absolute_url()}?after={link.group(1)}").content.decode()
    assert shown_ids(second) == [c.pk for c in roots[10:20]]


def test_view_more_with_htmx_returns_only_the_next_threads(client, article):
    roots = [make_comment(article, minutes_ago=100 - n) for n in range(12)]
    page = comment_threads_for_article(article=article, per_page=10)
    fragment = client.get(
        f"{article.get_absolute_url()}?after={page.next_cursor}", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in fragment
    assert shown_ids(fragment) == [c.pk for c in roots[10:]]
    assert "View more comments" not in fragment


def test_walking_every_page_shows_each_thread_once_in_either_order(article):
    roots = [make_comment(article, minutes_ago=500 - n) for n in range(47)]
    # Several comments in the same second must not be skipped or repeated at a page edge.
    same_time = roots[20].submitted_at
    Comment.objects.filter(pk__in=[c.pk for c in roots[18:23]]).update(submitted_at=same_time)
    for order, expected in (("oldest", roots), ("newest", None)):
        seen, cursor = [], None
        while True:
            page = comment_threads_for_article(article=article, order=order, cursor=cursor)
            seen += [row.comment.pk for row in page.rows]
            cursor = page.next_cursor
            if cursor is None:
                break
        assert len(seen) == len(set(seen)) == 47
        if expected:
            assert sorted(seen) == sorted(c.pk for c in expected)


def test_newest_first_puts_the_latest_thread_on_top(client, article):
    old = make_comment(article, minutes_ago=60, text="Old thought")
    new = make_comment(article, minutes_ago=1, text="New thought")
    html = client.get(f"{article.get_absolute_url()}?order=newest").content.decode()
    assert shown_ids(html)[:2] == [new.pk, old.pk]


def test_a_bad_cursor_gets_a_clear_message_not_an_error(client, article):
    make_comment(article)
    response = client.get(f"{article.get_absolute_url()}?after=!!not-a-cursor")
    assert response.status_code == 200
    assert b"start from the first page" in response.content


def test_replies_come_with_their_thread_on_the_same_page(client, article):
    root = make_comment(article, minutes_ago=50, name="Root")
    reply = make_comment(article, parent=root, minutes_ago=40, name="Child")
    grandchild = make_comment(article, parent=reply, minutes_ago=30, name="Grandchild")
    make_comment(article, parent=root, minutes_ago=20, status="pending", text="Not yet")
    html = client.get(article.get_absolute_url()).content.decode()
    assert shown_ids(html) == [root.pk, reply.pk, grandchild.pk]
    assert "Replying to Child" in html and "Not yet" not in html


def test_it_shows_times_as_relative_with_the_absolute_time_as_title(client, article):
    make_comment(article, minutes_ago=5)
    make_comment(article, minutes_ago=60 * 24 * 365 * 9 + 60 * 24 * 3)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "5 minutes ago" in html
    assert "9 years ago" in html
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT[^"]+" title="[^"]+">5 minutes ago', html)


def test_a_verified_account_shows_its_label(client, article):
    staff = get_user_model().objects.create_user("engagement", is_staff=True)
    Profile.objects.create(user=staff, verified_label="Digital Engagement Team, The Broadsheet")
    make_comment(article, user=staff, name="Engagement desk")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Digital Engagement Team, The Broadsheet" in html


def test_an_article_page_runs_the_same_few_queries_for_many_comments(
    client, article, django_assert_max_num_queries
):
    for n in range(30):
        root = make_comment(article, minutes_ago=300 - n)
        make_comment(article, parent=root, minutes_ago=200 - n)
    with django_assert_max_num_queries(12):
        assert client.get(article.get_absolute_url()).status_code == 200


def test_a_page_rendered_per_request_reads_article_authors_and_threads_in_two_queries(
    client, article, settings, django_assert_num_queries
):
    from broadsheet.articles.models import Author

    settings.BROADSHEET_PAGE_CACHE = False
    article.authors.add(Author.objects.create(name="Aoife Brennan", slug="aoife-brennan"))
    roots = [make_comment(article, minutes_ago=500 - n, text=f"Root {n}") for n in range(12)]
    for n, root in enumerate(roots):
        make_comment(article, parent=root, minutes_ago=400 - n, text=f"Answer {n}")
    client.get(article.get_absolute_url())  # the count is kept per version of the comments

    with django_assert_num_queries(2):
        html = client.get(article.get_absolute_url()).content.decode()

    byline = [a.name for a in article.authors.order_by("name")]
    assert len(byline) == 2 and all(name in html for name in byline)
    assert html.index(byline[0]) < html.index(byline[1])
    assert shown_ids(html) == [c.pk for root in roots[:10] for c in (root, *root.replies.all())]


def test_an_article_without_authors_still_shows_with_its_comments(client, article):
    article.authors.clear()
    make_comment(article, text="Nobody signed this piece, but the figures hold up.")
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert b"Nobody signed this piece" in response.content
