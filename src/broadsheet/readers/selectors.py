"""Reads for the reader's own pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef, QuerySet

from broadsheet.comments.authoring import edit_deadline
from broadsheet.comments.models import Comment, Report


@dataclass(frozen=True)
class OwnComment:
    comment: Comment
    appealed: bool
    appeal_open: bool
    editable_until: datetime | None


def own_comments_queryset(user: AbstractBaseUser) -> QuerySet[Comment]:
    appeals = Report.objects.filter(comment=OuterRef("pk"), reason=Report.Reason.APPEAL)
    return (
        Comment.objects.filter(user_id=user.pk, deleted_by_author_at__isnull=True)
        .select_related("article__section", "rejection_reason")
        .annotate(
            appealed=Exists(appeals),
            appeal_open=Exists(appeals.filter(resolved_at__isnull=True)),
        )
        .order_by("-submitted_at", "-id")
    )


def own_comments(user: AbstractBaseUser, *, limit: int = 200) -> list[OwnComment]:
    return [
        OwnComment(
            comment=comment,
            appealed=getattr(comment, "appealed"),  # noqa: B009 (an annotation)
            appeal_open=getattr(comment, "appeal_open"),  # noqa: B009
            editable_until=edit_deadline(comment),
        )
        for comment in own_comments_queryset(user)[:limit]
    ]


def own_comment(user: AbstractBaseUser, comment_id: int) -> OwnComment | None:
    comment = own_comments_queryset(user).filter(pk=comment_id).first()
    if comment is None:
        return None
    return OwnComment(
        comment, getattr(comment, "appealed"), getattr(comment, "appeal_open"),  # noqa: B009
        edit_deadline(comment),
    )
