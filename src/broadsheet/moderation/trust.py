"""Trust: what a commenter's record does to the automatic reader's outcome.

Two rules, set in the site settings and overridable per section:

- hold first: a commenter's first N comments wait for a moderator even when the scan finds
  nothing (a clear violation is still rejected: a new commenter is where spam comes from);
- publish after: in the auto and postmoderate policies, a comment the scan would hold for a
  moderator is published at once when its account has M comments approved since its last
  rejection and no rejection in the last D days. A rejection starts the count again.

An account is known by its user; a commenter without one by the lower-cased address they
gave (for the first rule only: an address proves nothing, so it earns no trust).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from django.db.models import Count, Max, Q
from django.db.models.functions import Lower
from django.utils import timezone

from broadsheet.comments.models import Comment
from broadsheet.core.models import ModerationPolicy, SiteSettings

PUBLISHING_POLICIES = (ModerationPolicy.AUTO, ModerationPolicy.POSTMODERATE)


@dataclass(frozen=True)
class TrustRules:
    hold_first: int = 0
    publish_after: int = 0
    clean_days: int = 30

    @property
    def active(self) -> bool:
        return bool(self.hold_first or self.publish_after)


@dataclass(frozen=True)
class CommenterStanding:
    """What the rules read about the commenter behind one comment."""

    earlier_comments: int
    has_account: bool
    approved_since_rejection: int = 0
    last_rejected_at: datetime | None = None


def _rules(site: SiteSettings, section: dict) -> TrustRules:
    def pick(name: str) -> int:
        value = section.get(name)
        return value if value is not None else getattr(site, name)

    return TrustRules(
        hold_first=pick("trust_hold_first"), publish_after=pick("trust_publish_after"),
        clean_days=pick("trust_clean_days"),
    )


def _account_standings(user_ids: set[int]) -> dict[int, tuple[int, int, datetime | None]]:
    """Per account: how many comments, how many approved since its last rejection, and when
    that rejection was; two queries for a batch."""
    if not user_ids:
        return {}
    totals = {
        row["user_id"]: row
        for row in Comment.objects.filter(user_id__in=user_ids).values("user_id").annotate(
            total=Count("id"),
            last_rejected=Max("decided_at", filter=Q(status=Comment.Status.REJECTED)),
        ).order_by()
    }
    since = Q()
    for user_id, row in totals.items():
        condition = Q(user_id=user_id)
        if row["last_rejected"] is not None:
            condition &= Q(decided_at__gt=row["last_rejected"])
        since |= condition
    approved = {
        row["user_id"]: row["n"]
        for row in Comment.objects.filter(since, status=Comment.Status.APPROVED)
        .values("user_id").annotate(n=Count("id")).order_by()
    } if totals else {}
    return {
        user_id: (row["total"], approved.get(user_id, 0), row["last_rejected"])
        for user_id, row in totals.items()
    }


def _address_totals(emails: set[str]) -> dict[str, int]:
    if not emails:
        return {}
    return {
        row["address"]: row["n"]
        for row in Comment.objects.annotate(address=Lower("author_email"))
        .filter(address__in=emails, user__isnull=True)
        .values("address").annotate(n=Count("id")).order_by()
    }


class Commented(Protocol):
    """What the rules read of a comment being judged (the scan's claimed row has it)."""

    @property
    def pk(self) -> int: ...

    @property
    def user_id(self) -> int | None: ...

    @property
    def author_email(self) -> str: ...

    @property
    def section_trust_hold_first(self) -> int | None: ...

    @property
    def section_trust_publish_after(self) -> int | None: ...

    @property
    def section_trust_clean_days(self) -> int | None: ...


def standings(
    comments: Sequence[Commented], site: SiteSettings
) -> dict[int, tuple[TrustRules, CommenterStanding]]:
    """The rules and the commenter's standing for each comment whose rules are on (no query
    when no rule is on for any of them, which is every comment on a site that uses none)."""
    ruled: list[tuple[Commented, TrustRules]] = []
    for comment in comments:
        rules = _rules(site, {
            "trust_hold_first": comment.section_trust_hold_first,
            "trust_publish_after": comment.section_trust_publish_after,
            "trust_clean_days": comment.section_trust_clean_days,
        })
        if rules.active:
            ruled.append((comment, rules))
    if not ruled:
        return {}
    accounts = _account_standings({row.user_id for row, _ in ruled if row.user_id})
    addresses = _address_totals({row.author_email.lower() for row, _ in ruled if not row.user_id})
    found = {}
    for row, rules in ruled:
        if row.user_id:
            total, approved, last_rejected = accounts.get(row.user_id, (1, 0, None))
            standing = CommenterStanding(
                earlier_comments=total - 1, has_account=True,
                approved_since_rejection=approved, last_rejected_at=last_rejected,
            )
        else:
            total = addresses.get(row.author_email.lower(), 1)
            standing = CommenterStanding(earlier_comments=total - 1, has_account=False)
        found[row.pk] = (rules, standing)
    return found


def apply(
    *, outcome: str, verdict_action: str, policy_name: str, rules: TrustRules,
    standing: CommenterStanding, now: datetime | None = None,
) -> tuple[str, str]:
    """The outcome after the trust rules, and the rule that changed it ("" if none did)."""
    if outcome == "rejected":
        return outcome, ""
    if rules.hold_first and standing.earlier_comments < rules.hold_first:
        if outcome == "approved":
            return "pending", (
                f"held: one of the commenter's first {rules.hold_first} comments "
                f"(comment {standing.earlier_comments + 1})"
            )
        return outcome, ""
    if (
        rules.publish_after and outcome == "pending" and verdict_action == "hold"
        and policy_name in PUBLISHING_POLICIES and standing.has_account
        and standing.approved_since_rejection >= rules.publish_after
    ):
        now = now or timezone.now()
        clean_since = now - timedelta(days=rules.clean_days)
        if standing.last_rejected_at is None or standing.last_rejected_at < clean_since:
            return "approved", (
                f"published: trusted account ({standing.approved_since_rejection} approved "
                f"since its last rejection, none in {rules.clean_days} days)"
            )
    return outcome, ""
