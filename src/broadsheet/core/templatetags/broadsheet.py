from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

from broadsheet.core.text import render_comment_text

register = template.Library()


@register.filter
def ago(value: datetime | None) -> str:
    """'5 minutes ago', '9 years ago': one unit, as newspaper sites show it."""
    if not value:
        return ""
    now = timezone.now()
    if (now - value).total_seconds() < 60:
        return "just now"
    return f"{timesince(value, now, depth=1)} ago".replace("\xa0", " ")


@register.filter
def comment_html(text: str):
    return render_comment_text(text)
