"""The API's request and response shapes; the OpenAPI document is generated from these.

Public shapes never carry an email address or an IP hash: those appear only in the staff
(moderation) shapes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, cast

from ninja import Path, Schema
from pydantic import AfterValidator, Field

from broadsheet.comments.models import Comment, Report
from broadsheet.core.converters import MAX_ROW_ID

CommentStatus = Literal["pending", "approved", "rejected"]
ThreadOrder = Literal["oldest", "newest"]
QueueName = Literal["pending", "reported", "approved", "rejected"]


def api_status(comment: Comment) -> CommentStatus:
    """COMMENT's status as the API names it: Comment.Status's values are exactly these
    (tests/api hold them equal)."""
    return cast(CommentStatus, comment.status)


# Ids the database can hold: larger values are refused as bad input rather than queried.
MAX_ID = MAX_ROW_ID
RowId = Annotated[int, Path(..., ge=1, le=MAX_ID)]


def _storable_text(value: str) -> str:
    # PostgreSQL refuses NUL in text columns, and no database stores a lone surrogate (a JSON
    # "\ud800" escape is not a character): say so instead of failing on save.
    if "\x00" in value:
        raise ValueError("Null characters are not allowed.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(
            "The text contains an unpaired surrogate escape (such as \\ud800), which is not a "
            "character. Send the text as valid UTF-8."
        ) from None
    return value


PlainText = Annotated[str, AfterValidator(_storable_text)]


class ErrorItem(Schema):
    field: str = Field(description='The request field at fault, or "__all__".')
    message: str
    code: str


class ErrorOut(Schema):
    errors: list[ErrorItem]


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """Any operation can refuse malformed input (400) or fail on our side (500)."""
    return {status: ErrorOut for status in (400, *statuses, 500)}


# Public reads --------------------------------------------------------------------------


class PublicComment(Schema):
    id: int
    article_id: int
    thread_id: int = Field(description="The id of the thread's top-level comment.")
    parent_id: int | None
    depth: int = Field(description="0 for a top-level comment, 1 for a reply to it, and so on.")
    replying_to: str = Field(description="The name of the author this comment answers.")
    author_name: str
    verified_label: str = Field(description='e.g. "Digital Engagement Team"; often empty.')
    text: str = Field(description="Plain text as approved; escape it before showing it.")
    submitted_at: datetime
    url: str


class Thread(Schema):
    comment: PublicComment
    replies: list[PublicComment] = Field(description="Every approved reply, in reading order.")


class ThreadPage(Schema):
    article_id: int
    order: ThreadOrder
    comment_count: int = Field(description="Approved comments on the article in total.")
    threads: list[Thread]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page.")


# Public writes -------------------------------------------------------------------------


class CommentIn(Schema):
    # Lengths and formats are checked by the site's comment form, so the API and the page
    # refuse exactly the same comments with the same messages.
    name: PlainText = Field(description="Shown with the comment; up to 80 characters.")
    email: PlainText = Field(description="Never shown publicly.")
    text: PlainText = Field(description="Up to the site's maximum comment length.")
    parent_id: int | None = Field(None, description="The approved comment this replies to.")


class SubmittedComment(Schema):
    id: int
    article_id: int
    parent_id: int | None
    status: CommentStatus
    author_name: str
    text: str
    submitted_at: datetime
    status_token: str = Field(description="Keep it to ask for this comment's status later.")
    status_url: str


class CommentStatusOut(Schema):
    id: int
    status: CommentStatus
    decided_at: datetime | None
    url: str | None = Field(description="Where the comment can be read, once approved.")


class ReportIn(Schema):
    reason: Report.Reason
    note: PlainText = Field("", description="Anything the moderators should know; up to 500.")


class ReportReceived(Schema):
    comment_id: int
    reason: Report.Reason


# Moderation ----------------------------------------------------------------------------


class CommenterRecord(Schema):
    approved: int
    rejected: int


class OpenReport(Schema):
    reason: str
    note: str
    created_at: datetime


class ModerationComment(Schema):
    id: int
    article_id: int
    article_headline: str
    parent_id: int | None
    depth: int
    status: CommentStatus
    author_name: str
    author_email: str
    ip_hash: str
    text: str
    submitted_at: datetime
    decided_at: datetime | None
    rejection_reason: str | None = Field(description="The reason's slug, when rejected.")
    open_report_count: int
    risk: float | None
    scan_verdict: str
    scores: dict[str, Any]
    commenter: CommenterRecord
    open_reports: list[OpenReport]


class QueuePage(Schema):
    queue: QueueName
    count: int
    limit: int
    offset: int
    items: list[ModerationComment]


class RejectIn(Schema):
    reason: str = Field(
        description="A rejection reason's slug.", max_length=50, pattern=r"^[-a-zA-Z0-9_]+$"
    )
    note: PlainText = Field("", max_length=500)


class EditApproveIn(Schema):
    text: PlainText
    note: PlainText = Field("", max_length=500)


class BanIn(Schema):
    email: PlainText = Field(max_length=254)
    note: PlainText = Field("", max_length=300)


class BanOut(Schema):
    id: int
    email: str
    note: str
    created_at: datetime
