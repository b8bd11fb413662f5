"""Reading approved comments: threads by cursor, counts for many articles, one comment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from broadsheet.articles.services import article_saved
from broadsheet.core.models import Profile, SiteSettings
from tests.api.conftest import error_fields, get_json
from tests.conftest import make_article, make_comment

pytestmark = pytest.mark.django_db


def test_it_returns_threads_with_flat_replies_that_say_whom_they_answer(client, article):
    root = make_comment(article, name="Bilal", minutes_ago=50)
    reply = make_comment(article, parent=root, name="Sana", minutes_ago=40)
    deeper = make_comment(article, parent=reply, name="Omar", minutes_ago=30)

    response = get_json(client, f"/articles/{article.pk}/comments")

    assert response.status_code == 200
    body = response.json()
    assert body["comment_count"] == 3 and body["next_cursor"] is None
    [thread] = body["threads"]
    assert thread["comment"]["id"] == root.pk and thread["comment"]["depth"] == 0
    assert [(r["id"], r["depth"], r["parent_id"], r["replying_to"]) for r in thread["replies"]] == [
        (reply.pk, 1, root.pk, "Bilal"),
        (deeper.pk, 2, reply.pk, "Sana"),
    ]
    assert thread["replies"][1]["thread_id"] == root.pk


def test_it_never_shows_pending_or_rejected_comments(client, article):
    make_comment(article, text="Published words.")
    make_comment(article, status="pending", text="Waiting words.")
    make_comment(article, status="rejected", text="Refused words.")

    body = get_json(client, f"/articles/{article.pk}/comments").json()

    assert [t["comment"]["text"] for t in body["threads"]] == ["Published words."]
    assert body["comment_count"] == 1


def test_it_never_reveals_email_addresses_or_ip_hashes(client, article):
    root = make_comment(article, email="private@example.com", ip_hash="abcdef0123456789")
    make_comment(article, parent=root, email="hidden@example.com", ip_hash="fedcba9876543210")

    thread_page = get_json(client, f"/articles/{article.pk}/comments").content
    single = get_json(client, f"/comments/{root.pk}").content

    for content in (thread_page, single):
        assert b"@example.com" not in content
        assert b"abcdef0123456789" not in content and b"fedcba9876543210" not in content
        assert b"ip_hash" not in content and b"email" not in content


def test_it_shows_a_verified_account_under_its_display_name(client, article, reader):
    Profile.objects.create(user=reader, display_name="Sports Desk", verified_label="The Broadsheet")
    make_comment(article, user=reader, name="reader")

    comment = get_json(client, f"/articles/{article.pk}/comments").json()["threads"][0]["comment"]

    assert comment["author_name"] == "Sports Desk"
    assert comment["verified_label"] == "The Broadsheet"


def test_it_pages_threads_with_the_cursor_in_either_order(client, article):
    site = SiteSettings.load()
    site.threads_per_page = 2
    site.save()
    roots = [make_comment(article, minutes_ago=60 - n) for n in range(5)]

    seen, cursor = [], None
    while True:
        query = {"order": "newest"} | ({"cursor": cursor} if cursor else {})
        body = get_json(client, f"/articles/{article.pk}/comments", data=query).json()
        seen += [t["comment"]["id"] for t in body["threads"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break

    assert seen == [c.pk for c in reversed(roots)]


def test_it_refuses_a_broken_cursor_naming_the_cursor(client, article):
    response = get_json(client, f"/articles/{article.pk}/comments", data={"cursor": "%%%"})

    assert response.status_code == 400
    assert error_fields(response) == ["cursor"]


def test_it_refuses_an_unknown_order_naming_the_order(client, article):
    response = get_json(client, f"/articles/{article.pk}/comments", data={"order": "best"})

    assert response.status_code == 400
    assert error_fields(response) == ["order"]


def test_it_answers_404_in_json_for_unknown_draft_and_scheduled_articles(client, section):
    draft = make_article(section, status="draft")
    scheduled = make_article(section, published_at=timezone.now() + timedelta(days=1))

    for article_id in (draft.pk, scheduled.pk, 999_999):
        response = get_json(client, f"/articles/{article_id}/comments")
        assert response.status_code == 404
        assert response.json()["errors"][0]["code"] == "not_found"


def test_a_scheduled_article_opens_on_time_and_an_unpublished_one_closes_at_once(
    client, section, monkeypatch
):
    soon = make_article(section, published_at=timezone.now() + timedelta(minutes=5))
    assert get_json(client, f"/articles/{soon.pk}/comments").status_code == 404
    # The cached facts say "published at T"; T passing is enough, no edit needed.
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(minutes=6))
    assert get_json(client, f"/articles/{soon.pk}/comments").status_code == 200

    soon.status = "draft"
    soon.save()
    article_saved(article=soon)
    assert get_json(client, f"/articles/{soon.pk}/comments").status_code == 404


def test_it_counts_approved_comments_for_several_articles_at_once(client, article, section):
    other = make_article(section)
    draft = make_article(section, status="draft")
    make_comment(article)
    make_comment(article)
    make_comment(article, status="pending")
    make_comment(draft)

    response = get_json(
        client, "/comment-counts", data={"article": [article.pk, other.pk, draft.pk, 999_999]}
    )

    assert response.status_code == 200
    assert response.json() == {
        str(article.pk): 2, str(other.pk): 0, str(draft.pk): 0, "999999": 0,
    }


def test_it_refuses_more_than_a_hundred_articles_to_count(client, db):
    response = get_json(client, "/comment-counts", data={"article": list(range(1, 102))})

    assert response.status_code == 400
    assert error_fields(response) == ["article"]


def test_it_refuses_an_article_id_that_cannot_exist(client, db):
    response = get_json(client, "/comment-counts", data={"article": [1, 0]})

    assert response.status_code == 400
    assert error_fields(response) == ["article"]


def test_it_refuses_a_count_request_without_articles(client, db):
    response = get_json(client, "/comment-counts")

    assert response.status_code == 400
    assert error_fields(response) == ["article"]


def test_it_returns_one_approved_comment_with_whom_it_answers(client, article):
    root = make_comment(article, name="Bilal")
    reply = make_comment(article, parent=root, name="Sana", text="Quite right.")

    response = get_json(client, f"/comments/{reply.pk}")

    assert response.status_code == 200
    body = response.json()
    assert (body["text"], body["replying_to"]) == ("Quite right.", "Bilal")
    assert body["thread_id"] == root.pk
    assert body["url"].endswith(f"#c{reply.pk}")


def test_it_hides_a_single_comment_that_is_not_approved(client, article):
    pending = make_comment(article, status="pending")
    rejected = make_comment(article, status="rejected")

    for comment_id in (pending.pk, rejected.pk, 999_999):
        assert get_json(client, f"/comments/{comment_id}").status_code == 404


def test_reading_five_hundred_comments_takes_a_constant_few_queries(
    client, article, django_assert_max_num_queries
):
    site = SiteSettings.load()
    site.threads_per_page = 50
    site.save()
    for _ in range(50):
        root = make_comment(article)
        parent = root
        for depth in range(9):
            parent = make_comment(article, parent=parent if depth % 2 else root)
    SiteSettings.load()  # settle the settings cache, as on a running site

    with django_assert_max_num_queries(4):
        response = get_json(client, f"/articles/{article.pk}/comments")

    body = response.json()
    assert sum(1 + len(t["replies"]) for t in body["threads"]) == 500
