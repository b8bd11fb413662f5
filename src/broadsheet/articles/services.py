from __future__ import annotations

from django.db import transaction

from broadsheet.articles.cache import article_changed
from broadsheet.articles.models import Article


def article_saved(*, article: Article) -> None:
    """After an editor saves an article: refresh caches and its stored embeddings."""
    from broadsheet.moderation import tasks

    article_changed(article.pk)
    if article.status == Article.Status.PUBLISHED:
        article_id = article.pk
        transaction.on_commit(lambda: tasks.enqueue_article_embedding(article_id))
