"""Decisions on comments. Every change of status goes through here and leaves a Decision."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from broadsheet.articles.cache import article_comments_changed
from broadsheet.comments.models import Comment, Report
from broadsheet.core.emails import mailbox_key
from broadsheet.moderation.models import Ban, CommentVector, Decision, RejectionReason

AUTO_MODERATOR = "auto-moderator"
BANNED_REASON_SLUG = "banned"


class DecisionError(ValidationError):
    """A decision that cannot be made, said in the moderator's terms."""


def _actor_name(actor: AbstractBaseUser | None) -> str:
    return actor.get_username() if actor is not None else AUTO_MODERATOR


def _locked(comment: Comment) -> Comment:
    # Two moderators clicking at once must not both decide: lock the row and re-read it.
    return Comment.objects.select_for_update().select_related("article").get(pk=comment.pk)


def _record(
    *,
    comment: Comment,
    actor: AbstractBaseUser | None,
    action: str,
    status_before: str,
    text_before: str,
    reason: RejectionReason | None = None,
    note: str = "",
    scores: dict | None = None,
) -> Decision:
    return Decision.objects.create(
        comment=comment,
        actor=actor,
        actor_name=_actor_name(actor),
        action=action,
        reason=reason,
        note=note,
        status_before=status_before,
        status_after=comment.status,
        text_before=text_before,
        text_after=comment.text,
        scores=scores if scores is not None else (comment.scores or {}),
        scanner_verdict=comment.scan_verdict if actor is not None else "",
    )


def _resolve_reports(comment: Comment, resolution: str) -> None:
    Report.objects.filter(comment=comment, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolution=resolution
    )
    comment.open_report_count = 0


@transaction.atomic
def comment_approve(
    *, comment: Comment, actor: AbstractBaseUser | None, note: str = "",
    already_locked: bool = False,
) -> Comment:
    """Publish COMMENT. ALREADY_LOCKED: the caller read it under select_for_update in this
    transaction (the scanner's batch does), so it is not locked and read a second time."""
    comment = comment if already_locked else _locked(comment)
    if comment.status == Comment.Status.APPROVED:
        return comment
    before = comment.status
    comment.status = Comment.Status.APPROVED
    comment.decided_at = timezone.now()
    comment.rejection_reason = None
    comment.save(update_fields=["status", "decided_at", "rejection_reason"])
    _record(
        comment=comment, actor=actor, action=Decision.Action.APPROVE,
        status_before=before, text_before=comment.text, note=note,
    )
    article_comments_changed(comment.article_id)
    return comment


@transaction.atomic
def comment_reject(
    *,
    comment: Comment,
    actor: AbstractBaseUser | None,
    reason: RejectionReason,
    note: str = "",
    already_locked: bool = False,
) -> Comment:
    comment = comment if already_locked else _locked(comment)
    if comment.status == Comment.Status.REJECTED and comment.rejection_reason_id == reason.pk:
        return comment
    before = comment.status
    comment.status = Comment.Status.REJECTED
    comment.decided_at = timezone.now()
    comment.rejection_reason = reason
    _resolve_reports(comment, "rejected")
    comment.save(update_fields=["status", "decided_at", "rejection_reason", "open_report_count"])
    _record(
        comment=comment, actor=actor, action=Decision.Action.REJECT,
        status_before=before, text_before=comment.text, reason=reason, note=note,
    )
    if before == Comment.Status.APPROVED:
        article_comments_changed(comment.article_id)
    return comment


@transaction.atomic
def comment_edit_approve(
    *, comment: Comment, actor: AbstractBaseUser, text: str, max_length: int, note: str = ""
) -> Comment:
    """Correct or trim a comment and publish it; the text before the edit stays in history."""
    new_text = text.strip()
    if not new_text:
        raise DecisionError("The edited comment is empty. Reject it instead, or keep some text.")
    if len(new_text) > max_length:
        raise DecisionError(
            f"The edited comment has {len(new_text)} characters; the limit is {max_length}."
        )
    comment = _locked(comment)
    before_status, before_text = comment.status, comment.text
    comment.text = new_text
    comment.status = Comment.Status.APPROVED
    comment.decided_at = timezone.now()
    comment.rejection_reason = None
    _resolve_reports(comment, "edited")
    comment.save(
        update_fields=["text", "status", "decided_at", "rejection_reason", "open_report_count"]
    )
    # Its vector speaks for the words the desk took out: the edited comment joins no
    # discussion the relevance scanner compares new comments with.
    CommentVector.objects.filter(comment=comment).delete()
    _record(
        comment=comment, actor=actor, action=Decision.Action.EDIT_APPROVE,
        status_before=before_status, text_before=before_text, note=note,
    )
    article_comments_changed(comment.article_id)
    return comment


