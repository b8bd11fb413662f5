"""Article embeddings for the relevance scanner, computed once per published version."""

from __future__ import annotations

import hashlib

from broadsheet.articles.models import Article
from broadsheet.core.text import plain_text_from_markdown
from broadsheet.moderation.models import ArticleEmbedding


def article_embedding_refresh(*, article_id: int) -> ArticleEmbedding | None:
    from broadsheet.moderation import embedder

    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        return None
    body = plain_text_from_markdown(article.body)
    model_name = getattr(embedder, "MODEL_NAME", "static")
    source = f"{model_name}\n{article.headline}\n{article.deck}\n{body}"
    source_hash = hashlib.sha256(source.encode()).hexdigest()
    existing = ArticleEmbedding.objects.filter(article=article).first()
    if existing is not None and existing.source_hash == source_hash:
        return existing
    vectors = embedder.embed_article(article.headline, article.deck, body)
    stored, _ = ArticleEmbedding.objects.update_or_create(
        article=article,
        defaults={
            "vectors": embedder.to_bytes(vectors),
            "source_hash": source_hash,
            "model_name": model_name,
        },
    )
    return stored
