"""Replying in place inside the frame (static/embed/frame.js): "Reply" opens the form under the
comment and posting it swaps in the reply, awaiting moderation, without reloading the frame.
Without JavaScript the same links and form reload the frame (views.frame and views.post)."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from broadsheet.accounts.selectors import commenter_for
from broadsheet.articles.models import Article
from broadsheet.comments.access import commenting_refusal
from broadsheet.comments.forms import CommentForm
from broadsheet.comments.models import Comment
from broadsheet.comments.selectors import CommentRow, ShownComment, public_comments
from broadsheet.core.models import SiteSettings
from broadsheet.embed import signin, tokens
from broadsheet.embed.framing import (
    FRAGMENT_HEADER,
    frame_headers,
    frame_url,
    pass_and_article,
    refused,
)


def wants_fragment(request: HttpRequest) -> bool:
    """frame.js asks for only the part of the frame that changes (a reply form, a posted
    reply, the next page of threads); anything else gets the whole frame."""
    return request.headers.get(FRAGMENT_HEADER) == "1"


def reply_form_response(
    request: HttpRequest, frame_pass: tokens.FramePass, article: Article, *,
    parent: Comment | None, form: CommentForm | None = None, status: int = 200,
    own_token: str = "", reader: AbstractBaseUser | None = None,
) -> HttpResponse:
    """The reply form under PARENT (blank, or again with its errors)."""
    site = SiteSettings.load()
    commenter = commenter_for(reader) if reader is not None else None
    if form is None:
        form = CommentForm(
            initial={"parent": parent.pk if parent else None}, article=article, site=site,
            commenter=commenter, auto_id=f"id_reply{parent.pk if parent else 0}_%s",
        )
    token = request.GET.get("t") or request.POST.get("t", "")
    response = render(request, "embed/_reply_form.html", {
        "form": form, "parent": parent, "token": token, "own_token": own_token,
        "commenter": commenter, "frame_csrf": signin.frame_csrf_token(request),
        "refusal": commenting_refusal(article=article, site=site, commenter=commenter),
        "max_length": site.max_comment_length,
    }, status=status)
    return frame_headers(response, frame_pass.origin)


def reply_posted_response(
    request: HttpRequest, frame_pass: tokens.FramePass, comment: Comment, *, own_token: str
) -> HttpResponse:
    """The reply as its author sees it, in place of the form, and the frame's new list of the
    reader's own comments (out of band, into the main form)."""
    row = CommentRow(
        comment=ShownComment.from_model(comment), level=0,
        replying_to=comment.parent.author_name if comment.parent else "",
        is_own_pending=comment.status == Comment.Status.PENDING,
    )
    token = request.POST.get("t", "")
    response = render(request, "embed/_reply_posted.html", {
        "row": row, "own_token": own_token, "pending": row.is_own_pending, "token": token,
        "frame_url": frame_url(token, mine=own_token), "comments_open": True,
    })
    return frame_headers(response, frame_pass.origin)


@xframe_options_exempt
@require_GET
def reply_form(request: HttpRequest, comment_id: int) -> HttpResponse:
    token = request.GET.get("t", "")
    found = pass_and_article(token)
    if found is None:
        return refused(request)
    frame_pass, article = found
    own_token = request.GET.get("mine", "")
    if not wants_fragment(request):
        return redirect(frame_url(token, mine=own_token, reply_to=str(comment_id)) + "#bs-form")
    parent = public_comments().filter(pk=comment_id, article=article).first()
    if parent is None:
        raise Http404("No such published comment here.")
    return reply_form_response(
        request, frame_pass, article, parent=parent, own_token=own_token,
        reader=signin.frame_reader(request, frame_pass.origin),
    )
