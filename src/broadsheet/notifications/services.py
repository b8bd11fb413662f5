"""Writing notifications: the recipient's choices, recording an email, sending it."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from broadsheet.comments.models import Comment
from broadsheet.comments.selectors import public_comments
from broadsheet.core.emails import mailbox_key
from broadsheet.core.languages import offered_language
from broadsheet.notifications.models import (
    PREFERENCE_FOR_KIND,
    Kind,
    Notification,
    NotificationPreference,
)
from broadsheet.notifications.tokens import EVERYTHING, Unsubscribe, unsubscribe_token

logger = logging.getLogger(__name__)

PREFERENCE_FIELDS = ("approved", "not_published", "replies")
FIRST_RETRY_AFTER = timedelta(minutes=1)
# While one sender has claimed an email, no other sends it.
CLAIM_LEASE = timedelta(minutes=2)
DUE_BATCH = 50


@dataclass(frozen=True)
class Recipient:
    """Whom an email goes to: an account (its current address) or a mailbox without one."""

    address: str
    user: AbstractBaseUser | None = None

    @property
    def email_key(self) -> str:
        return mailbox_key(self.address)


def preference_for(recipient: Recipient) -> NotificationPreference | None:
    if recipient.user is not None:
        return NotificationPreference.objects.filter(user_id=recipient.user.pk).first()
    return NotificationPreference.objects.filter(
        user__isnull=True, email_key=recipient.email_key
    ).first()


def wants(recipient: Recipient, kind: str) -> bool:
    preference = preference_for(recipient)
    return preference is None or preference.wants(kind)


@transaction.atomic
def preferences_update(
    *, user: AbstractBaseUser, choices: dict[str, bool]
) -> NotificationPreference:
    """Set an account's choices (the preferences page); fields not in CHOICES stay."""
    preference, _ = NotificationPreference.objects.select_for_update().get_or_create(
        user_id=user.pk
    )
    for name in PREFERENCE_FIELDS:
        if name in choices:
            setattr(preference, name, bool(choices[name]))
    preference.save()
    return preference


@transaction.atomic
def unsubscribe(request: Unsubscribe) -> NotificationPreference | None:
    """Switch off what an unsubscribe link names; None if its account no longer exists."""
    from django.contrib.auth import get_user_model

    if request.user_id is not None:
        user = get_user_model().objects.filter(pk=request.user_id).first()
        if user is None:
            return None
        preference, _ = NotificationPreference.objects.select_for_update().get_or_create(
            user=user
        )
    else:
        preference, _ = NotificationPreference.objects.select_for_update().get_or_create(
            user=None, email_key=request.email_key
        )
    names = PREFERENCE_FIELDS if request.preference == EVERYTHING else (request.preference,)
    for name in names:
        if name in PREFERENCE_FIELDS:
            setattr(preference, name, False)
    preference.save()
    return preference


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def unsubscribe_url(recipient: Recipient, preference: str) -> str:
    token = unsubscribe_token(
        user_id=recipient.user.pk if recipient.user is not None else None,
        email_key=recipient.email_key if recipient.user is None else "",
        preference=preference,
    )
    return absolute(reverse("notifications:unsubscribe", args=[token]))


def written_in(language: str) -> translation.override:
    """Render an email, links included (/ur/...), in the reader's LANGUAGE: the one they
    posted in, not the moderator's whose decision sends it; the site's default if it is no
    longer offered."""
    return translation.override(offered_language(language))


def reader_language(*, user_id: int | None = None, email: str = "") -> str:
    """The language of the reader's latest comment (by account, or else by address)."""
    comments = (
        Comment.objects.filter(user_id=user_id) if user_id is not None
        else Comment.objects.filter(author_email__iexact=email)
    )
    return comments.order_by("-submitted_at").values_list("language", flat=True).first() or ""


