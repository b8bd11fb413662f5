from __future__ import annotations

from datetime import datetime

from django import template

from broadsheet.core.dates import relative_time

register = template.Library()


@register.filter
def ago(value: datetime | None) -> str:
    return relative_time(value)

