"""Filters for the desk's templates."""

from __future__ import annotations

from datetime import timedelta
from typing import SupportsFloat

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext

from broadsheet.comments.models import Comment
from broadsheet.desk.text import highlight_spans

register = template.Library()


@register.filter
def highlighted(comment: Comment) -> SafeString:
    """The comment's text with the scanner's spans marked.

    After a moderator's edit the spans point into the old text, so none are marked.
    """
    reasons = [] if getattr(comment, "was_edited", False) else comment.reasons
    return highlight_spans(comment.text, reasons)


@register.filter
def score(value: object) -> str:
    """A scanner score as the desk prints it: two decimals, "–" when there is none."""
    if not isinstance(value, SupportsFloat | str):
        return "–"
    try:
        return f"{float(value):.2f}"
    except (TypeError, ValueError):
        return "–"


@register.filter
def label_for(code: str) -> str:
    return str(code).replace("-", " ").replace("_", " ")


SCANNER_ORDER = ("wordlist", "abuse", "spam", "relevance")


@register.filter
def ordered_scores(scores: dict) -> list[tuple[str, object]]:
    """Scores in the pipeline's order: PostgreSQL's jsonb does not keep the stored key order."""
    rank = {name: position for position, name in enumerate(SCANNER_ORDER)}
    return sorted(scores.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0]))


@register.filter
def desk_duration(value: timedelta | None) -> str:
    """A wait in the largest units that matter: "40 seconds", "12 minutes", "3 h 20 min"."""
    if value is None:
        return "—"
    seconds = max(0, int(value.total_seconds()))
    if seconds < 90:
        return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    minutes = round(seconds / 60)
    if minutes < 90:
        return gettext("%(n)d minutes") % {"n": minutes}
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        if minutes:
            return gettext("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
        return gettext("%(h)d h") % {"h": hours}
    return gettext("%(n)d days") % {"n": round(hours / 24)}


@register.filter
def desk_risk_band(bucket: int) -> str:
    """The label of a tenth of the risk scale: 0 -> "0.0–0.1"."""
    return f"{bucket / 10:.1f}\u2013{(bucket + 1) / 10:.1f}"
