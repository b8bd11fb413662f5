"""A comment or name made of invisible characters is refused; names lose bidi controls."""

from __future__ import annotations

import pytest

from broadsheet.comments.models import Comment
from tests.api.conftest import post_json
from tests.conftest import comment_payload

pytestmark = pytest.mark.django_db

INVISIBLE = [
    "\u200b\u200b\u200b",  # zero-width spaces
    "\u200c\u200d\u2060\ufeff",  # joiners, word joiner, byte-order mark
    "\u202e\u200f \u3164",  # a right-to-left override, a mark and a Hangul filler
]


@pytest.mark.parametrize("invisible", INVISIBLE)
def test_the_form_refuses_a_comment_of_only_invisible_characters(client, article, invisible):
    response = client.post(f"/comments/post/{article.pk}/", comment_payload(text=invisible))

    assert response.status_code == 400
    assert b"Your comment is made only of invisible characters" in response.content
    assert not Comment.objects.exists()


@pytest.mark.parametrize("invisible", INVISIBLE)
def test_the_form_refuses_a_name_of_only_invisible_characters(client, article, invisible):
    response = client.post(f"/comments/post/{article.pk}/", comment_payload(name=invisible))

    assert response.status_code == 400
    assert b"Enter a name readers can see" in response.content
    assert not Comment.objects.exists()


@pytest.mark.parametrize("field", ["name", "text"])
def test_the_api_refuses_invisible_text_and_names(client, article, field):
    body = {"name": "Sana", "email": "sana@example.com", "text": "A fair point about the pitch."}
    body[field] = "\u200b\u2060\u200b"

    response = post_json(client, f"/articles/{article.pk}/comments", body)

    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert "invisible characters" in response.json()["errors"][0]["message"]
    assert not Comment.objects.exists()


def test_bidi_controls_are_taken_out_of_names_over_the_form_and_the_api(client, article):
    client.post(
        f"/comments/post/{article.pk}/",
        comment_payload(name="Sana \u202eevil\u202c \u2067Malik\u2069"),
    )
    post_json(client, f"/articles/{article.pk}/comments", {
        "name": "\u202dOmar\u200f", "email": "omar@example.com",
        "text": "The outfield looked heavy after the rain.",
    })

    assert sorted(Comment.objects.values_list("author_name", flat=True)) == [
        "Omar", "Sana evil Malik",
    ]


def test_a_name_with_joiners_between_letters_is_kept(client, article):
    client.post(f"/comments/post/{article.pk}/", comment_payload(name="Nima\u200cZ"))

    assert Comment.objects.get().author_name == "Nima\u200cZ"
