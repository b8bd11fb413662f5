"""What readers do to comments: post them and report them."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from django.contrib.auth.models import AbstractBaseUser, User
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models import F
from django.utils import timezone

from broadsheet.articles.models import Article
from broadsheet.comments.hooks import SubmitHooks, submit_hooks
from broadsheet.comments.models import Comment, Report
from broadsheet.comments.signals import comment_created, comment_reported, send_on_commit
from broadsheet.core.emails import mailbox_key
from broadsheet.core.languages import current_language
from broadsheet.core.ratelimit import RateVerdict, limits_exceeded
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


def commenter_over_rate_limit(*, ip: str, email: str, per_minute: int) -> RateVerdict:
    """Count this post against both the address and the email (in one round trip); over
    either one is too many."""
    return limits_exceeded(
        [("comment-ip", ip), ("comment-email", email.strip().lower())], per_minute
    )


@lru_cache(maxsize=4)
def _submit_checks_sql(vendor: str, banned_sql: Callable[[str], str]) -> str:
    quote = connection.ops.quote_name
    return (
        f"SELECT (SELECT id FROM {quote(Comment._meta.db_table)} "
        "WHERE fingerprint = %s AND submitted_at >= %s ORDER BY submitted_at, id LIMIT 1), "
        + banned_sql(vendor)
    )


def _submit_checks(
    *,
    hooks: SubmitHooks,
    fingerprint: str,
    since,
    email: str,
    user: AbstractBaseUser | None,
    ip_hash: str = "",
) -> tuple[int | None, bool]:
    """The earliest comment with this fingerprint since SINCE (a double submit), and whether
    the commenter is banned (by mailbox, account or client; moderation's condition, from
    HOOKS), in one round trip: both are asked on every post, and building two ORM queries
    cost more than answering them."""
    # The connection itself: through django.db.connection's proxy each attribute read while
    # preparing the times looked it up again.
    db = connections[DEFAULT_DB_ALIAS]
    prepare_time = Comment._meta.get_field("submitted_at").get_db_prep_save
    since_value = prepare_time(since, db)
    now_value = prepare_time(timezone.now(), db)
    banned_params = hooks.banned_params(
        now_value, mailbox_key(email), user.pk if user is not None else None, ip_hash
    )
    with db.cursor() as cursor:
        cursor.execute(
            _submit_checks_sql(db.vendor, hooks.banned_sql),
            [fingerprint, since_value, *banned_params],
        )
        duplicate_id, banned = cursor.fetchone()
    return duplicate_id, bool(banned)


def _insert(comment: Comment) -> None:
    """Store a new COMMENT (text_html already rendered) with one prepared INSERT: every post
    runs it, and the ORM's save() spent longer assembling the statement than SQLite took to
    run it. Fields are prepared exactly as save() prepares them."""
    db = connections[DEFAULT_DB_ALIAS]
    sql, fields = insert_statement(Comment, db.vendor, returning_id=True)
    params = insert_values(comment, fields)
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        comment.pk = cursor.fetchone()[0] if sql.endswith("RETURNING id") else cursor.lastrowid
    comment._state.adding = False
    comment._state.db = db.alias


@dataclass(frozen=True)
class PostLimit:
    """The per-minute limit a post counts against: its address's and its mailbox's."""

    ip: str
    email: str
    per_minute: int


class CommentRateLimited(Exception):
    """Too many posts from this address or mailbox in the last minute: nothing was stored."""

    def __init__(self, verdict: RateVerdict) -> None:
        super().__init__("Too many comments in the last minute.")
        self.verdict = verdict


def _count_post(limit: PostLimit) -> RateVerdict:
    return commenter_over_rate_limit(ip=limit.ip, email=limit.email, per_minute=limit.per_minute)


def comment_submit(
    *,
    article: Article,
    author_name: str,
    author_email: str,
    text: str,
    parent: Comment | None = None,
    user: User | None = None,
    ip_hash: str = "",
    limit: PostLimit | None = None,
) -> tuple[Comment, bool]:
    """Store a new comment as pending and have moderation queue its scan (or reject it at
    once, for a banned commenter: comments.hooks). Returns (comment, created).

    With LIMIT the post is counted first, and CommentRateLimited is raised (nothing stored but
    the count) when it is one too many. On SQLite the count is part of the comment's
    transaction, so a post takes the write lock once, not twice; on PostgreSQL it is a
    statement of its own, so the counter's row (one per address) is not locked for the whole
    post.

    A second identical submit within a minute returns the first comment instead of a copy,
    also when both arrive at the same instant: the check and the insert are one transaction,
    which SQLite runs alone (it takes the write lock at BEGIN) and PostgreSQL serialises per
    fingerprint with an advisory lock. The checks are the transaction's first read, so on
    SQLite the write lock is held only a lookup longer than the insert alone.
    """
    hooks = submit_hooks()  # before anything is stored: raises if moderation is missing
    text = normalize_newlines(text).strip()
    fingerprint = comment_fingerprint(article_id=article.pk, author_email=author_email, text=text)
    now = timezone.now()
    user = user if user is not None and user.is_authenticated else None
    comment = Comment(
        article=article,
        parent=parent,
        thread_root_id=(parent.thread_root_id or parent.pk) if parent else None,
        depth=parent.depth + 1 if parent else 0,
        user=user,
        author_name=author_name.strip(),
        author_email=author_email.strip(),
        ip_hash=ip_hash,
        language=current_language(),
        text=text,
        fingerprint=fingerprint,
        text_fingerprint=text_fingerprint(text),
        status=Comment.Status.PENDING,
        submitted_at=now,
    )
    comment.render_text()
    count_inside = connection.vendor == "sqlite"
    if limit is not None and not count_inside and (verdict := _count_post(limit)):
        raise CommentRateLimited(verdict)
    over: RateVerdict | None = None
    with transaction.atomic():
        if limit is not None and count_inside:
            over = _count_post(limit)  # when over, only the count is committed
        if not over:
            _hold_fingerprint(fingerprint)
            duplicate_id, banned = _submit_checks(
                hooks=hooks, fingerprint=fingerprint, since=now - DOUBLE_SUBMIT_WINDOW,
                email=author_email, user=user, ip_hash=ip_hash,
            )
            if duplicate_id is None:
                _insert(comment)
                send_on_commit(comment_created, comment=comment)
                comment = hooks.comment_submitted(comment, banned)
    if over:
        raise CommentRateLimited(over)
    if duplicate_id is not None:
        return Comment.objects.get(pk=duplicate_id), False
    return comment, True


def _hold_fingerprint(fingerprint: str) -> None:
    """On PostgreSQL, wait for any other transaction posting the same fingerprint to end, so the
    double-submit check after it sees that comment. SQLite needs nothing: its transactions
    take the one write lock at BEGIN and so run one at a time."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        # The lock's key: the fingerprint's first 60 bits, a positive bigint.
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(fingerprint[:15], 16)])


