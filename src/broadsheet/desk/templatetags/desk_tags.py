"""Filters for the desk's templates."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

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
