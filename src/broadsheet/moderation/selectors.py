"""What moderators read, on the desk and through the API: queues, counts, a commenter's record,
a comment's history, bans.

Every function here reads; decisions go through broadsheet.moderation.services.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from broadsheet.articles.models import Article, Section
from broadsheet.comments.models import Comment, Report
from broadsheet.core.emails import mailbox_key
from broadsheet.moderation import commenters
from broadsheet.moderation.commenters import (  # noqa: F401  (read here by the desk and API)
    CommenterRecord,
    commenter_comments,
    commenter_kind,
    commenter_records,
)
from broadsheet.moderation.models import Ban, CommenterNote, Decision, RejectionReason
from broadsheet.moderation.services import BANNED_REASON_SLUG

PAGE_SIZE = 50
# How many articles the article filter offers; the busiest queues have far fewer.
ARTICLE_CHOICES_LIMIT = 200

QUEUES: dict[str, str | Promise] = {
    "pending": gettext_lazy("Pending"),
    "reported": gettext_lazy("Reported"),
    "approved": gettext_lazy("Approved"),
    "rejected": gettext_lazy("Rejected"),
}

SORTS: dict[str, str | Promise] = {
    "oldest": gettext_lazy("Oldest first"),
    "newest": gettext_lazy("Newest first"),
    "fine": gettext_lazy("Most likely fine first"),
    "urgent": gettext_lazy("Most urgent first"),
}

DEFAULT_SORT = {"pending": "oldest", "reported": "newest", "approved": "newest",
                "rejected": "newest"}

_QUEUE_CONDITIONS: dict[str, Q] = {
    "pending": Q(status=Comment.Status.PENDING),
    # Published comments readers reported, and rejected ones whose author asked for a review.
    "reported": Q(
        status__in=[Comment.Status.APPROVED, Comment.Status.REJECTED], open_report_count__gt=0
    ),
    "approved": Q(status=Comment.Status.APPROVED),
    "rejected": Q(status=Comment.Status.REJECTED),
}

_ORDERINGS = {
    "oldest": (F("submitted_at").asc(), F("id").asc()),
    "newest": (F("submitted_at").desc(), F("id").desc()),
    # Comments not scanned yet have no risk: they go last either way, as nothing is known.
    "fine": (F("risk").asc(nulls_last=True), F("submitted_at").asc(), F("id").asc()),
    "urgent": (F("risk").desc(nulls_last=True), F("submitted_at").asc(), F("id").asc()),
}


@dataclass(frozen=True)
class QueueFilters:
    section: Section | None = None
    article: Article | None = None

    def apply(self, comments: QuerySet[Comment]) -> QuerySet[Comment]:
        if self.article is not None:
            comments = comments.filter(article=self.article)
        elif self.section is not None:
            comments = comments.filter(article__section=self.section)
        return comments

    def as_params(self) -> dict[str, str]:
        params = {}
        if self.section is not None:
            params["section"] = self.section.slug
        if self.article is not None:
            params["article"] = str(self.article.pk)
        return params


@dataclass
class DeskItem:
    """A comment as the desk shows it, with what the moderator needs to decide."""

    comment: Comment
    record: CommenterRecord
    open_reports: list[Report] = field(default_factory=list)
    kind: str = commenters.ANONYMOUS
    notes: list[CommenterNote] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return str(commenters.KIND_LABELS[self.kind])

    @property
    def pk(self) -> int:
        return self.comment.pk


def is_queue(name: str) -> bool:
    return name in QUEUES


def _desk_comments() -> QuerySet[Comment]:
    edited = Decision.objects.filter(
        comment=OuterRef("pk"), action=Decision.Action.EDIT_APPROVE
    )
    return Comment.objects.select_related(
        "article__section", "parent", "rejection_reason", "user"
    ).annotate(was_edited=Exists(edited))


def queue_comments(*, queue: str, filters: QueueFilters, sort: str) -> QuerySet[Comment]:
    """The comments in one queue, filtered and sorted, ready to paginate."""
    if queue not in QUEUES:
        raise Http404("There is no such queue.")
    comments = filters.apply(_desk_comments().filter(_QUEUE_CONDITIONS[queue]))
    return comments.order_by(*_ORDERINGS.get(sort, _ORDERINGS[DEFAULT_SORT[queue]]))


def queue_arrivals(
    *, after_id: int, filters: QueueFilters, limit: int = PAGE_SIZE
) -> list[Comment]:
    """Pending comments that arrived after the newest one the moderator has been shown."""
    comments = filters.apply(
        _desk_comments().filter(_QUEUE_CONDITIONS["pending"], pk__gt=after_id)
    )
    return list(comments.order_by("id")[:limit])


def newest_pending_id() -> int:
    """Where live arrivals start: anything after this is new to a page loaded now."""
    newest = Comment.objects.filter(status=Comment.Status.PENDING).order_by("-id").first()
    return newest.pk if newest is not None else 0


def queue_counts(*, filters: QueueFilters) -> dict[str, int]:
    """How many comments each queue holds, in one query."""
    aggregates = {name: Count("id", filter=condition)
                  for name, condition in _QUEUE_CONDITIONS.items()}
    return filters.apply(Comment.objects.all()).aggregate(**aggregates)


def desk_items(comments: Iterable[Comment], *, with_reports: bool = False) -> list[DeskItem]:
    """Attach each commenter's record (and open reports) to a page of comments."""
    comments = list(comments)
    records = commenter_records(comments)
    kinds = commenters.commenter_kinds(comments)
    notes = commenters.commenter_notes(comments)
    reports: dict[int, list[Report]] = {}
    if with_reports and comments:
        for report in Report.objects.filter(
            comment__in=comments, resolved_at__isnull=True
        ).order_by("created_at", "id"):
            reports.setdefault(report.comment_id, []).append(report)
    return [
        DeskItem(
            comment=comment,
            record=records.get(commenters.record_key(comment), CommenterRecord()),
            open_reports=reports.get(comment.pk, []),
            kind=kinds[comment.pk],
            notes=notes.get(commenters.note_key(comment), []),
        )
        for comment in comments
    ]


