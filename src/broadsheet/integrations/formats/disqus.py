"""Reading a Disqus XML export (<disqus> with <thread> and <post> side by side).

Threads and posts sit at the same level and a post names its thread by dsq:id, so the file is
read twice: threads first (few and small), then posts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import BinaryIO

from broadsheet.comments.models import Comment
from broadsheet.integrations.formats.xmlstream import (
    child,
    child_text,
    elements_at_depth,
    local_name,
)
from broadsheet.integrations.html_text import html_to_text
from broadsheet.integrations.importing import (
    CommentRecord,
    ImportFailed,
    ThreadRecord,
    parse_time,
)

DSQ_ID = "{http://disqus.com/disqus-internals}id"
PASSES = 2


def _true(value: str) -> bool:
    return value.strip().lower() == "true"


def read_disqus(open_stream: Callable[[], BinaryIO]) -> Iterator[ThreadRecord | CommentRecord]:
    with open_stream() as stream:
        for element in elements_at_depth(stream, 1):
            if local_name(element.tag) != "thread":
                continue
            key = element.get(DSQ_ID, "")
            where = f"thread dsq:id {key!r}"
            link = child_text(element, "link")
            if not key or not link:
                raise ImportFailed(f"{where}: a thread needs a dsq:id and a <link>.")
            created = child_text(element, "createdAt")
            yield ThreadRecord(
                key=key,
                url=link,
                title=child_text(element, "title") or link,
                summary=html_to_text(child_text(element, "message")),
                published_at=parse_time(created, where) if created else None,
            )
    number = 0
    with open_stream() as stream:
        for element in elements_at_depth(stream, 1):
            if local_name(element.tag) != "post":
                continue
            number += 1
            yield _post(element, number)


def _post(element, number: int) -> CommentRecord:
    key = element.get(DSQ_ID, "")
    where = f"post {number} (dsq:id {key!r})"
    thread = child(element, "thread")
    thread_key = thread.get(DSQ_ID, "") if thread is not None else ""
    if not key or not thread_key:
        raise ImportFailed(f"{where}: a post needs a dsq:id and a <thread dsq:id=...>.")
    created = child_text(element, "createdAt")
    if not created:
        raise ImportFailed(f"{where}: no <createdAt>.")
    parent = child(element, "parent")
    author = child(element, "author")
    name = child_text(author, "name") if author is not None else ""
    email = child_text(author, "email") if author is not None else ""
    status, reason = Comment.Status.APPROVED, ""
    if _true(child_text(element, "isSpam")):
        status, reason = Comment.Status.REJECTED, "imported-spam"
    elif _true(child_text(element, "isDeleted")):
        status, reason = Comment.Status.REJECTED, "imported-deleted"
    elif child_text(element, "isApproved").lower() == "false":
        status = Comment.Status.PENDING
    return CommentRecord(
        key=key,
        thread_key=thread_key,
        parent_key=parent.get(DSQ_ID, "") if parent is not None else "",
        author_name=name or (child_text(author, "username") if author is not None else ""),
        author_email=email,
        text=html_to_text(child_text(element, "message")),
        submitted_at=parse_time(created, where),
        status=status,
        reason_slug=reason,
        where=where,
    )
