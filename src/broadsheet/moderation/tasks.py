"""Background work, queued only after the comment's transaction commits.

With REDIS_URL (or CELERY_BROKER_URL) the work goes to Celery workers; otherwise one daemon
thread in this process runs it, so a single-machine install needs no other service. If the
broker is down the comment is still stored: the periodic sweep scans it later.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connections

logger = logging.getLogger(__name__)

# A queued job: the function (None: stop()'s wake-up), its arguments, when it was queued, and
# whether comments were streaming in then.
Job = tuple[Callable[..., None] | None, tuple[Any, ...], float, bool]

SCAN_BATCH_SIZE = 50
# While comments stream in, the runner waits up to this long after the first comment of a
# batch was queued, for others to join it: a batch's fixed cost (the claim, reading the
# settings, one turn of the write lock) is then shared. A reader waits at most this much longer
# for the decision, and only on a busy site: a comment queued alone is scanned at once.
SCAN_LINGER_SECONDS = 0.05
# "Streaming" = queued less than this after the comment before it.
STREAMING_GAP_SECONDS = 0.1
# A serving process scans its comments after responses (see InProcessRunner.after_response)
# once this many wait, or once the first has waited SCAN_LINGER_SECONDS.
SCAN_AFTER_RESPONSE_BATCH = 24
# ...and the runner's thread scans those no response took after this long.
DEFERRED_FALLBACK_SECONDS = 0.1


def _scan(comment_ids: list[int]) -> None:
    from broadsheet.moderation.pipeline import scan_comments

    scan_comments(comment_ids)


def _scan_deferred(batch: int) -> None:
    """A wake-up job: scan the comments deferred to after responses that none has taken."""


def _embed_article(article_id: int) -> None:
    from broadsheet.moderation.embeddings import article_embedding_refresh

    article_embedding_refresh(article_id=article_id)


class InProcessRunner:
    """One worker thread draining a queue, with the sweep every minute."""

    def __init__(self) -> None:
        # Jobs are (func, args, queued_at, streaming); see submit().
        self._jobs: queue.Queue[Job] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        # The first sweep comes soon after start: comments may have been left by a crash.
        self._last_sweep = 0.0
        self._last_scan_queued = float("-inf")
        self._warm_up = False
        # Comments a serving process scans after its responses; see after_response().
        self.scan_after_responses = False
        self._deferred: list[int] = []
        self._deferred_since = 0.0
        self._deferred_batch = 0
        self._deferred_lock = threading.Lock()

    def submit(self, func: Callable[..., None], *args: Any) -> None:
        self._ensure_started()
        now = time.monotonic()
        streaming = False
        if func is _scan:
            streaming = now - self._last_scan_queued < STREAMING_GAP_SECONDS
            self._last_scan_queued = now
            if self.scan_after_responses:
                self._defer(list(args[0]), now, streaming)
                return
        self._jobs.put((func, args, now, streaming))

    def _defer(self, ids: list[int], now: float, streaming: bool) -> None:
        with self._deferred_lock:
            first = not self._deferred
            if first:
                self._deferred_since = now
                self._deferred_batch += 1
            self._deferred.extend(ids)
            batch = self._deferred_batch
        if first:
            # If no response takes this batch in time, the thread scans it: at once for a
            # lone comment, after a while when comments stream in.
            self._jobs.put((_scan_deferred, (batch,), now, streaming))

    def take_deferred(self, *, force: bool = False, batch: int | None = None) -> list[int]:
        """The comments waiting to be scanned after a response, if their batch is due (or
        FORCE); each id is handed out once. BATCH: only if the waiting comments are still
        that batch (the runner's fallback must not take a newer one from the responses)."""
        with self._deferred_lock:
            if not self._deferred or batch not in (None, self._deferred_batch):
                return []
            due = (
                force
                or len(self._deferred) >= SCAN_AFTER_RESPONSE_BATCH
                or time.monotonic() - self._deferred_since >= SCAN_LINGER_SECONDS
            )
            if not due:
                return []
            ids, self._deferred = self._deferred, []
            return ids

    def after_response(self, **_kwargs: Any) -> None:
        """request_finished receiver of a serving process: scan the comments that are due.

        A sync gunicorn worker sends the whole response before closing it, so the reader
        does not wait for this. Scanning here rather than in the runner's thread keeps the two
        threads from taking turns on the GIL under load, which cost both of them CPU.
        """
        ids = self.take_deferred()
        if not ids:
            return
        try:
            _scan(ids)
        except Exception:  # the comments stay pending; the sweep scans them
            logger.exception("Scanning comments %s after a response failed", ids)

    def start(self) -> None:
        """Start the thread before any job, so the sweep runs on a quiet server too; it loads
        the scanners' models first, so the first comment is not kept waiting for them."""
        self._warm_up = True
        self._ensure_started()

    def stop(self, timeout: float = 10) -> None:
        """For tests: end the thread once the jobs already queued have run."""
        self._stopping.set()
        self._jobs.put((None, (), time.monotonic(), False))
        if self._thread is not None:
            self._thread.join(timeout)

    def _ensure_started(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stopping.clear()
                self._thread = threading.Thread(
                    target=self._work, name="broadsheet-scanner", daemon=True
                )
                self._thread.start()

    def _scan_batch(
        self, ids: list[int], queued_at: float, streaming: bool
    ) -> tuple[list[int], int]:
        """IDS plus the comments queued behind them, up to SCAN_BATCH_SIZE; returns the ids
        and how many further jobs were taken.

        Scanning comments in one batch is far cheaper per comment. Comments already waiting
        are always taken; while comments stream in, the runner also waits for more until
        SCAN_LINGER_SECONDS after the first was queued (no wait if it queued longer ago).
        """
        deadline = queued_at + SCAN_LINGER_SECONDS if streaming else 0.0
        taken = 0
        while len(ids) < SCAN_BATCH_SIZE:
            wait = deadline - time.monotonic()
            try:
                job = self._jobs.get(timeout=wait) if wait > 0 else self._jobs.get_nowait()
            except queue.Empty:
                break
            if job[0] is not _scan:
                self._jobs.put(job)
                self._jobs.task_done()
                break
            ids.extend(job[1][0])
            taken += 1
        return ids, taken

    def _work(self) -> None:
        if self._warm_up:
            try:
                from broadsheet.moderation.pipeline import warm_up

                warm_up()
            except Exception:  # the first real scan loads them, or reports what is wrong
                logger.exception("Could not load the scanners' models in advance")
        while True:
            try:
                job = self._jobs.get(timeout=5)
            except queue.Empty:
                job = None
            if job is not None and job[0] is None:  # stop()'s wake-up, behind every job
                self._jobs.task_done()
                if self._stopping.is_set():
                    self._close_connections(idle=True)
                    return
                continue
            func: Callable[..., None] | None = None
            args: tuple[Any, ...] = ()
            extra = 0
            if job is not None:
                func, args, queued_at, streaming = job
                if func is _scan:
                    ids, extra = self._scan_batch(list(args[0]), queued_at, streaming)
                    args = (ids,)
                elif func is _scan_deferred:
                    # While comments stream in, the responses that follow take them; this
                    # thread is the fallback for the last ones of a stream.
                    wait = (
                        queued_at + DEFERRED_FALLBACK_SECONDS - time.monotonic()
                        if streaming else 0
                    )
                    if wait > 0:
                        self._stopping.wait(wait)  # stop() ends the wait
                    func, args = _scan, (self.take_deferred(force=True, batch=args[0]),)
            every = settings.BROADSHEET_SWEEP_EVERY_SECONDS
            sweep_due = bool(every) and time.monotonic() - self._last_sweep > every
            if func is None and not sweep_due:
                self._close_connections(idle=True)
                continue
            try:
                close_old_connections()
                if func is not None:
                    func(*args)
                if sweep_due:
                    self._last_sweep = time.monotonic()
                    from broadsheet.moderation.pipeline import sweep

                    sweep()
            except Exception:
                logger.exception("Background job failed; the sweep will retry it")
            finally:
                if func is not None:
                    for _ in range(1 + extra):
                        self._jobs.task_done()
                self._close_connections(idle=func is None)

    @staticmethod
    def _close_connections(*, idle: bool) -> None:
        # The connection is kept while comments keep coming (opening one, with its PRAGMAs,
        # costs more than scanning a comment); after a quiet spell it is given back.
        try:
            if idle:
                connections.close_all()
            else:
                close_old_connections()
        except Exception:  # the database may be what failed; the next job reconnects
            logger.debug("Could not close database connections", exc_info=True)

    def wait_idle(self, timeout: float = 30) -> bool:
        """For tests and benchmarks: wait until every queued job has run."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._jobs.unfinished_tasks == 0 and not self._deferred:
                return True
            time.sleep(0.01)
        return False


runner = InProcessRunner()


def _dispatch(func: Callable[..., None], celery_task_name: str, *args: Any) -> None:
    mode = settings.BROADSHEET_TASK_RUNNER
    if mode == "sync":
        func(*args)
        return
    if mode == "celery":
        from broadsheet.moderation import celery_tasks

        try:
            getattr(celery_tasks, celery_task_name).delay(*args)
        except Exception:
            # Broker unreachable: the comment is stored; the sweep will scan it later.
            logger.warning(
                "Could not queue %s%s; the sweep will pick it up", celery_task_name, args
            )
        return
    runner.submit(func, *args)


def enqueue_scan(comment_id: int) -> None:
    if not settings.BROADSHEET_SCANNING:
        return
    _dispatch(_scan, "scan_comments_task", [comment_id])


def enqueue_article_embedding(article_id: int) -> None:
    if not settings.BROADSHEET_SCANNING:
        return
    _dispatch(_embed_article, "embed_article_task", article_id)
