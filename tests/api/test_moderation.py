"""Moderating over the API with a staff token: queues, decisions and bans."""

from __future__ import annotations

import pytest

from broadsheet.api.auth import staff_token_create, status_token_create
from broadsheet.comments.models import Comment
from broadsheet.moderation.models import Ban, Decision
from tests.api.conftest import bearer, error_fields, get_json, post_json
from tests.conftest import make_comment

pytestmark = pytest.mark.django_db


def test_it_answers_401_without_a_token(client, article):
    comment = make_comment(article, status="pending")

    queue = get_json(client, "/moderation/queues/pending")
    approve = post_json(client, f"/moderation/comments/{comment.pk}/approve", {})

    assert queue.status_code == 401 and approve.status_code == 401
    assert queue["WWW-Authenticate"].startswith("Bearer")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_it_answers_401_to_a_forged_token(client, moderator):
    forged = staff_token_create(user=moderator)[:-2] + "xx"

    response = get_json(
        client, "/moderation/queues/pending", HTTP_AUTHORIZATION=f"Bearer {forged}"
    )

    assert response.status_code == 401


def test_it_answers_403_to_a_readers_token(client, reader):
    response = get_json(client, "/moderation/queues/pending", **bearer(reader))

    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "forbidden"


def test_a_deactivated_moderators_token_stops_working(client, moderator):
    headers = bearer(moderator)
    moderator.is_active = False
    moderator.save()

    assert get_json(client, "/moderation/queues/pending", **headers).status_code == 401


def test_changing_the_password_revokes_earlier_tokens(client, moderator):
    headers = bearer(moderator)
    moderator.set_password("a-new-desk-password")
    moderator.save()

    assert get_json(client, "/moderation/queues/pending", **headers).status_code == 401
    assert get_json(client, "/moderation/queues/pending", **bearer(moderator)).status_code == 200


def test_a_moderators_session_cookie_alone_does_not_open_moderation(moderator_client):
    assert get_json(moderator_client, "/moderation/queues/pending").status_code == 401