def notification_record(
    *, key: str, kind: str, recipient: Recipient, context: dict, comment: Comment | None = None
) -> Notification | None:
    """Render and store one email unless the recipient switched its kind off or it exists
    already (KEY names the event). Returns the stored email, or None. It is written in the
    active language: callers choose it with written_in()."""
    if not recipient.address or not wants(recipient, kind):
        return None
    link = unsubscribe_url(recipient, PREFERENCE_FOR_KIND[Kind(kind)])
    context = {
        **context, "kind": kind, "unsubscribe_url": link, "site_url": settings.SITE_URL,
        "preferences_url": absolute(reverse("notifications:preferences")),
        "has_account": recipient.user is not None,
    }
    template = kind.replace("-", "_")
    subject = " ".join(
        render_to_string(f"notifications/email/{template}_subject.txt", context).split()
    )
    try:
        with transaction.atomic():
            return Notification.objects.create(
                key=key, kind=kind, comment=comment,
                recipient_id=recipient.user.pk if recipient.user is not None else None,
                to_address=recipient.address, subject=subject[:200],
                body_text=render_to_string(f"notifications/email/{template}.txt", context),
                body_html=render_to_string(f"notifications/email/{template}.html", context),
                unsubscribe_url=link, next_attempt_at=timezone.now(),
            )
    except IntegrityError:
        return None  # this event's email exists already


def retry_delay(attempts: int) -> timedelta:
    """The wait after the ATTEMPTS-th failed attempt: a minute, then doubling."""
    return FIRST_RETRY_AFTER * (2 ** (attempts - 1))


def _claim(notification_id: int, now: datetime) -> Notification | None:
    claimed = Notification.objects.filter(
        pk=notification_id, state=Notification.State.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + CLAIM_LEASE)
    if not claimed:
        return None
    return Notification.objects.get(pk=notification_id)


def _still_true(notification: Notification) -> bool:
    """An email about a published comment goes out only while the comment is public; a
    not-published notice only while the comment stays rejected."""
    if notification.comment_id is None:
        return True
    if notification.kind in (Kind.APPROVED, Kind.REPLY):
        return public_comments().filter(pk=notification.comment_id).exists()
    if notification.kind == Kind.NOT_PUBLISHED:
        return Comment.objects.filter(
            pk=notification.comment_id, status=Comment.Status.REJECTED
        ).exists()
    return True


def _message(notification: Notification) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.to_address],
        headers={
            "List-Unsubscribe": f"<{notification.unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
        connection=get_connection(fail_silently=False),
    )
    message.attach_alternative(notification.body_html, "text/html")
    return message


def notification_send(*, notification_id: int, now: datetime | None = None) -> bool:
    """Send the email if it is due and nobody else is sending it; True if the mail server
    took it. A failure is retried later, a number of times (BROADSHEET_EMAIL_ATTEMPTS)."""
    now = now or timezone.now()
    notification = _claim(notification_id, now)
    if notification is None:
        return False
    if not _still_true(notification):
        notification.state = Notification.State.CANCELLED
        notification.next_attempt_at = None
        notification.save(update_fields=["state", "next_attempt_at"])
        return False
    error = ""
    try:
        _message(notification).send()
    except (smtplib.SMTPException, OSError) as failure:
        error = f"{failure.__class__.__name__}: {failure}"[:300]
    notification.attempts += 1
    if not error:
        notification.state = Notification.State.SENT
        notification.sent_at = timezone.now()
        notification.next_attempt_at = None
    elif notification.attempts >= settings.BROADSHEET_EMAIL_ATTEMPTS:
        notification.state = Notification.State.FAILED
        notification.next_attempt_at = None
    else:
        notification.next_attempt_at = now + retry_delay(notification.attempts)
    notification.last_error = error
    notification.save(
        update_fields=["attempts", "state", "sent_at", "next_attempt_at", "last_error"]
    )
    if error:
        logger.warning("Email %s to %s failed: %s", notification.pk, notification.to_address,
                       error)
    return not error


def due_notification_ids(*, now: datetime | None = None, limit: int = DUE_BATCH) -> list[int]:
    now = now or timezone.now()
    return list(
        Notification.objects.filter(state=Notification.State.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def send_due(*, now: datetime | None = None, limit: int = DUE_BATCH) -> int:
    """Send every email due at NOW (up to LIMIT); returns how many the mail server took."""
    return sum(
        notification_send(notification_id=pk, now=now)
        for pk in due_notification_ids(now=now, limit=limit)
    )


def next_due_at() -> datetime | None:
    return (
        Notification.objects.filter(
            state=Notification.State.PENDING, next_attempt_at__isnull=False
        )
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
