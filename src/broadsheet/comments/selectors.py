"""Reading comments for the article page: pages of threads, by cursor."""

from __future__ import annotations

import base64
import binascii
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import attrgetter
from typing import NamedTuple

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy

from broadsheet.articles.cache import article_cache_version
from broadsheet.articles.models import Article
from broadsheet.comments.models import Comment
from broadsheet.core.converters import MAX_ROW_ID
from broadsheet.core.models import Profile
from broadsheet.core.text import stored_comment_html

ORDERS = {"oldest": gettext_lazy("Oldest first"), "newest": gettext_lazy("Newest first")}
COUNT_CACHE_SECONDS = 60 * 60


def public_rule() -> Q:
    """When a comment is public: it is approved and so is its thread's top comment (a reply
    under a rejected thread is shown nowhere). The one rule every public page and endpoint
    applies: public_comments() adds that the article is published, and
    public_comment_count() counts by it."""
    approved = Comment.Status.APPROVED
    return Q(status=approved) & (Q(thread_root__isnull=True) | Q(thread_root__status=approved))


def public_comment_count(article_ref: str = "pk") -> Combinable:
    """How many comments of an article are public (public_rule), as an expression over the
    article at ARTICLE_REF (an Article queryset's "pk" by default).

    Counted as the approved comments less the approved replies in threads whose top comment
    is not approved: both walk the indexes they lead with (the second only the few hidden
    threads), where testing every comment's thread top cost ten times as much.
    """
    approved = Comment.Status.APPROVED
    counted = Count("id")
    approved_here = (
        Comment.objects.filter(article=OuterRef(article_ref), status=approved)
        .order_by().values("article").annotate(n=counted).values("n")
    )
    in_hidden_threads = (
        Comment.objects.filter(
            thread_root__article=OuterRef(article_ref),
            thread_root__status__in=[Comment.Status.PENDING, Comment.Status.REJECTED],
            status=approved,
        )
        .order_by().values("thread_root__article").annotate(n=counted).values("n")
    )
    return Coalesce(Subquery(approved_here), 0) - Coalesce(Subquery(in_hidden_threads), 0)


def public_comments() -> QuerySet[Comment]:
    """The comments any reader may see: public_rule() under a published article."""
    return Comment.objects.filter(
        public_rule(),
        article__status=Article.Status.PUBLISHED,
        article__published_at__lte=timezone.now(),
    )


@dataclass(slots=True)
class ShownComment:
    """A comment as readers see it: its public fields only.

    Read as plain rows rather than model instances, which cost more to build than the page
    costs to draw, and cannot leak an email address or scan scores into a template.
    """

    pk: int
    article_id: int
    parent_id: int | None
    thread_root_id: int | None
    depth: int
    author_name: str
    user_id: int | None
    text: str
    text_html: str
    submitted_at: datetime
    profile_name: str = ""
    verified_label: str = ""

    def public_author(self) -> tuple[str, str]:
        """The name and verified label readers see: an account's profile overrides the form."""
        return self.profile_name or self.author_name, self.verified_label

    @classmethod
    def from_model(cls, comment: Comment) -> ShownComment:
        shown = cls(*(getattr(comment, name) for name in SHOWN_FIELDS))
        _add_profiles([shown])
        return shown

    @property
    def display_html(self) -> SafeString:
        return stored_comment_html(self.text, self.text_html)


# In ShownComment's field order.
SHOWN_FIELDS = (
    "id", "article_id", "parent_id", "thread_root_id", "depth", "author_name", "user_id",
    "text", "text_html", "submitted_at",
)  # column names too: each field is stored under its own name


def _add_profiles(comments: list[ShownComment]) -> None:
    """Profile names and labels for the few comments written from an account, in one query."""
    user_ids = {c.user_id for c in comments if c.user_id is not None}
    if not user_ids:
        return
    profiles = {
        user_id: (name, label)
        for user_id, name, label in Profile.objects.filter(user_id__in=user_ids).values_list(
            "user_id", "display_name", "verified_label"
        )
    }
    for comment in comments:
        if comment.user_id in profiles:
            comment.profile_name, comment.verified_label = profiles[comment.user_id]


@dataclass(slots=True)
class CommentRow:
    """A comment placed in its thread: how far to indent it and whom it answers."""

    comment: ShownComment
    level: int
    replying_to: str = ""
    is_own_pending: bool = False


@dataclass
class ThreadPage:
    rows: list[CommentRow]
    next_cursor: str | None
    own_pending_elsewhere: list[CommentRow] = field(default_factory=list)


class BadCursor(ValueError):
    pass


def encode_cursor(comment: Comment | ShownComment) -> str:
    raw = f"{comment.submitted_at.isoformat()}|{comment.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The (time, id) a cursor names, or BadCursor for anything this server did not issue:
    a time that cannot be stored (out of range once read in UTC) or an id no row can have is
    refused here, before it reaches the database."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        stamp, pk = base64.urlsafe_b64decode(padded.encode()).decode().split("|")
        when, row_id = datetime.fromisoformat(stamp), int(pk)
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        when = when.astimezone(UTC)
        if not 0 < row_id <= MAX_ROW_ID:
            raise ValueError("no row has this id")
        return when, row_id
    except (ValueError, OverflowError, binascii.Error, UnicodeDecodeError) as error:
        raise BadCursor(
            "That link to more comments is broken; start from the first page."
        ) from error


