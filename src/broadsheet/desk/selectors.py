"""What the moderation desk reads: the queues and a comment's record (shared with the API, in
broadsheet.moderation.selectors) and the desk's activity charts.

Every function here reads; decisions go through broadsheet.moderation.services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Q
from django.db.models.functions import Floor, TruncDate
from django.utils import timezone
from django.utils.translation import gettext

from broadsheet.comments.models import Comment
from broadsheet.moderation.commenters import (  # noqa: F401  (the desk's views read them here)
    CommenterRecord,
    commenter_comments,
    commenter_records,
)
from broadsheet.moderation.models import AUTHOR_ACTIONS, Decision
from broadsheet.moderation.reporting import HUMAN_ACTIONS
from broadsheet.moderation.selectors import (  # noqa: F401  (the desk's views read them here)
    ARTICLE_CHOICES_LIMIT,
    DEFAULT_SORT,
    PAGE_SIZE,
    QUEUES,
    SORTS,
    DeskItem,
    QueueFilters,
    active_ban,
    active_bans,
    active_rejection_reasons,
    article_by_id,
    bans_for_commenter,
    comment_for_decision,
    comment_history,
    comment_reports,
    comments_by_ids,
    desk_item,
    desk_items,
    filter_choices,
    is_queue,
    latest_decision,
    newest_pending_id,
    queue_arrivals,
    queue_comments,
    queue_counts,
    rejection_reason_for_ban,
    section_by_slug,
)
from broadsheet.moderation.services import AUTO_MODERATOR

# --- Activity: what the desk has been doing, for the charts on /desk/activity/ ---

ACTIVITY_DAYS = 14
RISK_BUCKETS = 10
# Enough recent decisions for a stable median wait without reading a year of history.
WAIT_SAMPLE = 5000


@dataclass
class DayVolume:
    day: date
    approved: int = 0
    rejected: int = 0
    pending: int = 0

    @property
    def total(self) -> int:
        return self.approved + self.rejected + self.pending


@dataclass
class DeskActivity:
    days: list[DayVolume]
    # (who, action label, count): the auto-moderator's and the moderators' decisions.
    decisions: list[tuple[str, str, int]]
    risk_buckets: list[int]  # pending comments per tenth of risk, 0-0.1 first
    pending_unscanned: int
    median_wait: timedelta | None  # submission to a moderator's decision
    human_decisions: int

    @property
    def busiest_day(self) -> int:
        return max((d.total for d in self.days), default=0)

    @property
    def biggest_bucket(self) -> int:
        return max(self.risk_buckets, default=0)


def desk_activity(*, days: int = ACTIVITY_DAYS, now: datetime | None = None) -> DeskActivity:
    """Comments by day and outcome, decisions by who made them, the pending queue by risk
    and how long comments waited for a moderator, over the last DAYS days."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    first_day = today - timedelta(days=days - 1)
    start = timezone.make_aware(datetime.combine(first_day, time.min))
    by_day = {first_day + timedelta(days=i): DayVolume(first_day + timedelta(days=i))
              for i in range(days)}
    rows = (
        Comment.objects.filter(submitted_at__gte=start)
        .annotate(day=TruncDate("submitted_at"))
        .values("day", "status")
        .annotate(n=Count("id"))
    )
    for row in rows:
        volume = by_day.get(row["day"])
        if volume is not None and row["status"] in ("approved", "rejected", "pending"):
            setattr(volume, row["status"], getattr(volume, row["status"]) + row["n"])

    labels = dict(Decision.Action.choices)
    recent = Decision.objects.filter(created_at__gte=start).exclude(
        action__in=[Decision.Action.REPORT, *AUTHOR_ACTIONS])
    automatic = Q(actor__isnull=True, actor_name=AUTO_MODERATOR)
    decisions = []
    for who, made in ((gettext("Automatic reader"), recent.filter(automatic)),
                      (gettext("Moderators"), recent.exclude(automatic))):
        for row in made.values("action").annotate(n=Count("id")).order_by("action"):
            decisions.append((who, labels.get(row["action"], row["action"]), row["n"]))

    buckets = [0] * RISK_BUCKETS
    pending = Comment.objects.filter(status=Comment.Status.PENDING)
    # Counted by the database: a backlog of many thousands need not be read row by row.
    for row in (pending.exclude(risk__isnull=True)
                .annotate(bucket=Floor(F("risk") * RISK_BUCKETS))
                .values("bucket").annotate(n=Count("id")).order_by()):
        buckets[min(RISK_BUCKETS - 1, max(0, int(row["bucket"])))] += row["n"]
    unscanned = pending.filter(risk__isnull=True).count()

    human = (
        recent.filter(action__in=HUMAN_ACTIONS)
        .exclude(automatic)
        .filter(status_before=Comment.Status.PENDING)
    )
    waits = sorted(
        created - submitted
        for created, submitted in human.order_by("-created_at")
        .values_list("created_at", "comment__submitted_at")[:WAIT_SAMPLE]
    )
    median = waits[len(waits) // 2] if waits else None
    return DeskActivity(
        days=[by_day[d] for d in sorted(by_day, reverse=True)],
        decisions=decisions,
        risk_buckets=buckets,
        pending_unscanned=unscanned,
        median_wait=median,
        human_decisions=human.count(),
    )
