"""Reading comments for the article page: pages of threads, by cursor."""

from __future__ import annotations

import base64
import binascii
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q

from broadsheet.articles.models import Article
from broadsheet.comments.models import Comment

ORDERS = {"oldest": "Oldest first", "newest": "Newest first"}


@dataclass
class CommentRow:
    """A comment placed in its thread: how far to indent it and whom it answers."""

    comment: Comment
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


def encode_cursor(comment: Comment) -> str:
    raw = f"{comment.submitted_at.isoformat()}|{comment.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        stamp, pk = base64.urlsafe_b64decode(padded.encode()).decode().split("|")
        return datetime.fromisoformat(stamp), int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise BadCursor(
            "That link to more comments is broken; start from the first page."
        ) from error


def approved_comment_count(article: Article) -> int:
    return Comment.objects.filter(article=article, status=Comment.Status.APPROVED).count()


def comment_threads_for_article(
    *,
    article: Article,
    order: str = "oldest",
    cursor: str | None = None,
    per_page: int = 10,
    max_depth: int = 3,
    own_pending_ids: frozenset[int] = frozenset(),
) -> ThreadPage:
    """One page of top-level threads with all their approved replies, in three queries."""
    newest = order == "newest"
    roots = Comment.objects.filter(article=article, status=Comment.Status.APPROVED, depth=0)
    if cursor:
        stamp, pk = decode_cursor(cursor)
        if newest:
            roots = roots.filter(Q(submitted_at__lt=stamp) | Q(submitted_at=stamp, id__lt=pk))
        else:
            roots = roots.filter(Q(submitted_at__gt=stamp) | Q(submitted_at=stamp, id__gt=pk))
    ordering = ("-submitted_at", "-id") if newest else ("submitted_at", "id")
    page_roots = list(roots.select_related("user__profile").order_by(*ordering)[: per_page + 1])
    next_cursor = encode_cursor(page_roots[per_page - 1]) if len(page_roots) > per_page else None
    page_roots = page_roots[:per_page]
    root_ids = [root.pk for root in page_roots]

    # Sorted here, not in SQL: with an ORDER BY, SQLite prefers walking the site-wide
    # time index over the thread index, reading every approved comment on the site.
    members = sorted(
        Comment.objects.filter(
            thread_root_id__in=root_ids, status=Comment.Status.APPROVED
        ).select_related("user__profile"),
        key=lambda c: (c.submitted_at, c.pk),
    )
    own_pending: list[Comment] = []
    if own_pending_ids:
        own_pending = list(
            Comment.objects.filter(
                pk__in=own_pending_ids, article=article, status=Comment.Status.PENDING
            )
            .select_related("parent")
            .order_by("submitted_at", "id")
        )

    shown = {c.pk: c for c in page_roots + members + own_pending}
    children: dict[int, list[Comment]] = defaultdict(list)
    for comment in members + own_pending:
        if comment.parent_id is not None:
            children[comment.parent_id].append(comment)

    rows: list[CommentRow] = []
    placed: set[int] = set()
    own_ids = {c.pk for c in own_pending}

    def place(comment: Comment) -> None:
        stack = [comment]
        while stack:
            current = stack.pop()
            if current.pk in placed:
                continue
            placed.add(current.pk)
            parent = shown.get(current.parent_id) if current.parent_id else None
            rows.append(
                CommentRow(
                    comment=current,
                    level=min(current.depth, max_depth),
                    replying_to=parent.author_name if parent else "",
                    is_own_pending=current.pk in own_ids,
                )
            )
            stack.extend(reversed(children.get(current.pk, [])))

    # The reader's own new top-level comments lead the first page so they can see them.
    own_top = [c for c in own_pending if c.depth == 0]
    if not cursor:
        for comment in own_top:
            place(comment)
    for root in page_roots:
        place(root)
        # Replies whose parent was later withdrawn still belong to this thread.
        for orphan in (m for m in members if m.thread_root_id == root.pk):
            if orphan.pk not in placed and orphan.parent_id not in shown:
                place(orphan)

    elsewhere = [
        CommentRow(comment=c, level=0, replying_to=c.parent.author_name if c.parent else "",
                   is_own_pending=True)
        for c in own_pending
        if c.pk not in placed and cursor is None
    ]
    return ThreadPage(rows=rows, next_cursor=next_cursor, own_pending_elsewhere=elsewhere)
