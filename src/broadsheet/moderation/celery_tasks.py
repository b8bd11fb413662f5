import logging

from celery import shared_task
from celery.signals import worker_process_init

from broadsheet.moderation import pipeline
from broadsheet.moderation.embeddings import article_embedding_refresh
from broadsheet.moderation.tasks import SCAN_BATCH_SIZE

logger = logging.getLogger(__name__)


@worker_process_init.connect
def _load_models(**kwargs) -> None:
    # Each worker process loads the models when it starts, not on its first comment.
    try:
        pipeline.warm_up()
    except Exception:
        logger.exception("Could not load the scanners' models in advance")


@shared_task(name="broadsheet.scan_comments", acks_late=True)
def scan_comments_task(comment_ids: list[int]) -> int:
    ids = list(comment_ids)
    ids += pipeline.queued_behind(ids, limit=SCAN_BATCH_SIZE - len(ids))
    return pipeline.scan_comments(ids)


@shared_task(name="broadsheet.embed_article")
def embed_article_task(article_id: int) -> None:
    article_embedding_refresh(article_id=article_id)


@shared_task(name="broadsheet.sweep")
def sweep_task() -> int:
    return pipeline.sweep()
