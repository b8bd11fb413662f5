"""Moderation over the API, for staff tools: the desk's queues and decisions.

Queues come from the desk's own selectors and decisions from the moderation services, so a
comment approved here leaves the same history as one approved on the desk.
"""

from typing import Annotated

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.http import HttpRequest
from ninja import Query, Router, Status

from broadsheet.api.auth import StaffToken, staff_user
from broadsheet.api.errors import ApiError
from broadsheet.api.schemas import (
    BanIn,
    BanOut,
    CommenterRecord,
    CommentStatus,
    EditApproveIn,
    ModerationComment,
    OpenReport,
    QueueName,
    QueuePage,
    RejectIn,
    RowId,
    api_status,
    error_responses,
)
from broadsheet.comments.models import Comment
from broadsheet.core.models import SiteSettings
from broadsheet.moderation import bans as moderation_bans
from broadsheet.moderation import services
from broadsheet.moderation.models import RejectionReason
from broadsheet.moderation.selectors import (
    DEFAULT_SORT,
    DeskItem,
    QueueFilters,
    comment_for_decision,
    desk_item,
    desk_items,
    queue_comments,
)

router = Router(tags=["moderation"], auth=StaffToken())

MAX_QUEUE_PAGE = 100
# Deep offsets are slow; a client that needs more should narrow the queue instead.
MAX_QUEUE_OFFSET = 100_000

_ERRORS = error_responses(401, 403)
_ERRORS_ON_A_COMMENT = error_responses(401, 403, 404)
_ERRORS_ON_A_DECISION = error_responses(401, 403, 404, 409)

ExpectedStatus = Annotated[
    CommentStatus | None,
    Query(
        description="The comment's status as the client last saw it (default: pending). The "
        "decision is made only if the comment still has it; otherwise 409 says who decided "
        "what. Send `approved` to reject a reported comment, `rejected` to approve one after all.",
    ),
]


def _expected(expected_status: str | None) -> str:
    # Without the client's view, only a comment still awaiting a decision is decided: of two
    # decisions sent at once, or one sent from a stale queue, only the first lands.
    return expected_status if expected_status is not None else Comment.Status.PENDING


def _conflict(conflict: services.DecisionConflict) -> ApiError:
    now = conflict.comment.status
    hint = f" To decide it anyway, send expected_status={now}."
    return ApiError(409, " ".join(conflict.messages) + hint, code="conflict")


def _moderation_comment(item: DeskItem) -> ModerationComment:
    comment = item.comment
    return ModerationComment(
        id=comment.pk,
        article_id=comment.article_id,
        article_headline=comment.article.headline,
        parent_id=comment.parent_id,
        depth=comment.depth,
        status=api_status(comment),
        author_name=comment.author_name,
        author_email=comment.author_email,
        ip_hash=comment.ip_hash,
        text=comment.text,
        submitted_at=comment.submitted_at,
        decided_at=comment.decided_at,
        rejection_reason=comment.rejection_reason.slug if comment.rejection_reason else None,
        open_report_count=comment.open_report_count,
        risk=comment.risk,
        scan_verdict=comment.scan_verdict,
        scores=comment.scores or {},
        commenter=CommenterRecord(approved=item.record.approved, rejected=item.record.rejected),
        open_reports=[
            OpenReport(reason=report.reason, note=report.note, created_at=report.created_at)
            for report in item.open_reports
        ],
    )


def _decided(comment_id: int) -> ModerationComment:
    return _moderation_comment(desk_item(comment_id=comment_id))


@router.get(
    "/queues/{queue}",
    response={200: QueuePage, **_ERRORS},
    summary="A page of one moderation queue",
)
def moderation_queue(
    request: HttpRequest,
    queue: QueueName,
    limit: Annotated[int, Query(ge=1, le=MAX_QUEUE_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_QUEUE_OFFSET)] = 0,
) -> QueuePage:
    """In the desk's default order for the queue: pending oldest first, the others newest."""
    comments = queue_comments(queue=queue, filters=QueueFilters(), sort=DEFAULT_SORT[queue])
    page = desk_items(comments[offset : offset + limit], with_reports=queue == "reported")
    return QueuePage(
        queue=queue,
        count=comments.count(),
        limit=limit,
        offset=offset,
        items=[_moderation_comment(item) for item in page],
    )


@router.post(
    "/comments/{comment_id}/approve",
    response={200: ModerationComment, **_ERRORS_ON_A_DECISION},
    summary="Approve a comment",
)
def moderation_approve(
    request: HttpRequest, comment_id: RowId, expected_status: ExpectedStatus = None
) -> ModerationComment:
    comment = comment_for_decision(comment_id=comment_id)
    try:
        services.comment_approve(
            comment=comment, actor=staff_user(request),
            expected_status=_expected(expected_status),
        )
    except services.DecisionConflict as conflict:
        raise _conflict(conflict) from conflict
    return _decided(comment.pk)


@router.post(
    "/comments/{comment_id}/reject",
    response={200: ModerationComment, **_ERRORS_ON_A_DECISION},
    summary="Reject a comment with a reason",
)
def moderation_reject(
    request: HttpRequest, payload: RejectIn, comment_id: RowId,
    expected_status: ExpectedStatus = None,
) -> ModerationComment:
    comment = comment_for_decision(comment_id=comment_id)
    reason = RejectionReason.objects.filter(slug=payload.reason, active=True).first()
    if reason is None:
        offered = ", ".join(
            RejectionReason.objects.filter(active=True).values_list("slug", flat=True)
        )
        raise ApiError(
            400, f'"{payload.reason}" is not a rejection reason. Use one of: {offered}.',
            field="reason",
        )
    try:
        services.comment_reject(
            comment=comment, actor=staff_user(request), reason=reason, note=payload.note,
            expected_status=_expected(expected_status),
        )
    except services.DecisionConflict as conflict:
        raise _conflict(conflict) from conflict
    return _decided(comment.pk)


@router.post(
    "/comments/{comment_id}/edit-approve",
    response={200: ModerationComment, **_ERRORS_ON_A_DECISION},
    summary="Correct a comment's text and approve it",
)
def moderation_edit_approve(
    request: HttpRequest, payload: EditApproveIn, comment_id: RowId,
    expected_status: ExpectedStatus = None,
) -> ModerationComment:
    """The text before the edit stays in the comment's history."""
    comment = comment_for_decision(comment_id=comment_id)
    try:
        services.comment_edit_approve(
            comment=comment,
            actor=staff_user(request),
            text=payload.text,
            max_length=SiteSettings.load().max_comment_length,
            note=payload.note,
            expected_status=_expected(expected_status),
        )
    except services.DecisionConflict as conflict:
        raise _conflict(conflict) from conflict
    except services.DecisionError as error:
        raise ApiError(400, " ".join(error.messages), field="text") from error
    return _decided(comment.pk)


@router.post(
    "/bans",
    response={201: BanOut, **_ERRORS},
    summary="Ban a commenter by email address",
)
def moderation_ban(request: HttpRequest, payload: BanIn) -> Status[BanOut]:
    """Later comments from this address are rejected automatically.

    Banning an address that is already banned returns the existing ban.
    """
    try:
        validate_email(payload.email.strip())
    except DjangoValidationError as error:
        raise ApiError(400, "Enter a valid email address to ban.", field="email") from error
    ban = moderation_bans.commenter_ban(
        actor=staff_user(request), email=payload.email, note=payload.note
    )
    return Status(
        201, BanOut(id=ban.pk, email=ban.email, note=ban.note, created_at=ban.created_at)
    )
