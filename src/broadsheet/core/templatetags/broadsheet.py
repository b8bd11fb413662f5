from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from types import MappingProxyType
from urllib.parse import quote

from django import template
from django.urls import translate_url

from broadsheet.core.dates import relative_time

register = template.Library()


@register.filter
def ago(value: datetime | None) -> str:
    return relative_time(value)



@lru_cache(maxsize=512)
def _share_links(page_url: str, title: str) -> Mapping[str, str]:
    url, text = quote(page_url, safe=""), quote(title, safe="")
    both = quote(f"{title} {page_url}", safe="")
    return MappingProxyType({
        "email": f"mailto:?subject={text}&body={url}",
        "x": f"https://x.com/intent/post?url={url}&text={text}",
        "facebook": f"https://www.facebook.com/sharer/sharer.php?u={url}",
        "whatsapp": f"https://wa.me/?text={both}",
    })


@register.simple_tag(takes_context=True)
def share_links(context: template.Context, path: str, title: str) -> Mapping[str, str]:
    """Links that share the page at PATH (on this request's host) by mail or on social sites.

    Plain URLs, no third-party script. Made once per page and title in this process: quoting
    them in the template with filters cost a sizeable share of an uncached article page.
    """
    request = context["request"]
    return _share_links(f"{request.scheme}://{request.get_host()}{path}", title)


@register.filter
def in_language(url: str, language: str) -> str:
    """URL (this page's, in the language being shown) at its address in LANGUAGE, for the
    language switch; translated here because Django's set_language view resolves it in the
    default language, where an /ur/ address does not resolve."""
    return translate_url(url, language)
