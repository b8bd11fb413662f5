"""What the author of a comment, signed in to their account, may do with it: ask for a review
of a rejection, edit it while it is pending or just published, delete it."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, User
from django.db import transaction
from django.utils import timezone

from broadsheet.articles.cache import article_comments_changed
from broadsheet.comments.models import Comment, Report
from broadsheet.comments.services import (
    ReportAlreadyOpen,
    comment_fingerprint,
    comment_report,
    text_fingerprint,
)
from broadsheet.comments.signals import comment_edited, send_on_commit

DELETED_PLACEHOLDER = "This comment was deleted by its author."
DELETED_NAME = "[deleted]"


class NotAllowed(Exception):
    """The author may not do this to the comment (now); the message says why."""


def _own_locked(comment_id: int, user: AbstractBaseUser) -> Comment:
    comment = (
        Comment.objects.select_for_update().filter(pk=comment_id, user_id=user.pk).first()
    )
    if comment is None or comment.deleted_by_author_at is not None:
        raise NotAllowed("That is not one of your comments.")
    return comment


def appeal_made(comment: Comment) -> bool:
    return Report.objects.filter(comment=comment, reason=Report.Reason.APPEAL).exists()


@transaction.atomic
def comment_appeal(*, comment_id: int, user: User, note: str) -> Report:
    """Ask the desk, once per comment, to look again at a rejection. It goes to the desk's
    Reported queue as an open report; approving the comment or dismissing the report
    answers it."""
    comment = _own_locked(comment_id, user)
    if comment.status != Comment.Status.REJECTED:
        raise NotAllowed("Only a comment that was not published can be sent for a review.")
    if appeal_made(comment):
        raise NotAllowed("You have already asked for a review of this comment.")
    try:
        # Opened as any report is, so the desk's count of open reports counts it too.
        return comment_report(
            comment=comment, reason=Report.Reason.APPEAL, note=note.strip()[:500], reporter=user
        )
    except ReportAlreadyOpen as error:
        raise NotAllowed("You have already asked for a review of this comment.") from error


def edit_deadline(comment: Comment) -> datetime | None:
    """Until when the author may still edit COMMENT, or None if they may not."""
    if comment.deleted_by_author_at is not None:
        return None
    if comment.status == Comment.Status.PENDING:
        return timezone.now() + timedelta(days=3650)
    if comment.status == Comment.Status.APPROVED and comment.decided_at is not None:
        deadline = comment.decided_at + timedelta(minutes=settings.BROADSHEET_EDIT_MINUTES)
        return deadline if deadline > timezone.now() else None
    return None


@transaction.atomic
def comment_edit_by_author(*, comment_id: int, user: AbstractBaseUser, text: str) -> Comment:
    """New text for the author's own comment; it goes back to moderation (pending, scanned
    again), so a published comment leaves the page until a moderator approves the new text."""
    comment = _own_locked(comment_id, user)
    if edit_deadline(comment) is None:
        raise NotAllowed(
            "This comment can no longer be edited: comments can be edited while they await "
            f"moderation and for {settings.BROADSHEET_EDIT_MINUTES} minutes after they are "
            "published."
        )
    was_public = comment.status == Comment.Status.APPROVED
    comment.text = text
    comment.render_text()
    comment.fingerprint = comment_fingerprint(
        article_id=comment.article_id, author_email=comment.author_email, text=comment.text
    )
    comment.text_fingerprint = text_fingerprint(comment.text)
    comment.status = Comment.Status.PENDING
    comment.decided_at = None
    comment.scan_state = Comment.ScanState.UNSCANNED
    comment.scan_attempts = 0
    comment.scan_claimed_at = None
    comment.save(update_fields=[
        "text", "text_html", "fingerprint", "text_fingerprint", "status", "decided_at",
        "scan_state", "scan_attempts", "scan_claimed_at",
    ])
    if was_public:
        article_comments_changed(comment.article_id)
    send_on_commit(comment_edited, comment=comment)
    return comment


@transaction.atomic
def comment_delete_by_author(*, comment_id: int, user: AbstractBaseUser) -> None:
    """Remove the author's comment. One with replies stays in its thread as a placeholder
    without the author's name, address or words, so the replies keep their place."""
    comment = _own_locked(comment_id, user)
    was_public = comment.status == Comment.Status.APPROVED
    if Comment.objects.filter(parent_id=comment.pk).exists():
        comment.text = DELETED_PLACEHOLDER
        comment.render_text()
        comment.author_name = DELETED_NAME
        comment.author_email = ""
        comment.ip_hash = ""
        comment.user = None
        comment.deleted_by_author_at = timezone.now()
        comment.save(update_fields=[
            "text", "text_html", "author_name", "author_email", "ip_hash", "user",
            "deleted_by_author_at",
        ])
    else:
        comment.delete()
    if was_public:
        article_comments_changed(comment.article_id)
