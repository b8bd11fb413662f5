from celery import shared_task

from broadsheet.moderation import pipeline
from broadsheet.moderation.embeddings import article_embedding_refresh


@shared_task(name="broadsheet.scan_comments", acks_late=True)
def scan_comments_task(comment_ids: list[int]) -> int:
    return pipeline.scan_comments(comment_ids)


@shared_task(name="broadsheet.embed_article")
def embed_article_task(article_id: int) -> None:
    article_embedding_refresh(article_id=article_id)


@shared_task(name="broadsheet.sweep")
def sweep_task() -> int:
    return pipeline.sweep()
