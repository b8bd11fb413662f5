"""Exporting every comment as JSON lines, the file `broadsheet import jsonl` reads back."""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch

from broadsheet.articles.models import Article
from broadsheet.comments.models import Comment
from broadsheet.integrations.stories import normalise_url
from broadsheet.moderation.models import Decision

CHUNK = 2000


def article_address(article: Article) -> str:
    """Where the story lives: its page elsewhere, or its permalink on this site."""
    try:
        return article.external_story.url
    except ObjectDoesNotExist:
        return normalise_url(settings.SITE_URL + article.get_absolute_url())


def _decision(decision: Decision) -> dict:
    return {
        "action": decision.action,
        "actor_name": decision.actor_name,
        "created_at": decision.created_at.isoformat(),
        "reason": decision.reason.slug if decision.reason else None,
        "reason_label": decision.reason.label if decision.reason else None,
        "note": decision.note,
        "status_before": decision.status_before,
        "status_after": decision.status_after,
        "text_before": decision.text_before,
        "text_after": decision.text_after,
        "scanner_verdict": decision.scanner_verdict,
    }


def comment_lines(*, with_history: bool = False) -> Iterator[str]:
    """One JSON object a line per comment, oldest id first, whatever its status."""
    comments = Comment.objects.select_related(
        "article__section", "article__external_story", "rejection_reason"
    ).order_by("id")
    if with_history:
        comments = comments.prefetch_related(
            Prefetch(
                "decisions",
                queryset=Decision.objects.select_related("reason").order_by("created_at", "id"),
            )
        )
    addresses: dict[int, str] = {}
    for comment in comments.iterator(chunk_size=CHUNK):
        article = comment.article
        if article.pk not in addresses:
            addresses[article.pk] = article_address(article)
        reason = comment.rejection_reason
        line = {
            "id": comment.pk,
            "article_url": addresses[article.pk],
            "article_title": article.headline,
            "parent_id": comment.parent_id,
            "author_name": comment.author_name,
            "author_email": comment.author_email,
            "text": comment.text,
            "created_at": comment.submitted_at.isoformat(),
            "status": comment.status,
            "rejection_reason": reason.slug if reason else None,
            "rejection_reason_label": reason.label if reason else None,
        }
        if with_history:
            line["decisions"] = [_decision(d) for d in comment.decisions.all()]
        yield json.dumps(line, ensure_ascii=False)
