"""Drawing comments as HTML for the article page.

A page of threads is the part of an article page that cannot be cached for every reader
(a commenter sees their own pending comment in it), so it is drawn here with string
formatting instead of a Django template: a template include costs about 0.3 ms a comment,
this a few microseconds. Everything a reader wrote is escaped here or was escaped when the
text was stored (Comment.text_html). The markup is the one the stylesheet, htmx and the
tests expect; change it here and in static/broadsheet/site.css together.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import lru_cache
from html import escape  # the standard library's: Django's wraps it for lazy strings
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, ngettext

from broadsheet.articles.models import Article
from broadsheet.comments.selectors import CommentRow, ThreadPage
from broadsheet.core.dates import relative_time
from broadsheet.core.links import link
from broadsheet.core.text import stored_comment_html

if TYPE_CHECKING:
    from broadsheet.comments.forms import CommentForm

# Reversed once with a stand-in id, then filled per comment: reverse() per link costs more
# than drawing the rest of the comment.
_STAND_IN_ID = 918273645


def _url_pattern(name: str) -> tuple[str, str]:
    before, _, after = link(name, _STAND_IN_ID).partition(str(_STAND_IN_ID))
    return before, after


@lru_cache(maxsize=16)
def _escaped_months(language: str | None) -> Mapping[int, str]:
    """The month names in LANGUAGE, escaped: once per language and process, not per page."""
    return MappingProxyType({number: escape(str(name)) for number, name in MONTHS.items()})


def _time_title(local: datetime, months: Mapping[int, str], zone_names: dict[str, str]) -> str:
    # Formatted by hand: strftime and escaping the whole title cost more than the rest of the
    # element. The month names come escaped; the zone's name is escaped once per page.
    title = f"{local.day} {months[local.month]} {local.year}, {local.hour:02d}:{local.minute:02d}"
    zone_name = local.tzname()
    if not zone_name:
        return title
    zone_html = zone_names.get(zone_name)
    if zone_html is None:
        zone_html = zone_names[zone_name] = escape(zone_name)
    return f"{title} {zone_html}"


def render_rows(rows: Iterable[CommentRow], *, comments_open: bool) -> SafeString:
    if not rows:  # the reader's own pending comments, on most pages none
        return mark_safe("")
    reply_url = _url_pattern("comments:reply")
    report_url = _url_pattern("comments:report")
    now = timezone.now()
    zone = timezone.get_current_timezone()
    language = get_language()
    # Names escaped once per page, not per comment, as a discussion's commenters come back
    # (each escape is six calls, a dictionary look-up one).
    months = _escaped_months(language)
    zone_names: dict[str, str] = {}
    names: dict[str, str] = {}
    verified_title = gettext("Verified account")
    awaiting = gettext("Awaiting moderation")
    replying_to = gettext("Replying to %(name)s")
    reply_label = gettext("Reply")
    report_label = gettext("Report")
    parts: list[str] = []
    append = parts.append
    # One string per comment, with as few calls as the markup allows: this loop runs for
    # every comment of every page drawn.
    for row in rows:
        c = row.comment
        pk = c.pk
        name = c.profile_name or c.author_name  # c.public_author(), without the call
        name_html = names.get(name)
        if name_html is None:
            name_html = names[name] = escape(name)
        verified = c.verified_label
        pending = row.is_own_pending
        verified_html = (
            f'\n    <span class="verified" title="{verified_title}">✔ {escape(verified)}</span>'
            if verified else ""
        )
        pending_html = (
            f'\n    <span class="badge pending-badge">{awaiting}</span>' if pending else ""
        )
        submitted = c.submitted_at
        local = submitted.astimezone(zone)
        replying_html = ""
        if parent_name := row.replying_to:
            parent_html = names.get(parent_name)
            if parent_html is None:
                parent_html = names[parent_name] = escape(parent_name)
            replying_html = f'  <p class="replying-to">{replying_to % {"name": parent_html}}</p>\n'
        # text_html was escaped when it was stored; only rows written in bulk lack it.
        text_html = c.text_html or stored_comment_html(c.text, "")
        actions = ""
        if not pending:
            reply = (
                f'<a href="?reply_to={pk}#comment-form" '
                f'hx-get="{reply_url[0]}{pk}{reply_url[1]}" hx-target="#reply-slot-{pk}" '
                f'hx-swap="innerHTML" class="reply-link">{reply_label}</a> · '
                if comments_open else ""
            )
            actions = (
                f'  <p class="comment-actions">\n    {reply}'
                f'<a href="{report_url[0]}{pk}{report_url[1]}" class="report-link" '
                f'rel="nofollow">{report_label}</a>\n  </p>\n'
                f'  <div class="reply-slot" id="reply-slot-{pk}"></div>\n'
            )
        append(
            f'<li class="comment level-{row.level}{" pending" if pending else ""}" '
            f'id="c{pk}">\n  <div class="comment-head">\n    '
            f'<span class="author">{name_html}</span>{verified_html}\n    '
            f'<time datetime="{local.isoformat()}" '
            f'title="{_time_title(local, months, zone_names)}">'
            f"{relative_time(submitted, now, language=language)}</time>{pending_html}\n"
            f"  </div>\n{replying_html}"
            f'  <div class="comment-text">{text_html}</div>\n{actions}</li>\n'
        )
    return mark_safe("".join(parts))


def render_thread_page(
    page: ThreadPage, *, article: Article, order: str, comment_count: int, comments_open: bool
) -> SafeString:
    """The <li> items of one page of threads, with the "View more comments" link after them."""
    html = render_rows(page.rows, comments_open=comments_open)
    if not page.rows and not page.next_cursor and comment_count == 0:
        html = mark_safe(
            f'<li class="no-comments">{gettext("No comments yet. Be the first to comment.")}'
            "</li>\n"
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
        '     hx-target="#more-comments" hx-swap="outerHTML">'
        f'{gettext("View more comments")}</a>\n'
        "</li>\n"
    )
    return mark_safe(html + more)


def render_comment_section(
    context: Mapping[str, Any], *, csrf_token: str, faq_url: str
) -> SafeString | None:
    """comments/section.html (with comments/_form.html) for a blank comment form, or None.

    The article page shows this on every view; drawn through the template engine it cost
    more than all of the page's comments. A form carrying a reader's input and its errors
    (None here) goes through the templates, which stay the reference: the tests render both
    and compare them, so change the templates and this function together.

    CONTEXT holds the names the template reads (comment_section_context's); CSRF_TOKEN and
    FAQ_URL are what the template takes from the context processors.
    """
    form = context["form"]
    if form.is_bound or form.prefix or form.auto_id != "id_%s" or context.get("in_place"):
        return None
    order = context["order"]
    choices = []
    last = len(context["orders"]) - 1
    for position, (key, label) in enumerate(context["orders"].items()):
        if key == order:
            choice = f"<strong>{escape(str(label))}</strong>"
        else:
            choice = f'<a href="?order={escape(str(key))}#comments">{escape(str(label))}</a>'
        choices.append(f"\n      {choice}{' · ' if position != last else ''}\n    ")
    cursor_error = context.get("cursor_error")
    error = f'<p class="error">{escape(str(cursor_error))}</p>' if cursor_error else ""
    own_pending = ""
    if context["page"].own_pending_elsewhere:
        notice = gettext(
            "Your comment is awaiting moderation. Only you can see it until a moderator "
            "approves it."
        )
        own_pending = (
            f'\n  <div class="own-pending">\n    <p class="notice">{notice}</p>\n'
            f'    <ol class="comment-list">{context["own_pending_html"]}</ol>\n  </div>\n  '
        )
    count = context["comment_count"]
    heading = ngettext("Comments (%(counter)s)", "Comments (%(counter)s)", count) % {
        "counter": localize(count)
    }
    return mark_safe(
        '<section class="comments" id="comments" aria-labelledby="comments-heading">\n'
        f'  <h2 id="comments-heading">{heading}</h2>\n'
        f"  {error}\n"
        '  <p class="order-choice">\n'
        f"    {''.join(choices)}\n"
        "  </p>\n"
        f"  {own_pending}\n"
        '  <ol class="comment-list" id="comment-threads">\n'
        f"    {context['threads_html']}\n"
        "  </ol>\n"
        f"  {_blank_form(context, form, csrf_token=csrf_token, faq_url=faq_url)}\n"
        "</section>\n"
    )


def _identity_fields(form: CommentForm, widgets: Mapping[str, str]) -> str:
    """The name and email fields, or for a signed-in reader the name they post under."""
    if form.commenter is not None:
        return (
            f'<p class="posting-as">{gettext("Posting as")} '
            f"<strong>{escape(form.commenter.display_name)}</strong> "
            f'(<a href="{escape(link("readers:home"))}">{gettext("your account")}</a>)'
        )
    return (
        f'\n  <p class="field"><label for="{escape(form["name"].id_for_label)}">'
        f'{gettext("Name")}</label>'
        f"{widgets['name']}</p>\n"
        f'  <p class="field"><label for="{escape(form["email"].id_for_label)}">'
        f'{gettext("Email")}</label>'
        f"{widgets['email']}<span class=\"helptext\" "
        f'id="{escape(form["email"].auto_id)}_helptext">{escape(str(form["email"].help_text))}'
        "</span>"
    )


def _blank_form(
    context: Mapping[str, Any], form: CommentForm, *, csrf_token: str, faq_url: str
) -> str:
    if not context["comments_open"]:
        closed = gettext("Comments are closed.")
        return f'\n\n<p class="comments-closed" id="comment-form">{closed}</p>\n\n'
    refusal = context.get("commenting_refusal")
    if refusal is not None:
        return (
            '\n<p class="comments-restricted" id="comment-form">'
            f'{escape(refusal.message)} <a href="{escape(refusal.link)}">'
            f"{escape(refusal.link_label)}</a></p>\n\n"
        )
    reply_to = context.get("reply_to")
    heading = (
        gettext("Replying to %(name)s") % {"name": escape(reply_to.author_name)}
        if reply_to else gettext("Leave a comment")
    )
    widgets = form.widgets
    max_length = localize(context["max_length"])
    characters_left = ngettext(
        "%(counter)s character left", "%(counter)s characters left", context["max_length"]
    ) % {"counter": max_length}
    policy = gettext(
        "Comments are moderated and generally will be posted if they are on-topic and not "
        "abusive."
    )
    csrf_input = ""
    if csrf_token and csrf_token != "NOTPROVIDED":
        csrf_input = (
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(str(csrf_token))}">'
        )
    action = escape(str(link("comments:post", context["article"].pk)))
    submit = gettext("Post reply") if reply_to else gettext("Post comment")
    return (
        f'\n<form class="comment-form" method="post" action="{action}#comment-form" '
        'id="comment-form" novalidate>\n'
        f"  {csrf_input}\n"
        f"  <h3>{heading}</h3>\n"
        f'  <p class="policy-notice">{policy} <a href="{escape(faq_url)}">'
        f'{gettext("Read the Comments FAQ")}</a>.</p>\n'
        "  \n"
        "  \n"
        f"  {widgets['parent']}\n"
        f"  {_identity_fields(form, widgets)}</p>\n"
        f'  <p class="field"><label for="{escape(form["text"].id_for_label)}">'
        f"{gettext('Your comment')}</label>{widgets['text']}\n"
        f'    <span class="counter" aria-live="polite" data-limit="{max_length}">'
        f"{characters_left}</span>\n"
        "    </p>\n"
        f"  <p><button type=\"submit\">{submit}</button>\n"
        "  </p>\n"
        "</form>\n\n"
    )
