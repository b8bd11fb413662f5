"""Bad input in a URL or a body is refused with a 4xx, never a server error."""

from __future__ import annotations

import base64

import pytest

from broadsheet.api.auth import status_token_create
from tests.api.conftest import API, bearer, post_json
from tests.conftest import comment_payload, make_comment

pytestmark = pytest.mark.django_db

HUGE_ID = 2**70


def cursor_of(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


BAD_CURSORS = [
    cursor_of("9999-12-31T23:59:59-14:00|1"),
    cursor_of("0001-01-01T00:00:00+14:00|1"),
    cursor_of(f"2026-01-01T00:00:00+00:00|{HUGE_ID}"),
    cursor_of("2026-01-01T00:00:00+00:00|-5"),
]


@pytest.mark.parametrize("cursor", BAD_CURSORS)
def test_an_article_page_with_an_impossible_cursor_says_the_link_is_broken(
    client, article, cursor
):
    make_comment(article)

    response = client.get(f"{article.get_absolute_url()}?after={cursor}")

    assert response.status_code == 200
    assert b"That link to more comments is broken" in response.content


@pytest.mark.parametrize("cursor", BAD_CURSORS)
def test_the_api_refuses_an_impossible_cursor(client, article, cursor):
    make_comment(article)

    response = client.get(f"{API}/articles/{article.pk}/comments", {"cursor": cursor})

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "cursor"


@pytest.mark.parametrize("field", ["name", "text"])
def test_the_api_refuses_a_lone_surrogate_in_a_posted_comment(client, article, field):
    body = {"name": "Sana", "email": "sana@example.com", "text": "Fair point about the pitch."}
    body[field] = "Fair \ud800 point"

    response = post_json(client, f"/articles/{article.pk}/comments", body)

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


def test_the_api_refuses_a_lone_surrogate_in_a_report_note(client, article):
    comment = make_comment(article)

    response = post_json(
        client, f"/comments/{comment.pk}/reports", {"reason": "spam", "note": "\ud800"}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "note"


def test_the_api_refuses_a_lone_surrogate_in_an_edited_text(client, article, moderator):
    comment = make_comment(article, status="pending")

    response = post_json(
        client, f"/moderation/comments/{comment.pk}/edit-approve",
        {"text": "Edited \ud800 text"}, **bearer(moderator),
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "text"
    comment.refresh_from_db()
    assert comment.status == "pending"


def test_posting_to_an_article_id_beyond_any_row_is_not_found(client, article):
    client.get(article.get_absolute_url())  # a valid CSRF token, as a reader's browser has

    response = client.post("/comments/post/1180591620717411303424/", comment_payload())

    assert response.status_code == 404


@pytest.mark.parametrize("path", [
    "/comments/{huge}/report/", "/comments/{huge}/reply/", "/desk/comments/{huge}/",
    "/desk/comments/{huge}/ban/", "/desk/bans/{huge}/lift/",
])
def test_other_addresses_with_an_id_beyond_any_row_are_not_found(moderator_client, path):
    response = moderator_client.post(path.format(huge=HUGE_ID))

    assert response.status_code == 404


def test_the_desk_refuses_a_bulk_decision_on_an_id_beyond_any_row(moderator_client, article):
    comment = make_comment(article, status="pending")

    response = moderator_client.post(
        "/desk/bulk/",
        {"ids": [str(comment.pk), "9223372036854775808"], "decision": "approve", "next": "/desk/"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 400
    assert b"could not be read" in response.content
    comment.refresh_from_db()
    assert comment.status == "pending"


def test_the_status_endpoint_refuses_an_id_beyond_any_row(client):
    token = status_token_create(comment_id=1)

    response = client.get(f"{API}/comments/{HUGE_ID}/status", {"token": token})

    assert response.status_code == 400


def test_an_article_page_replying_to_an_id_beyond_any_row_shows_the_page(client, article):
    response = client.get(article.get_absolute_url(), {"reply_to": str(HUGE_ID)})

    assert response.status_code == 200


def test_a_reply_to_a_parent_id_beyond_any_row_is_a_form_error(client, article):
    response = client.post(
        f"/comments/post/{article.pk}/", comment_payload(parent=str(HUGE_ID))
    )

    assert response.status_code == 400
