from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy

from broadsheet.articles.models import Article
from broadsheet.core.text import normalize_newlines, render_comment_text, stored_comment_html


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    class ScanState(models.TextChoices):
        UNSCANNED = "unscanned", "Not scanned yet"
        SCANNING = "scanning", "Being scanned"
        SCANNED = "scanned", "Scanned"
        FAILED = "failed", "Scan failed"
        SKIPPED = "skipped", "Not scanned"

    # No index of their own for article and thread_root: the composite indexes below lead with
    # them, and every index is one more page written on each comment's insert.
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="comments", db_index=False
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    # The top-level comment of the thread, so a page of threads loads in one query.
    thread_root = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    depth = models.PositiveSmallIntegerField(default=0)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    author_name = models.CharField(max_length=80)
    author_email = models.EmailField()
    ip_hash = models.CharField(max_length=32, blank=True)
    # The interface language the comment was posted in, when the site offers more than one:
    # the emails about it are written in it. Blank: the site's default language.
    language = models.CharField(max_length=8, blank=True, default="")
    text = models.TextField()
    # The text as it is shown (escaped, paragraphs, links), rendered once on every save rather
    # than on every page view: linkifying is the costliest part of drawing a comment.
    text_html = models.TextField(blank=True, editable=False)
    # Identifies the same text from the same author on the same article, for double submits.
    fingerprint = models.CharField(max_length=64, db_index=True)
    # The normalised text alone, to count the same text posted again anywhere (repeat spam).
    text_fingerprint = models.CharField(max_length=64, blank=True)

    # Kept although queue_by_time leads with it: without it SQLite's planner (no ANALYZE
    # statistics) serves "id IN (...) AND status = ..." -- the scan's claim -- from queue_by_time
    # and walks every pending comment; with it, the lookup is (status, rowid).
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    submitted_at = models.DateTimeField(db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # Unindexed: only deleting a reason asks which comments carry it (PROTECT), and that is
    # rare enough to scan for.
    rejection_reason = models.ForeignKey(
        "moderation.RejectionReason", null=True, blank=True, on_delete=models.PROTECT,
        db_index=False,
    )
    open_report_count = models.PositiveIntegerField(default=0)
    # Set when the author deleted a comment that has replies: the row stays as a placeholder.
    deleted_by_author_at = models.DateTimeField(null=True, blank=True)

    scan_state = models.CharField(
        max_length=10, choices=ScanState.choices, default=ScanState.UNSCANNED
    )
    scan_attempts = models.PositiveSmallIntegerField(default=0)
    scan_claimed_at = models.DateTimeField(null=True, blank=True)
    scanned_at = models.DateTimeField(null=True, blank=True)
    # {"abuse": 0.93, "spam": 0.1, ...} and [{"code", "message", "score", "spans"}, ...]
    scores = models.JSONField(default=dict, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    # What the scan alone would decide: "approve", "hold" or "reject" (empty before a scan).
    scan_verdict = models.CharField(max_length=10, blank=True)
    # The highest score over the scanners, for sorting the queue.
    risk = models.FloatField(null=True, blank=True, db_index=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["article", "status", "depth", "submitted_at", "id"], name="thread_page"
            ),
            models.Index(fields=["thread_root", "status"], name="thread_members"),
            models.Index(fields=["status", "submitted_at"], name="queue_by_time"),
            models.Index(Lower("author_email"), "status", name="author_record"),
            models.Index(fields=["scan_state", "submitted_at"], name="scan_sweep"),
            models.Index(fields=["text_fingerprint", "submitted_at"], name="repeated_text"),
        ]

    def __str__(self) -> str:
        return f"{self.author_name}: {self.text[:40]}"

    # The text that text_html was rendered from, so a save renders only when the text changed.
    _html_for: str | None = None

    def save(self, *args, **kwargs) -> None:
        if "text" not in self.get_deferred_fields() and self._html_for != self.text:
            self.render_text()
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "text_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"{self.article.get_absolute_url()}#c{self.pk}"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        if instance.__dict__.get("text_html"):
            instance._html_for = instance.__dict__.get("text")
        return instance

    def render_text(self) -> None:
        """Render text_html now, e.g. before taking the database's write lock. Every text
        stored passes here (a new comment, the desk's edit), so its line ends are made \n."""
        self.text = normalize_newlines(self.text)
        self.text_html = render_comment_text(self.text)
        self._html_for = self.text

    @property
    def display_html(self) -> SafeString:
        return stored_comment_html(self.text, self.text_html)

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


class Report(models.Model):
    class Reason(models.TextChoices):
        ABUSIVE = "abusive", gettext_lazy("Abusive or offensive")
        PERSONAL_ATTACK = "personal-attack", gettext_lazy("A personal attack")
        OFF_TOPIC = "off-topic", gettext_lazy("Off-topic")
        SPAM = "spam", gettext_lazy("Spam or advertising")
        PRIVACY = "privacy", gettext_lazy("Shares someone's personal details")
        OTHER = "other", gettext_lazy("Something else")
        # Not offered to readers reporting others: the author of a rejected comment asking the
        # desk to look again (comments.authoring.comment_appeal).
        APPEAL = "appeal", "The author asks for a review"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.CharField(max_length=500, blank=True)
    reporter_ip_hash = models.CharField(max_length=32, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # Who reported, as one value: "user:<id>" for a signed-in reader, else "ip:<hashed
    # address>" (the identity the rate limits use). One open report per reader and comment.
    reporter_key = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=20, blank=True)

    class Meta:
        indexes = [models.Index(fields=["comment", "resolved_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "reporter_key"],
                condition=models.Q(resolved_at__isnull=True) & ~models.Q(reporter_key=""),
                name="one_open_report_per_reader",
            )
        ]

    def __str__(self) -> str:
        return f"Report on comment {self.comment_id}: {self.reason}"
