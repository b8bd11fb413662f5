"""Whole article pages cached for anonymous readers, keyed by the article's cache version.

A decision on any comment of the article, or an edit of the article, bumps the version, so a
cached page is never served after it went stale in substance; relative times ("5 minutes
ago") may lag by up to PAGE_CACHE_SECONDS. The page is stored with a placeholder where the
CSRF token goes and each reader gets their own token when it is served.

``StoredPageShortcut`` wraps the WSGI application and serves those stored pages to readers
who carry no cookie but the CSRF one, before Django's middleware, URL resolver and view run
(they cost several times the page itself). The first response for a URL goes through Django
as usual; the shortcut keeps its headers, so what it serves later is that same response with
the reader's own CSRF token. Anything else (a session, a message, a reply form, htmx, a query
parameter the page does not use) goes to Django.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import time
from collections.abc import Iterable
from importlib import metadata
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.http import http_date
from django.utils.translation import get_language

from broadsheet.articles.cache import article_cache_version
from broadsheet.core import csrf_tokens
from broadsheet.core.languages import browser_language
from broadsheet.reading.comment_section import own_comment_ids

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

PAGE_CACHE_SECONDS = 60
CSRF_PLACEHOLDER = "__broadsheet_csrf_token__"
_PLACEHOLDER_BYTES = CSRF_PLACEHOLDER.encode()


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


def _page_digest(request: HttpRequest) -> str:
    # Only the parameters the page uses, so made-up query strings cannot fill the cache.
    query = f"{request.GET.get('order', '')}|{request.GET.get('after', '')}"
    # The path carries the language's prefix too; the language itself is there in case a
    # reader is ever served another language at the same address.
    identity = f"{request.path}|{query}|{get_language()}"
    return hashlib.sha256(identity.encode()).hexdigest()[:32]


def _page_key(article_id: int, version: int, digest: str) -> str:
    return f"page:{article_id}:{version}:{digest}"


def cached_page(request: HttpRequest) -> HttpResponse | None:
    article_id = cache.get(_path_key(request))
    if article_id is None:
        return None
    version = article_cache_version(article_id)
    html = cache.get(_page_key(article_id, version, _page_digest(request)))
    if html is None:
        return None
    return HttpResponse(html.replace(CSRF_PLACEHOLDER, csrf_tokens.get_token(request)))


def store_page(request: HttpRequest, article_id: int, html: str) -> HttpResponse:
    digest = _page_digest(request)
    cache.set(_path_key(request), article_id, PAGE_CACHE_SECONDS * 10)
    cache.set(
        _page_key(article_id, article_cache_version(article_id), digest), html,
        PAGE_CACHE_SECONDS,
    )
    response = HttpResponse(html.replace(CSRF_PLACEHOLDER, csrf_tokens.get_token(request)))
    if StoredPageShortcut.active:
        response[_STORED_PAGE_HEADER] = f"{article_id} {digest}"
    return response


# -- the shortcut in front of Django ------------------------------------------------------------

# Set by the view on a page it has just stored, read and removed by the shortcut.
_STORED_PAGE_HEADER = "X-Broadsheet-Stored-Page"
_PERMALINK_SHAPE = re.compile(r"/[\w-]+/\d{4}/\d{1,2}/\d{1,2}/[\w-]+/")
_PAGE_PARAMETERS = ("order", "after")
_NOT_REPLAYED = ("set-cookie", "content-length", _STORED_PAGE_HEADER.lower())

RECENT_PAGE_SECONDS = 5
RECENT_ITEMS = 256

try:  # a new release may send other headers: its entries must not be an old release's
    _RELEASE = metadata.version("broadsheet")
except metadata.PackageNotFoundError:
    _RELEASE = "unknown"


def _front_request(environ: dict) -> tuple[str, str] | None:
    """(cache key, CSRF cookie value) when the shortcut may answer this request."""
    if environ.get("REQUEST_METHOD") != "GET" or "HTTP_HX_REQUEST" in environ:
        return None
    if not settings.BROADSHEET_PAGE_CACHE or settings.CSRF_USE_SESSIONS:
        return None
    path = environ.get("PATH_INFO", "")
    if not _PERMALINK_SHAPE.fullmatch(path):
        return None
    if settings.BROADSHEET_MULTILINGUAL and browser_language(
        environ.get("HTTP_ACCEPT_LANGUAGE", "")
    ) != settings.LANGUAGE_CODE:
        return None  # Django sends this reader to their language's address
    values = {"order": "", "after": ""}
    query = environ.get("QUERY_STRING", "")
    if query:
        for name, value in parse_qsl(query, keep_blank_values=True):
            if name not in _PAGE_PARAMETERS:
                return None
            values[name] = value
    csrf_cookie = ""
    cookies = environ.get("HTTP_COOKIE", "")
    if cookies:
        for part in cookies.split(";"):
            name, _, value = part.strip().partition("=")
            if name == settings.CSRF_COOKIE_NAME:
                csrf_cookie = value
            elif name:
                return None  # a session, messages or anything else: Django decides
    # Host and scheme are part of the key: pages carry absolute links, and only a host Django
    # has accepted ever gets an entry.
    scheme = environ.get("wsgi.url_scheme", "")
    forwarded = environ.get(settings.SECURE_PROXY_SSL_HEADER[0], "") if (
        settings.SECURE_PROXY_SSL_HEADER) else ""
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    identity = "|".join((
        _RELEASE, scheme, forwarded, host, environ.get("SCRIPT_NAME", ""), path,
        values["order"], values["after"],
    ))
    return "front:" + hashlib.sha256(identity.encode()).hexdigest()[:32], csrf_cookie


def _csrf_cookie_header(secret: str) -> str:
    parts = [f"{settings.CSRF_COOKIE_NAME}={secret}"]
    if settings.CSRF_COOKIE_AGE is not None:
        age = int(settings.CSRF_COOKIE_AGE)
        parts += [f"expires={http_date(time.time() + age)}", f"Max-Age={age}"]
    if settings.CSRF_COOKIE_DOMAIN:
        parts.append(f"Domain={settings.CSRF_COOKIE_DOMAIN}")
    parts.append(f"Path={settings.CSRF_COOKIE_PATH}")
    if settings.CSRF_COOKIE_SECURE:
        parts.append("Secure")
    if settings.CSRF_COOKIE_HTTPONLY:
        parts.append("HttpOnly")
    if settings.CSRF_COOKIE_SAMESITE:
        parts.append(f"SameSite={settings.CSRF_COOKIE_SAMESITE}")
    return "; ".join(parts)


class StoredPageShortcut:
    """WSGI middleware: answer stored article pages for anonymous readers without Django."""

    active = False

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app
        # URL -> (article, page digest, headers) does not change while the URL stands (an
        # edit moving the article also bumps its version, so the page lookup misses).
        self._recent_entries: dict[str, tuple] = {}
        self._recent_pages: dict[str, tuple[float, list[bytes]]] = {}
        StoredPageShortcut.active = True

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        front = _front_request(environ)
        if front is None:
            return self.app(environ, start_response)
        key, csrf_cookie = front
        try:
            body = self._stored(key)
        except Exception:  # a cache outage must never cost a reader the page
            body = None
        if body is None:
            return self.app(environ, self._keeping_headers(key, start_response))
        headers, parts = body
        secret = csrf_cookie if csrf_tokens.is_valid_secret(csrf_cookie) else ""
        if not secret:
            secret = csrf_tokens.new_secret()
            headers = [*headers, ("Set-Cookie", _csrf_cookie_header(secret))]
        content = csrf_tokens.masked_token(secret).encode().join(parts)
        start_response("200 OK", [*headers, ("Content-Length", str(len(content)))])
        return [content]

    def _stored(self, key: str) -> tuple[list[tuple[str, str]], list[bytes]] | None:
        """The stored page's headers and its encoded body cut at the CSRF placeholders: a
        reader's token is joined in, instead of replacing in and encoding the whole page per
        request, which cost about a third of a cached page's time (docs/benchmarks.md)."""
        entry = self._recent_entries.get(key)
        if entry is None:
            entry = cache.get(key)
            if entry is None:
                return None
            self._remember(self._recent_entries, key, entry)
        article_id, digest, headers = entry
        # With Redis, only the version is asked for on every request: a page under a given
        # version never changes in substance, so this process keeps it for a few seconds.
        page_key = _page_key(article_id, article_cache_version(article_id), digest)
        now = time.monotonic()
        kept = self._recent_pages.get(page_key)
        if kept is not None and kept[0] > now:
            return headers, kept[1]
        html = cache.get(page_key)
        if html is None:
            return None
        parts = html.encode().split(_PLACEHOLDER_BYTES)
        self._remember(self._recent_pages, page_key, (now + RECENT_PAGE_SECONDS, parts))
        return headers, parts

    @staticmethod
    def _remember(store: dict, key: str, value: object) -> None:
        if len(store) >= RECENT_ITEMS:
            store.clear()  # crude, but safe under threads, and rarely hit
        store[key] = value

    @staticmethod
    def _keeping_headers(key: str, start_response: StartResponse) -> StartResponse:
        def capture(status: str, headers: list[tuple[str, str]], exc_info=None):
            stored = next((v for n, v in headers if n == _STORED_PAGE_HEADER), None)
            if stored is not None:
                headers = [(n, v) for n, v in headers if n != _STORED_PAGE_HEADER]
                if status.startswith("200 "):
                    article_id, digest = stored.split()
                    replayed = [(n, v) for n, v in headers if n.lower() not in _NOT_REPLAYED]
                    # If the cache is down, the next reader stores it instead.
                    with contextlib.suppress(Exception):
                        cache.set(key, (int(article_id), digest, replayed),
                                  PAGE_CACHE_SECONDS * 10)
            if exc_info is None:
                return start_response(status, headers)
            return start_response(status, headers, exc_info)

        return capture
