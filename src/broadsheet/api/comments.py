"""Public comment endpoints: read approved threads, post a comment, follow it, report one."""

from collections.abc import Iterable
from typing import Annotated

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Status
from pydantic import Field, RootModel

from broadsheet.api.auth import status_token_create, status_token_matches
from broadsheet.api.caching import conditional_json, versioned_key
from broadsheet.api.errors import ApiError, form_errors
from broadsheet.api.schemas import (
    MAX_ID,
    CommentIn,
    CommentStatusOut,
    PublicComment,
    ReportIn,
    ReportReceived,
    RowId,
    SubmittedComment,
    Thread,
    ThreadOrder,
    ThreadPage,
    api_status,
    error_responses,
)
from broadsheet.articles.cache import article_cache_version
from broadsheet.articles.models import Article
from broadsheet.articles.selectors import article_with_section
from broadsheet.comments import services
from broadsheet.comments.access import commenting_refusal
from broadsheet.comments.forms import CommentForm, ReportForm
from broadsheet.comments.models import Comment
from broadsheet.comments.selectors import (
    BadCursor,
    CommentRow,
    ShownComment,
    approved_comment_count,
    comment_threads_for_article,
    cursor_was_issued,
    decode_cursor,
    public_comment_count,
    public_comments,
)
from broadsheet.core.links import link
from broadsheet.core.models import SiteSettings
from broadsheet.core.ratelimit import RateVerdict, client_ip, hash_ip, limit_exceeded

router = Router(tags=["comments"])

MAX_COUNTED_ARTICLES = 100


class CommentCounts(RootModel[dict[int, int]]):
    """Approved comments per requested article id; 0 for ids that are not published."""


ARTICLE_FACTS_SECONDS = 60


def _published_article_url(article_id: int) -> str:
    """The address of a published article, or 404, without a query while its version holds.

    The publication time is compared on every read, so a scheduled article appears on time
    even from a cached entry; an edit bumps the version, and a minute bounds anything else
    (a deleted article, a renamed section).
    """
    use_cache = settings.BROADSHEET_PAGE_CACHE
    key = f"api:v1:article:{article_id}:{article_cache_version(article_id)}"
    facts = cache.get(key) if use_cache else None
    if facts is None:
        article = (
            Article.objects.filter(pk=article_id, status=Article.Status.PUBLISHED)
            .select_related("section")
            .first()
        )
        facts = (article.published_at, article.get_absolute_url()) if article else (None, "")
        if use_cache:
            cache.set(key, facts, ARTICLE_FACTS_SECONDS)
    published_at, url = facts
    if published_at is None or published_at > timezone.now():
        raise ApiError(404, f"There is no published article {article_id}.", code="not_found")
    return url


def _public(comment: ShownComment, *, replying_to: str, article_url: str) -> PublicComment:
    name, label = comment.public_author()
    return PublicComment(
        id=comment.pk,
        article_id=comment.article_id,
        thread_id=comment.thread_root_id or comment.pk,
        parent_id=comment.parent_id,
        depth=comment.depth,
        replying_to=replying_to,
        author_name=name,
        verified_label=label,
        text=comment.text,
        submitted_at=comment.submitted_at,
        url=f"{article_url}#c{comment.pk}",
    )


def _threads(rows: Iterable[CommentRow], article_url: str) -> list[Thread]:
    threads: dict[int, Thread] = {}
    for row in rows:
        comment = _public(row.comment, replying_to=row.replying_to, article_url=article_url)
        thread = threads.get(comment.thread_id)
        if thread is None:
            threads[comment.thread_id] = Thread(comment=comment, replies=[])
        else:
            thread.replies.append(comment)
    return list(threads.values())


