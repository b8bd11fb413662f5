"""A daemon thread that works through rows due for sending (webhooks, emails) when there is
no Celery: woken when new work is recorded, and at the next due retry otherwise."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import timezone

logger = logging.getLogger(__name__)

# The thread looks for due work at least this often, and at once when woken.
IDLE_WAKE_SECONDS = 30.0


class DueWorkThread:
    """Runs SEND_DUE (sends what is due, returns how many) in a daemon thread, then sleeps
    until NEXT_DUE_AT (the earliest retry, or None) or until woken."""

    def __init__(
        self, name: str, send_due: Callable[[], int], next_due_at: Callable[[], datetime | None]
    ) -> None:
        self.name = name
        self._send_due = send_due
        self._next_due_at = next_due_at
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
                self._thread = threading.Thread(target=self._work, name=self.name, daemon=True)
                self._thread.start()

    def _work(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            wait = IDLE_WAKE_SECONDS
            try:
                close_old_connections()
                self._send_due()
                due = self._next_due_at()
                if due is not None:
                    wait = max(0.0, min(wait, (due - timezone.now()).total_seconds()))
            except Exception:
                logger.exception("%s failed; trying again shortly", self.name)
            finally:
                try:
                    connections.close_all()
                except Exception:  # the next round reconnects
                    logger.debug("Could not close connections", exc_info=True)
            if not self._wake.is_set():
                self._busy.clear()
            self._wake.wait(wait)


class Outbox:
    """Where new rows due for sending go once their transaction committed: sent at once in
    the test suite's "sync" mode, a Celery task each with a broker (beat sends the retries,
    and a row whose task could not be queued), else the daemon thread of this process."""

    def __init__(
        self,
        *,
        what: str,
        thread: DueWorkThread,
        send_one: Callable[[int], object],
        queue_one: Callable[[int], object],
    ) -> None:
        self.what = what
        self.sender = thread
        self._send_one = send_one
        self._queue_one = queue_one

    def dispatch(self, ids: list[int]) -> None:
        if not ids:
            return
        mode = settings.BROADSHEET_TASK_RUNNER
        if mode == "sync":
            for pk in ids:
                self._send_one(pk)
            return
        if mode == "celery":
            for pk in ids:
                try:
                    self._queue_one(pk)
                except Exception:  # broker down: beat's sweep sends it once it is back
                    logger.warning("Could not queue %s %s; the sweep will send it", self.what, pk)
            return
        self.sender.wake()