def desk_item(*, comment_id: int) -> DeskItem:
    comment = _desk_comments().filter(pk=comment_id).first()
    if comment is None:
        raise Http404("That comment does not exist; it may have been deleted with its article.")
    return desk_items([comment], with_reports=comment.open_report_count > 0)[0]


def comment_for_decision(*, comment_id: int) -> Comment:
    comment = Comment.objects.select_related("article").filter(pk=comment_id).first()
    if comment is None:
        raise Http404("That comment does not exist; it may have been deleted with its article.")
    return comment


def comment_history(*, comment: Comment) -> list[Decision]:
    return list(
        Decision.objects.filter(comment=comment).select_related("reason").order_by(
            "created_at", "id"
        )
    )


def comment_reports(*, comment: Comment) -> list[Report]:
    return list(Report.objects.filter(comment=comment).order_by("created_at", "id"))


def latest_decision(*, comment: Comment) -> Decision | None:
    return Decision.objects.filter(comment=comment).order_by("-created_at", "-id").first()


def active_rejection_reasons() -> list[RejectionReason]:
    return list(RejectionReason.objects.filter(active=True).order_by("position", "label"))


def rejection_reason_for_ban() -> RejectionReason | None:
    return RejectionReason.objects.filter(slug=BANNED_REASON_SLUG).first()


def filter_choices(*, queue: str, filters: QueueFilters) -> tuple[list[Section], list[Article]]:
    """Sections, and the articles that have comments in this queue, for the filter boxes."""
    sections = list(Section.objects.order_by("position", "name"))
    in_queue = Comment.objects.filter(_QUEUE_CONDITIONS[queue])
    if filters.section is not None:
        in_queue = in_queue.filter(article__section=filters.section)
    articles = list(
        Article.objects.filter(pk__in=in_queue.values("article_id"))
        .only("id", "headline", "published_at")
        .order_by("-published_at", "-id")[:ARTICLE_CHOICES_LIMIT]
    )
    if filters.article is not None and filters.article not in articles:
        articles.insert(0, filters.article)
    return sections, articles


def section_by_slug(slug: str) -> Section | None:
    return Section.objects.filter(slug=slug).first() if slug else None


def article_by_id(article_id: str) -> Article | None:
    if not article_id.isdigit():
        return None
    return Article.objects.select_related("section").filter(pk=int(article_id)).first()


def active_bans() -> QuerySet[Ban]:
    return (
        # One line per reader: an account's ban stands for the rows that reach its addresses.
        Ban.objects.in_force()
        .filter(account_ban__isnull=True)
        .select_related("user", "created_by")
        .order_by("-created_at", "-id")
    )


def active_ban(*, ban_id: int) -> Ban:
    ban: Ban | None = Ban.objects.filter(pk=ban_id).first()
    if ban is None:
        raise Http404("That ban does not exist.")
    return ban


def bans_for_commenter(*, comment: Comment) -> list[Ban]:
    """The bans in force that catch the comment's author: by mailbox, account or client."""
    condition = Q(email_key=mailbox_key(comment.author_email))
    if comment.user_id:
        condition |= Q(user_id=comment.user_id)
    if comment.ip_hash:
        condition |= Q(ip_hash=comment.ip_hash)
    bans = Ban.objects.in_force().filter(condition).select_related("account_ban")
    # A row that reaches one of an account's addresses is shown as the account's ban.
    return list(dict.fromkeys(ban.account_ban or ban for ban in bans))



def comments_by_ids(*, ids: Iterable[int]) -> list[Comment]:
    return list(Comment.objects.filter(pk__in=list(ids)).order_by("pk"))
