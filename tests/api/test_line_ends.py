"""Comment text is stored and served with \\n line ends, whichever way it arrived."""

from __future__ import annotations

import pytest

from broadsheet.comments.models import Comment
from broadsheet.moderation.services import comment_edit_approve
from tests.api.conftest import get_json, post_json
from tests.conftest import comment_payload, make_comment

pytestmark = pytest.mark.django_db

BROWSER_TEXT = "The lift is fixed.\r\nThe escalator is not.\r\n\r\nBoth were broken last week."
STORED_TEXT = "The lift is fixed.\nThe escalator is not.\n\nBoth were broken last week."


def approve_and_read(client, comment_id: int, staff_headers) -> dict:
    post_json(client, f"/moderation/comments/{comment_id}/approve", {}, **staff_headers)
    return get_json(client, f"/comments/{comment_id}").json()


def test_a_comment_posted_from_the_page_form_is_served_with_newlines(
    client, article, staff_headers
):
    response = client.post(f"/comments/post/{article.pk}/", comment_payload(text=BROWSER_TEXT))
    assert response.status_code == 303, response.content.decode()[:500]
    comment = Comment.objects.get()
    assert comment.text == STORED_TEXT
    assert approve_and_read(client, comment.pk, staff_headers)["text"] == STORED_TEXT


def test_a_comment_posted_over_the_api_is_served_with_newlines(client, article, staff_headers):
    posted = post_json(client, f"/articles/{article.pk}/comments", {
        "name": "Sana Malik", "email": "sana@example.com", "text": BROWSER_TEXT + "\r"}).json()
    assert approve_and_read(client, posted["id"], staff_headers)["text"] == STORED_TEXT


def test_a_desk_edit_is_stored_with_newlines(client, article, moderator):
    comment = make_comment(article, status="pending")
    comment_edit_approve(comment=comment, actor=moderator, text=BROWSER_TEXT, max_length=1500)
    comment.refresh_from_db()
    assert comment.text == STORED_TEXT
    assert comment.text_html.count("<p>") == 2
