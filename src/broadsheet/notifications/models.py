"""What commenters asked to hear about, and the emails waiting to be sent to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Kind(models.TextChoices):
    APPROVED = "approved", "Your comment was published"
    NOT_PUBLISHED = "not-published", "Your comment was not published"
    REPLY = "reply", "Someone replied to your comment"
    SUSPENDED = "suspended", "You can no longer comment"


# Which preference covers each kind: a suspension notice is a decision about the reader's
# comments, like a rejection, and is switched off with it.
PREFERENCE_FOR_KIND = {
    Kind.APPROVED: "approved",
    Kind.NOT_PUBLISHED: "not_published",
    Kind.REPLY: "replies",
    Kind.SUSPENDED: "not_published",
}


class NotificationPreference(models.Model):
    """One recipient's choices: an account's, or (for a commenter without one) a mailbox's,
    which only the unsubscribe link can change. Every kind is on until switched off."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    # core.emails.mailbox_key of an address without an account.
    email_key = models.CharField(max_length=254, blank=True)
    approved = models.BooleanField("When my comment is published", default=True)
    not_published = models.BooleanField(
        "When my comment is not published (with the reason)", default=True
    )
    replies = models.BooleanField("When someone replies to my comment", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["email_key"], condition=~models.Q(email_key=""),
                name="one_preference_per_mailbox",
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(email_key=""),
                name="preference_has_recipient",
            ),
        ]

    def __str__(self) -> str:
        return f"Notification choices of {self.user or self.email_key}"

    def wants(self, kind: str) -> bool:
        return bool(getattr(self, PREFERENCE_FOR_KIND[Kind(kind)]))


class Notification(models.Model):
    """One email, rendered when its event happened and sent in the background (retried when
    the mail server fails). Its key makes an event's email exist once, however often the
    event's signal arrives."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Given up"
        CANCELLED = "cancelled", "Not sent (no longer true)"

    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    comment = models.ForeignKey(
        "comments.Comment", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )
    to_address = models.EmailField()
    subject = models.CharField(max_length=200)
    body_text = models.TextField()
    body_html = models.TextField()
    unsubscribe_url = models.URLField(max_length=500)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="notification_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.to_address} ({self.state})"
