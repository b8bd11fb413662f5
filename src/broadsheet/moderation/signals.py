"""Decisions on comments, for the apps above this one (webhooks, integrations).

Sent with sender=Comment and comment=Comment after the decision's transaction commits
(see comments.signals.send_on_commit). An edit-then-approve sends comment_edited, and
comment_approved too when the comment was not already published.
"""

from __future__ import annotations

from django.dispatch import Signal

comment_approved = Signal()
comment_rejected = Signal()
comment_edited = Signal()

# ban=Ban, sent with sender=Ban after the transaction that made a ban or suspension commits.
commenter_suspended = Signal()
