"""Importing comments from another system, the part every format shares.

A format's reader yields ThreadRecord and CommentRecord items as it streams through the file;
the Importer turns them into articles (or finds the existing ones by address) and comments,
in batches, inside the caller's transaction. Each imported comment keeps its source key, so
importing the same file again adds nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from broadsheet.articles.cache import article_comments_changed
from broadsheet.comments.models import Comment
from broadsheet.comments.services import comment_fingerprint, text_fingerprint
from broadsheet.integrations.models import ImportedComment
from broadsheet.integrations.stories import StoryError, story_get_or_create
from broadsheet.moderation import tasks
from broadsheet.moderation.models import Decision, RejectionReason

BATCH_SIZE = 500
IMPORTED_REASONS = {
    "imported-spam": "Spam (imported)",
    "imported-deleted": "Deleted or trashed (imported)",
}


class ImportFailed(Exception):
    """The file cannot be imported; the message names the problem and where it is."""


@dataclass(slots=True)
class ThreadRecord:
    key: str
    url: str
    title: str
    summary: str = ""
    published_at: datetime | None = None


@dataclass(slots=True)
class CommentRecord:
    key: str
    thread_key: str
    parent_key: str
    author_name: str
    author_email: str
    text: str
    submitted_at: datetime
    status: str
    reason_slug: str = ""
    reason_label: str = ""
    where: str = ""  # for error messages: "post 12 (dsq:id 7731)"
    keep_id: int | None = None
    decisions: list[dict] = field(default_factory=list)


@dataclass(slots=True)
class SkippedRecord:
    """Something in the file that is deliberately not imported (a pingback, say)."""

    why: str


@dataclass
class ImportSummary:
    added: Counter = field(default_factory=Counter)  # by status
    already_imported: int = 0
    skipped: Counter = field(default_factory=Counter)  # by why
    articles_created: int = 0
    articles_found: int = 0
    replies_without_parent: int = 0

    def lines(self) -> list[str]:
        total = sum(self.added.values())
        statuses = ", ".join(f"{n} {status}" for status, n in sorted(self.added.items()))
        found = [
            f"Imported {total} comment(s)" + (f" ({statuses})" if total else "") + ".",
            f"Articles: {self.articles_created} created, {self.articles_found} already here.",
            f"Already imported before (left alone): {self.already_imported}.",
        ]
        if self.skipped:
            found.append("Skipped: " + ", ".join(f"{n} {why}" for why, n in self.skipped.items()))
        if self.replies_without_parent:
            found.append(
                f"{self.replies_without_parent} repl(ies) whose parent is not in the file were "
                "kept as top-level comments."
            )
        return found


class Importer:
    def __init__(self, *, source: str, scan: bool = False) -> None:
        self.source = source
        self.scan = scan
        self.summary = ImportSummary()
        self._threads: dict[str, ThreadRecord] = {}
        self._articles: dict[str, int] = {}
        self._batch: list[CommentRecord] = []
        self._reasons: dict[str, RejectionReason] = {}
        self._touched_articles: set[int] = set()
        self._to_scan: list[int] = []
        self._kept_ids = False

    # -- feeding ---------------------------------------------------------------------------

    def add(self, records: Iterable[ThreadRecord | CommentRecord | SkippedRecord]) -> None:
        for record in records:
            if isinstance(record, SkippedRecord):
                self.summary.skipped[record.why] += 1
            elif isinstance(record, ThreadRecord):
                self._threads.setdefault(record.key, record)
            else:
                self._batch.append(record)
                if len(self._batch) >= BATCH_SIZE:
                    self._flush()

    def finish(self) -> ImportSummary:
        self._flush()
        self._resolve_late_parents()
        if self._kept_ids:
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), [Comment, Decision]):
                    cursor.execute(sql)
        touched, to_scan = set(self._touched_articles), list(self._to_scan)

        def after_commit() -> None:
            for article_id in touched:
                article_comments_changed(article_id)
            for comment_id in to_scan:
                tasks.enqueue_scan(comment_id)

        transaction.on_commit(after_commit)
        return self.summary

    # -- articles and reasons --------------------------------------------------------------

    def _article_id(self, record: CommentRecord) -> int:
        found = self._articles.get(record.thread_key)
        if found is not None:
            return found
        thread = self._threads.get(record.thread_key)
        if thread is None:
            raise ImportFailed(
                f"{record.where}: its thread {record.thread_key!r} is not in the file."
            )
        try:
            article, created = story_get_or_create(
                url=thread.url, title=thread.title, summary=thread.summary,
                published_at=thread.published_at,
            )
        except StoryError as error:
            raise ImportFailed(f"thread {thread.key!r}: {error}") from None
        if created:
            self.summary.articles_created += 1
        else:
            self.summary.articles_found += 1
        self._articles[record.thread_key] = article.pk
        return article.pk

    def _reason(self, slug: str, label: str) -> RejectionReason:
        if slug not in self._reasons:
            self._reasons[slug], _ = RejectionReason.objects.get_or_create(
                slug=slug,
                defaults={"label": label or IMPORTED_REASONS.get(slug, slug), "active": False},
            )
        return self._reasons[slug]

    # -- comments ---------------------------------------------------------------------------

    def _flush(self) -> None:
        batch, self._batch = self._batch, []
        if not batch:
            return
        seen = set(
            ImportedComment.objects.filter(
                source=self.source, key__in=[r.key for r in batch]
            ).values_list("key", flat=True)
        )
        fresh: list[CommentRecord] = []
        for record in batch:
            if record.key in seen:
                self.summary.already_imported += 1
                continue
            seen.add(record.key)
            if not record.text.strip():
                self.summary.skipped["empty"] += 1
                continue
            fresh.append(record)
        placed = self._known_parents({r.parent_key for r in fresh if r.parent_key})
        waiting = fresh
        # Generations: a reply is stored once its parent has an id (in the database, or
        # stored just before in this batch); replies whose parent comes later wait.
        while waiting:
            ready = [r for r in waiting if not r.parent_key or r.parent_key in placed]
            if not ready:
                break
            waiting = [r for r in waiting if r.parent_key and r.parent_key not in placed]
            placed.update(self._store(ready, placed, late=False))
        if waiting:
            self._store(waiting, placed, late=True)

    def _known_parents(self, keys: set[str]) -> dict[str, tuple[int, int | None, int]]:
        """key -> (comment id, thread root id, depth) of already stored parents."""
        return {
            key: (comment_id, root_id, depth)
            for key, comment_id, root_id, depth in ImportedComment.objects.filter(
                source=self.source, key__in=keys
            ).values_list("key", "comment_id", "comment__thread_root_id", "comment__depth")
        }

    def _store(
        self, records: list[CommentRecord], placed: dict, *, late: bool
    ) -> dict[str, tuple[int, int | None, int]]:
        if any(r.keep_id is not None for r in records):
            taken = set(
                Comment.objects.filter(
                    pk__in=[r.keep_id for r in records if r.keep_id is not None]
                ).values_list("pk", flat=True)
            )
        else:
            taken = set()
        comments = []
        for record in records:
            article_id = self._article_id(record)
            parent = placed.get(record.parent_key) if record.parent_key and not late else None
            text = record.text.strip()
            email = record.author_email.strip()[:254]
            decided = record.status != Comment.Status.PENDING
            comment = Comment(
                article_id=article_id,
                parent_id=parent[0] if parent else None,
                thread_root_id=(parent[1] or parent[0]) if parent else None,
                depth=parent[2] + 1 if parent else 0,
                author_name=(record.author_name.strip() or "Anonymous")[:80],
                author_email=email,
                text=text,
                fingerprint=comment_fingerprint(
                    article_id=article_id, author_email=email, text=text
                ),
                text_fingerprint=text_fingerprint(text),
                status=record.status,
                submitted_at=record.submitted_at,
                decided_at=record.submitted_at if decided else None,
                rejection_reason=(
                    self._reason(record.reason_slug, record.reason_label)
                    if record.status == Comment.Status.REJECTED and record.reason_slug
                    else None
                ),
                scan_state=(
                    Comment.ScanState.UNSCANNED
                    if self.scan and not decided
                    else Comment.ScanState.SKIPPED
                ),
            )
            if record.keep_id is not None and record.keep_id not in taken:
                comment.pk = record.keep_id
                self._kept_ids = True
            comment.render_text()
            comments.append(comment)
        Comment.objects.bulk_create(comments)
        ImportedComment.objects.bulk_create(
            ImportedComment(
                source=self.source, key=record.key, comment_id=comment.pk,
                parent_key=record.parent_key if late else "",
            )
            for record, comment in zip(records, comments, strict=True)
        )
        self._store_history(records, comments)
        for comment in comments:
            self.summary.added[comment.status] += 1
            self._touched_articles.add(comment.article_id)
            if comment.scan_state == Comment.ScanState.UNSCANNED:
                self._to_scan.append(comment.pk)
        return {
            record.key: (comment.pk, comment.thread_root_id, comment.depth)
            for record, comment in zip(records, comments, strict=True)
        }

    def _store_history(self, records: list[CommentRecord], comments: list[Comment]) -> None:
        for record, comment in zip(records, comments, strict=True):
            for entry in record.decisions:
                reason_slug = entry.get("reason") or ""
                decision = Decision.objects.create(
                    comment=comment,
                    actor=None,
                    actor_name=str(entry.get("actor_name", ""))[:150],
                    action=str(entry.get("action", ""))[:20],
                    reason=self._reason(reason_slug, entry.get("reason_label", ""))
                    if reason_slug else None,
                    note=str(entry.get("note", ""))[:500],
                    status_before=str(entry.get("status_before", ""))[:10],
                    status_after=str(entry.get("status_after", ""))[:10],
                    text_before=str(entry.get("text_before", "")),
                    text_after=str(entry.get("text_after", "")),
                    scanner_verdict=str(entry.get("scanner_verdict", ""))[:10],
                )
                if entry.get("created_at"):
                    created = datetime.fromisoformat(entry["created_at"])
                    Decision.objects.filter(pk=decision.pk).update(created_at=created)

    def _resolve_late_parents(self) -> None:
        """Attach the replies stored before their parents, now that every comment is in."""
        while True:
            late = list(
                ImportedComment.objects.filter(source=self.source)
                .exclude(parent_key="")
                .values_list("pk", "comment_id", "parent_key")[:BATCH_SIZE]
            )
            if not late:
                return
            parents = self._known_parents({parent_key for _, _, parent_key in late})
            for record_id, comment_id, parent_key in late:
                parent = parents.get(parent_key)
                if parent is None or parent[0] == comment_id:
                    self.summary.replies_without_parent += 1
                else:
                    root = parent[1] or parent[0]
                    shift = parent[2] + 1
                    # The comment was stored as a thread of its own; its replies move with it.
                    Comment.objects.filter(thread_root_id=comment_id).update(
                        thread_root_id=root, depth=F("depth") + shift
                    )
                    Comment.objects.filter(pk=comment_id).update(
                        parent_id=parent[0], thread_root_id=root, depth=shift
                    )
                ImportedComment.objects.filter(pk=record_id).update(parent_key="")


def parse_time(value: str, where: str) -> datetime:
    """An ISO 8601 or WordPress 'YYYY-MM-DD HH:MM:SS' time (UTC unless it says otherwise)."""
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ImportFailed(f"{where}: {value.strip()[:40]!r} is not a date and time.") from None
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=UTC)
    return parsed
