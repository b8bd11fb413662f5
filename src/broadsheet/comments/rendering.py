"""Drawing comments as HTML for the article page.

A page of threads is the part of an article page that cannot be cached for every reader
(a commenter sees their own pending comment in it), so it is drawn here with string
formatting instead of a Django template: a template include costs about 0.3 ms a comment,
this a few microseconds. Everything a reader wrote is escaped here or was escaped when the
text was stored (Comment.text_html). The markup is the one the stylesheet, htmx and the
tests expect; change it here and in static/broadsheet/site.css together.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, tzinfo
from html import escape  # the standard library's: Django's wraps it for lazy strings

from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.safestring import SafeString, mark_safe

from broadsheet.articles.models import Article
from broadsheet.comments.selectors import CommentRow, ThreadPage
from broadsheet.core.dates import relative_time
from broadsheet.core.links import link

# Reversed once with a stand-in id, then filled per comment: reverse() per link costs more
# than drawing the rest of the comment.
_STAND_IN_ID = 918273645


def _url_pattern(name: str) -> tuple[str, str]:
    before, _, after = link(name, _STAND_IN_ID).partition(str(_STAND_IN_ID))
    return before, after


def _time(value: datetime, now: datetime, zone: tzinfo, months: dict[int, str]) -> str:
    local = value.astimezone(zone)
    title = f"{local.day} {months[local.month]} {local.year}, {local:%H:%M} {local.tzname() or ''}"
    return (
        f'<time datetime="{local.isoformat()}" title="{escape(title.rstrip())}">'
        f"{relative_time(value, now)}</time>"
    )


def render_rows(rows: Iterable[CommentRow], *, comments_open: bool) -> SafeString:
    reply_url = _url_pattern("comments:reply")
    report_url = _url_pattern("comments:report")
    now = timezone.now()
    zone = timezone.get_current_timezone()
    months = {number: str(name) for number, name in MONTHS.items()}  # translated once
    parts: list[str] = []
    for row in rows:
        c = row.comment
        pk = c.pk
        name, verified = c.public_author()
        pending = row.is_own_pending
        head = [f'<span class="author">{escape(name)}</span>']
        if verified:
            head.append(
                f'<span class="verified" title="Verified account">✔ {escape(verified)}</span>'
            )
        head.append(_time(c.submitted_at, now, zone, months))
        if pending:
            head.append('<span class="badge pending-badge">Awaiting moderation</span>')
        parts.append(
            f'<li class="comment level-{int(row.level)}{" pending" if pending else ""}" '
            f'id="c{pk}">\n  <div class="comment-head">\n    '
            + "\n    ".join(head)
            + "\n  </div>\n"
        )
        if row.replying_to:
            parts.append(f'  <p class="replying-to">Replying to {escape(row.replying_to)}</p>\n')
        parts.append(f'  <div class="comment-text">{c.display_html}</div>\n')
        if not pending:
            reply = ""
            if comments_open:
                reply = (
                    f'<a href="?reply_to={pk}#comment-form" '
                    f'hx-get="{reply_url[0]}{pk}{reply_url[1]}" hx-target="#reply-slot-{pk}" '
                    f'hx-swap="innerHTML" class="reply-link">Reply</a> · '
                )
            parts.append(
                f'  <p class="comment-actions">\n    {reply}'
                f'<a href="{report_url[0]}{pk}{report_url[1]}" class="report-link" '
                f'rel="nofollow">Report</a>\n  </p>\n'
                f'  <div class="reply-slot" id="reply-slot-{pk}"></div>\n'
            )
        parts.append("</li>\n")
    return mark_safe("".join(parts))


def render_thread_page(
    page: ThreadPage, *, article: Article, order: str, comment_count: int, comments_open: bool
) -> SafeString:
    """The <li> items of one page of threads, with the "View more comments" link after them."""
    html = render_rows(page.rows, comments_open=comments_open)
    if not page.rows and not page.next_cursor and comment_count == 0:
        html = mark_safe(
            '<li class="no-comments">No comments yet. Be the first to comment.</li>\n'
        )
    if not page.next_cursor:
        return html
    cursor = escape(page.next_cursor)
    order_query = "" if order == "oldest" else f"&amp;order={escape(order)}"
    more = (
        '<li class="more" id="more-comments">\n'
        f'  <a href="?after={cursor}{order_query}#comments"\n'
        f'     hx-get="{escape(article.get_absolute_url())}?after={cursor}'
        f'&amp;order={escape(order)}"\n'
        '     hx-target="#more-comments" hx-swap="outerHTML">View more comments</a>\n'
        "</li>\n"
    )
    return mark_safe(html + more)
