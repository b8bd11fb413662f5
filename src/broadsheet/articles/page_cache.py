"""Whole article pages cached for anonymous readers, keyed by the article's cache version.

A decision on any comment of the article, or an edit of the article, bumps the version, so a
cached page is never served after it went stale in substance; relative times ("5 minutes
ago") may lag by up to PAGE_CACHE_SECONDS. The page is stored with a placeholder where the
CSRF token goes and each reader gets their own token when it is served.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

from broadsheet.articles.cache import article_cache_version
from broadsheet.comments.page import own_comment_ids

PAGE_CACHE_SECONDS = 60
CSRF_PLACEHOLDER = "__broadsheet_csrf_token__"


def is_cacheable(request: HttpRequest) -> bool:
    """Only readers who see exactly what everyone sees: no account, no comments of their own."""
    return (
        settings.BROADSHEET_PAGE_CACHE
        and request.method == "GET"
        and not request.headers.get("HX-Request")
        and "reply_to" not in request.GET
        and not request.user.is_authenticated
        and not own_comment_ids(request)
        and len(get_messages(request)) == 0
    )


def _path_key(request: HttpRequest) -> str:
    return "page-path:" + hashlib.sha256(request.path.encode()).hexdigest()[:32]


def _page_key(request: HttpRequest, article_id: int) -> str:
    # Only the parameters the page uses, so made-up query strings cannot fill the cache.
    query = f"{request.GET.get('order', '')}|{request.GET.get('after', '')}"
    digest = hashlib.sha256(f"{request.path}|{query}".encode()).hexdigest()[:32]
    return f"page:{article_id}:{article_cache_version(article_id)}:{digest}"


def cached_page(request: HttpRequest) -> HttpResponse | None:
    article_id = cache.get(_path_key(request))
    if article_id is None:
        return None
    html = cache.get(_page_key(request, article_id))
    if html is None:
        return None
    return HttpResponse(html.replace(CSRF_PLACEHOLDER, get_token(request)))


def store_page(request: HttpRequest, article_id: int, html: str) -> HttpResponse:
    cache.set(_path_key(request), article_id, PAGE_CACHE_SECONDS * 10)
    cache.set(_page_key(request, article_id), html, PAGE_CACHE_SECONDS)
    return HttpResponse(html.replace(CSRF_PLACEHOLDER, get_token(request)))
