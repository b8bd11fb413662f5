from __future__ import annotations

import uuid

from django.db import models

EVENTS = (
    "comment.created",
    "comment.approved",
    "comment.rejected",
    "comment.reported",
    "comment.edited",
)


class WebhookEndpoint(models.Model):
    """A receiver the newsroom registered: where to send which events, and the signing key."""

    url = models.URLField(max_length=500, help_text="Where each event is POSTed as JSON.")
    secret = models.CharField(
        max_length=200,
        help_text="Signs each body (HMAC-SHA256, in the X-Broadsheet-Signature header).",
    )
    events = models.JSONField(
        default=list,
        blank=True,
        help_text="Events to send; empty for every event: " + ", ".join(EVENTS) + ".",
    )
    active = models.BooleanField(default=True)
    description = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url

    def wants(self, event: str) -> bool:
        return self.active and (not self.events or event in self.events)


class WebhookDelivery(models.Model):
    """One event for one receiver, sent until it is accepted or a day has passed."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Given up"

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.UUIDField(default=uuid.uuid4, editable=False)
    event = models.CharField(max_length=40)
    # The exact bytes signed and sent: every attempt sends the same body and signature.
    body = models.TextField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="webhook_due")]

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint_id} ({self.state})"


class WebhookAttempt(models.Model):
    """One try at sending a delivery: what the receiver answered, or why it could not."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    attempted_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["attempted_at", "id"]

    def __str__(self) -> str:
        return f"Attempt at {self.attempted_at:%Y-%m-%d %H:%M:%S}: {self.status_code or self.error}"


class ExternalStory(models.Model):
    """A story that lives at another address (a CMS page, an imported thread) and the article
    that holds its comments here."""

    url = models.CharField(max_length=700, unique=True, help_text="Normalised: no query or #.")
    article = models.OneToOneField(
        "articles.Article", on_delete=models.CASCADE, related_name="external_story"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "external stories"

    def __str__(self) -> str:
        return self.url


class ImportedComment(models.Model):
    """Where an imported comment came from, so importing the same file again adds nothing."""

    source = models.CharField(max_length=300, help_text='e.g. "disqus:forum" or "wordpress:URL"')
    key = models.CharField(max_length=100)
    comment = models.OneToOneField(
        "comments.Comment", on_delete=models.CASCADE, related_name="import_record"
    )
    # Set while the parent has not been imported yet (a reply before its parent in the file).
    parent_key = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "key"], name="unique_import_source_key")
        ]

    def __str__(self) -> str:
        return f"{self.source}#{self.key}"
