"""Turn the lower apps' decisions into emails to the commenters concerned (connected in
apps.py). The signals arrive after the decision committed; a failure here is logged and
never reaches the moderator or reader whose action caused it."""

from __future__ import annotations

import logging

from django.db.models import Q
from django.urls import reverse

from broadsheet.accounts.signals import account_erasing, personal_data_requested
from broadsheet.comments.models import Comment
from broadsheet.core.emails import mailbox_key
from broadsheet.core.models import Page
from broadsheet.moderation import signals as moderation_signals
from broadsheet.moderation.models import Ban, Decision
from broadsheet.moderation.services import BANNED_REASON_SLUG
from broadsheet.notifications import services, tasks
from broadsheet.notifications.models import Kind, Notification, NotificationPreference

logger = logging.getLogger(__name__)

HOUSE_RULES_SLUG = "comments-faq"


def _account_recipient(comment: Comment) -> services.Recipient | None:
    """Only signed-in commenters hear about their comments: an address typed into the
    form is nobody's to write to (anyone can type anyone's)."""
    user = comment.user
    if user is None or not user.is_active or not user.email:
        return None
    return services.Recipient(address=user.email, user=user)


def _house_rules_url() -> str:
    page = Page.objects.filter(slug=HOUSE_RULES_SLUG).first()
    return services.absolute(page.get_absolute_url()) if page is not None else ""


def _decided_by_a_person(comment: Comment) -> bool:
    latest = Decision.objects.filter(comment=comment).order_by("-created_at", "-id").first()
    return latest is not None and latest.actor_id is not None


def _comment_context(comment: Comment) -> dict:
    return {
        "comment": comment,
        "article": comment.article,
        "comment_url": services.absolute(comment.get_absolute_url()),
        "article_url": services.absolute(comment.article.get_absolute_url()),
    }


def on_approved(sender, *, comment: Comment, **_kwargs) -> list[int]:
    comment = Comment.objects.select_related("article", "user", "parent__user").get(pk=comment.pk)
    recorded = []
    author = _account_recipient(comment)
    # A comment the scanner published at once is on the page as its author posts: only a
    # comment that waited for the desk is worth an email.
    if author is not None and _decided_by_a_person(comment):
        with services.written_in(comment.language):
            notification = services.notification_record(
                key=f"approved:{comment.pk}", kind=Kind.APPROVED, recipient=author,
                comment=comment, context=_comment_context(comment),
            )
        if notification is not None:
            recorded.append(notification.pk)
    parent = comment.parent
    if parent is not None:
        replied_to = _account_recipient(parent)
        if replied_to is not None and parent.user_id != comment.user_id:
            # Written in the language the replied-to reader posted in.
            with services.written_in(parent.language):
                notification = services.notification_record(
                    key=f"reply:{comment.pk}", kind=Kind.REPLY, recipient=replied_to,
                    comment=comment, context={**_comment_context(comment), "parent": parent},
                )
            if notification is not None:
                recorded.append(notification.pk)
    return recorded


def on_rejected(sender, *, comment: Comment, **_kwargs) -> list[int]:
    comment = Comment.objects.select_related("article", "user", "rejection_reason").get(
        pk=comment.pk
    )
    author = _account_recipient(comment)
    reason = comment.rejection_reason
    # A banned reader's comments are refused by the ban, whose notice said why.
    if author is None or reason is None or reason.slug == BANNED_REASON_SLUG:
        return []
    with services.written_in(comment.language):
        notification = services.notification_record(
            key=f"not-published:{comment.pk}", kind=Kind.NOT_PUBLISHED, recipient=author,
            comment=comment,
            # The reason's label is the newsroom's own wording and stays as entered.
            context={**_comment_context(comment), "reason": reason.label,
                     "house_rules_url": _house_rules_url(),
                     # Where the reader sees the decision and may ask for a review (the
                     # redress a statement of reasons points to).
                     "your_comments_url": services.absolute(reverse("readers:comments"))},
        )
    return [notification.pk] if notification is not None else []


def on_suspended(sender, *, ban: Ban, **_kwargs) -> list[int]:
    ban = Ban.objects.select_related("user").get(pk=ban.pk)
    if ban.user is not None:
        if not ban.user.email:
            return []
        recipient = services.Recipient(address=ban.user.email, user=ban.user)
    elif ban.email:
        recipient = services.Recipient(address=ban.email)
    else:
        return []
    language = services.reader_language(
        user_id=ban.user.pk if ban.user is not None else None, email=ban.email
    )
    with services.written_in(language):
        notification = services.notification_record(
            key=f"suspended:{ban.pk}", kind=Kind.SUSPENDED, recipient=recipient,
            context={"ban": ban, "reason": ban.note, "until": ban.expires_at,
                     "house_rules_url": _house_rules_url()},
        )
    return [notification.pk] if notification is not None else []


def _sending(handler):
    def receive(sender, **kwargs) -> None:
        try:
            tasks.dispatch(handler(sender, **kwargs))
        except Exception:
            logger.exception("Could not record the %s email", handler.__name__)

    return receive


_RECEIVERS = [
    (moderation_signals.comment_approved, _sending(on_approved), "approved"),
    (moderation_signals.comment_rejected, _sending(on_rejected), "rejected"),
    (moderation_signals.commenter_suspended, _sending(on_suspended), "suspended"),
]


def on_personal_data_requested(sender, *, user, **_) -> tuple[str, dict]:
    preference = NotificationPreference.objects.filter(user_id=user.pk).first()
    choices = {
        field: getattr(preference, field) if preference is not None else True
        for field in ("approved", "not_published", "replies")
    }
    return "notification_settings", choices


def on_account_erasing(sender, *, user, addresses: list[str], **_) -> None:
    """Emails kept for or about the account's addresses go with it: sent or waiting, and the
    choices made through an unsubscribe link for an address without an account."""
    by_address = Q(recipient_id=user.pk)
    for address in addresses:
        by_address |= Q(to_address__iexact=address)
    Notification.objects.filter(by_address).delete()
    NotificationPreference.objects.filter(
        Q(user_id=user.pk) | Q(email_key__in={mailbox_key(a) for a in addresses})
    ).delete()


def connect() -> None:
    for signal, receiver, name in _RECEIVERS:
        signal.connect(receiver, dispatch_uid=f"notification-{name}")
    personal_data_requested.connect(on_personal_data_requested, dispatch_uid="notification-data")
    account_erasing.connect(on_account_erasing, dispatch_uid="notification-erasing")

