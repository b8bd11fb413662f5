"""Broadsheet's own export: one JSON object a line for every comment (see exporting.py)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from typing import BinaryIO

from broadsheet.comments.models import Comment
from broadsheet.integrations.importing import (
    CommentRecord,
    ImportFailed,
    ThreadRecord,
    parse_time,
)

PASSES = 1
REQUIRED = ("id", "article_url", "author_name", "text", "created_at", "status")
STATUSES = {choice.value for choice in Comment.Status}


def read_jsonl(open_stream: Callable[[], BinaryIO]) -> Iterator[ThreadRecord | CommentRecord]:
    seen_articles: set[str] = set()
    with open_stream() as raw:
        lines = io.TextIOWrapper(raw, encoding="utf-8", errors="strict")
        number = 0
        try:
            for number, line in enumerate(lines, start=1):  # noqa: B007 (used after the loop)
                if not line.strip():
                    continue
                yield from _line(line, number, seen_articles)
        except UnicodeDecodeError:
            raise ImportFailed(f"line {number + 1}: not UTF-8 text.") from None


def _line(line: str, number: int, seen_articles: set[str]):
    where = f"line {number}"
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        raise ImportFailed(
            f"{where}, column {error.colno}: not valid JSON ({error.msg})."
        ) from None
    if not isinstance(data, dict):
        raise ImportFailed(f"{where}: expected a JSON object.")
    missing = [name for name in REQUIRED if data.get(name) in (None, "")]
    if missing:
        raise ImportFailed(f"{where}: missing {', '.join(missing)}.")
    if data["status"] not in STATUSES:
        raise ImportFailed(f"{where}: unknown status {str(data['status'])[:20]!r}.")
    if not isinstance(data["id"], int) or (
        data.get("parent_id") is not None and not isinstance(data["parent_id"], int)
    ):
        raise ImportFailed(f"{where}: id and parent_id must be whole numbers.")
    url = str(data["article_url"])
    if url not in seen_articles:
        seen_articles.add(url)
        yield ThreadRecord(key=url, url=url, title=str(data.get("article_title") or url))
    reason = data.get("rejection_reason") or ""
    decisions = data.get("decisions") or []
    if not isinstance(decisions, list):
        raise ImportFailed(f"{where}: decisions must be a list.")
    yield CommentRecord(
        key=str(data["id"]),
        thread_key=url,
        parent_key=str(data["parent_id"]) if data.get("parent_id") is not None else "",
        author_name=str(data["author_name"]),
        author_email=str(data.get("author_email") or ""),
        text=str(data["text"]),
        submitted_at=parse_time(str(data["created_at"]), where),
        status=data["status"],
        reason_slug=str(reason),
        reason_label=str(data.get("rejection_reason_label") or ""),
        where=where,
        keep_id=data["id"],
        decisions=decisions,
    )
