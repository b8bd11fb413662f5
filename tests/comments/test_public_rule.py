"""One rule everywhere: a comment is public only when it is approved, its thread's top comment
is approved and its article is published. Counts show what a reader can reach."""

from __future__ import annotations

import re

import pytest

from broadsheet.api.auth import status_token_create
from broadsheet.articles.models import Article
from broadsheet.articles.services import article_saved
from broadsheet.moderation import services
from broadsheet.moderation.models import RejectionReason
from tests.api.conftest import API, post_json
from tests.conftest import comment_payload, make_comment

pytestmark = pytest.mark.django_db


def _reject(comment, moderator) -> None:
    services.comment_reject(
        comment=comment, actor=moderator, reason=RejectionReason.objects.get(slug="abusive")
    )


def _set_back_to_draft(article) -> None:
    Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
    article_saved(article=Article.objects.get(pk=article.pk))


def _shown_ids(content: bytes) -> set[int]:
    return {int(pk) for pk in re.findall(r'<li class="comment[^"]*" id="c(\d+)"', content.decode())}


def _page_count(content: bytes) -> int:
    return int(re.search(r"Comments \((\d+)\)", content.decode()).group(1))


@pytest.fixture
def thread(article):
    root = make_comment(article, text="The root of the thread.")
    reply = make_comment(article, parent=root, text="A reply to the root.")
    deeper = make_comment(article, parent=reply, text="A reply to the reply.")
    return root, reply, deeper


def test_the_report_and_reply_pages_of_a_comment_under_a_draft_are_not_found(
    client, article, thread
):
    root, _, _ = thread
    assert client.get(f"/comments/{root.pk}/report/").status_code == 200
    _set_back_to_draft(article)

    report = client.get(f"/comments/{root.pk}/report/")
    report_post = client.post(f"/comments/{root.pk}/report/", {"reason": "spam"})
    reply = client.get(f"/comments/{root.pk}/reply/")
    reply_in_place = client.get(f"/comments/{root.pk}/reply/", headers={"HX-Request": "true"})

    assert [report.status_code, report_post.status_code, reply.status_code,
            reply_in_place.status_code] == [404, 404, 404, 404]
    assert article.headline.encode() not in report.content
    assert root.text.encode() not in report.content


def test_the_api_serves_and_takes_reports_on_no_comment_under_a_draft(client, article, thread):
    root, _, _ = thread
    token = status_token_create(comment_id=root.pk)
    assert client.get(f"{API}/comments/{root.pk}/status", {"token": token}).json()["url"]
    _set_back_to_draft(article)

    detail = client.get(f"{API}/comments/{root.pk}")
    report = post_json(client, f"/comments/{root.pk}/reports", {"reason": "spam"})
    status = client.get(f"{API}/comments/{root.pk}/status", {"token": token})

    assert (detail.status_code, report.status_code) == (404, 404)
    assert root.reports.count() == 0
    assert status.json()["status"] == "approved" and status.json()["url"] is None


def test_a_reply_under_a_thread_rejected_later_is_not_counted_nor_served(
    client, article, thread, moderator
):
    root, reply, deeper = thread
    other = make_comment(article, text="A thread of its own.")
    before = client.get(article.get_absolute_url())
    assert _page_count(before.content) == 4

    _reject(root, moderator)
    page = client.get(article.get_absolute_url())
    counts = client.get(f"{API}/comment-counts", {"article": article.pk}).json()
    threads = client.get(f"{API}/articles/{article.pk}/comments").json()

    assert _shown_ids(page.content) == {other.pk}
    assert _page_count(page.content) == 1
    assert counts == {str(article.pk): 1}
    assert threads["comment_count"] == 1
    assert client.get(f"{API}/comments/{reply.pk}").status_code == 404
    assert client.get(f"{API}/comments/{deeper.pk}").status_code == 404
    assert client.get(f"/comments/{deeper.pk}/report/").status_code == 404
    assert "Comments (1)" in client.get("/").content.decode()


def test_a_reply_whose_own_parent_was_rejected_stays_in_its_thread_and_is_counted(
    client, article, thread, moderator
):
    root, reply, deeper = thread

    _reject(reply, moderator)
    page = client.get(article.get_absolute_url())

    assert _shown_ids(page.content) == {root.pk, deeper.pk}
    assert _page_count(page.content) == 2
    assert client.get(f"{API}/comments/{deeper.pk}").status_code == 200


def test_no_reply_is_taken_into_a_thread_readers_cannot_see(client, article, thread, moderator):
    root, reply, _ = thread
    _reject(root, moderator)

    form = client.post(
        f"/comments/post/{article.pk}/", comment_payload(parent=str(reply.pk))
    )
    api = post_json(client, f"/articles/{article.pk}/comments", {
        "name": "Sana", "email": "sana@example.com", "text": "Replying anyway.",
        "parent_id": reply.pk,
    })

    assert form.status_code == 400
    assert b"The comment you are replying to is not published" in form.content
    assert api.status_code == 400
    assert api.json()["errors"][0]["field"] == "parent_id"
