"""Decisions on comments. Every change of status goes through here and leaves a Decision."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from broadsheet.articles.cache import article_comments_changed
from broadsheet.comments.models import Comment, Report
from broadsheet.comments.signals import send_on_commit
from broadsheet.core.emails import mailbox_key
from broadsheet.core.sql import insert_statement, insert_values, update_rows
from broadsheet.moderation import signals
from broadsheet.moderation.models import (
    CommenterNote,
    CommentVector,
    Decision,
    RejectionReason,
)

AUTO_MODERATOR = "auto-moderator"
BANNED_REASON_SLUG = "banned"


class DecisionError(ValidationError):
    """A decision that cannot be made, said in the moderator's terms."""


class DecisionConflict(DecisionError):
    """Another decision reached the comment first: the moderator decided on a stale view."""

    def __init__(self, comment: Comment, message: str):
        super().__init__(message)
        self.comment = comment


def _conflict(comment: Comment) -> DecisionConflict:
    latest = Decision.objects.filter(comment=comment).order_by("-created_at", "-id").first()
    who = ""
    if latest is not None:
        who = " by its author" if latest.is_by_author else f" by {latest.actor_name}"
    why = ""
    if comment.status == Comment.Status.REJECTED and comment.rejection_reason is not None:
        why = f" as {comment.rejection_reason.label}"
    return DecisionConflict(
        comment,
        f"This comment was {comment.get_status_display().lower()}{who} while you were reading "
        f"it{why}, so nothing was changed.",
    )


def _check_expected(comment: Comment, expected_status: str | None) -> None:
    """Under the row lock: refuse a decision made on a view of the comment that is no longer
    true (another moderator, the scanner or a second tab decided in between)."""
    if expected_status is not None and comment.status != expected_status:
        raise _conflict(comment)


def _pk(user: AbstractBaseUser | None) -> int | None:
    # The user's key for a foreign key: the model's field names the concrete User class,
    # these services take any account.
    return user.pk if user is not None else None


def _actor_name(actor: AbstractBaseUser | None) -> str:
    return actor.get_username() if actor is not None else AUTO_MODERATOR


def _locked(comment: Comment) -> Comment:
    # Two moderators clicking at once must not both decide: lock the row and re-read it.
    return Comment.objects.select_for_update().select_related("article").get(pk=comment.pk)


def history_line(
    *,
    comment_id: int,
    actor: AbstractBaseUser | None,
    action: str,
    status_before: str,
    status_after: str,
    text_before: str,
    text_after: str,
    scores: dict[str, Any],
    actor_name: str | None = None,
    reason: RejectionReason | None = None,
    note: str = "",
    scanner_verdict: str = "",
    trust_rule: str = "",
) -> Decision:
    """One line of a comment's history, for the caller to store: every decision on a comment,
    and its author's own changes, is written from here. ACTOR_NAME: the name the history shows,
    by default the actor's username (the auto-moderator's when there is no actor)."""
    return Decision(
        comment_id=comment_id,
        actor_id=_pk(actor),
        actor_name=actor_name if actor_name is not None else _actor_name(actor),
        action=action,
        reason=reason,
        note=note,
        status_before=status_before,
        status_after=status_after,
        text_before=text_before,
        text_after=text_after,
        scores=scores,
        scanner_verdict=scanner_verdict,
        trust_rule=trust_rule,
    )


def _record(
    *,
    comment: Comment,
    actor: AbstractBaseUser | None,
    action: str,
    status_before: str,
    text_before: str,
    reason: RejectionReason | None = None,
    note: str = "",
) -> Decision:
    line = history_line(
        comment_id=comment.pk, actor=actor, action=action, reason=reason, note=note,
        status_before=status_before, status_after=comment.status, text_before=text_before,
        text_after=comment.text, scores=comment.scores or {},
        scanner_verdict=_scanner_verdict(comment, actor),
    )
    line.save(force_insert=True)
    return line


def _scanner_verdict(comment: Comment, actor: AbstractBaseUser | None) -> str:
    # What the scanner had said when a person decided, so agreement can be measured.
    return comment.scan_verdict if actor is not None else ""


def _resolve_reports(comment: Comment, resolution: str) -> None:
    Report.objects.filter(comment=comment, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolution=resolution
    )
    comment.open_report_count = 0


class DecidedMeanwhile(Exception):
    """A comment an approval meant to publish no longer had the status it was read with."""