@router.get(
    "/articles/{article_id}/comments",
    response={200: ThreadPage, 304: None, **error_responses(404)},
    summary="A page of approved comment threads",
)
def article_comments(
    request: HttpRequest,
    article_id: RowId,
    order: ThreadOrder = "oldest",
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> HttpResponse:
    """Threads of the article's approved comments, a page at a time.

    Each thread is a top-level comment with all its approved replies in reading order.
    Follow `next_cursor` for more; send `If-None-Match` with the ETag to get 304.
    """
    article_url = _published_article_url(article_id)
    if cursor:
        try:
            decode_cursor(cursor)
        except BadCursor as error:
            raise ApiError(400, str(error), field="cursor") from error
    site = SiteSettings.load()
    key = versioned_key("threads", [article_id], order, cursor or "", site.threads_per_page)
    # Made-up cursors are answered but not kept: each would be a new cache entry.
    keep = cursor is None or cursor_was_issued(article_id=article_id, cursor=cursor)

    def build() -> ThreadPage:
        # The selectors read only the article's id, which was checked just above.
        article = Article(pk=article_id)
        page = comment_threads_for_article(
            article=article, order=order, cursor=cursor, per_page=site.threads_per_page
        )
        return ThreadPage(
            article_id=article.pk,
            order=order,
            comment_count=approved_comment_count(article),
            threads=_threads(page.rows, article_url),
            next_cursor=page.next_cursor,
        )

    return conditional_json(request, key=key, build=build, store=keep)


@router.get(
    "/comment-counts",
    response={200: CommentCounts, 304: None, **error_responses()},
    summary="Approved comment counts for several articles",
)
def comment_counts(
    request: HttpRequest,
    article: Annotated[
        list[Annotated[int, Field(ge=1, le=MAX_ID)]],
        Query(
            ...,
            min_length=1,
            max_length=MAX_COUNTED_ARTICLES,
            description="An article id; repeat for up to 100 articles.",
        ),
    ],
) -> HttpResponse:
    """For home and section pages: one request instead of one per teaser."""
    ids = sorted(set(article))
    key = versioned_key("counts", ids)

    def build() -> CommentCounts:
        counted = dict(
            Article.objects.published()
            .filter(pk__in=ids)
            .annotate(approved=public_comment_count())
            .values_list("pk", "approved")
        )
        return CommentCounts({pk: counted.get(pk, 0) for pk in ids})

    return conditional_json(request, key=key, build=build)


@router.get(
    "/comments/{comment_id}",
    response={200: PublicComment, 304: None, **error_responses(404)},
    summary="One approved comment",
)
def comment_detail(
    request: HttpRequest, comment_id: RowId
) -> HttpResponse:
    comment = (
        public_comments()
        .select_related("article__section", "parent", "user__profile")
        .filter(pk=comment_id)
        .first()
    )
    if comment is None:
        raise ApiError(404, f"There is no published comment {comment_id}.", code="not_found")
    key = versioned_key("comment", [comment.article_id], comment.pk)

    def build() -> PublicComment:
        parent = comment.parent
        shown_parent = parent is not None and parent.status == Comment.Status.APPROVED
        return _public(
            ShownComment.from_model(comment),
            replying_to=parent.author_name if parent is not None and shown_parent else "",
            article_url=comment.article.get_absolute_url(),
        )

    return conditional_json(request, key=key, build=build)


def _rate_limited(message: str, verdict: RateVerdict) -> ApiError:
    return ApiError(
        429, message, code="rate_limited",
        headers={"Retry-After": str(max(1, verdict.retry_after))},
    )


@router.post(
    "/articles/{article_id}/comments",
    response={202: SubmittedComment, **error_responses(403, 404, 429)},
    summary="Post a comment for moderation",
)
def comment_post(
    request: HttpRequest, payload: CommentIn, article_id: RowId
) -> Status[SubmittedComment]:
    """Store a comment as pending. Keep `status_token` to follow it through moderation.

    Posting the same text again within a minute returns the first comment, not a copy.
    """
    article, site = _article_taking_anonymous_comments(request, article_id)
    form = _valid_comment_form(payload, article, site)
    # The same counters as the article page's form, so switching channel buys no extra posts.
    ip = client_ip(request)
    try:
        comment, _created = services.comment_submit(
            article=article,
            parent=form.parent_comment,
            author_name=form.cleaned_data["name"],
            author_email=form.cleaned_data["email"],
            text=form.cleaned_data["text"],
            ip_hash=hash_ip(ip),
            limit=services.PostLimit(ip, form.author_email, site.comments_per_minute),
        )
    except services.CommentRateLimited as limited:
        raise _rate_limited(
            "You have posted several comments in the last minute. Wait a minute, then post "
            "again.", limited.verdict,
        ) from None
    return Status(202, _submitted(request, comment))


def _article_taking_anonymous_comments(
    request: HttpRequest, article_id: int
) -> tuple[Article, SiteSettings]:
    article = article_with_section(article_id)
    if article is None:
        raise ApiError(404, f"There is no article {article_id}.", code="not_found")
    site = SiteSettings.load()
    # The API posts as an anonymous commenter (it reads no session cookie), so where the
    # site or section takes comments from accounts only, it answers with how to sign in.
    refusal = commenting_refusal(article=article, site=site, commenter=None)
    if refusal is not None:
        raise ApiError(
            403, refusal.as_text(request.build_absolute_uri(refusal.link)), code=refusal.code
        )
    return article, site


def _valid_comment_form(payload: CommentIn, article: Article, site: SiteSettings) -> CommentForm:
    form = CommentForm(
        data={
            "name": payload.name,
            "email": payload.email,
            "text": payload.text,
            "parent": "" if payload.parent_id is None else str(payload.parent_id),
        },
        article=article,
        site=site,
    )
    if not form.is_valid():
        raise ApiError.from_items(400, form_errors(form, renames={"parent": "parent_id"}))
    return form


# An id no comment has, reversed once: every post's status address is that one with the id
# put in (django.urls.reverse cost as much as the rest of building the answer).
_STATUS_PATH_SENTINEL = 918273645


def _status_path(comment_id: int) -> str:
    template = link("api-v1:comment_status", comment_id=_STATUS_PATH_SENTINEL)
    return template.replace(str(_STATUS_PATH_SENTINEL), str(comment_id))


def _submitted(request: HttpRequest, comment: Comment) -> SubmittedComment:
    token = status_token_create(comment_id=comment.pk)
    status_path = _status_path(comment.pk)
    # Built without validating: every value is the stored comment's own, and ninja validates
    # the answer against this schema again when it writes the response.
    return SubmittedComment.model_construct(
        id=comment.pk,
        article_id=comment.article_id,
        parent_id=comment.parent_id,
        status=api_status(comment),
        author_name=comment.author_name,
        text=comment.text,
        submitted_at=comment.submitted_at,
        status_token=token,
        status_url=request.build_absolute_uri(f"{status_path}?token={token}"),
    )


@router.get(
    "/comments/{comment_id}/status",
    response={200: CommentStatusOut, **error_responses(403, 404)},
    url_name="comment_status",
    summary="Where a posted comment is in moderation",
)
def comment_status(
    request: HttpRequest,
    comment_id: RowId,
    token: Annotated[
        str, Query(..., max_length=500, description="The status_token from posting.")
    ],
) -> CommentStatusOut:
    # The token is checked first, so the endpoint says nothing about comments it was not
    # issued for.
    if not status_token_matches(token, comment_id=comment_id):
        raise ApiError(
            403, "This token is not valid for this comment.", field="token", code="bad_token"
        )
    comment = Comment.objects.select_related("article__section").filter(pk=comment_id).first()
    if comment is None:
        raise ApiError(404, "This comment has been deleted.", code="not_found")
    # A link only where readers can follow it (an approved reply in a thread rejected since,
    # or under an article set back to draft, has none).
    readable = (
        comment.status == Comment.Status.APPROVED
        and public_comments().filter(pk=comment.pk).exists()
    )
    return CommentStatusOut(
        id=comment.pk,
        status=api_status(comment),
        decided_at=comment.decided_at,
        url=request.build_absolute_uri(comment.get_absolute_url()) if readable else None,
    )


@router.post(
    "/comments/{comment_id}/reports",
    response={202: ReportReceived, **error_responses(404, 409, 429)},
    summary="Report a published comment to the moderators",
)
def comment_report(
    request: HttpRequest, payload: ReportIn, comment_id: RowId
) -> Status[ReportReceived]:
    comment = public_comments().filter(pk=comment_id).first()
    if comment is None:
        raise ApiError(404, f"There is no published comment {comment_id}.", code="not_found")
    form = ReportForm(data={"reason": payload.reason.value, "note": payload.note})
    if not form.is_valid():
        raise ApiError.from_items(400, form_errors(form))
    ip = client_ip(request)
    if verdict := limit_exceeded("report-ip", ip, services.REPORTS_PER_MINUTE):
        raise _rate_limited("You have sent many reports in the last minute. Please wait.", verdict)
    try:
        services.comment_report(
            comment=comment,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            reporter_ip_hash=hash_ip(ip),
        )
    except services.ReportAlreadyOpen as error:
        raise ApiError(
            409, "You have already reported this comment, and the moderators have not dealt "
            "with it yet; there is no need to report it again.", code="already_reported",
        ) from error
    return Status(202, ReportReceived(comment_id=comment.pk, reason=payload.reason))

