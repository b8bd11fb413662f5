"""Posting a comment over the API: the form's rules, the status token, and every refusal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from broadsheet.comments.models import Comment
from broadsheet.core.models import SiteSettings
from broadsheet.moderation.models import Ban
from tests.api.conftest import error_fields, get_json, post_json
from tests.conftest import make_article, make_comment

pytestmark = pytest.mark.django_db


def comment_json(**overrides) -> dict:
    return {
        "name": "Sana Malik",
        "email": "sana@example.com",
        "text": "The groundsmen deserve credit for getting play started again.",
    } | overrides


def post_comment(client, article, **overrides):
    return post_json(client, f"/articles/{article.pk}/comments", comment_json(**overrides))


def test_it_accepts_a_comment_as_pending_with_202(client, article):
    response = post_comment(client, article)

    assert response.status_code == 202
    body = response.json()
    comment = Comment.objects.get()
    assert body["id"] == comment.pk and body["status"] == "pending"
    assert comment.status == Comment.Status.PENDING
    assert comment.ip_hash and comment.ip_hash != "127.0.0.1"
    assert "email" not in body


def test_a_commenter_follows_their_comment_from_pending_to_approved(
    client, article, staff_headers, django_capture_on_commit_callbacks
):
    posted = post_comment(client, article).json()
    status_url = f"/comments/{posted['id']}/status"

    waiting = get_json(client, status_url, data={"token": posted["status_token"]})
    assert waiting.status_code == 200
    assert (waiting.json()["status"], waiting.json()["url"]) == ("pending", None)
    assert client.get(posted["status_url"]).json()["status"] == "pending"

    with django_capture_on_commit_callbacks(execute=True):
        post_json(client, f"/moderation/comments/{posted['id']}/approve", {}, **staff_headers)

    published = get_json(client, status_url, data={"token": posted["status_token"]}).json()
    assert published["status"] == "approved"
    assert published["url"].endswith(f"#c{posted['id']}")
    assert get_json(client, f"/comments/{posted['id']}").status_code == 200


def test_a_commenter_learns_when_their_comment_is_rejected(client, article, staff_headers):
    posted = post_comment(client, article).json()

    post_json(
        client, f"/moderation/comments/{posted['id']}/reject", {"reason": "off-topic"},
        **staff_headers,
    )

    status = get_json(
        client, f"/comments/{posted['id']}/status", data={"token": posted["status_token"]}
    )
    assert status.json()["status"] == "rejected"


def test_a_status_token_only_opens_its_own_comment(client, article):
    first = post_comment(client, article).json()
    second = post_comment(client, article, text="A different thought entirely.").json()

    response = get_json(
        client, f"/comments/{second['id']}/status", data={"token": first["status_token"]}
    )

    assert response.status_code == 403
    assert error_fields(response) == ["token"]


def test_a_forged_or_missing_status_token_is_refused(client, article):
    posted = post_comment(client, article).json()

    forged = get_json(
        client, f"/comments/{posted['id']}/status", data={"token": posted["status_token"] + "x"}
    )
    missing = get_json(client, f"/comments/{posted['id']}/status")

    assert forged.status_code == 403
    assert missing.status_code == 400 and error_fields(missing) == ["token"]


def test_it_links_an_api_comment_to_no_account_even_with_a_session(client, article, reader):
    # The API ignores the session cookie, which is why it needs no CSRF token.
    client.force_login(reader)

    response = post_comment(client, article)

    assert response.status_code == 202
    assert Comment.objects.get().user is None


def test_it_refuses_an_invalid_email_naming_the_field(client, article):
    response = post_comment(client, article, email="not-an-email")

    assert response.status_code == 400
    assert response.json()["errors"] == [{
        "field": "email",
        "message": "Enter a valid email address, like name@example.com.",
        "code": "invalid",
    }]
    assert Comment.objects.count() == 0


def test_it_refuses_empty_text_and_a_blank_name_with_the_forms_messages(client, article):
    response = post_comment(client, article, text="   ", name="  ")

    assert response.status_code == 400
    messages = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert messages == {
        "name": "Enter the name to show with your comment.",
        "text": "Write your comment before posting.",
    }


def test_it_refuses_text_over_the_sites_limit(client, article):
    site = SiteSettings.load()
    site.max_comment_length = 100
    site.save()

    response = post_comment(client, article, text="Long words about the match. " * 10)

    assert response.status_code == 400
    assert error_fields(response) == ["text"]
    assert "the limit is 100" in response.json()["errors"][0]["message"]


def test_it_refuses_a_missing_field_and_a_wrong_type_with_400_not_422(client, article):
    missing = post_json(client, f"/articles/{article.pk}/comments", {"name": "Sana"})
    wrong_type = post_comment(client, article, parent_id="first")

    assert missing.status_code == 400
    assert sorted(error_fields(missing)) == ["email", "text"]
    assert wrong_type.status_code == 400 and error_fields(wrong_type) == ["parent_id"]


def test_it_refuses_a_body_that_is_not_json(client, article):
    response = client.post(
        f"/api/v1/articles/{article.pk}/comments", "name=Sana", content_type="application/json"
    )

    assert response.status_code == 400
    assert error_fields(response) == ["__all__"]


def test_it_accepts_a_reply_to_an_approved_comment(client, article):
    parent = make_comment(article)

    response = post_comment(client, article, parent_id=parent.pk)

    assert response.status_code == 202
    reply = Comment.objects.get(pk=response.json()["id"])
    assert (reply.parent, reply.thread_root, reply.depth) == (parent, parent, 1)


def test_it_refuses_replies_to_foreign_or_unpublished_comments_naming_parent_id(
    client, article, section
):
    foreign = make_comment(make_article(section))
    pending = make_comment(article, status="pending")

    for parent in (foreign, pending):
        response = post_comment(client, article, parent_id=parent.pk)
        assert response.status_code == 400
        assert error_fields(response) == ["parent_id"]


def test_it_refuses_comments_on_a_closed_article(client, section):
    closed = make_article(section, comments_closed=True)

    response = post_comment(client, closed)

    assert response.status_code == 400
    assert response.json()["errors"] == [{
        "field": "__all__", "message": "Comments are closed on this article.", "code": "invalid",
    }]


def test_it_refuses_comments_once_the_closing_period_has_passed(client, section):
    site = SiteSettings.load()
    site.close_comments_after_days = 3
    site.save()
    old = make_article(section, published_at=timezone.now() - timedelta(days=4))

    response = post_comment(client, old)

    assert response.status_code == 400 and error_fields(response) == ["__all__"]


def test_it_refuses_comments_on_a_draft(client, section):
    draft = make_article(section, status="draft")

    response = post_comment(client, draft)

    assert response.status_code == 400
    assert "not published" in response.json()["errors"][0]["message"]
    assert Comment.objects.count() == 0


def test_it_answers_404_in_json_for_an_unknown_article(client, db):
    response = post_json(client, "/articles/999999/comments", comment_json())

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_a_second_click_returns_the_first_comment_instead_of_a_copy(client, article):
    first = post_comment(client, article).json()
    second = post_comment(client, article).json()

    assert second["id"] == first["id"]
    assert Comment.objects.count() == 1


def test_it_limits_posts_per_address_with_429_like_the_form(client, article):
    site = SiteSettings.load()
    site.comments_per_minute = 2
    site.save()

    statuses = [
        post_comment(client, article, email=f"reader{n}@example.com", text=f"Thought {n}.")
        .status_code
        for n in range(3)
    ]

    assert statuses == [202, 202, 429]
    assert Comment.objects.count() == 2


def test_it_limits_posts_per_email_across_addresses(client, article):
    site = SiteSettings.load()
    site.comments_per_minute = 1
    site.save()

    first = post_comment(client, article, text="One.", REMOTE_ADDR="10.0.0.1")
    second = post_json(
        client, f"/articles/{article.pk}/comments", comment_json(text="Two."),
        REMOTE_ADDR="10.0.0.2",
    )

    assert first.status_code == 202
    assert second.status_code == 429
    assert second.json()["errors"][0]["code"] == "rate_limited"
    # One post a minute, and the refused one counts too: the next passes within two minutes.
    assert 0 < int(second["Retry-After"]) <= 120


def test_the_api_and_the_article_page_share_one_rate_limit(client, article):
    site = SiteSettings.load()
    site.comments_per_minute = 1
    site.save()
    client.post(
        f"/comments/post/{article.pk}/",
        {"name": "Sana", "email": "sana@example.com", "text": "From the page.", "parent": ""},
    )

    response = post_comment(client, article, text="From the API.")

    assert response.status_code == 429


def test_a_banned_commenters_comment_is_rejected_at_once(client, article, moderator):
    Ban.objects.create(email="sana@example.com", created_by=moderator)

    response = post_comment(client, article, email="SANA@example.com")

    assert response.status_code == 202
    assert response.json()["status"] == "rejected"