@dataclass(frozen=True)
class Approval:
    """One comment to publish, as the approval reads it, and what its history keeps: the
    note, and for the auto-moderator the trust rule that published the comment over the scan's
    own verdict (both kept in the history)."""

    comment_id: int
    article_id: int
    text: str
    scores: dict[str, Any]
    has_open_reports: bool = False
    note: str = ""
    trust_rule: str = ""
    scanner_verdict: str = ""


def comments_approve(
    *, approvals: Sequence[Approval], actor: AbstractBaseUser | None, status_before: str
) -> datetime:
    """Publish the comments of APPROVALS, rows the caller has locked in its transaction and
    read with STATUS_BEFORE: the one write of an approval, for one comment (a moderator's) or
    a batch (the scan's). A few statements whatever the batch's size; raises DecidedMeanwhile,
    for the caller's transaction to roll back, when a row no longer had STATUS_BEFORE. Returns
    the time of the decision."""
    now = timezone.now()
    ids = [approval.comment_id for approval in approvals]
    changed = update_rows(
        Comment, ids,
        {"status": Comment.Status.APPROVED.value, "decided_at": now, "rejection_reason": None,
         "open_report_count": 0},
        where={"status": status_before},
    )
    if changed != len(ids):
        raise DecidedMeanwhile(f"Comments {ids} were not all {status_before}.")
    # Publishing a rejected comment answers its author's request for a review, and an edited
    # one the reports on its earlier text.
    reported = [a.comment_id for a in approvals if a.has_open_reports]
    if reported:
        Report.objects.filter(comment_id__in=reported, resolved_at__isnull=True).update(
            resolved_at=now, resolution="approved"
        )
    _insert_decisions([
        history_line(
            comment_id=approval.comment_id, actor=actor, action=Decision.Action.APPROVE,
            note=approval.note, status_before=status_before,
            status_after=Comment.Status.APPROVED, text_before=approval.text,
            text_after=approval.text, scores=approval.scores,
            scanner_verdict=approval.scanner_verdict, trust_rule=approval.trust_rule,
        )
        for approval in approvals
    ])
    for article_id in sorted({approval.article_id for approval in approvals}):
        article_comments_changed(article_id)
    if signals.comment_approved.has_listeners():
        transaction.on_commit(lambda: _announce_approvals(ids))
    return now


def _insert_decisions(decisions: list[Decision]) -> None:
    sql, fields = insert_statement(Decision, connection.vendor)
    with connection.cursor() as cursor:
        cursor.executemany(sql, [insert_values(decision, fields) for decision in decisions])


def _announce_approvals(comment_ids: list[int]) -> None:
    """After the approval commits, tell the apps above (webhooks, reply emails) of each."""
    for comment in Comment.objects.filter(pk__in=comment_ids).select_related("article"):
        signals.comment_approved.send_robust(sender=Comment, comment=comment)


@transaction.atomic
def comment_approve(
    *, comment: Comment, actor: AbstractBaseUser | None, note: str = "",
    expected_status: str | None = None,
) -> Comment:
    """Publish COMMENT if it still has EXPECTED_STATUS (the status the moderator saw; None
    accepts any), else raise DecisionConflict. Approving an approved comment changes nothing."""
    comment = _locked(comment)
    if comment.status == Comment.Status.APPROVED:
        return comment
    _check_expected(comment, expected_status)
    approval = Approval(
        comment_id=comment.pk, article_id=comment.article_id, text=comment.text,
        scores=comment.scores or {}, has_open_reports=comment.open_report_count > 0, note=note,
        scanner_verdict=_scanner_verdict(comment, actor),
    )
    decided_at = comments_approve(approvals=[approval], actor=actor, status_before=comment.status)
    comment.status = Comment.Status.APPROVED
    comment.decided_at = decided_at
    comment.rejection_reason = None
    comment.open_report_count = 0
    return comment


@transaction.atomic
def comment_reject(
    *,
    comment: Comment,
    actor: AbstractBaseUser | None,
    reason: RejectionReason,
    note: str = "",
    expected_status: str | None = None,
    already_locked: bool = False,
) -> Comment:
    """Reject COMMENT for REASON if it still has EXPECTED_STATUS (see comment_approve)."""
    comment = comment if already_locked else _locked(comment)
    if comment.status == Comment.Status.REJECTED and comment.rejection_reason_id == reason.pk:
        return comment
    _check_expected(comment, expected_status)
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
    send_on_commit(signals.comment_rejected, comment=comment)
    return comment