def cursor_was_issued(*, article_id: int, cursor: str) -> bool:
    """Whether CURSOR is one this site hands out for the article: exactly as encoded, naming an
    approved top-level comment of it at that time. Only such pages are cached, so made-up
    cursors (each one a new key) cannot fill the cache and push out what it holds."""
    try:
        stamp, pk = decode_cursor(cursor)
    except (BadCursor, OverflowError, ValueError):
        return False
    raw = f"{stamp.isoformat()}|{pk}"
    if base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=") != cursor:
        return False
    return Comment.objects.filter(
        pk=pk, article_id=article_id, parent__isnull=True, submitted_at=stamp,
        status=Comment.Status.APPROVED,
    ).exists()


def _read_shown(sql: str, params: list) -> list[ShownComment]:
    """Comments from SQL that selects SHOWN_FIELDS in order.

    The article page's hottest read: written as SQL both SQLite and PostgreSQL accept, because
    building the same queries through the ORM cost more than running them.
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    comments: list[ShownComment] = []
    append = comments.append
    parse = datetime.fromisoformat
    for pk, article_id, parent_id, root_id, depth, name, user_id, text, html, submitted in rows:
        # Read as text (PostgreSQL's ISO output, SQLite's): the SQL casts it.
        submitted_at = parse(submitted)
        if submitted_at.tzinfo is None:  # SQLite stores UTC without an offset
            submitted_at = submitted_at.replace(tzinfo=UTC)
        append(ShownComment(
            pk, article_id, parent_id, root_id, depth, name, user_id, text, html, submitted_at
        ))
    return comments


def approved_comment_count(article: Article) -> int:
    """The "Comments (N)" figure: the comments a reader can reach on the article (public_rule),
    counted once per version of the article's comments.

    Counting is the one read on an article page that grows with the number of comments, so
    it is kept under the article's cache version (bumped by every decision, which is the only
    thing that changes it) even when the page and thread caches are off: each decision costs
    one count, no page read does.
    """
    key = f"public-count:{article.pk}:{article_cache_version(article.pk)}"
    count = cache.get(key)
    if count is None:
        count = (
            Article.objects.filter(pk=article.pk)
            .annotate(public=public_comment_count())
            .values_list("public", flat=True)
            .first()
        ) or 0
        cache.set(key, count, COUNT_CACHE_SECONDS)
    return count


def comment_threads_for_article(
    *,
    article: Article,
    order: str = "oldest",
    cursor: str | None = None,
    per_page: int = 10,
    max_depth: int = 3,
    own_pending_ids: frozenset[int] = frozenset(),
) -> ThreadPage:
    """One page of top-level threads with all their approved replies.

    One query, a second for the reader's own pending comments and a third when some
    comments were written from accounts (their profile names).
    """
    page_roots, members, next_cursor = _threads_page(article, order, cursor, per_page)
    own_pending, own_parent_names = _own_pending(article, own_pending_ids)
    _add_profiles(page_roots + members + own_pending)
    rows, placed = _thread_rows(
        page_roots, members, own_pending, max_depth, own_top_first=not cursor
    )
    elsewhere = [
        CommentRow(comment=c, level=0, replying_to=own_parent_names[c.pk], is_own_pending=True)
        for c in own_pending
        if c.pk not in placed and cursor is None
    ]
    return ThreadPage(rows=rows, next_cursor=next_cursor, own_pending_elsewhere=elsewhere)


_BY_TIME = attrgetter("submitted_at", "pk")


def _threads_page(
    article: Article, order: str, cursor: str | None, per_page: int
) -> tuple[list[ShownComment], list[ShownComment], str | None]:
    """The page's roots in ORDER, the approved members of their threads by time, and the
    cursor of the next page."""
    newest = order == "newest"
    approved = Comment.Status.APPROVED.value
    where, params = "article_id = %s AND status = %s AND depth = 0", [article.pk, approved]
    if cursor:
        stamp, pk = decode_cursor(cursor)
        before_or_after = "<" if newest else ">"
        where += (
            f" AND (submitted_at {before_or_after} %s"
            f" OR (submitted_at = %s AND id {before_or_after} %s))"
        )
        stamp_param = connection.ops.adapt_datetimefield_value(stamp)
        params += [stamp_param, stamp_param, pk]
    direction = "DESC" if newest else "ASC"
    order_by = f"ORDER BY submitted_at {direction}, id {direction}"
    columns = ", ".join(SHOWN_FIELDS[:-1])
    table = Comment._meta.db_table
    # One statement, one round trip: the page's roots (one more than shown, for the next
    # cursor) and every approved member of the threads shown. Members are sorted here, not
    # in SQL: with an ORDER BY, SQLite prefers walking the site-wide time index over the
    # thread index, reading every approved comment on the site. The time is read as ISO
    # text: psycopg's timestamp loader, wrapped by Django's, cost a tenth of the page.
    found = _read_shown(
        f"WITH page_roots AS (SELECT {columns}, submitted_at, "
        f"CAST(submitted_at AS TEXT) AS submitted_text FROM {table} "
        f"WHERE {where} {order_by} LIMIT %s) "
        f"SELECT {columns}, submitted_text FROM page_roots UNION ALL "
        f"SELECT {columns}, CAST(submitted_at AS TEXT) FROM {table} "
        f"WHERE status = %s AND thread_root_id IN "
        f"(SELECT id FROM page_roots {order_by} LIMIT %s)",
        [*params, per_page + 1, approved, per_page],
    )
    # attrgetter and list comprehensions: no Python call per comment for the sort.
    page_roots = sorted(
        [c for c in found if c.thread_root_id is None], key=_BY_TIME, reverse=newest
    )
    members = sorted([c for c in found if c.thread_root_id is not None], key=_BY_TIME)
    next_cursor = encode_cursor(page_roots[per_page - 1]) if len(page_roots) > per_page else None
    return page_roots[:per_page], members, next_cursor


def _own_pending(
    article: Article, own_pending_ids: frozenset[int]
) -> tuple[list[ShownComment], dict[int, str]]:
    """The reader's own comments awaiting moderation, and the names they reply to."""
    own_pending: list[ShownComment] = []
    own_parent_names: dict[int, str] = {}
    if own_pending_ids:
        for *values, parent_name in (
            Comment.objects.filter(
                pk__in=own_pending_ids, article=article, status=Comment.Status.PENDING
            )
            .order_by("submitted_at", "id")
            .values_list(*SHOWN_FIELDS, "parent__author_name")
        ):
            own_pending.append(ShownComment(*values))
            own_parent_names[values[0]] = parent_name or ""
    return own_pending, own_parent_names


