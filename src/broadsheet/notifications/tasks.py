"""Sending emails in the background, never in the request whose decision caused them.

The same arrangement as webhook deliveries (core.background.Outbox): a Celery task per email
with REDIS_URL (beat sends the due retries), else one daemon thread of this process; at once
in the test suite's "sync" mode.
"""

from __future__ import annotations

from broadsheet.core.background import DueWorkThread, Outbox
from broadsheet.notifications import services


def _queue(notification_id: int) -> None:
    # Imported here: only a Celery set-up loads the tasks module.
    from broadsheet.notifications import celery_tasks

    celery_tasks.send_notification_task.delay(notification_id)


outbox = Outbox(
    what="email",
    thread=DueWorkThread("broadsheet-emails", services.send_due, services.next_due_at),
    send_one=lambda pk: services.notification_send(notification_id=pk),
    queue_one=_queue,
)
sender = outbox.sender
dispatch = outbox.dispatch
