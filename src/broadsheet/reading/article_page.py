"""What the article page shows besides its comments: shared by the page's view and by the
comment views that render the page again with a form's errors."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.safestring import mark_safe

from broadsheet.articles.images import absolute_url, cached_picture
from broadsheet.articles.models import Article
from broadsheet.articles.rendering import render_article_body
from broadsheet.articles.selectors import related_stories
from broadsheet.core.context_processors import site_settings_for
from broadsheet.core.links import link, share_links
from broadsheet.core.text import json_ld_script


def article_page_context(
    article: Article, *, request: HttpRequest, canonical_path: str = ""
) -> dict[str, Any]:
    """What the article page shows besides its comments. CANONICAL_PATH (the article's
    address) saves making it again when the caller has it already."""
    site = site_settings_for(request)
    canonical_path = canonical_path or article.get_absolute_url()
    # The page's address on this request's host, made once: the template wrote it out twice
    # from request.scheme and request.get_host, and the share links needed it a third time.
    page_url = f"{request.scheme}://{request.get_host()}{canonical_path}"
    authors = list(article.authors.all())
    lead_image = cached_picture(article.lead_image_id)
    json_ld: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.headline,
        "description": article.deck,
        "datePublished": article.published_at.isoformat(),
        "dateModified": article.updated_at.isoformat(),
        "articleSection": article.section.name,
        "author": [{"@type": "Person", "name": a.name} for a in authors],
        "publisher": {"@type": "Organization", "name": site.paper_name},
    }
    if lead_image is not None:
        json_ld["image"] = [absolute_url(url, settings.SITE_URL) for url in lead_image.urls]
    body_key = f"article-body:{article.pk}:{article.updated_at.timestamp()}"
    body_html = cache.get(body_key)
    if body_html is None:
        body_html = render_article_body(article.body, article.dateline)
        cache.set(body_key, body_html, 3600)
    # The date filter costs a template node several times a plain variable; same output.
    published = timezone.localtime(article.published_at)
    return {
        "published_iso": published.isoformat(),
        "published_label": (
            f"{published.day} {MONTHS[published.month]} {published.year}, "
            f"{published.hour:02d}:{published.minute:02d}"
        ),
        "canonical_path": canonical_path,
        "page_url": page_url,
        "comments_feed_url": link("comments:article-feed", article.pk),
        "share": share_links(page_url, article.headline),
        "body_html": mark_safe(body_html),
        "authors": authors,
        "json_ld": json_ld_script(json_ld),
        "lead_image": lead_image,
        "related": related_stories(article),
        "print_edition_line": (
            site.print_edition_text(article.print_edition_date)
            if article.print_edition_date else ""
        ),
    }
