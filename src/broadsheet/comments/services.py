"""What readers do to comments: post them and report them."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from broadsheet.articles.models import Article
from broadsheet.comments.models import Comment, Report
from broadsheet.core.ratelimit import limit_exceeded

DOUBLE_SUBMIT_WINDOW = timedelta(minutes=1)
REPORTS_PER_MINUTE = 10


def comment_fingerprint(*, article_id: int, author_email: str, text: str) -> str:
    normalised = " ".join(text.split()).lower()
    key = f"{article_id}\n{author_email.strip().lower()}\n{normalised}"
    return hashlib.sha256(key.encode()).hexdigest()


def text_fingerprint(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).lower().encode()).hexdigest()


def commenter_over_rate_limit(*, ip: str, email: str, per_minute: int) -> bool:
    """Count this post against both the address and the email; over either one is too many."""
    over_ip = limit_exceeded("comment-ip", ip, per_minute)
    over_email = limit_exceeded("comment-email", email.strip().lower(), per_minute)
    return over_ip or over_email


def _first_duplicate(fingerprint: str, *, since) -> Comment | None:
    """The earliest comment with this fingerprint since SINCE, if any.

    Almost every post has none, so the check selects ids only: building the SQL for all of a
    comment's columns, with an ORDER BY, costs more than the lookup itself. The whole row is
    read only when there is a duplicate to return.
    """
    recent = Comment.objects.filter(fingerprint=fingerprint, submitted_at__gte=since)
    if not recent.values_list("pk", flat=True)[:1]:
        return None
    return recent.order_by("submitted_at", "pk").first()


def comment_submit(
    *,
    article: Article,
    author_name: str,
    author_email: str,
    text: str,
    parent: Comment | None = None,
    user: AbstractBaseUser | None = None,
    ip_hash: str = "",
) -> tuple[Comment, bool]:
    """Store a new comment as pending and queue its scan. Returns (comment, created).

    A second identical submit within a minute returns the first comment instead of a copy.
    The checks read before the write transaction: on SQLite a transaction holds the one
    write lock from its start, so it is kept to the insert (and a ban's rejection).
    """
    from broadsheet.moderation import services as moderation_services
    from broadsheet.moderation import tasks

    fingerprint = comment_fingerprint(article_id=article.pk, author_email=author_email, text=text)
    now = timezone.now()
    duplicate = _first_duplicate(fingerprint, since=now - DOUBLE_SUBMIT_WINDOW)
    if duplicate is not None:
        return duplicate, False
    user = user if user is not None and user.is_authenticated else None
    banned = moderation_services.commenter_is_banned(email=author_email, user=user)

    comment = Comment(
        article=article,
        parent=parent,
        thread_root_id=(parent.thread_root_id or parent.pk) if parent else None,
        depth=parent.depth + 1 if parent else 0,
        user=user,
        author_name=author_name.strip(),
        author_email=author_email.strip(),
        ip_hash=ip_hash,
        text=text.strip(),
        fingerprint=fingerprint,
        text_fingerprint=text_fingerprint(text),
        status=Comment.Status.PENDING,
        submitted_at=now,
    )
    comment.render_text()
    with transaction.atomic():
        comment.save(force_insert=True)
        if banned:
            comment = moderation_services.comment_reject_banned(comment=comment)
        else:
            transaction.on_commit(lambda: tasks.enqueue_scan(comment.pk))
    return comment, True


@transaction.atomic
def comment_report(
    *,
    comment: Comment,
    reason: str,
    note: str = "",
    reporter: AbstractBaseUser | None = None,
    reporter_ip_hash: str = "",
) -> Report:
    """A reader flags a published comment; it enters the desk's Reported queue."""
    report = Report.objects.create(
        comment=comment,
        reason=reason,
        note=note.strip(),
        reporter=reporter if reporter is not None and reporter.is_authenticated else None,
        reporter_ip_hash=reporter_ip_hash,
    )
    Comment.objects.filter(pk=comment.pk).update(open_report_count=F("open_report_count") + 1)
    return report
