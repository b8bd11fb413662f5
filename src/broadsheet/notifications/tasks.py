"""Sending emails in the background, never in the request whose decision caused them.

The same arrangement as webhook deliveries (integrations.tasks): a Celery task per email with
REDIS_URL (beat sends the due retries), else one daemon thread of this process; at once in
the test suite's "sync" mode.
"""

from __future__ import annotations

import logging

from django.conf import settings

from broadsheet.core.background import DueWorkThread
from broadsheet.notifications import services

logger = logging.getLogger(__name__)

sender = DueWorkThread("broadsheet-emails", services.send_due, services.next_due_at)


def dispatch(notification_ids: list[int]) -> None:
    """Send these new (committed) emails in the background."""
    if not notification_ids:
        return
    mode = settings.BROADSHEET_TASK_RUNNER
    if mode == "sync":
        for pk in notification_ids:
            services.notification_send(notification_id=pk)
        return
    if mode == "celery":
        from broadsheet.notifications import celery_tasks

        for pk in notification_ids:
            try:
                celery_tasks.send_notification_task.delay(pk)
            except Exception:  # broker down: beat's sweep sends it once it is back
                logger.warning("Could not queue email %s; the sweep will send it", pk)
        return
    sender.wake()
