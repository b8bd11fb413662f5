"""Forgetting what is kept only for a while (BROADSHEET_RETENTION_DAYS): commenters' and
reporters' client hashes, and the words of rejected comments, in the comment and in its
decisions' history. Run by the sweep; each run touches only rows not yet purged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from broadsheet.comments.models import Comment, Report
from broadsheet.moderation.models import Decision

PURGED_TEXT = "[removed after the retention period]"


@dataclass(frozen=True)
class Purged:
    client_hashes: int
    rejected_texts: int


@transaction.atomic
def retention_purge(*, days: int) -> Purged:
    if days <= 0:
        return Purged(0, 0)
    cutoff = timezone.now() - timedelta(days=days)
    hashes = Comment.objects.filter(submitted_at__lt=cutoff).exclude(ip_hash="").update(
        ip_hash=""
    )
    hashes += Report.objects.filter(created_at__lt=cutoff).exclude(
        reporter_ip_hash=""
    ).update(reporter_ip_hash="")
    rejected = Comment.objects.filter(
        status=Comment.Status.REJECTED, decided_at__lt=cutoff
    ).exclude(text=PURGED_TEXT)
    ids = list(rejected.values_list("pk", flat=True)[:5000])
    texts = Comment.objects.filter(pk__in=ids).update(
        text=PURGED_TEXT, text_html=f"<p>{PURGED_TEXT}</p>"
    )
    Decision.objects.filter(comment_id__in=ids).update(
        text_before=PURGED_TEXT, text_after=PURGED_TEXT
    )
    return Purged(hashes, texts)