@transaction.atomic
def comment_dismiss_reports(*, comment: Comment, actor: AbstractBaseUser) -> Comment:
    comment = _locked(comment)
    _resolve_reports(comment, "dismissed")
    comment.save(update_fields=["open_report_count"])
    _record(
        comment=comment, actor=actor, action=Decision.Action.DISMISS_REPORTS,
        status_before=comment.status, text_before=comment.text,
    )
    return comment


def comments_decide_in_bulk(
    *,
    comment_ids: Iterable[int],
    actor: AbstractBaseUser,
    action: str,
    reason: RejectionReason | None = None,
) -> int:
    """Approve or reject several comments; each gets its own history entry."""
    if action not in ("approve", "reject"):
        raise DecisionError("Choose approve or reject for the selected comments.")
    if action == "reject" and reason is None:
        raise DecisionError("Choose a reason to reject the selected comments.")
    count = 0
    for comment in Comment.objects.filter(pk__in=list(comment_ids)).order_by("pk"):
        if action == "approve":
            comment_approve(comment=comment, actor=actor)
        else:
            comment_reject(comment=comment, actor=actor, reason=reason)
        count += 1
    return count


def commenter_is_banned(*, email: str, user: AbstractBaseUser | None) -> bool:
    condition = Q(email__iexact=email.strip()) if email else Q(pk__in=[])
    if user is not None and user.pk:
        condition |= Q(user=user)
    return Ban.objects.filter(condition, lifted_at__isnull=True).exists()


@transaction.atomic
def commenter_ban(
    *,
    actor: AbstractBaseUser,
    email: str = "",
    user: AbstractBaseUser | None = None,
    ip_hash: str = "",
    days: int | None = None,
    note: str = "",
) -> Ban:
    """Ban by email address (every spelling of its mailbox), by account, or by a client's
    hashed network address for DAYS. Banning what is already banned returns that ban (a
    client's ban is lengthened when DAYS reaches further)."""
    email = email.strip().lower()
    if not email and user is None and not ip_hash:
        raise DecisionError("Give the email address, the account or the client to ban.")
    expires_at = None
    if ip_hash:
        if not days or days < 1:
            raise DecisionError("Choose for how many days to ban this network address.")
        expires_at = timezone.now() + timedelta(days=days)
    if email:
        condition = Q(email_key=mailbox_key(email))
    elif user is not None:
        condition = Q(user=user)
    else:
        condition = Q(ip_hash=ip_hash)
    existing = Ban.objects.in_force().filter(condition).first()
    if existing is not None:
        if expires_at is not None and existing.expires_at and existing.expires_at < expires_at:
            existing.expires_at = expires_at
            existing.save(update_fields=["expires_at"])
        return existing
    return Ban.objects.create(
        email=email,
        user=user,
        ip_hash=ip_hash if not email and user is None else "",
        expires_at=expires_at if not email and user is None else None,
        note=note.strip(),
        created_by=actor,
    )


def ban_lift(*, ban: Ban) -> Ban:
    if ban.lifted_at is None:
        ban.lifted_at = timezone.now()
        ban.save(update_fields=["lifted_at"])
    return ban


def comment_reject_banned(*, comment: Comment) -> Comment:
    reason, _ = RejectionReason.objects.get_or_create(
        slug=BANNED_REASON_SLUG, defaults={"label": "Banned commenter", "active": False}
    )
    comment.scan_state = Comment.ScanState.SKIPPED
    comment.save(update_fields=["scan_state"])
    return comment_reject(comment=comment, actor=None, reason=reason, note="banned")
