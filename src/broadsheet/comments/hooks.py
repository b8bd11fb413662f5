"""Moderation's part in submitting a comment, handed in at start-up.

Moderation sits above comments (it imports them), so comments cannot import it. Its
AppConfig.ready() registers a SubmitHooks here, the one place that does, and
services.comment_submit calls it on every post. With nothing registered, submitting raises
ImproperlyConfigured instead of storing comments that no ban was checked for and no scan
will ever read.

Plain functions rather than a signal: comment_submit needs answers back (an SQL condition,
the comment as moderation left it), exactly one party must answer, and a post is a hot
path, where the hooks cost a function call each.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from broadsheet.comments.models import Comment


@dataclass(frozen=True)
class SubmitHooks:
    # banned_sql(vendor): an SQL boolean expression, true when the commenter is banned, over
    # the parameters banned_params gives. It is asked in the same statement as the
    # double-submit check, as both are asked on every post and one round trip costs less
    # than two; comment_submit caches the statement per vendor and function.
    banned_sql: Callable[[str], str]
    # banned_params(now, mailbox, user_id, ip_hash): the condition's parameters, in order.
    # NOW is already prepared for the database; MAILBOX is core.emails.mailbox_key of the
    # address given; USER_ID is None without an account; IP_HASH is "" when unknown.
    banned_params: Callable[[Any, str, int | None, str], Sequence[Any]]
    # comment_submitted(comment, banned): called inside the submit's transaction right after
    # a new comment is stored as pending; returns the comment as moderation left it (a
    # banned commenter's rejected at once, any other's scan queued for after the commit).
    comment_submitted: Callable[[Comment, bool], Comment]


_registered: SubmitHooks | None = None


def register_submit_hooks(hooks: SubmitHooks) -> None:
    """Called once, by moderation's AppConfig.ready(); a second, different set is an error."""
    global _registered
    if _registered is not None and _registered != hooks:
        raise ImproperlyConfigured(
            "Comment submit hooks are registered once, by broadsheet.moderation's "
            "AppConfig.ready(); something else tried to register another set."
        )
    _registered = hooks


def submit_hooks() -> SubmitHooks:
    if _registered is None:
        raise ImproperlyConfigured(
            "No comment submit hooks are registered, so no ban can be checked and no scan "
            "queued: broadsheet.moderation must be in INSTALLED_APPS (its AppConfig.ready() "
            "registers them)."
        )
    return _registered
