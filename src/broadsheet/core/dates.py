"""How times are shown to readers."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import get_language, gettext, ngettext_lazy

# Each unit's phrase, by count (the language's plural rules pick the form).
_SHORT_UNITS = (
    (7 * 86400, ngettext_lazy("%(count)d week ago", "%(count)d weeks ago", "count")),
    (86400, ngettext_lazy("%(count)d day ago", "%(count)d days ago", "count")),
    (3600, ngettext_lazy("%(count)d hour ago", "%(count)d hours ago", "count")),
    (60, ngettext_lazy("%(count)d minute ago", "%(count)d minutes ago", "count")),
)


@lru_cache(maxsize=4096)
def _phrase(language: str | None, unit: int, count: int) -> str:
    # Made once per language and count: translating per comment cost more than the rest.
    return _SHORT_UNITS[unit][1] % {"count": count}


def relative_time(
    value: datetime | None, now: datetime | None = None, *, language: str | None = None
) -> str:
    """'5 minutes ago', '9 years ago': one unit, as newspaper sites show it. LANGUAGE, the
    active one, saves asking for it when the caller draws many times at once."""
    if not value:
        return ""
    now = now or timezone.now()
    seconds = (now - value).total_seconds()
    if seconds < 60:
        return gettext("just now")
    # Drawn for every comment on a page: the common recent cases without timesince's
    # calendar arithmetic, which is only needed once months come into it.
    if seconds < 28 * 86400:
        for unit, (size, _phrases) in enumerate(_SHORT_UNITS):
            if seconds >= size:
                return _phrase(language or get_language(), unit, int(seconds // size))
    since = timesince(value, now, depth=1).replace("\xa0", " ")
    return gettext("%(time)s ago") % {"time": since}
