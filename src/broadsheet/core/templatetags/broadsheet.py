from __future__ import annotations

from datetime import datetime

from django import template
from django.urls import translate_url

from broadsheet.core.dates import relative_time

register = template.Library()


@register.filter
def ago(value: datetime | None) -> str:
    return relative_time(value)



@register.filter
def in_language(url: str, language: str) -> str:
    """URL (this page's, in the language being shown) at its address in LANGUAGE, for the
    language switch; translated here because Django's set_language view resolves it in the
    default language, where an /ur/ address does not resolve."""
    return translate_url(url, language)
