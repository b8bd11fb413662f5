"""The author's own edit or deletion of a comment, with its line in the comment's history.

Not a moderator's decision: the reports and the desk's counts leave these actions out. The
change itself is comments.authoring's; this module adds the history, in one transaction.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from broadsheet.comments import authoring
from broadsheet.comments.models import Comment
from broadsheet.moderation.models import Decision
from broadsheet.moderation.services import history_line


def decision_record_author_action(
    *, comment: Comment, author: AbstractBaseUser, action: str, status_before: str,
    text_before: str, name: str,
) -> Decision:
    """Put the author's own edit or deletion of COMMENT in its history, under the name they
    commented with (never their address). Not a moderator's decision: the reports and the
    desk's counts leave these actions out."""
    if action not in (Decision.Action.AUTHOR_EDIT, Decision.Action.AUTHOR_DELETE):
        raise ValueError(f"{action!r} is not an author's action.")
    line = history_line(
        comment_id=comment.pk, actor=author, actor_name=name, action=action,
        status_before=status_before, status_after=comment.status, text_before=text_before,
        text_after=comment.text, scores=comment.scores or {},
    )
    line.save(force_insert=True)
    return line


@transaction.atomic
def comment_edit_by_its_author(*, comment_id: int, user: AbstractBaseUser, text: str) -> Comment:
    """The author's edit (see comments.authoring) and its line in the comment's history, in one
    transaction."""
    before = _author_view(comment_id, user)
    comment = authoring.comment_edit_by_author(comment_id=comment_id, user=user, text=text)
    decision_record_author_action(
        comment=comment, author=user, action=Decision.Action.AUTHOR_EDIT,
        status_before=before.status, text_before=before.text, name=before.author_name,
    )
    return comment


@transaction.atomic
def comment_delete_by_its_author(*, comment_id: int, user: AbstractBaseUser) -> None:
    """The author's deletion. A comment that stays as a placeholder (it has replies) keeps a
    line in its history; one removed outright takes its history with it."""
    before = _author_view(comment_id, user)
    authoring.comment_delete_by_author(comment_id=comment_id, user=user)
    placeholder = Comment.objects.filter(pk=comment_id).first()
    if placeholder is not None:
        decision_record_author_action(
            comment=placeholder, author=user, action=Decision.Action.AUTHOR_DELETE,
            status_before=before.status, text_before=before.text, name=before.author_name,
        )


def _author_view(comment_id: int, user: AbstractBaseUser) -> Comment:
    # Locked first so the text recorded as "before" is the one the author's change replaced.
    comment = (
        Comment.objects.select_for_update().filter(pk=comment_id, user_id=user.pk)
        .only("status", "text", "author_name", "deleted_by_author_at").first()
    )
    if comment is None or comment.deleted_by_author_at is not None:
        raise authoring.NotAllowed("That is not one of your comments.")
    return comment
