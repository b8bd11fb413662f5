"""How times are shown to readers."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.timesince import timesince

_SHORT_UNITS = ((7 * 86400, "week"), (86400, "day"), (3600, "hour"), (60, "minute"))


def relative_time(value: datetime | None, now: datetime | None = None) -> str:
    """'5 minutes ago', '9 years ago': one unit, as newspaper sites show it."""
    if not value:
        return ""
    now = now or timezone.now()
    seconds = (now - value).total_seconds()
    if seconds < 60:
        return "just now"
    # Drawn for every comment on a page: the common recent cases without timesince's
    # calendar arithmetic, which is only needed once months come into it.
    if seconds < 28 * 86400:
        for size, unit in _SHORT_UNITS:
            if seconds >= size:
                count = int(seconds // size)
                return f"{count} {unit}{'' if count == 1 else 's'} ago"
    return f"{timesince(value, now, depth=1)} ago".replace("\xa0", " ")
