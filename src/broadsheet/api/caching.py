"""Cached, conditional JSON for the public reads.

Keys and ETags carry the article's comment version (broadsheet.articles.cache), which is
bumped after every approval, rejection or edit on that article: nothing is ever deleted,
an entry simply stops being asked for.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags
from pydantic import BaseModel

from broadsheet.articles.cache import article_cache_version

CACHE_SECONDS = 10 * 60


def versioned_key(kind: str, article_ids: Iterable[int], *parts: object) -> str:
    """A key naming the versions it was built from, so a bump makes it unreachable.

    Read the versions BEFORE querying: data built after a bump may be stored under the old
    version, which is harmless, never the other way round.
    """
    versions = ",".join(f"{pk}.{article_cache_version(pk)}" for pk in article_ids)
    raw = "\n".join([kind, versions, *map(str, parts)])
    return f"api:v1:{kind}:{hashlib.sha256(raw.encode()).hexdigest()[:32]}"


def _etag_for(key: str) -> str:
    return f'"{key.rsplit(":", 1)[-1]}"'


def _client_has(request: HttpRequest, etag: str) -> bool:
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    # Proxies that compress may weaken our tag; a weak match is enough for a GET.
    wanted = {tag.removeprefix("W/") for tag in parse_etags(header)}
    return "*" in wanted or etag in wanted


def conditional_json(
    request: HttpRequest, *, key: str, build: Callable[[], BaseModel], store: bool = True
) -> HttpResponse:
    """304 when the client holds KEY's version; else the cached body, built once per version
    (STORE false: built, answered and not kept)."""
    etag = _etag_for(key)
    if _client_has(request, etag):
        response = HttpResponse(status=304)
    else:
        use_cache = settings.BROADSHEET_PAGE_CACHE and store
        body = cache.get(key) if use_cache else None
        if body is None:
            body = build().model_dump_json().encode()
            if use_cache:
                cache.set(key, body, CACHE_SECONDS)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["ETag"] = etag
    # Browsers and shared caches may keep the body but must ask again each time; the 304
    # answer costs us one small query.
    patch_cache_control(response, public=True, no_cache=True)
    return response
