"""With Redis gone, readers still read and commenters still post: the cache fails open."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.test import override_settings

from broadsheet.comments.models import Comment
from tests.conftest import DEAD_REDIS, comment_payload, make_comment


@pytest.mark.django_db
def test_posting_and_reading_work_while_redis_is_down(client, article):
    make_comment(article, text="Already published")
    with override_settings(CACHES=DEAD_REDIS):  # Django rebuilds the cache handler
        assert caches["default"].get("anything", "fallback") == "fallback"
        page = client.get(article.get_absolute_url())
        assert page.status_code == 200 and b"Already published" in page.content
        posted = client.post(f"/comments/post/{article.pk}/", comment_payload())
        assert posted.status_code == 303
    assert Comment.objects.filter(status="pending").count() == 1
