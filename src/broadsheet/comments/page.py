"""The comment section of an article page, shared by the page and the comment views."""

from __future__ import annotations

from django.http import HttpRequest

from broadsheet.articles.models import Article
from broadsheet.comments.forms import CommentForm
from broadsheet.comments.models import Comment
from broadsheet.comments.selectors import (
    ORDERS,
    approved_comment_count,
    comment_threads_for_article,
)
from broadsheet.core.models import SiteSettings

OWN_COMMENTS_SESSION_KEY = "own_comments"
OWN_COMMENTS_KEPT = 50


def own_comment_ids(request: HttpRequest) -> frozenset[int]:
    return frozenset(request.session.get(OWN_COMMENTS_SESSION_KEY, []))


def remember_own_comment(request: HttpRequest, comment: Comment) -> None:
    ids = [i for i in request.session.get(OWN_COMMENTS_SESSION_KEY, []) if i != comment.pk]
    request.session[OWN_COMMENTS_SESSION_KEY] = (ids + [comment.pk])[-OWN_COMMENTS_KEPT:]


def requested_order(request: HttpRequest) -> str:
    order = request.GET.get("order", "oldest")
    return order if order in ORDERS else "oldest"


def comment_section_context(
    request: HttpRequest,
    article: Article,
    *,
    form: CommentForm | None = None,
    reply_to: Comment | None = None,
    cursor: str | None = None,
) -> dict:
    site = SiteSettings.load()
    order = requested_order(request)
    page = comment_threads_for_article(
        article=article,
        order=order,
        cursor=cursor,
        per_page=site.threads_per_page,
        max_depth=site.max_reply_depth,
        own_pending_ids=own_comment_ids(request),
    )
    if form is None:
        initial = {"parent": reply_to.pk} if reply_to else {}
        form = CommentForm(initial=initial, article=article, site=site)
    if reply_to is None and form.is_bound and form.parent_comment is not None:
        reply_to = form.parent_comment
    return {
        "article": article,
        "comment_count": approved_comment_count(article),
        "page": page,
        "order": order,
        "orders": ORDERS,
        "form": form,
        "reply_to": reply_to,
        "comments_open": article.comments_open(site.close_comments_after_days),
        "max_length": site.max_comment_length,
    }
