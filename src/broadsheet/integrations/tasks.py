"""Sending webhooks in the background, never in the request that caused the event.

With Celery (REDIS_URL) each delivery is a task and beat sends the due retries; otherwise one
daemon thread of this process sends them, so retries happen under a plain single-process
install too. In the "sync" mode of the test suite they are sent at once.
"""

from __future__ import annotations

from broadsheet.core.background import DueWorkThread, Outbox
from broadsheet.integrations import webhooks


def _queue(delivery_id: int) -> None:
    # Imported here: only a Celery set-up loads the tasks module.
    from broadsheet.integrations import celery_tasks

    celery_tasks.deliver_webhook_task.delay(delivery_id)


outbox = Outbox(
    what="webhook delivery",
    thread=DueWorkThread("broadsheet-webhooks", webhooks.deliver_due, webhooks.next_due_at),
    send_one=lambda pk: webhooks.delivery_attempt(delivery_id=pk),
    queue_one=_queue,
)
sender = outbox.sender
dispatch = outbox.dispatch
