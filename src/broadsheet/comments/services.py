"""What readers do to comments: post them and report them."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from functools import lru_cache

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from broadsheet.articles.models import Article
from broadsheet.comments.models import Comment, Report
from broadsheet.core.ratelimit import limit_exceeded
from broadsheet.core.sql import insert_statement, insert_values
from broadsheet.core.text import normalize_newlines

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


@lru_cache(maxsize=4)
def _submit_checks_sql(vendor: str) -> str:
    from broadsheet.moderation.models import Ban

    quote = connection.ops.quote_name
    return (
        f"SELECT (SELECT id FROM {quote(Comment._meta.db_table)} "
        "WHERE fingerprint = %s AND submitted_at >= %s ORDER BY submitted_at, id LIMIT 1), "
        f"EXISTS (SELECT 1 FROM {quote(Ban._meta.db_table)} WHERE lifted_at IS NULL "
        "AND ((%s <> '' AND LOWER(email) = %s) OR user_id = %s))"
    )


def _submit_checks(
    *, fingerprint: str, since, email: str, user: AbstractBaseUser | None
) -> tuple[int | None, bool]:
    """The earliest comment with this fingerprint since SINCE (a double submit), and whether
    the commenter is banned, in one round trip: both are asked on every post, and building
    two ORM queries cost more than answering them."""
    email = email.strip().lower()
    since_value = Comment._meta.get_field("submitted_at").get_db_prep_save(since, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            _submit_checks_sql(connection.vendor),
            [fingerprint, since_value, email, email, user.pk if user is not None else None],
        )
        duplicate_id, banned = cursor.fetchone()
    return duplicate_id, bool(banned)


def _insert(comment: Comment) -> None:
    """Store a new COMMENT (text_html already rendered) with one prepared INSERT: every post
    runs it, and the ORM's save() spent longer assembling the statement than SQLite took to
    run it. Fields are prepared exactly as save() prepares them."""
    sql, fields = insert_statement(Comment, connection.vendor, returning_id=True)
    params = insert_values(comment, fields)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        comment.pk = cursor.fetchone()[0] if sql.endswith("RETURNING id") else cursor.lastrowid
    comment._state.adding = False
    comment._state.db = connection.alias


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

    text = normalize_newlines(text).strip()
    fingerprint = comment_fingerprint(article_id=article.pk, author_email=author_email, text=text)
    now = timezone.now()
    user = user if user is not None and user.is_authenticated else None
    duplicate_id, banned = _submit_checks(
        fingerprint=fingerprint, since=now - DOUBLE_SUBMIT_WINDOW, email=author_email, user=user
    )
    if duplicate_id is not None:
        return Comment.objects.get(pk=duplicate_id), False

    comment = Comment(
        article=article,
        parent=parent,
        thread_root_id=(parent.thread_root_id or parent.pk) if parent else None,
        depth=parent.depth + 1 if parent else 0,
        user=user,
        author_name=author_name.strip(),
        author_email=author_email.strip(),
        ip_hash=ip_hash,
        text=text,
        fingerprint=fingerprint,
        text_fingerprint=text_fingerprint(text),
        status=Comment.Status.PENDING,
        submitted_at=now,
    )
    comment.render_text()
    with transaction.atomic():
        _insert(comment)
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
