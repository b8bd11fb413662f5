"""The comment section of an article page, shared by the page and the comment views."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

from broadsheet.accounts.selectors import Commenter, commenter_for
from broadsheet.articles.cache import article_cache_version
from broadsheet.articles.models import Article
from broadsheet.comments.access import commenting_refusal
from broadsheet.comments.forms import CommentForm
from broadsheet.comments.models import Comment
from broadsheet.comments.selectors import (
    ORDERS,
    ThreadPage,
    approved_comment_count,
    comment_threads_for_article,
    cursor_was_issued,
)
from broadsheet.core.context_processors import site_settings_for
from broadsheet.core.models import SiteSettings
from broadsheet.reading.comment_rendering import render_rows, render_thread_page

# The comments a browser posted, so their author sees them while they await moderation. Kept
# in a signed cookie of their own rather than the session: sessions live in the database, and
# a reader who posts would otherwise cost a session row (one more write per post) for ids
# that grant nothing.
OWN_COMMENTS_COOKIE = "own_comments"
OWN_COMMENTS_KEPT = 50
OWN_COMMENTS_SECONDS = 14 * 24 * 60 * 60
_OWN_COMMENTS_SALT = "broadsheet.own-comments"


def _own_comment_list(request: HttpRequest) -> list[int]:
    raw = request.get_signed_cookie(
        OWN_COMMENTS_COOKIE, default="", salt=_OWN_COMMENTS_SALT, max_age=OWN_COMMENTS_SECONDS
    )
    return [int(part) for part in (raw or "").split(".") if part.isdigit()]


def own_comment_ids(request: HttpRequest) -> frozenset[int]:
    return frozenset(_own_comment_list(request))


def remember_own_comment(
    request: HttpRequest, response: HttpResponse, comment: Comment
) -> HttpResponse:
    ids = [pk for pk in _own_comment_list(request) if pk != comment.pk]
    response.set_signed_cookie(
        OWN_COMMENTS_COOKIE,
        ".".join(str(pk) for pk in (ids + [comment.pk])[-OWN_COMMENTS_KEPT:]),
        salt=_OWN_COMMENTS_SALT,
        max_age=OWN_COMMENTS_SECONDS,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def request_commenter(request: HttpRequest) -> Commenter | None:
    """The signed-in account this request would comment as, or None."""
    user = getattr(request, "user", None)
    return commenter_for(user) if user is not None else None


def requested_order(request: HttpRequest) -> str:
    order = request.GET.get("order", "oldest")
    return order if order in ORDERS else "oldest"


# Relative times in a cached page go stale; a minute keeps "5 minutes ago" honest enough.
THREADS_CACHE_SECONDS = 60


def _threads(
    request: HttpRequest, article: Article, site: SiteSettings, order: str, cursor: str | None
) -> tuple[str, int, ThreadPage, bool]:
    """The rendered threads, from the cache unless this reader has comments of their own."""
    own_ids = own_comment_ids(request)
    use_cache = (
        settings.BROADSHEET_PAGE_CACHE and not own_ids
        and (cursor is None or cursor_was_issued(article_id=article.pk, cursor=cursor))
    )
    comments_open = article.comments_open(site.close_comments_after_days)
    key = ""
    if use_cache:  # the version lookup is a cache read of its own: only when it is used
        key = (
            f"threads:{article.pk}:{article_cache_version(article.pk)}:{order}:{cursor or ''}:"
            f"{site.threads_per_page}:{site.max_reply_depth}:{int(comments_open)}:"
            f"{get_language()}"
        )
        cached = cache.get(key)
        if cached is not None:
            return cached[0], cached[1], ThreadPage(rows=[], next_cursor=None), True
    page = comment_threads_for_article(
        article=article,
        order=order,
        cursor=cursor,
        per_page=site.threads_per_page,
        max_depth=site.max_reply_depth,
        own_pending_ids=own_ids,
    )
    count = approved_comment_count(article)
    html = render_thread_page(
        page, article=article, order=order, comment_count=count, comments_open=comments_open
    )
    if use_cache:
        cache.set(key, (html, count), THREADS_CACHE_SECONDS)
    return html, count, page, use_cache


def comment_section_context(
    request: HttpRequest,
    article: Article,
    *,
    form: CommentForm | None = None,
    reply_to: Comment | None = None,
    cursor: str | None = None,
) -> dict:
    site = site_settings_for(request)
    order = requested_order(request)
    comments_open = article.comments_open(site.close_comments_after_days)
    threads_html, count, page, threads_cached = _threads(request, article, site, order, cursor)
    commenter = form.commenter if form is not None else request_commenter(request)
    if form is None:
        initial = {"parent": reply_to.pk} if reply_to else {}
        form = CommentForm(initial=initial, article=article, site=site, commenter=commenter)
    if reply_to is None and form.is_bound and form.parent_comment is not None:
        reply_to = form.parent_comment
    return {
        "article": article,
        # A page past the first is stored only for a cursor the site handed out.
        "cacheable_cursor": cursor is None or threads_cached,
        "comment_count": count,
        "threads_html": threads_html,
        "page": page,
        "own_pending_html": render_rows(
            page.own_pending_elsewhere, comments_open=comments_open
        ),
        "order": order,
        "orders": ORDERS,
        "form": form,
        "reply_to": reply_to,
        "comments_open": comments_open,
        "commenting_refusal": commenting_refusal(
            article=article, site=site, commenter=commenter
        ),
        "max_length": site.max_comment_length,
    }
