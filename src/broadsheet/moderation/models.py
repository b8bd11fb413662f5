from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from broadsheet.comments.models import Comment
from broadsheet.core.emails import mailbox_key


class RejectionReason(models.Model):
    """A reason moderators pick from when they reject; editors manage the list."""

    slug = models.SlugField(unique=True)
    label = models.CharField(max_length=80)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True, help_text="Offered on the desk.")

    class Meta:
        ordering = ["position", "label"]

    def __str__(self) -> str:
        return self.label


class Decision(models.Model):
    """One entry in a comment's history: who did what, when, why, and what the text was."""

    class Action(models.TextChoices):
        APPROVE = "approve", "Approved"
        REJECT = "reject", "Rejected"
        EDIT_APPROVE = "edit-approve", "Edited and approved"
        HOLD = "hold", "Held for a moderator"
        DISMISS_REPORTS = "dismiss-reports", "Dismissed reports"
        REPORT = "report", "Reported by a reader"
        AUTHOR_EDIT = "author-edit", "Edited by its author"
        AUTHOR_DELETE = "author-delete", "Deleted by its author"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="decisions")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # "auto-moderator" for the scanner, the moderator's username otherwise (kept if the
    # account is deleted later).
    actor_name = models.CharField(max_length=150)
    action = models.CharField(max_length=20, choices=Action.choices)
    reason = models.ForeignKey(
        RejectionReason, null=True, blank=True, on_delete=models.PROTECT
    )
    note = models.CharField(max_length=500, blank=True)
    status_before = models.CharField(max_length=10)
    status_after = models.CharField(max_length=10)
    text_before = models.TextField()
    text_after = models.TextField()
    scores = models.JSONField(default=dict, blank=True)
    # What the scanner had said when a human decided, so agreement can be measured.
    scanner_verdict = models.CharField(max_length=10, blank=True)
    # The trust rule (moderation/trust.py) that changed the scanner's outcome, in words.
    trust_rule = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.actor_name} {self.action} comment {self.comment_id}"

    @property
    def is_automatic(self) -> bool:
        return self.actor_id is None and not self.is_by_author

    @property
    def is_by_author(self) -> bool:
        """The comment's own author acted (edit, delete): history, not a moderator's decision."""
        return self.action in AUTHOR_ACTIONS


AUTHOR_ACTIONS = (Decision.Action.AUTHOR_EDIT, Decision.Action.AUTHOR_DELETE)


class BanQuerySet(models.QuerySet["Ban"]):
    def in_force(self) -> BanQuerySet:
        """Bans not lifted and not expired."""
        return self.filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=timezone.now()),
            lifted_at__isnull=True,
        )


class Ban(models.Model):
    """A commenter whose new comments are rejected automatically."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="bans",
    )
    email = models.EmailField(blank=True)
    # The mailbox the address reaches (core.emails.mailbox_key), so "offers+1@" and dotted
    # Gmail spellings of a banned address are banned too.
    email_key = models.CharField(max_length=254, blank=True)
    # A client's hashed network address (as stored on its comments), banned for a while only:
    # addresses change hands, and many readers can share one.
    ip_hash = models.CharField(max_length=32, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    # Set on a row that extends an account's ban to one more of its verified addresses, so the
    # submit check catches that address by its mailbox key without looking up accounts; it
    # ends and is lifted with the account's ban (moderation.services keeps them in step).
    account_ban = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="address_bans"
    )

    objects = BanQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["email_key"], name="ban_email_key"),
            models.Index(fields=["ip_hash"], name="ban_ip_hash"),
        ]

    def __str__(self) -> str:
        return f"Ban on {self.who}"

    def save(self, *args, **kwargs) -> None:
        # Keyed here, as Comment renders its HTML on save: a ban made in the admin or a shell
        # must catch the same spellings as one made on the desk.
        self.email_key = mailbox_key(self.email) if self.email else ""
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "email" in update_fields:
            kwargs["update_fields"] = {*update_fields, "email_key"}
        super().save(*args, **kwargs)

    @property
    def who(self) -> str:
        """Whom the ban catches, as the desk names them."""
        if self.user is not None:
            return f"account {self.user.get_username()}"
        if self.email:
            return self.email
        if self.ip_hash:
            return f"network address #{self.ip_hash[:10]} until {self.ends}"
        return ""

    @property
    def ends(self) -> str:
        """When the ban ends, as the desk says it ("" for a permanent ban)."""
        if self.expires_at is None:
            return ""
        return timezone.localtime(self.expires_at).strftime("%d %b %Y, %H:%M")


class WordListEntry(models.Model):
    class Kind(models.TextChoices):
        BANNED = "banned", "Banned (reject)"
        SUSPECT = "suspect", "Suspect (hold for a moderator)"

    phrase = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "word list entry"
        verbose_name_plural = "word list"
        constraints = [
            models.UniqueConstraint(Lower("phrase"), name="unique_word_list_phrase")
        ]

    def __str__(self) -> str:
        return f"{self.phrase} ({self.kind})"


class BlockedDomain(models.Model):
    domain = models.CharField(max_length=253, unique=True, help_text="e.g. cheap-pills.example")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.domain


class ArticleEmbedding(models.Model):
    """The article's chunks embedded once at publish/edit time, for the relevance scanner."""

    article = models.OneToOneField(
        "articles.Article", on_delete=models.CASCADE, related_name="embedding"
    )
    vectors = models.BinaryField()
    source_hash = models.CharField(max_length=64)
    model_name = models.CharField(max_length=60)
    computed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Embedding of article {self.article_id} ({self.model_name})"


class CommentVector(models.Model):
    """A scanned comment's embedding, kept so the comments after it can be compared with the
    discussion under their article (the relevance scanner's discussion evidence)."""

    comment = models.OneToOneField(
        Comment, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    # Led by the composite index below, which the discussion read walks newest first.
    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    model_name = models.CharField(max_length=60)
    vector = models.BinaryField()
    # The comment's token bag (``embedder.bag_to_bytes``): the discussion's words, compared
    # exactly where the embedding blurs names. Null for comments scanned before it was kept.
    token_bag = models.BinaryField(null=True)

    class Meta:
        indexes = [models.Index(fields=["article", "comment"], name="commentvector_article_idx")]

    def __str__(self) -> str:
        return f"Vector of comment {self.comment_id} ({self.model_name})"


class CommenterNote(models.Model):
    """What a moderator wants the others to know about a commenter, shown beside every comment
    of theirs on the desk. Kept on the account when the commenter had one (it survives a change
    of address), else on the mailbox of the address they gave (core.emails.mailbox_key)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="moderator_notes",
    )
    email_key = models.CharField(max_length=254, blank=True)
    text = models.CharField(max_length=1000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The moderator's username, kept if their account is deleted later.
    created_by_name = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["email_key"], name="commenternote_email_key")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(email_key=""),
                name="commenter_note_has_commenter",
            )
        ]

    def __str__(self) -> str:
        return f"Note on {self.user or self.email_key} by {self.created_by_name}"
