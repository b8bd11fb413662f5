"""The sweep: find the comments whose scan was lost, failed or never ran, and scan them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from broadsheet.comments.models import Comment
from broadsheet.moderation.pipeline.decide import scan_comments
from broadsheet.moderation.pipeline.store import CLAIM_TIMEOUT
from broadsheet.moderation.retention import retention_purge

MAX_SCAN_ATTEMPTS = 5


def queued_behind(comment_ids: Sequence[int], limit: int) -> list[int]:
    """Other comments waiting for their first scan, oldest first, to join a worker's batch.

    A Celery task is queued per comment; the first task to run takes the comments queued
    behind it, and their own tasks then find them claimed and return at once.
    """
    if limit <= 0:
        return []
    return list(
        Comment.objects.filter(
            status=Comment.Status.PENDING, scan_state=Comment.ScanState.UNSCANNED
        )
        .exclude(pk__in=list(comment_ids))
        .order_by("submitted_at")
        .values_list("pk", flat=True)[:limit]
    )


def comments_needing_scan(limit: int = 200) -> list[int]:
    """Pending comments that were never scanned, failed, or whose worker vanished."""
    from django.conf import settings

    now = timezone.now()
    settle = timedelta(seconds=settings.BROADSHEET_SCAN_SWEEP_AFTER_SECONDS)
    return list(
        Comment.objects.filter(status=Comment.Status.PENDING, scan_attempts__lt=MAX_SCAN_ATTEMPTS)
        .filter(
            Q(scan_state=Comment.ScanState.UNSCANNED, submitted_at__lt=now - settle)
            | Q(scan_state=Comment.ScanState.FAILED)
            | Q(scan_state=Comment.ScanState.SCANNING, scan_claimed_at__lt=now - CLAIM_TIMEOUT)
        )
        .order_by("submitted_at")
        .values_list("pk", flat=True)[:limit]
    )


def sweep(*, max_rounds: int = 20) -> int:
    """Rescan what was lost, in batches, until nothing is left; returns how many. Also
    forgets what the retention setting says to forget."""
    retention_purge(days=settings.BROADSHEET_RETENTION_DAYS)
    total = 0
    for _ in range(max_rounds):
        ids = comments_needing_scan(limit=500)
        if not ids:
            break
        scanned = 0
        for start in range(0, len(ids), 50):
            scanned += scan_comments(ids[start : start + 50])
        total += scanned
        if scanned == 0:
            break  # all claimed by someone else or all failing: try again next sweep
    return total
