"""What happened to comments, for the apps above this one (webhooks, integrations).

Each signal is sent with sender=Comment once the transaction that made the change has
committed, so a receiver never sees a change that was rolled back.
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

# comment=Comment
comment_created = Signal()
# comment=Comment, report=Report
comment_reported = Signal()
# comment=Comment: its author changed the text, so it is pending again and needs a new scan.
comment_edited = Signal()


def send_on_commit(signal: Signal, **kwargs) -> None:
    """Send SIGNAL after the current transaction commits (at once outside one)."""
    if not signal.has_listeners():
        return
    from broadsheet.comments.models import Comment

    transaction.on_commit(lambda: signal.send_robust(sender=Comment, **kwargs))
