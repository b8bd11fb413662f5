"""Versioned cache keys: bumping an article's version makes every cached part of it stale."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

_NAV_SECTIONS_KEY = "articles:nav-sections"


def nav_sections_key(language: str | None) -> str:
    """The masthead's sections, per language: their links carry the language's prefix."""
    return f"{_NAV_SECTIONS_KEY}:{language}"


def _version_key(article_id: int) -> str:
    return f"article:{article_id}:version"


def article_cache_version(article_id: int) -> int:
    version = cache.get(_version_key(article_id))
    if version is None:
        version = 1
        cache.add(_version_key(article_id), version, None)
    return version


def _bump(article_id: int) -> None:
    key = _version_key(article_id)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 2, None)


def article_comments_changed(article_id: int) -> None:
    # Now, and again after commit: a reader could re-cache the old page between our write and
    # the commit, and the second bump throws that copy away.
    _bump(article_id)
    transaction.on_commit(lambda: _bump(article_id))


article_changed = article_comments_changed


def sections_changed() -> None:
    """After a section is added, renamed, moved or removed: every masthead lists them."""
    keys = [nav_sections_key(code) for code, _name in settings.LANGUAGES]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))
