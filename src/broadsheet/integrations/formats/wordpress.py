"""Reading a WordPress export (WXR 1.1 or 1.2): posts with their <wp:comment>s inside."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from typing import BinaryIO

from broadsheet.comments.models import Comment
from broadsheet.integrations.formats.xmlstream import child_text, elements_at_depth, local_name
from broadsheet.integrations.html_text import html_to_text
from broadsheet.integrations.importing import (
    CommentRecord,
    ImportFailed,
    SkippedRecord,
    ThreadRecord,
    parse_time,
)

PASSES = 1
NO_DATE = "0000-00-00 00:00:00"
STATUSES = {
    "1": (Comment.Status.APPROVED, ""),
    "approve": (Comment.Status.APPROVED, ""),
    "0": (Comment.Status.PENDING, ""),
    "hold": (Comment.Status.PENDING, ""),
    "spam": (Comment.Status.REJECTED, "imported-spam"),
    "trash": (Comment.Status.REJECTED, "imported-deleted"),
    "post-trashed": (Comment.Status.REJECTED, "imported-deleted"),
}


def _time(element, name: str, where: str):
    for field in (f"{name}_gmt", name):
        value = child_text(element, field)
        if value and value != NO_DATE:
            return parse_time(value, where)
    return None


def read_wordpress(
    open_stream: Callable[[], BinaryIO],
) -> Iterator[ThreadRecord | CommentRecord | SkippedRecord]:
    site = ""
    items = 0
    with open_stream() as stream:
        for element in elements_at_depth(stream, 2):
            name = local_name(element.tag)
            if name in ("base_site_url", "link") and not site:
                site = (element.text or "").strip()
            if name != "item":
                continue
            items += 1
            yield from _item(element, items, hashlib.sha256(site.encode()).hexdigest()[:12])
    if items == 0:
        raise ImportFailed("no <item> found: is this a WordPress export (WXR) file?")


def _item(element, number: int, site_key: str):
    post_id = child_text(element, "post_id")
    where = f"item {number} (wp:post_id {post_id!r})"
    comments = [c for c in element if local_name(c.tag) == "comment"]
    if not comments:
        return
    link = child_text(element, "link")
    if not post_id or not link:
        raise ImportFailed(f"{where}: a post with comments needs a <wp:post_id> and a <link>.")
    thread_key = f"{site_key}:{post_id}"
    yield ThreadRecord(
        key=thread_key,
        url=link,
        title=child_text(element, "title") or link,
        summary=html_to_text(child_text(element, "encoded")),
        published_at=_time(element, "post_date", where),
    )
    for comment in comments:
        comment_id = child_text(comment, "comment_id")
        comment_where = f"{where}, comment {comment_id!r}"
        kind = child_text(comment, "comment_type")
        if kind in ("pingback", "trackback"):
            yield SkippedRecord(why=f"{kind}s")
            continue
        if not comment_id:
            raise ImportFailed(f"{comment_where}: no <wp:comment_id>.")
        submitted = _time(comment, "comment_date", comment_where)
        if submitted is None:
            raise ImportFailed(f"{comment_where}: no <wp:comment_date>.")
        approved = child_text(comment, "comment_approved").lower()
        if approved not in STATUSES:
            raise ImportFailed(
                f"{comment_where}: unknown <wp:comment_approved> {approved[:20]!r}."
            )
        status, reason = STATUSES[approved]
        parent = child_text(comment, "comment_parent")
        yield CommentRecord(
            key=f"{site_key}:{comment_id}",
            thread_key=thread_key,
            parent_key=f"{site_key}:{parent}" if parent not in ("", "0") else "",
            author_name=html_to_text(child_text(comment, "comment_author")),
            author_email=child_text(comment, "comment_author_email"),
            text=html_to_text(child_text(comment, "comment_content")),
            submitted_at=submitted,
            status=status,
            reason_slug=reason,
            where=comment_where,
        )
