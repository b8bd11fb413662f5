"""The same comment sent several times at the same instant (a double click, a client that
retries) is stored once, through the form and the API alike."""

from __future__ import annotations

import pytest
from django.test import Client

from broadsheet.comments.models import Comment
from broadsheet.core.models import SiteSettings
from tests.concurrency import at_once
from tests.conftest import comment_payload

ROUNDS = 6
COPIES = 3

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def generous_limits(transactional_db):
    # Many posts from one address in a few seconds: the rate limit is not what is tested here.
    SiteSettings.objects.update_or_create(pk=1, defaults={"comments_per_minute": 500})


def test_identical_form_posts_sent_at_once_are_stored_once(article, generous_limits):
    for round_number in range(ROUNDS):
        payload = comment_payload(
            email=f"reader{round_number}@example.com",
            text=f"Play should have resumed an hour earlier, round {round_number}.",
        )
        responses = at_once(*[
            lambda payload=payload: Client().post(f"/comments/post/{article.pk}/", payload)
            for _ in range(COPIES)
        ])

        assert [r.status_code for r in responses] == [303] * COPIES
        assert Comment.objects.filter(text=payload["text"]).count() == 1
        # Every copy was answered with the one stored comment.
        stored = Comment.objects.get(text=payload["text"])
        assert {r["Location"].rpartition("#")[2] for r in responses} == {f"c{stored.pk}"}


def test_identical_api_posts_sent_at_once_are_stored_once(article, generous_limits):
    for round_number in range(ROUNDS):
        body = {"name": "Sana", "email": f"api{round_number}@example.com",
                "text": f"The outfield looked waterlogged to me, round {round_number}."}
        responses = at_once(*[
            lambda body=body: Client().post(f"/api/v1/articles/{article.pk}/comments", body,
                                            content_type="application/json")
            for _ in range(COPIES)
        ])

        assert [r.status_code for r in responses] == [202] * COPIES
        assert len({r.json()["id"] for r in responses}) == 1
        assert Comment.objects.filter(text=body["text"]).count() == 1
