"""Turn the lower apps' comment signals into webhook deliveries (connected in apps.py)."""

from __future__ import annotations

import logging

from broadsheet.comments import signals as comment_signals
from broadsheet.comments.models import Comment, Report
from broadsheet.integrations import tasks, webhooks
from broadsheet.moderation import signals as moderation_signals

logger = logging.getLogger(__name__)

SIGNAL_EVENTS = (
    (comment_signals.comment_created, "comment.created"),
    (moderation_signals.comment_approved, "comment.approved"),
    (moderation_signals.comment_rejected, "comment.rejected"),
    (comment_signals.comment_reported, "comment.reported"),
    (moderation_signals.comment_edited, "comment.edited"),
    # Its author's own edit (accounts): the comment is pending again, with the new text.
    (comment_signals.comment_edited, "comment.edited"),
)


def _receiver(event: str):
    def record(sender, *, comment: Comment, report: Report | None = None, **_kwargs) -> None:
        # A failure here must not reach the reader or moderator whose action caused it.
        try:
            tasks.dispatch(webhooks.event_record(event=event, comment=comment, report=report))
        except Exception:
            logger.exception("Could not record the %s webhook for comment %s", event, comment.pk)

    return record


_RECEIVERS = [(signal, _receiver(event), event) for signal, event in SIGNAL_EVENTS]


def connect() -> None:
    for signal, receiver, event in _RECEIVERS:
        signal.connect(receiver, dispatch_uid=f"webhook-{event}-{id(signal)}")
