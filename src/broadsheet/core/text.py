"""Turning what people write into safe HTML."""

from __future__ import annotations

import re
import unicodedata

import markdown
import nh3
from django.utils.html import escape, urlize
from django.utils.safestring import SafeString, mark_safe

_ARTICLE_TAGS = {
    "p", "a", "em", "strong", "blockquote", "ul", "ol", "li", "h2", "h3", "h4", "figure",
    "figcaption", "img", "code", "pre", "hr", "br", "table", "thead", "tbody", "tr", "th", "td",
}
_ARTICLE_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}


def render_markdown(source: str) -> SafeString:
    """Markdown written by staff, cleaned so a pasted script cannot run on the page."""
    html = markdown.markdown(source, extensions=["extra", "sane_lists"], output_format="html")
    return mark_safe(
        nh3.clean(html, tags=_ARTICLE_TAGS, attributes=_ARTICLE_ATTRIBUTES, link_rel="noopener")
    )


def with_dateline(body_html: str, dateline: str) -> SafeString:
    """Lead the first paragraph with the dateline, as print does ("LAHORE: ...")."""
    if not dateline:
        return mark_safe(body_html)
    lead = f'<span class="dateline">{escape(dateline.upper().rstrip(":"))}:</span> '
    if body_html.startswith("<p>"):
        return mark_safe("<p>" + lead + body_html[3:])
    return mark_safe(f"<p>{lead}</p>{body_html}")


def normalize_newlines(text: str) -> str:
    """Line ends as \n only: browsers send a textarea's lines as \r\n."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


_BLANK_LINES = re.compile(r"\n\s*\n")
# What Django's urlize can turn into a link: an http(s):// address, "www." or a word ending in
# one of its seven top-level domains, or an email address. A paragraph with none of these
# comes out of urlize as itself, escaped.
_MAYBE_LINK = re.compile(r"://|@|www\.|\.(?:com|edu|gov|int|mil|net|org)", re.IGNORECASE)


def render_comment_text(text: str) -> SafeString:
    """Plain text from a reader: everything escaped, paragraphs kept, URLs made into links."""
    paragraphs = [p.strip() for p in _BLANK_LINES.split(text.replace("\r\n", "\n")) if p.strip()]
    rendered = []
    for paragraph in paragraphs:
        if _MAYBE_LINK.search(paragraph):
            linked = urlize(paragraph, trim_url_limit=60, nofollow=True, autoescape=True)
            linked = linked.replace('rel="nofollow"', 'rel="nofollow ugc"')
        else:  # urlize walks every word; most comments hold no link at all
            linked = escape(paragraph)
        rendered.append("<p>" + linked.replace("\n", "<br>") + "</p>")
    return mark_safe("".join(rendered))


def stored_comment_html(text: str, text_html: str) -> SafeString:
    """A comment's HTML as stored when it was saved; rows written in bulk are rendered now."""
    if text_html:
        return mark_safe(text_html)  # escaped by render_comment_text before it was stored
    return render_comment_text(text)


def plain_text_from_markdown(source: str) -> str:
    """The words of an article body without markup, for summaries and embeddings."""
    html = markdown.markdown(source, extensions=["extra"])
    return " ".join(nh3.clean(html, tags=set()).split())


_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_ld_script(data: dict) -> SafeString:
    """A JSON-LD block that a headline containing </script> cannot break out of."""
    import json

    payload = json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{payload}</script>')


# Characters that change the direction text is laid out in: in a name they can make it read
# as someone else's (a right-to-left override mirrors what follows) or scramble the line.
_BIDI_CONTROLS = dict.fromkeys(
    [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
)
# Letters that draw as nothing: Hangul and halfwidth fillers and the blank braille pattern.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Spaces, controls, format characters (zero-width space and joiners, word joiner, byte-order
# mark, bidi controls) and combining marks with nothing to combine with.
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Zs", "Zl", "Zp", "Mn"})


def without_bidi_controls(text: str) -> str:
    return text.translate(_BIDI_CONTROLS)


def has_visible_characters(text: str) -> bool:
    """Whether TEXT shows anything on the page."""
    return any(
        char not in _BLANK_LETTERS and unicodedata.category(char) not in _INVISIBLE_CATEGORIES
        for char in text
    )
