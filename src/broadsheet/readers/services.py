"""A reader's data: handing it over, and erasing the account with its email address."""

from __future__ import annotations

from typing import Any, cast

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from broadsheet.accounts.models import Reader
from broadsheet.accounts.signals import account_erasing, personal_data_requested
from broadsheet.articles.cache import article_comments_changed
from broadsheet.comments import authoring
from broadsheet.comments.models import Comment, Report
from broadsheet.core.emails import mailbox_key
from broadsheet.moderation.models import AUTHOR_ACTIONS, Ban, CommenterNote, Decision

ERASED = "[erased]"
ANONYMOUS_NAME = "Former reader"


def reader_data_export(*, user: AbstractBaseUser) -> dict[str, Any]:
    """Everything stored about the account, as the reader is given it (JSON-ready)."""
    reader = Reader.objects.filter(user_id=user.pk).first()
    emails = list(EmailAddress.objects.filter(user_id=user.pk).values("email", "verified",
                                                                     "primary"))
    comments = (
        Comment.objects.filter(user_id=user.pk)
        .select_related("article", "rejection_reason")
        .order_by("submitted_at", "id")
    )
    reports = Report.objects.filter(reporter_id=user.pk).order_by("created_at", "id")
    return {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "username": user.get_username(),
            "email": getattr(user, "email", ""),
            "email_addresses": emails,
            "display_name": reader.display_name if reader else "",
            "subscriber": bool(reader and reader.subscriber),
            "joined": user.date_joined.isoformat() if hasattr(user, "date_joined") else None,
        },
        "comments": [
            {
                "id": comment.pk,
                "article": comment.article.headline,
                "article_url": comment.article.get_absolute_url(),
                "reply_to": comment.parent_id,
                "text": comment.text,
                "posted_as": comment.author_name,
                "submitted_at": comment.submitted_at.isoformat(),
                "status": comment.status,
                "decided_at": comment.decided_at.isoformat() if comment.decided_at else None,
                "rejection_reason": (
                    comment.rejection_reason.label if comment.rejection_reason else None
                ),
            }
            for comment in comments
        ],
        "reports_made": [
            {
                "comment": report.comment_id,
                "reason": report.reason,
                "note": report.note,
                "made_at": report.created_at.isoformat(),
                "resolution": report.resolution or None,
            }
            for report in reports
        ],
        **_sections_from_other_apps(user),
    }


def _sections_from_other_apps(user: AbstractBaseUser) -> dict[str, Any]:
    sections: dict[str, Any] = {}
    for _receiver, answer in personal_data_requested.send(sender=Reader, user=user):
        name, data = cast(tuple[str, Any], answer)
        sections[name] = data
    return sections


def _scrub(text: str, addresses: list[str]) -> str:
    for address in addresses:
        if address:
            lowered = text.lower()
            start = lowered.find(address.lower())
            while start != -1:
                text = text[:start] + ERASED + text[start + len(address):]
                lowered = text.lower()
                start = lowered.find(address.lower())
    return text


@transaction.atomic
def reader_account_delete(*, user: AbstractBaseUser) -> None:
    """Delete the account and erase its email addresses everywhere they are stored: its
    comments (kept anonymised or deleted, BROADSHEET_DELETED_ACCOUNT_COMMENTS), comments
    posted with those addresses before the account existed, moderators' notes and the text
    history of decisions. A ban keeps only its mailbox key, so deleting an account does not
    lift a ban."""
    addresses = sorted(
        {getattr(user, "email", "")}
        | set(EmailAddress.objects.filter(user_id=user.pk).values_list("email", flat=True))
        - {""}
    )
    by_address = Q()
    for address in addresses:
        by_address |= Q(author_email__iexact=address)
    comments = Comment.objects.filter(Q(user_id=user.pk) | by_address)
    articles = set(comments.values_list("article_id", flat=True))
    if settings.BROADSHEET_DELETED_ACCOUNT_COMMENTS == "delete":
        for comment_id in comments.filter(deleted_by_author_at__isnull=True).values_list(
            "pk", flat=True
        ):
            comment = Comment.objects.filter(pk=comment_id).first()
            if comment is None:
                continue
            if comment.user_id != user.pk:
                comment.user_id = user.pk
                comment.save(update_fields=["user"])
            authoring.comment_delete_by_author(comment_id=comment_id, user=user)
    else:
        comments.update(author_name=ANONYMOUS_NAME, author_email="", ip_hash="", user=None)
    for decision in Decision.objects.filter(
        Q(note__icontains="@") | Q(text_before__icontains="@") | Q(text_after__icontains="@")
    ).only("pk", "note", "text_before", "text_after"):
        scrubbed = [_scrub(getattr(decision, field), addresses)
                    for field in ("note", "text_before", "text_after")]
        if scrubbed != [decision.note, decision.text_before, decision.text_after]:
            decision.note, decision.text_before, decision.text_after = scrubbed
            decision.save(update_fields=["note", "text_before", "text_after"])
    Ban.objects.filter(
        Q(user_id=user.pk) | Q(account_ban__user_id=user.pk) | Q(email__in=addresses)
    ).update(email="", user=None)
    for ban in Ban.objects.filter(note__icontains="@"):
        scrubbed_note = _scrub(ban.note, addresses)
        if scrubbed_note != ban.note:
            ban.note = scrubbed_note
            ban.save(update_fields=["note"])
    # The history keeps that the author edited or deleted, not under which name.
    Decision.objects.filter(actor_id=user.pk, action__in=AUTHOR_ACTIONS).update(
        actor_name=ANONYMOUS_NAME
    )
    Report.objects.filter(reporter_id=user.pk).update(reporter=None, reporter_key="")
    CommenterNote.objects.filter(
        email_key__in={mailbox_key(address) for address in addresses}
    ).delete()
    account_erasing.send(sender=Reader, user=user, addresses=addresses)
    user.delete()
    for article_id in articles:
        article_comments_changed(article_id)
