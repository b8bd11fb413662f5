from __future__ import annotations

from django.db import transaction

from broadsheet.articles.cache import article_changed
from broadsheet.articles.models import Article
from broadsheet.articles.signals import article_published


def article_saved(*, article: Article) -> None:
    """After an editor saves an article: refresh caches and, once committed, announce a
    published one (``article_published``: the moderation app refreshes its embeddings)."""
    article_changed(article.pk)
    if article.status == Article.Status.PUBLISHED:
        article_id = article.pk
        transaction.on_commit(
            lambda: article_published.send(sender=Article, article_id=article_id)
        )
