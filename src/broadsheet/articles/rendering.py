"""An article body as readers see it: Markdown, cleaned by nh3, pictures made responsive."""

from __future__ import annotations

from django.utils.safestring import SafeString

from broadsheet.articles.images import responsive_body_images
from broadsheet.core.text import render_markdown, with_dateline


def render_article_body(markdown_source: str, dateline: str) -> SafeString:
    """The article page and the admin's live preview both draw the body through here."""
    return with_dateline(responsive_body_images(render_markdown(markdown_source)), dateline)
