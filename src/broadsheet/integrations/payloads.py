"""The JSON a receiver gets for each event. Never an email address or an IP hash."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from broadsheet.comments.models import Comment, Report


def comment_payload(comment: Comment) -> dict:
    article = comment.article
    reason = comment.rejection_reason
    return {
        "id": comment.pk,
        "article": {
            "id": article.pk,
            "url": article.get_absolute_url(),
            "headline": article.headline,
        },
        "parent_id": comment.parent_id,
        "author_name": comment.author_name,
        "text": comment.text,
        "status": comment.status,
        "submitted_at": comment.submitted_at.isoformat(),
        "decided_at": comment.decided_at.isoformat() if comment.decided_at else None,
        "rejection_reason": (
            {"slug": reason.slug, "label": reason.label} if reason is not None else None
        ),
        "open_report_count": comment.open_report_count,
    }


def event_body(
    *, event: str, event_id: uuid.UUID, at: datetime, comment: Comment,
    report: Report | None = None,
) -> str:
    data: dict = {
        "id": str(event_id),
        "event": event,
        "timestamp": at.isoformat(),
        "comment": comment_payload(comment),
    }
    if report is not None:
        data["report"] = {
            "id": report.pk,
            "reason": report.reason,
            "note": report.note,
            "created_at": report.created_at.isoformat(),
        }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