def _thread_rows(
    page_roots: list[ShownComment], members: list[ShownComment],
    own_pending: list[ShownComment], max_depth: int, *, own_top_first: bool,
) -> tuple[list[CommentRow], set[int]]:
    """The page's rows in reading order (each reply under its parent), and the ids placed."""
    shown = {c.pk: c for c in page_roots + members + own_pending}
    # Members are read by their thread root, so the key is never None in practice.
    members_by_root: dict[int | None, list[ShownComment]] = defaultdict(list)
    for member in members:
        members_by_root[member.thread_root_id].append(member)
    children: dict[int, list[ShownComment]] = defaultdict(list)
    for comment in members + own_pending:
        if comment.parent_id is not None:
            children[comment.parent_id].append(comment)

    rows: list[CommentRow] = []
    placed: set[int] = set()
    own_ids = {c.pk for c in own_pending}

    def place(comment: ShownComment) -> None:
        # Runs for every comment on the page: locals and positional arguments throughout.
        stack = [comment]
        while stack:
            current = stack.pop()
            pk = current.pk
            if pk in placed:
                continue
            placed.add(pk)
            parent = shown.get(current.parent_id) if current.parent_id else None
            depth = current.depth
            rows.append(CommentRow(
                current,
                depth if depth < max_depth else max_depth,
                (parent.profile_name or parent.author_name) if parent else "",  # public_author()
                pk in own_ids,
            ))
            replies = children.get(pk)
            if replies:
                stack.extend(reversed(replies))

    # The reader's own new top-level comments lead the first page so they can see them.
    if own_top_first:
        for comment in own_pending:
            if comment.depth == 0:
                place(comment)
    for root in page_roots:
        place(root)
        # Replies whose parent was later withdrawn still belong to this thread.
        for orphan in members_by_root.get(root.pk, ()):
            if orphan.pk not in placed and orphan.parent_id not in shown:
                place(orphan)
    return rows, placed


_REPLY_PARENT_FIELDS = ("id", "article_id", "thread_root_id", "depth", "author_name", "status")


class ReplyParent(NamedTuple):
    comment: Comment
    is_public: bool  # public_rule, the article aside


def reply_parent(*, article_id: int, comment_id: int) -> ReplyParent | None:
    """The comment a reply answers, if it is on ARTICLE_ID, with only what a reply needs (its
    thread, depth, author and status) and whether it is public: one plain query, as every
    reply posted asks it and the ORM took longer to build the statement than the database
    took to answer."""
    if not 0 < comment_id <= MAX_ROW_ID:  # no such row, and the database would refuse it
        return None
    table = connection.ops.quote_name(Comment._meta.db_table)
    columns = ", ".join(f"c.{name}" for name in _REPLY_PARENT_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns}, root.status FROM {table} c "
            f"LEFT JOIN {table} root ON root.id = c.thread_root_id "
            "WHERE c.id = %s AND c.article_id = %s",
            [comment_id, article_id],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    *values, root_status = row
    parent = Comment.from_db(connection.alias, list(_REPLY_PARENT_FIELDS), values)
    approved = Comment.Status.APPROVED
    return ReplyParent(parent, parent.status == approved and root_status in (None, approved))
