"""Reversed URLs, remembered.

An article page links to the same dozen addresses on every view, and django.urls.reverse
costs as much as drawing several comments. The URLconf does not change while a process runs,
so each (name, arguments, script prefix, language) is reversed once: a reader's page in
another language links to that language's addresses (/ur/...).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from urllib.parse import quote

from django.templatetags.static import static
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
        # The static files every page loads: the {% static %} tag asked the storage (and, in
        # production, its manifest) for each on every page.
        "css": static("broadsheet/site.css"),
        "htmx": static("broadsheet/vendor/htmx.min.js"),
        "site_js": static("broadsheet/site.js"),
    }


@lru_cache(maxsize=512)
def share_links(page_url: str, title: str) -> Mapping[str, str]:
    """Links that share PAGE_URL by mail or on social sites: plain URLs, no third-party script.

    Made once per page and title in this process: quoting them in the template with filters
    cost a sizeable share of an uncached article page.
    """
    url, text = quote(page_url, safe=""), quote(title, safe="")
    both = quote(f"{title} {page_url}", safe="")
    return MappingProxyType({
        "email": f"mailto:?subject={text}&body={url}",
        "x": f"https://x.com/intent/post?url={url}&text={text}",
        "facebook": f"https://www.facebook.com/sharer/sharer.php?u={url}",
        "whatsapp": f"https://wa.me/?text={both}",
    })
