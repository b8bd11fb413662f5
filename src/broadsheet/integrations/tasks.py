"""Sending webhooks in the background, never in the request that caused the event.

With Celery (REDIS_URL) each delivery is a task and beat sends the due retries; otherwise one
daemon thread of this process sends them, so retries happen under a plain single-process
install too. In the "sync" mode of the test suite they are sent at once.
"""

from __future__ import annotations

import logging

from django.conf import settings

from broadsheet.core.background import DueWorkThread
from broadsheet.integrations import webhooks

logger = logging.getLogger(__name__)

sender = DueWorkThread("broadsheet-webhooks", webhooks.deliver_due, webhooks.next_due_at)


def dispatch(delivery_ids: list[int]) -> None:
    """Send these new deliveries in the background (already committed)."""
    if not delivery_ids:
        return
    mode = settings.BROADSHEET_TASK_RUNNER
    if mode == "sync":
        for pk in delivery_ids:
            webhooks.delivery_attempt(delivery_id=pk)
        return
    if mode == "celery":
        from broadsheet.integrations import celery_tasks

        for pk in delivery_ids:
            try:
                celery_tasks.deliver_webhook_task.delay(pk)
            except Exception:  # broker down: beat's sweep sends it once it is back
                logger.warning("Could not queue webhook delivery %s; the sweep will send it", pk)
        return
    sender.wake()