def comment_hold(
    *, comment: Comment, note: str, scores: dict[str, Any], scanner_verdict: str = "",
    trust_rule: str = "",
) -> Decision:
    """Put in COMMENT's history that the auto-moderator held it for a moderator; its status
    stays as it is."""
    line = history_line(
        comment_id=comment.pk, actor=None, action=Decision.Action.HOLD, note=note,
        status_before=comment.status, status_after=comment.status, text_before=comment.text,
        text_after=comment.text, scores=scores, scanner_verdict=scanner_verdict,
        trust_rule=trust_rule,
    )
    line.save(force_insert=True)
    return line


@transaction.atomic
def comment_edit_approve(
    *, comment: Comment, actor: AbstractBaseUser, text: str, max_length: int, note: str = "",
    expected_status: str | None = None,
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
    _check_expected(comment, expected_status)
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
    if before_status != Comment.Status.APPROVED:
        send_on_commit(signals.comment_approved, comment=comment)
    send_on_commit(signals.comment_edited, comment=comment)
    return comment


@transaction.atomic
def comment_dismiss_reports(*, comment: Comment, actor: AbstractBaseUser) -> Comment:
    comment = _locked(comment)
    if comment.open_report_count == 0:
        raise DecisionConflict(
            comment, "This comment has no open reports to dismiss; another moderator may have "
            "dealt with them.",
        )
    _resolve_reports(comment, "dismissed")
    comment.save(update_fields=["open_report_count"])
    _record(
        comment=comment, actor=actor, action=Decision.Action.DISMISS_REPORTS,
        status_before=comment.status, text_before=comment.text,
    )
    return comment


@dataclass
class BulkOutcome:
    """What a bulk decision did: the comments it decided and those another decision had
    already reached (left as they were)."""

    decided: list[Comment] = field(default_factory=list)
    conflicts: list[DecisionConflict] = field(default_factory=list)


def comments_decide_in_bulk(
    *,
    comment_ids: Iterable[int],
    actor: AbstractBaseUser,
    action: str,
    reason: RejectionReason | None = None,
    seen_statuses: Mapping[int, str] | None = None,
) -> BulkOutcome:
    """Approve or reject several comments; each gets its own history entry.

    SEEN_STATUSES: each comment's status as the moderator's page showed it. A comment whose
    status changed since is left alone and reported as a conflict; one without a seen status
    must still have the status read here, so two simultaneous decisions never both land.
    """
    if action not in ("approve", "reject"):
        raise DecisionError("Choose approve or reject for the selected comments.")
    if action == "reject" and reason is None:
        raise DecisionError("Choose a reason to reject the selected comments.")
    seen_statuses = seen_statuses or {}
    rejection = reason if action == "reject" else None
    outcome = BulkOutcome()
    for comment in Comment.objects.filter(pk__in=list(comment_ids)).order_by("pk"):
        expected = seen_statuses.get(comment.pk, comment.status)
        try:
            if rejection is None:
                decided = comment_approve(comment=comment, actor=actor, expected_status=expected)
            else:
                decided = comment_reject(
                    comment=comment, actor=actor, reason=rejection, expected_status=expected
                )
        except DecisionConflict as conflict:
            outcome.conflicts.append(conflict)
        else:
            outcome.decided.append(decided)
    return outcome


def comment_reject_banned(*, comment: Comment) -> Comment:
    reason, _ = RejectionReason.objects.get_or_create(
        slug=BANNED_REASON_SLUG, defaults={"label": "Banned commenter", "active": False}
    )
    comment.scan_state = Comment.ScanState.SKIPPED
    comment.save(update_fields=["scan_state"])
    return comment_reject(comment=comment, actor=None, reason=reason, note="banned")


NOTE_MAX_LENGTH = 1000


@transaction.atomic
def commenter_note_add(*, comment: Comment, actor: AbstractBaseUser, text: str) -> CommenterNote:
    """Note something about the commenter behind COMMENT: on their account if they had one,
    else on the mailbox of the address they gave."""
    text = text.strip()
    if not text:
        raise DecisionError("Write the note first.")
    if len(text) > NOTE_MAX_LENGTH:
        raise DecisionError(
            f"The note has {len(text)} characters; keep it under {NOTE_MAX_LENGTH}."
        )
    return CommenterNote.objects.create(
        user_id=comment.user_id,
        email_key="" if comment.user_id else mailbox_key(comment.author_email),
        text=text,
        created_by_id=actor.pk,
        created_by_name=actor.get_username(),
    )
