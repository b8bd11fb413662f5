"""ETags and the read cache: a client holding the current version gets 304, and an approval,
rejection or edit on the article makes every cached read of it stale at once."""

from __future__ import annotations

import pytest

from broadsheet.comments.models import Comment
from tests.api.conftest import get_json, post_json
from tests.conftest import make_article, make_comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def decide(client, staff_headers, django_capture_on_commit_callbacks):
    """Make a moderation decision through the API, letting its after-commit work run."""

    def run(comment: Comment, action: str, data: dict | None = None):
        with django_capture_on_commit_callbacks(execute=True):
            # The client decides on the comment as it last read it.
            response = post_json(
                client,
                f"/moderation/comments/{comment.pk}/{action}?expected_status={comment.status}",
                data or {}, **staff_headers,
            )
        assert response.status_code == 200, response.content
        return response

    return run


def test_it_answers_304_when_the_client_already_has_the_threads(client, article):
    make_comment(article)
    first = get_json(client, f"/articles/{article.pk}/comments")

    again = get_json(
        client, f"/articles/{article.pk}/comments", HTTP_IF_NONE_MATCH=first["ETag"]
    )

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]


def test_it_accepts_a_weakened_etag_from_a_compressing_proxy(client, article):
    first = get_json(client, f"/articles/{article.pk}/comments")

    again = get_json(
        client, f"/articles/{article.pk}/comments", HTTP_IF_NONE_MATCH=f"W/{first['ETag']}"
    )

    assert again.status_code == 304


def test_it_gives_each_query_its_own_etag(client, article):
    oldest = get_json(client, f"/articles/{article.pk}/comments", data={"order": "oldest"})
    newest = get_json(client, f"/articles/{article.pk}/comments", data={"order": "newest"})

    assert oldest["ETag"] != newest["ETag"]
    still_oldest = get_json(
        client, f"/articles/{article.pk}/comments", data={"order": "newest"},
        HTTP_IF_NONE_MATCH=oldest["ETag"],
    )
    assert still_oldest.status_code == 200


def test_it_serves_a_new_etag_and_the_comment_once_one_is_approved(client, article, decide):
    make_comment(article, text="Already there.")
    waiting = make_comment(article, status="pending", text="Just approved.")
    before = get_json(client, f"/articles/{article.pk}/comments")

    decide(waiting, "approve")
    after = get_json(
        client, f"/articles/{article.pk}/comments", HTTP_IF_NONE_MATCH=before["ETag"]
    )

    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert [t["comment"]["text"] for t in after.json()["threads"]] == [
        "Already there.", "Just approved.",
    ]


def test_it_drops_a_cached_comment_once_it_is_rejected(client, article, decide):
    shown = make_comment(article, text="Soon withdrawn.")
    assert get_json(client, f"/articles/{article.pk}/comments").json()["comment_count"] == 1
    counts_before = get_json(client, "/comment-counts", data={"article": article.pk})
    single_before = get_json(client, f"/comments/{shown.pk}")

    decide(shown, "reject", {"reason": "abusive"})

    assert get_json(client, f"/articles/{article.pk}/comments").json()["threads"] == []
    counts_after = get_json(
        client, "/comment-counts", data={"article": article.pk},
        HTTP_IF_NONE_MATCH=counts_before["ETag"],
    )
    assert counts_after.json() == {str(article.pk): 0}
    single_after = get_json(
        client, f"/comments/{shown.pk}", HTTP_IF_NONE_MATCH=single_before["ETag"]
    )
    assert single_after.status_code == 404


def test_it_shows_the_edited_text_after_an_edit_and_approve(client, article, decide):
    comment = make_comment(article, text="Teh umpires got it wrong.")
    before = get_json(client, f"/comments/{comment.pk}")

    decide(comment, "edit-approve", {"text": "The umpires got it wrong."})
    after = get_json(client, f"/comments/{comment.pk}", HTTP_IF_NONE_MATCH=before["ETag"])

    assert after.status_code == 200
    assert after.json()["text"] == "The umpires got it wrong."


def test_a_decision_on_one_article_keeps_the_other_articles_cached(
    client, article, section, decide
):
    other = make_article(section)
    make_comment(other)
    other_before = get_json(client, f"/articles/{other.pk}/comments")

    decide(make_comment(article, status="pending"), "approve")

    other_after = get_json(
        client, f"/articles/{other.pk}/comments", HTTP_IF_NONE_MATCH=other_before["ETag"]
    )
    assert other_after.status_code == 304


def test_it_serves_repeat_reads_from_the_cache_without_building_the_page_again(
    client, article, django_assert_max_num_queries
):
    make_comment(article)
    first = get_json(client, f"/articles/{article.pk}/comments")

    # One query remains: whether the article is (still, or by now) published.
    with django_assert_max_num_queries(1):
        again = get_json(client, f"/articles/{article.pk}/comments")

    assert again.content == first.content


def test_it_lets_caches_keep_reads_only_if_they_revalidate(client, article):
    response = get_json(client, f"/articles/{article.pk}/comments")

    assert "no-cache" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]


def test_with_the_page_cache_off_reads_are_built_fresh_but_still_answer_304(
    client, article, settings, django_assert_num_queries
):
    settings.BROADSHEET_PAGE_CACHE = False
    make_comment(article)
    first = get_json(client, f"/articles/{article.pk}/comments")

    # The article, then the page's roots and their replies in one statement; the count is
    # kept per article version.
    with django_assert_num_queries(2):
        again = get_json(client, f"/articles/{article.pk}/comments")
    unchanged = get_json(
        client, f"/articles/{article.pk}/comments", HTTP_IF_NONE_MATCH=first["ETag"]
    )

    assert again.content == first.content
    assert unchanged.status_code == 304
