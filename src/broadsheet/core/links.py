"""Reversed URLs, remembered.

An article page links to the same dozen addresses on every view, and django.urls.reverse
costs as much as drawing several comments. The URLconf does not change while a process runs,
so each (name, arguments, script prefix, language) is reversed once: a reader's page in
another language links to that language's addresses (/ur/...).
"""

from __future__ import annotations

from functools import lru_cache

from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language


@lru_cache(maxsize=8192)
def _reverse(prefix: str, language: str | None, name: str, args: tuple, kwargs: tuple) -> str:
    return reverse(name, args=args, kwargs=dict(kwargs))


def link(name: str, *args: object, **kwargs: object) -> str:
    return _reverse(
        get_script_prefix(), get_language(), name, args, tuple(sorted(kwargs.items()))
    )


def site_links() -> dict[str, str]:
    """The addresses every page's header and footer link to."""
    return {
        "home": link("articles:home"),
        "rss": link("articles:feed-rss"),
        "atom": link("articles:feed-atom"),
        "faq": link("core:page", "comments-faq"),
        "desk": link("desk:queue", "pending"),
        "logout": link("logout"),
        "account": link("readers:home"),
    }
