"""Who is behind a comment, as the desk reads it: the kind of commenter, their record by
account (across changes of address), the moderators' notes on them and their comments.

A signed-in commenter is known by the account; one without is known by the address they
gave, compared as lower case for the record (the author_record index) and as the mailbox
(core.emails.mailbox_key) for notes and bans.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy

from broadsheet.accounts.models import Reader
from broadsheet.comments.models import Comment
from broadsheet.core.emails import mailbox_key
from broadsheet.moderation.models import CommenterNote

# A reader is a subscriber by the flag on their account (set by the newsroom's sign-in claim or
# the admin) or by membership of this group (for accounts made by staff).
SUBSCRIBER_GROUP = "subscribers"

ANONYMOUS = "anonymous"
ACCOUNT = "account"
VERIFIED = "verified"
SUBSCRIBER = "subscriber"
KIND_LABELS = {
    ANONYMOUS: gettext_lazy("No account"),
    ACCOUNT: gettext_lazy("Account, address not verified"),
    VERIFIED: gettext_lazy("Verified account"),
    SUBSCRIBER: gettext_lazy("Subscriber"),
}


@dataclass(frozen=True)
class CommenterRecord:
    approved: int = 0
    rejected: int = 0


def record_key(comment: Comment) -> str:
    """Whose record a comment counts in: the account's, else the address's."""
    if comment.user_id:
        return f"user:{comment.user_id}"
    return f"email:{comment.author_email.lower()}"


def note_key(comment: Comment) -> str:
    if comment.user_id:
        return f"user:{comment.user_id}"
    return f"mailbox:{mailbox_key(comment.author_email)}"


def _verified_user_ids(user_ids: set[int]) -> set[int]:
    """The accounts with a verified address. Without django-allauth's email addresses every
    account counts as verified: accounts are then made by staff or the newsroom's sign-in."""
    if not apps.is_installed("allauth.account"):
        return set(user_ids)
    email_address = apps.get_model("account", "EmailAddress")
    return set(
        email_address.objects.filter(user_id__in=user_ids, verified=True)
        .values_list("user_id", flat=True)
    )


def _subscriber_ids(user_ids: set[int]) -> set[int]:
    memberships = get_user_model().groups.through.objects
    in_group = memberships.filter(user_id__in=user_ids, group__name=SUBSCRIBER_GROUP)
    flagged = Reader.objects.filter(user_id__in=user_ids, subscriber=True)
    return set(in_group.values_list("user_id", flat=True)) | set(
        flagged.values_list("user_id", flat=True)
    )


def commenter_kinds(comments: Iterable[Comment]) -> dict[int, str]:
    """Each comment's kind of commenter by comment id, in two queries at most for a page."""
    comments = list(comments)
    user_ids = {c.user_id for c in comments if c.user_id}
    subscribers = _subscriber_ids(user_ids) if user_ids else set()
    verified = _verified_user_ids(user_ids - subscribers) if user_ids else set()
    kinds = {}
    for comment in comments:
        if not comment.user_id:
            kinds[comment.pk] = ANONYMOUS
        elif comment.user_id in subscribers:
            kinds[comment.pk] = SUBSCRIBER
        elif comment.user_id in verified:
            kinds[comment.pk] = VERIFIED
        else:
            kinds[comment.pk] = ACCOUNT
    return kinds


def commenter_kind(comment: Comment) -> str:
    """anonymous, account (address not verified), verified or subscriber."""
    return commenter_kinds([comment])[comment.pk]


def commenter_records(comments: Iterable[Comment]) -> dict[str, CommenterRecord]:
    """Approved and rejected counts for every commenter on a page, by record_key, in one
    query: an account's across every address it used, an address's by its lower case."""
    comments = list(comments)
    user_ids = {c.user_id for c in comments if c.user_id}
    emails = {c.author_email.lower() for c in comments if not c.user_id}
    if not user_ids and not emails:
        return {}
    counts = {
        "approved": Count("id", filter=Q(status=Comment.Status.APPROVED)),
        "rejected": Count("id", filter=Q(status=Comment.Status.REJECTED)),
    }
    records: dict[str, CommenterRecord] = {}
    if user_ids:
        for row in (
            Comment.objects.filter(user_id__in=user_ids)
            .values("user_id").annotate(**counts).order_by()
        ):
            records[f"user:{row['user_id']}"] = CommenterRecord(row["approved"], row["rejected"])
    if emails:
        for row in (
            Comment.objects.annotate(email_key=Lower("author_email"))
            .filter(email_key__in=emails, user__isnull=True)
            .values("email_key").annotate(**counts).order_by()
        ):
            records[f"email:{row['email_key']}"] = CommenterRecord(
                row["approved"], row["rejected"]
            )
    return records


def commenter_notes(comments: Iterable[Comment]) -> dict[str, list[CommenterNote]]:
    """The moderators' notes on every commenter on a page, by note_key, in one query."""
    comments = list(comments)
    user_ids = {c.user_id for c in comments if c.user_id}
    mailboxes = {mailbox_key(c.author_email) for c in comments if not c.user_id}
    if not user_ids and not mailboxes:
        return {}
    notes: dict[str, list[CommenterNote]] = {}
    condition = Q(user_id__in=user_ids) | Q(user__isnull=True, email_key__in=mailboxes)
    for note in CommenterNote.objects.filter(condition).order_by("created_at", "id"):
        key = f"user:{note.user_id}" if note.user_id else f"mailbox:{note.email_key}"
        notes.setdefault(key, []).append(note)
    return notes


def commenter_comments(*, comment: Comment, limit: int = 200) -> QuerySet[Comment]:
    """The commenter's comments, newest first: every comment of the account (whatever address
    it gave), else every comment without an account under the same address."""
    if comment.user_id:
        mine = Comment.objects.filter(user_id=comment.user_id)
    else:
        mine = Comment.objects.annotate(email_key=Lower("author_email")).filter(
            email_key=comment.author_email.lower(), user__isnull=True
        )
    return mine.select_related("article", "rejection_reason").order_by("-submitted_at", "-id")[
        :limit
    ]