class ReportAlreadyOpen(Exception):
    """This reader's earlier report on the comment is still open."""


def reporter_key(*, reporter: AbstractBaseUser | None, reporter_ip_hash: str) -> str:
    if reporter is not None and reporter.is_authenticated:
        return f"user:{reporter.pk}"
    return f"ip:{reporter_ip_hash}" if reporter_ip_hash else ""


@transaction.atomic
def comment_report(
    *,
    comment: Comment,
    reason: str,
    note: str = "",
    reporter: User | None = None,
    reporter_ip_hash: str = "",
) -> Report:
    """A reader flags a published comment; it enters the desk's Reported queue.

    A reader's second report on a comment while the first is open raises ReportAlreadyOpen
    and stores nothing (a unique constraint decides, so two sent at once store one).
    """
    signed_in = reporter if reporter is not None and reporter.is_authenticated else None
    try:
        with transaction.atomic():
            report = Report.objects.create(
                comment=comment,
                reason=reason,
                note=note.strip(),
                reporter=signed_in,
                reporter_ip_hash=reporter_ip_hash,
                reporter_key=reporter_key(reporter=signed_in, reporter_ip_hash=reporter_ip_hash),
            )
    except IntegrityError as error:
        raise ReportAlreadyOpen from error
    Comment.objects.filter(pk=comment.pk).update(open_report_count=F("open_report_count") + 1)
    send_on_commit(comment_reported, comment=comment, report=report)
    return report
