"""Sending webhooks in the background, never in the request that caused the event.

With Celery (REDIS_URL) each delivery is a task and beat sends the due retries; otherwise one
daemon thread of this process sends them, so retries happen under a plain single-process
install too. In the "sync" mode of the test suite they are sent at once.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import timezone

from broadsheet.integrations import webhooks

logger = logging.getLogger(__name__)

# The thread looks for due retries at least this often, and at once when woken.
IDLE_WAKE_SECONDS = 30.0


class WebhookSender:
    """A daemon thread that sends due deliveries, woken when new ones are recorded."""

    def __init__(self) -> None:
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._busy = threading.Event()

    def wake(self) -> None:
        self._ensure_started()
        self._busy.set()
        self._wake.set()

    def start(self) -> None:
        self._ensure_started()

    def stop(self, timeout: float = 10) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def wait_idle(self, timeout: float = 30) -> bool:
        """For tests: wait until a wake-up has been fully handled."""
        deadline = timezone.now().timestamp() + timeout
        while self._busy.is_set() and timezone.now().timestamp() < deadline:
            self._stopping.wait(0.01)
        return not self._busy.is_set()

    def _ensure_started(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stopping.clear()
                self._thread = threading.Thread(
                    target=self._work, name="broadsheet-webhooks", daemon=True
                )
                self._thread.start()

    def _work(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            wait = IDLE_WAKE_SECONDS
            try:
                close_old_connections()
                webhooks.deliver_due()
                due = webhooks.next_due_at()
                if due is not None:
                    wait = max(0.0, min(wait, (due - timezone.now()).total_seconds()))
            except Exception:
                logger.exception("Sending webhooks failed; trying again shortly")
            finally:
                try:
                    connections.close_all()
                except Exception:  # the next round reconnects
                    logger.debug("Could not close connections", exc_info=True)
            if not self._wake.is_set():
                self._busy.clear()
            self._wake.wait(wait)


sender = WebhookSender()


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
