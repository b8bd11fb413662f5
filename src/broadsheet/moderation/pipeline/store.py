"""The hand-written SQL of the scan, in one place.

Why raw SQL: a batch is often a single comment, and the ORM's statements (building them,
instances with their article, bulk_create, savepoints) cost more than the scanners. Each
statement below replaced an ORM query that `make bench` showed dominating a posted comment's
time (the lock's query with the article joined cost a fifth of it); keep them here, and
keep a shortcut only while the benchmark needs it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model, QuerySet
from django.utils import timezone

from broadsheet.comments.models import Comment
from broadsheet.comments.services import text_fingerprint
from broadsheet.core.sql import concrete_field
from broadsheet.moderation import embedder
from broadsheet.moderation.models import CommentVector

if TYPE_CHECKING:
    from broadsheet.moderation.pipeline.decide import _Scan

# Scans take milliseconds; a claim older than this belongs to a worker that died.
CLAIM_TIMEOUT = timedelta(seconds=60)


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _in_list(count: int) -> str:
    return ", ".join(["%s"] * count)


def _db_datetime(value: datetime) -> Any:
    return concrete_field(Comment, "submitted_at").get_db_prep_save(value, connection)


@lru_cache(maxsize=128)
def _claim_sql(vendor: str, count: int) -> str:
    return (
        f"UPDATE {_table(Comment)} SET scan_state = %s, scan_claimed_at = %s, "
        "scan_attempts = scan_attempts + 1 "
        f"WHERE id IN ({_in_list(count)}) AND status = %s "
        "AND (scan_state IN (%s, %s) OR (scan_state = %s AND scan_claimed_at < %s))"
    )


def claim_update(comment_ids: Sequence[int]) -> datetime:
    """Mark the comments no other worker is scanning as ours; returns the claim's stamp.

    One conditional UPDATE for the whole batch, stamped with this call's time: the rows that
    carry the stamp afterwards are this worker's. On SQLite every separate write queues for
    the one write lock that posting comments needs too. Written as SQL: a batch is often a
    single comment, and building the statement through the ORM cost more than running it.
    """
    now = timezone.now()
    state = Comment.ScanState
    ids = list(comment_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            _claim_sql(connection.vendor, len(ids)),
            [state.SCANNING.value, _db_datetime(now), *ids, Comment.Status.PENDING.value,
             state.UNSCANNED.value, state.FAILED.value, state.SCANNING.value,
             _db_datetime(now - CLAIM_TIMEOUT)],
        )
    return now


def claimed(comment_ids: Sequence[int], stamp: datetime) -> QuerySet[Comment]:
    return Comment.objects.filter(
        pk__in=list(comment_ids), scan_state=Comment.ScanState.SCANNING, scan_claimed_at=stamp
    )


def claim(comment_ids: Sequence[int]) -> list[int]:
    """Take the comments no other worker is scanning; return the ids this worker now owns."""
    if not comment_ids:
        return []
    stamp = claim_update(comment_ids)
    owned = set(claimed(comment_ids, stamp).values_list("pk", flat=True))
    return [pk for pk in comment_ids if pk in owned]


@dataclass(frozen=True)
class ClaimedComment:
    """What the scan reads of a comment, its article and its parent: one row, no model
    instances (building those, with the article's body, cost more than the scanners)."""

    pk: int
    article_id: int
    parent_id: int | None
    text: str
    text_fingerprint: str
    author_email: str
    submitted_at: datetime
    article_title: str
    article_deck: str
    section_policy: str
    parent_text: str | None
    # What the trust rules read (moderation/trust.py), so judging needs no query of its own.
    user_id: int | None = None
    section_trust_hold_first: int | None = None
    section_trust_publish_after: int | None = None
    section_trust_clean_days: int | None = None


@lru_cache(maxsize=128)
def _rows_sql(vendor: str, count: int) -> str:
    from broadsheet.articles.models import Article, Section

    return (
        "SELECT c.id, c.article_id, c.parent_id, c.text, c.text_fingerprint, c.author_email, "
        "c.submitted_at, a.headline, a.deck, s.moderation_policy, p.text, c.user_id, "
        "s.trust_hold_first, s.trust_publish_after, s.trust_clean_days "
        f"FROM {_table(Comment)} c "
        f"INNER JOIN {_table(Article)} a ON a.id = c.article_id "
        f"INNER JOIN {_table(Section)} s ON s.id = a.section_id "
        f"LEFT OUTER JOIN {_table(Comment)} p ON p.id = c.parent_id "
        f"WHERE c.id IN ({_in_list(count)}) AND c.scan_state = %s AND c.scan_claimed_at = %s "
        "ORDER BY c.id"
    )


def _row(values: Sequence) -> ClaimedComment:
    values = list(values)
    # SQLite hands back text for a timestamp; PostgreSQL an aware datetime already.
    convert = getattr(connection.ops, "convert_datetimefield_value", None)
    if convert is not None:
        values[6] = convert(values[6], None, connection)
    return ClaimedComment(*values)


def claimed_rows(comment_ids: Sequence[int], stamp: datetime) -> list[ClaimedComment]:
    """The comments this worker claimed with STAMP, with their article and parent."""
    ids = list(comment_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            _rows_sql(connection.vendor, len(ids)),
            [*ids, Comment.ScanState.SCANNING.value, _db_datetime(stamp)],
        )
        return [_row(values) for values in cursor.fetchall()]


def scan_rows(comments: QuerySet[Comment]) -> list[ClaimedComment]:
    """COMMENTS as the scan reads them (for tests and tools; the scan itself reads the rows it
    claimed with one statement)."""
    fields = (
        "pk", "article_id", "parent_id", "text", "text_fingerprint", "author_email",
        "submitted_at", "article__headline", "article__deck",
        "article__section__moderation_policy", "parent__text", "user_id",
        "article__section__trust_hold_first", "article__section__trust_publish_after",
        "article__section__trust_clean_days",
    )
    return [ClaimedComment(*row) for row in comments.values_list(*fields)]


# An article's discussion: its comments' vectors and their token bags (None when a comment
@lru_cache(maxsize=64)
def _discussion_sql(vendor: str, count: int) -> str:
    # One statement, one newest-first walk of the (article, comment) index per article.
    one = (
        "SELECT * FROM (SELECT v.article_id, v.comment_id, v.vector, v.token_bag "
        f"FROM {_table(CommentVector)} v INNER JOIN {_table(Comment)} c ON c.id = v.comment_id "
        "WHERE v.article_id = %s AND v.model_name = %s AND c.status = %s "
        "ORDER BY v.comment_id DESC LIMIT %s) AS d"
    )
    return " UNION ALL ".join([one] * count)


def discussion_rows(
    article_ids: Sequence[int], model_name: str, size: int
) -> list[tuple[int, int, bytes, bytes | None]]:
    """(article id, comment id, vector, token bag) of the newest SIZE approved comments of
    each article, in one statement."""
    params: list = []
    for aid in article_ids:
        params += [aid, model_name, Comment.Status.APPROVED.value, size]
    with connection.cursor() as cursor:
        cursor.execute(_discussion_sql(connection.vendor, len(article_ids)), params)
        return list(cursor.fetchall())

@lru_cache(maxsize=128)
def _repeats_sql(vendor: str, count: int) -> str:
    return (
        f"SELECT text_fingerprint, COUNT(*) FROM {_table(Comment)} "
        f"WHERE text_fingerprint IN ({_in_list(count)}) AND submitted_at >= %s "
        "GROUP BY text_fingerprint"
    )


def repeat_counts(comments: list[ClaimedComment], since: datetime) -> dict[int, int]:
    """How often each comment's text was posted in the window by anyone, the comment excluded."""
    keys = {c.pk: c.text_fingerprint or text_fingerprint(c.text) for c in comments}
    wanted = sorted(set(keys.values()))
    with connection.cursor() as cursor:
        cursor.execute(_repeats_sql(connection.vendor, len(wanted)),
                       [*wanted, _db_datetime(since)])
        posted = dict(cursor.fetchall())
    return {
        c.pk: max(0, posted.get(keys[c.pk], 0) - (1 if c.submitted_at >= since else 0))
        for c in comments
    }


@lru_cache(maxsize=4)
def _store_sql(vendor: str) -> str:
    return (
        f"UPDATE {_table(Comment)} SET scores = %s, reasons = %s, risk = %s, "
        "scan_verdict = %s, scan_state = %s, scanned_at = %s "
        "WHERE id = %s AND scan_state = %s AND scan_claimed_at = %s"
    )


def store_scans(scans: list[_Scan], stamp: datetime) -> None:
    """Store every scan in one statement run once per comment, only on rows this call still
    owns (a worker that outlived its claim finds its rows taken and stores nothing)."""
    # The connection itself: preparing each comment's JSON through django.db.connection's
    # proxy looked the connection up again for every attribute read.
    db = connections[DEFAULT_DB_ALIAS]
    scores_field = concrete_field(Comment, "scores")
    reasons_field = concrete_field(Comment, "reasons")
    stamp_value = concrete_field(Comment, "scan_claimed_at").get_db_prep_save(stamp, db)
    scanned_at = concrete_field(Comment, "scanned_at").get_db_prep_save(timezone.now(), db)
    params = [
        (
            scores_field.get_db_prep_save(scan.scores, db),
            reasons_field.get_db_prep_save(scan.reasons, db),
            scan.risk, scan.verdict.action, Comment.ScanState.SCANNED.value, scanned_at,
            scan.comment.pk, Comment.ScanState.SCANNING.value, stamp_value,
        )
        for scan in scans
    ]
    with connection.cursor() as cursor:
        cursor.executemany(_store_sql(connection.vendor), params)


@lru_cache(maxsize=4)
def _store_vectors_sql(vendor: str) -> str:
    # Both SQLite and PostgreSQL take this upsert; a rescan replaces the row.
    return (
        f"INSERT INTO {_table(CommentVector)} "
        "(comment_id, article_id, model_name, vector, token_bag) "
        "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (comment_id) DO UPDATE SET "
        "article_id = excluded.article_id, model_name = excluded.model_name, "
        "vector = excluded.vector, token_bag = excluded.token_bag"
    )


def store_vectors(scans: list[_Scan]) -> None:
    """Keep each comment's embedding for the discussions it may join: one statement run once
    per comment (Django's bulk_create cost more than the scan's other writes)."""
    model_name = embedder.MODEL_NAME
    params = [
        (
            scan.comment.pk, scan.comment.article_id, model_name,
            embedder.to_bytes(scan.embedding),
            embedder.bag_to_bytes(scan.bag) if scan.bag is not None else None,
        )
        for scan in scans
        if scan.embedding is not None
    ]
    if params:
        with connection.cursor() as cursor:
            cursor.executemany(_store_vectors_sql(connection.vendor), params)


@dataclass(frozen=True)
class LockedPending:
    """A comment row still pending under this scan's claim, locked for the decision."""

    pk: int
    article_id: int
    text: str
    open_report_count: int


@lru_cache(maxsize=128)
def _lock_sql(vendor: str, count: int) -> str:
    # SQLite has one writer and this transaction holds it already (the scans are stored);
    # PostgreSQL locks the rows, so a moderator's decision waits or has already won.
    lock = " FOR UPDATE" if vendor == "postgresql" else ""
    return (
        f"SELECT id, article_id, text, open_report_count FROM {_table(Comment)} "
        f"WHERE id IN ({_in_list(count)}) AND status = %s AND scan_state = %s "
        f"AND scan_claimed_at = %s ORDER BY id{lock}"
    )


def lock_still_pending(comment_ids: list[int], stamp: datetime) -> list[LockedPending]:
    """The rows among COMMENT_IDS still pending and scanned under STAMP, locked: a decision
    a moderator made while we scanned stands. Four columns in one statement: the ORM's
    query with the article joined cost a fifth of a posted comment's time."""
    with connection.cursor() as cursor:
        cursor.execute(
            _lock_sql(connection.vendor, len(comment_ids)),
            [*comment_ids, Comment.Status.PENDING.value, Comment.ScanState.SCANNED.value,
             _db_datetime(stamp)],
        )
        return [LockedPending(*row) for row in cursor.fetchall()]