def test_a_commenters_status_token_does_not_pass_as_a_staff_token(client, moderator):
    # Same signer, another salt: the token for comment N must not open the desk as user N.
    token = status_token_create(comment_id=moderator.pk)

    response = get_json(client, "/moderation/queues/pending", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 401


def test_the_pending_queue_lists_comments_oldest_first_with_what_a_moderator_needs(
    client, article, staff_headers
):
    make_comment(article, status="approved", email="omar@example.com")
    newer = make_comment(article, status="pending", minutes_ago=5, email="omar@example.com")
    older = make_comment(article, status="pending", minutes_ago=50, ip_hash="0123456789abcdef")

    response = get_json(client, "/moderation/queues/pending", **staff_headers)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [item["id"] for item in body["items"]] == [older.pk, newer.pk]
    first, second = body["items"]
    assert (first["author_email"], first["ip_hash"]) == ("bilal@example.com", "0123456789abcdef")
    assert first["article_headline"] == article.headline
    assert second["commenter"] == {"approved": 1, "rejected": 0}


def test_the_queue_pages_with_limit_and_offset(client, article, staff_headers):
    comments = [make_comment(article, status="pending", minutes_ago=50 - n) for n in range(5)]

    body = get_json(
        client, "/moderation/queues/pending", data={"limit": 2, "offset": 2}, **staff_headers
    ).json()

    assert (body["count"], body["limit"], body["offset"]) == (5, 2, 2)
    assert [item["id"] for item in body["items"]] == [comments[2].pk, comments[3].pk]


def test_the_reported_queue_shows_the_open_reports(client, article, staff_headers):
    reported = make_comment(article)
    make_comment(article)
    post_json(client, f"/comments/{reported.pk}/reports", {"reason": "abusive", "note": "Rude."})

    body = get_json(client, "/moderation/queues/reported", **staff_headers).json()

    [item] = body["items"]
    assert item["id"] == reported.pk
    assert [(r["reason"], r["note"]) for r in item["open_reports"]] == [("abusive", "Rude.")]


def test_it_refuses_an_unknown_queue_or_a_page_too_large(client, staff_headers):
    unknown = get_json(client, "/moderation/queues/everything", **staff_headers)
    too_large = get_json(
        client, "/moderation/queues/pending", data={"limit": 1000}, **staff_headers
    )

    assert unknown.status_code == 400 and error_fields(unknown) == ["queue"]
    assert too_large.status_code == 400 and error_fields(too_large) == ["limit"]


def test_approving_publishes_the_comment_and_records_who_did_it(
    client, article, moderator, staff_headers
):
    comment = make_comment(article, status="pending")

    response = post_json(client, f"/moderation/comments/{comment.pk}/approve", {}, **staff_headers)

    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    decision = Decision.objects.get(comment=comment)
    assert (decision.action, decision.actor) == ("approve", moderator)


def test_approving_twice_is_harmless(client, article, staff_headers):
    comment = make_comment(article, status="pending")
    path = f"/moderation/comments/{comment.pk}/approve"

    statuses = [post_json(client, path, {}, **staff_headers).status_code for _ in range(2)]

    assert statuses == [200, 200]
    assert Decision.objects.filter(comment=comment).count() == 1


def test_deciding_on_an_unknown_comment_answers_404(client, staff_headers):
    response = post_json(client, "/moderation/comments/999999/approve", {}, **staff_headers)

    assert response.status_code == 404
    assert "does not exist" in response.json()["errors"][0]["message"]


def test_rejecting_takes_a_reason_slug_and_a_note(client, article, staff_headers):
    comment = make_comment(article, status="pending")

    response = post_json(
        client, f"/moderation/comments/{comment.pk}/reject",
        {"reason": "personal-attack", "note": "Goes for the columnist."}, **staff_headers,
    )

    assert response.status_code == 200
    assert response.json()["rejection_reason"] == "personal-attack"
    assert Decision.objects.get(comment=comment).note == "Goes for the columnist."


def test_rejecting_refuses_an_unknown_or_retired_reason_naming_the_reason(
    client, article, staff_headers
):
    comment = make_comment(article, status="pending")

    for reason in ("because", "banned"):
        response = post_json(
            client, f"/moderation/comments/{comment.pk}/reject", {"reason": reason},
            **staff_headers,
        )
        assert response.status_code == 400 and error_fields(response) == ["reason"]
    assert "off-topic" in response.json()["errors"][0]["message"]
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_edit_and_approve_publishes_the_new_text_and_keeps_the_old(
    client, article, staff_headers
):
    comment = make_comment(article, status="pending", text="Call me on 0300 1234567, umpire!")

    response = post_json(
        client, f"/moderation/comments/{comment.pk}/edit-approve", {"text": "Umpire!"},
        **staff_headers,
    )

    assert response.status_code == 200
    assert (response.json()["text"], response.json()["status"]) == ("Umpire!", "approved")
    decision = Decision.objects.get(comment=comment)
    assert decision.text_before == "Call me on 0300 1234567, umpire!"


def test_edit_and_approve_refuses_empty_text_naming_the_text(client, article, staff_headers):
    comment = make_comment(article, status="pending")

    response = post_json(
        client, f"/moderation/comments/{comment.pk}/edit-approve", {"text": "   "},
        **staff_headers,
    )

    assert response.status_code == 400 and error_fields(response) == ["text"]
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_banning_an_email_rejects_that_commenters_next_comment(
    client, article, moderator, staff_headers
):
    response = post_json(
        client, "/moderation/bans", {"email": "Troll@Example.com", "note": "Repeated abuse."},
        **staff_headers,
    )
    assert response.status_code == 201
    assert response.json()["email"] == "troll@example.com"

    posted = post_json(client, f"/articles/{article.pk}/comments", {
        "name": "Troll", "email": "troll@example.com", "text": "Back again.",
    })
    assert posted.json()["status"] == "rejected"


def test_banning_the_same_address_twice_keeps_one_ban(client, staff_headers):
    for _ in range(2):
        post_json(client, "/moderation/bans", {"email": "troll@example.com"}, **staff_headers)

    assert Ban.objects.count() == 1


def test_banning_refuses_an_invalid_email_naming_the_email(client, staff_headers):
    response = post_json(client, "/moderation/bans", {"email": "troll"}, **staff_headers)

    assert response.status_code == 400 and error_fields(response) == ["email"]
    assert Ban.objects.count() == 0


def test_a_readers_token_cannot_ban(client, reader):
    response = post_json(client, "/moderation/bans", {"email": "a@example.com"}, **bearer(reader))

    assert response.status_code == 403
    assert Ban.objects.count() == 0
