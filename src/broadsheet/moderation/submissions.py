"""Moderation's part in submitting a comment, registered with comments.hooks by apps.py:
whether the commenter is banned, asked in comment_submit's one statement, and what becomes
of a new comment (a banned commenter's is rejected at once, any other's scan is queued)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from django.db import connection, transaction

from broadsheet.comments.hooks import SubmitHooks
from broadsheet.comments.models import Comment
from broadsheet.moderation import services, tasks
from broadsheet.moderation.models import Ban


@lru_cache(maxsize=4)
def banned_sql(vendor: str) -> str:
    """A ban in force (Ban.objects.in_force) on the mailbox, the account or the client,
    written out: it is asked on every post, inside comment_submit's own statement."""
    quote = connection.ops.quote_name
    return (
        f"EXISTS (SELECT 1 FROM {quote(Ban._meta.db_table)} WHERE lifted_at IS NULL "
        "AND (expires_at IS NULL OR expires_at > %s) "
        "AND ((%s <> '' AND email_key = %s) OR user_id = %s OR (%s <> '' AND ip_hash = %s)))"
    )


def banned_params(now: Any, mailbox: str, user_id: int | None, ip_hash: str) -> Sequence[Any]:
    return (now, mailbox, mailbox, user_id, ip_hash, ip_hash)


def comment_submitted(comment: Comment, banned: bool) -> Comment:
    if banned:
        return services.comment_reject_banned(comment=comment)
    comment_id = comment.pk
    transaction.on_commit(lambda: tasks.enqueue_scan(comment_id))
    return comment


SUBMIT_HOOKS = SubmitHooks(
    banned_sql=banned_sql, banned_params=banned_params, comment_submitted=comment_submitted
)
