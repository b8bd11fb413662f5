"""Publishing an article tells the moderation app, which embeds it for the relevance scanner."""

from __future__ import annotations

import pytest

from broadsheet.articles.services import article_saved
from broadsheet.moderation.models import ArticleEmbedding
from tests.conftest import make_article

pytestmark = pytest.mark.django_db


def test_a_published_article_is_embedded_once_its_save_commits(
    section, settings, django_capture_on_commit_callbacks
):
    settings.BROADSHEET_SCANNING = True
    published = make_article(section)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        article_saved(article=published)
        assert not ArticleEmbedding.objects.filter(article=published).exists()
    for callback in callbacks:
        callback()

    assert ArticleEmbedding.objects.filter(article=published).exists()


def test_a_draft_is_not_embedded(section, settings, django_capture_on_commit_callbacks):
    settings.BROADSHEET_SCANNING = True
    draft = make_article(section, status="draft")

    with django_capture_on_commit_callbacks(execute=True):
        article_saved(article=draft)

    assert not ArticleEmbedding.objects.filter(article=draft).exists()
