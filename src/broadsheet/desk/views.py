"""The moderation desk: staff read the queues and decide, one comment or many at a time.

Views stay thin: they read through desk.selectors and decide through moderation.services.
Every action works as a plain form POST (then a 303 back to the queue, with a message) and,
when htmx sends it, answers with the fragment that replaces the comment in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET

from broadsheet.comments.models import Comment
from broadsheet.core.http import see_other
from broadsheet.core.models import SiteSettings
from broadsheet.desk import selectors
from broadsheet.desk.forms import BulkDecisionForm, EditForm, RejectForm
from broadsheet.desk.http import (
    is_htmx,
    moderator,
    post_only,
    query_string,
    safe_next,
    staff_required,
)
from broadsheet.desk.selectors import QueueFilters
from broadsheet.desk.text import text_diff
from broadsheet.moderation import services
from broadsheet.moderation.services import DecisionError

QUEUE_TITLES = {
    "pending": gettext_lazy("Pending comments"),
    "reported": gettext_lazy("Reported comments"),
    "approved": gettext_lazy("Approved comments"),
    "rejected": gettext_lazy("Rejected comments"),
}


@dataclass
class QueueRequest:
    """What the moderator asked to see: a queue, narrowed and sorted."""

    queue: str
    filters: QueueFilters
    sort: str
    problems: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return str(QUEUE_TITLES[self.queue])

    def url(self, **extra: object) -> str:
        params: dict[str, object] = {**self.filters.as_params()}
        if self.sort != selectors.DEFAULT_SORT[self.queue]:
            params["sort"] = self.sort
        params.update(extra)
        return reverse("desk:queue", args=[self.queue]) + query_string(params)


def _read_queue_request(request: HttpRequest, queue: str) -> QueueRequest:
    if not selectors.is_queue(queue):
        raise Http404("There is no queue by that name. The queues are: "
                      + ", ".join(str(label) for label in selectors.QUEUES.values()) + ".")
    problems = []
    section_slug = request.GET.get("section", "").strip()
    section = selectors.section_by_slug(section_slug)
    if section_slug and section is None:
        problems.append(
            _("There is no section “%(slug)s”; showing every section.") % {"slug": section_slug}
        )
    article_id = request.GET.get("article", "").strip()
    article = selectors.article_by_id(article_id)
    if article_id and article is None:
        problems.append(_("That article no longer exists; showing every article."))
    if article is not None and section is not None and article.section_id != section.pk:
        # The article is the narrower choice: follow it rather than show an empty queue.
        section = article.section
    sort = request.GET.get("sort", "")
    if sort not in selectors.SORTS:
        sort = selectors.DEFAULT_SORT[queue]
    return QueueRequest(
        queue=queue, filters=QueueFilters(section=section, article=article), sort=sort,
        problems=problems,
    )


def _tabs(query: QueueRequest | None, counts: dict[str, int] | None = None) -> list[dict]:
    """The queue tab bar; the tabs keep the section and article filters."""
    params = query.filters.as_params() if query is not None else {}
    return [
        {
            "key": key,
            "label": label,
            "url": reverse("desk:queue", args=[key]) + query_string(params),
            "count": counts.get(key) if counts is not None else None,
            "active": query is not None and query.queue == key,
        }
        for key, label in selectors.QUEUES.items()
    ]


def all_tabs() -> list[dict]:
    """The tab bar on pages outside a queue: every queue, unfiltered, with its count."""
    return _tabs(None, selectors.queue_counts(filters=QueueFilters()))


def _poller_context(query: QueueRequest, *, after: int, insert: bool) -> dict:
    params = {"queue": query.queue, **query.filters.as_params(), "sort": query.sort,
              "after": after, "insert": "1" if insert else ""}
    return {
        "poll_url": reverse("desk:arrivals") + query_string(params),
        # Newest-first pages show arrivals on top; every other order adds them below.
        "poll_swap": "afterbegin" if query.sort == "newest" else "beforeend",
    }


# Queues ----------------------------------------------------------------------------------


@staff_required
@require_GET
def queue(request: HttpRequest, queue_name: str) -> HttpResponse:
    query = _read_queue_request(request, queue_name)
    comments = selectors.queue_comments(queue=query.queue, filters=query.filters, sort=query.sort)
    page = Paginator(comments, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    items = selectors.desk_items(page.object_list, with_reports=query.queue == "reported")
    sections, articles = selectors.filter_choices(queue=query.queue, filters=query.filters)
    # Live arrivals belong where they would sort: on the last page, or on the first when
    # the newest come first. Elsewhere only the counts update.
    on_arrival_page = page.number == (1 if query.sort == "newest" else page.paginator.num_pages)
    insert = query.queue == "pending" and on_arrival_page
    context = {
        "query": query,
        "tabs": _tabs(query, selectors.queue_counts(filters=query.filters)),
        "sorts": selectors.SORTS,
        "page": page,
        "items": items,
        "reasons": selectors.active_rejection_reasons(),
        "sections": sections,
        "articles": articles,
        "here": request.get_full_path(),
        "refresh_url": query.url(page=page.number if page.number > 1 else None),
        "clear_url": QueueRequest(queue=query.queue, filters=QueueFilters(), sort=query.sort).url(),
        "page_urls": {
            "previous": query.url(page=page.previous_page_number()) if page.has_previous() else "",
            "next": query.url(page=page.next_page_number()) if page.has_next() else "",
        },
        **_poller_context(query, after=selectors.newest_pending_id(), insert=insert),
    }
    return render(request, "desk/queue.html", context)


@staff_required
@require_GET
def arrivals(request: HttpRequest) -> HttpResponse:
    """New pending comments since the newest one shown, plus fresh queue counts (for htmx)."""
    query = _read_queue_request(request, request.GET.get("queue", "pending"))
    if not is_htmx(request):
        return redirect(query.url())
    after_text = request.GET.get("after", "0")
    after = int(after_text) if after_text.isdigit() else 0
    new_comments: list[Comment] = []
    if query.queue == "pending" and request.GET.get("insert") == "1":
        new_comments = selectors.queue_arrivals(after_id=after, filters=query.filters)
        if query.sort == "newest":
            new_comments.reverse()
    newest = max([after, *(c.pk for c in new_comments)])
    context = {
        "query": query,
        "tabs": _tabs(query, selectors.queue_counts(filters=query.filters)),
        "items": selectors.desk_items(new_comments),
        "reasons": selectors.active_rejection_reasons() if new_comments else [],
        "here": query.url(),
        "is_arrival": True,
        **_poller_context(query, after=newest, insert=request.GET.get("insert") == "1"),
    }
    return render(request, "desk/_arrivals.html", context)


# One comment -----------------------------------------------------------------------------


def _item_response(
    request: HttpRequest, comment_id: int, *, status: int = 200, **extra: object
) -> HttpResponse:
    context = {
        "item": selectors.desk_item(comment_id=comment_id),
        "reasons": selectors.active_rejection_reasons(),
        "here": safe_next(request),
        **extra,
    }
    return render(request, "desk/_item.html", context, status=status)


def _decided(request: HttpRequest, comment: Comment, message: str) -> HttpResponse:
    """The answer to a decision: the result line in place, or back to the queue."""
    if is_htmx(request):
        return render(request, "desk/_result.html", {"comment": comment, "message": message})
    messages.success(request, message)
    return see_other(safe_next(request))


def _refused(
    request: HttpRequest, comment_id: int, problem: str, *, status: int = 400,
    **extra: object,
) -> HttpResponse:
    """A decision that could not be made: say why, next to the comment or on the queue."""
    if is_htmx(request):
        return _item_response(request, comment_id, status=status, problem=problem, **extra)
    messages.error(request, problem)
    return see_other(safe_next(request))


def _seen_status(request: HttpRequest, comment: Comment) -> str:
    """The status the moderator's page showed, checked under the row lock by the service; a
    form without it (an old page, a script) stands for the status read at this request's
    start, so two decisions sent at once never both land."""
    seen = request.POST.get("seen_status", "")
    return seen if seen in Comment.Status.values else comment.status


def _conflict_response(request: HttpRequest, conflict: services.DecisionConflict) -> HttpResponse:
    problem = " ".join(conflict.messages) + " " + _("Check it again below.")
    return _refused(request, conflict.comment.pk, problem, status=409)


def _snippet(comment: Comment) -> str:
    text = " ".join(comment.text.split())
    return f"{comment.author_name}: “{text[:60]}{'…' if len(text) > 60 else ''}”"


@staff_required
@require_GET
def comment_detail(request: HttpRequest, comment_id: int) -> HttpResponse:
    item = selectors.desk_item(comment_id=comment_id)
    history = [
        {"decision": decision, "diff": text_diff(decision.text_before, decision.text_after)
         if decision.text_before != decision.text_after else None}
        for decision in selectors.comment_history(comment=item.comment)
    ]
    context = {
        "item": item,
        "history": history,
        "reports": selectors.comment_reports(comment=item.comment),
        "bans": selectors.bans_for_commenter(comment=item.comment),
        "reasons": selectors.active_rejection_reasons(),
        "here": request.get_full_path(),
        "back": safe_next(request),
        "tabs": all_tabs(),
    }
    return render(request, "desk/detail.html", context)


@staff_required
@require_GET
def comment_item(request: HttpRequest, comment_id: int) -> HttpResponse:
    """One comment as it appears in a queue; htmx reloads it when an edit is cancelled."""
    if not is_htmx(request):
        return redirect("desk:comment", comment_id=comment_id)
    return _item_response(request, comment_id)


@staff_required
@post_only
def comment_approve(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = selectors.comment_for_decision(comment_id=comment_id)
    try:
        comment = services.comment_approve(
            comment=comment, actor=moderator(request),
            expected_status=_seen_status(request, comment),
        )
    except services.DecisionConflict as conflict:
        return _conflict_response(request, conflict)
    return _decided(
        request, comment, _("Approved by %(who)s · %(comment)s") % {
            "who": request.user.get_username(), "comment": _snippet(comment)}
    )


@staff_required
@post_only
def comment_reject(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = selectors.comment_for_decision(comment_id=comment_id)
    form = RejectForm(request.POST, reasons=selectors.active_rejection_reasons())
    if not form.is_valid():
        problems = [str(message) for message in form.errors.get("reason", [])]
        return _refused(request, comment_id,
                        " ".join(problems or [_("Check the reason and try again.")]))
    reason = form.chosen_reason
    try:
        comment = services.comment_reject(
            comment=comment, actor=moderator(request), reason=reason,
            note=form.cleaned_data["note"],
            expected_status=_seen_status(request, comment),
        )
    except services.DecisionConflict as conflict:
        return _conflict_response(request, conflict)
    return _decided(
        request, comment,
        _("Rejected as %(reason)s by %(who)s · %(comment)s") % {
            "reason": reason.label, "who": request.user.get_username(),
            "comment": _snippet(comment)},
    )


@staff_required
def comment_edit(request: HttpRequest, comment_id: int) -> HttpResponse:
    """Correct or trim a comment, then publish it; the service keeps the original."""
    comment = selectors.comment_for_decision(comment_id=comment_id)
    if request.method != "POST":
        form = EditForm(initial={"text": comment.text})
        return _edit_form_response(request, comment_id, form)
    form = EditForm(request.POST)
    if form.is_valid():
        try:
            comment = services.comment_edit_approve(
                comment=comment,
                actor=moderator(request),
                text=form.cleaned_data["text"],
                max_length=SiteSettings.load().max_comment_length,
                note=form.cleaned_data["note"],
                expected_status=_seen_status(request, comment),
            )
        except services.DecisionConflict as conflict:
            return _conflict_response(request, conflict)
        except DecisionError as error:
            form.add_error("text", error.messages)
        else:
            return _decided(
                request, comment,
                _("Edited and approved by %(who)s · %(comment)s") % {
                    "who": request.user.get_username(), "comment": _snippet(comment)},
            )
    return _edit_form_response(request, comment_id, form, status=400)


def _edit_form_response(
    request: HttpRequest, comment_id: int, form: EditForm, status: int = 200
) -> HttpResponse:
    if is_htmx(request):
        return _item_response(request, comment_id, status=status, edit_form=form)
    context = {
        "item": selectors.desk_item(comment_id=comment_id),
        "form": form,
        "here": safe_next(request),
        "max_length": SiteSettings.load().max_comment_length,
        "tabs": all_tabs(),
    }
    return render(request, "desk/edit.html", context, status=status)


@staff_required
@post_only
def comment_dismiss_reports(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = selectors.comment_for_decision(comment_id=comment_id)
    try:
        comment = services.comment_dismiss_reports(comment=comment, actor=moderator(request))
    except services.DecisionConflict as conflict:
        return _conflict_response(request, conflict)
    return _decided(
        request, comment,
        _("Reports dismissed by %(who)s; the comment stays published · %(comment)s") % {
            "who": request.user.get_username(), "comment": _snippet(comment)},
    )


# Many comments ---------------------------------------------------------------------------


@staff_required
def bulk_decide(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect(safe_next(request))
    form = BulkDecisionForm(request.POST, reasons=selectors.active_rejection_reasons())
    if not form.is_valid():
        problem = " ".join(str(message) for errors in form.errors.values() for message in errors)
        return _bulk_answer(request, problem, error=True)
    ids = form.cleaned_data["ids"]
    try:
        outcome = services.comments_decide_in_bulk(
            comment_ids=ids,
            actor=moderator(request),
            action=form.action,
            reason=form.reason,
            seen_statuses=form.seen_statuses,
        )
    except DecisionError as error:
        return _bulk_answer(request, " ".join(error.messages), error=True)
    # A rejection without a known reason was refused above.
    verb = _("Approved") if form.reason is None else _("Rejected as %(reason)s") % {
        "reason": form.reason.label}
    count = len(outcome.decided)
    who = request.user.get_username()
    message = ngettext("%(verb)s: %(count)d comment, by %(who)s.",
                       "%(verb)s: %(count)d comments, by %(who)s.", count) % {
        "verb": verb, "count": count, "who": who}
    line = _("%(verb)s by %(who)s (in bulk)") % {"verb": verb, "who": who}
    if outcome.conflicts:
        left = "; ".join(
            f"{_snippet(conflict.comment)}: {' '.join(conflict.messages)}"
            for conflict in outcome.conflicts
        )
        message += " " + _("Left as they were, decided by someone else meanwhile — %(left)s") % {
            "left": left}
        return _bulk_answer(request, message, error=True, status=409,
                            decided=outcome.decided, line=line)
    return _bulk_answer(request, message, decided=outcome.decided, line=line)


def _bulk_answer(
    request: HttpRequest, message: str, *, error: bool = False, status: int | None = None,
    decided: list[Comment] | None = None, line: str = "",
) -> HttpResponse:
    """STATUS: 400 for an error by default; 409 when another decision came first."""
    if is_htmx(request):
        context = {"message": message, "error": error, "decided": decided or [], "bulk_line": line}
        status = status or (400 if error else 200)
        return render(request, "desk/_bulk_result.html", context, status=status)
    (messages.error if error else messages.success)(request, message)
    return see_other(safe_next(request))
