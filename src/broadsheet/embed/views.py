"""The embed: /embed.js for the host page, the story endpoint it calls, and the frame.

The comments are drawn in an iframe served from this site (see docs/embedding.md): the host
page's styles and scripts cannot reach them, and the frame needs no cookie. Every write the
frame makes carries its signed pass (tokens.py) and is refused unless the pass's host site is
still allowed and the request comes from the frame itself.
"""

from __future__ import annotations

from functools import lru_cache, partial
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from broadsheet.accounts.selectors import commenter_for
from broadsheet.articles.models import Article
from broadsheet.comments import services
from broadsheet.comments.access import commenting_refusal
from broadsheet.comments.forms import CommentForm, ReportForm
from broadsheet.comments.models import Comment
from broadsheet.comments.reporting import report_from_form
from broadsheet.comments.selectors import (
    BadCursor,
    ThreadPage,
    approved_comment_count,
    comment_threads_for_article,
    public_comments,
)
from broadsheet.core.http import see_other
from broadsheet.core.models import SiteSettings
from broadsheet.core.ratelimit import client_ip, hash_ip, limit_exceeded
from broadsheet.embed import replies, signin, tokens
from broadsheet.embed.framing import (
    NOT_HERE,
    frame_headers,
    frame_url,
    from_the_frame,
    new_frame_language,
    pass_and_article,
    refused,
)
from broadsheet.embed.origins import is_allowed, normalise_origin, origin_of_url
from broadsheet.integrations.stories import StoryError, story_get_or_create

EMBED_JS = Path(__file__).parent / "static" / "embed" / "embed.js"
STORIES_PER_MINUTE = 60
MAX_TITLE = 300
MAX_SUMMARY = 20_000

SIGN_IN_NOT_KEPT = gettext_lazy(
    "Your browser did not keep the sign-in inside this page (it needs a secure connection "
    "and partitioned cookies). You can still comment with a name and email address below."
)
NOTICES = {
    "posted": gettext_lazy(
        "Your comment is awaiting moderation. It will appear once a moderator approves it."
    ),
    "reported": gettext_lazy("Thank you. Your report has been sent to the moderators."),
    "signed-out": gettext_lazy("You are signed out of the comments here."),
}


@lru_cache(maxsize=1)
def _embed_script() -> bytes:
    return EMBED_JS.read_bytes()


@require_GET
def embed_js(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_embed_script(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    # Loadable by host pages that isolate themselves (Cross-Origin-Embedder-Policy).
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def _json_error(message: str, status: int, origin: str | None = None) -> JsonResponse:
    response = JsonResponse({"error": message}, status=status)
    if origin:
        response["Access-Control-Allow-Origin"] = origin
    response["Vary"] = "Origin"
    return response


@csrf_exempt  # no cookie is read: the Origin header is what is checked
@require_http_methods(["POST"])
def story(request: HttpRequest) -> JsonResponse:
    """The host page's first call: find (or create) the story for data-url, answer with the
    frame's address. Only for allowed origins; others get 403 and no CORS header."""
    origin = request.headers.get("Origin")
    if origin is None or not is_allowed(origin):
        return _json_error(str(NOT_HERE), 403)
    origin = normalise_origin(origin)
    if limit_exceeded("embed-story", client_ip(request), STORIES_PER_MINUTE):
        return _json_error("Too many requests; try again in a minute.", 429, origin)
    url = request.POST.get("url", "").strip()
    title = request.POST.get("title", "").strip()[:MAX_TITLE]
    summary = request.POST.get("summary", "").strip()[:MAX_SUMMARY]
    if not is_allowed(origin_of_url(url)):
        return _json_error(
            "data-url must be an address on a site allowed to embed the comments.", 400, origin
        )
    try:
        article, _created = story_get_or_create(url=url, title=title, summary=summary)
    except StoryError as error:
        return _json_error(str(error), 400, origin)
    frame = request.build_absolute_uri(reverse("embed:frame")) + "?" + urlencode(
        {"t": tokens.frame_token(
            article_id=article.pk, origin=origin, language=new_frame_language(request)
        )}
    )
    response = JsonResponse({"frame": frame, "comments": approved_comment_count(article)})
    response["Access-Control-Allow-Origin"] = origin
    response["Vary"] = "Origin"
    return response


def _render_frame(
    request: HttpRequest, frame_pass: tokens.FramePass, article: Article, *,
    form: CommentForm | None = None, status: int = 200, own: frozenset[int] = frozenset(),
    own_token: str = "", notice: str = "", reader: AbstractBaseUser | None = None,
) -> HttpResponse:
    site = SiteSettings.load()
    token = request.GET.get("t") or request.POST.get("t", "")
    commenter = commenter_for(reader) if reader is not None else None
    own = own | _readers_pending(article, reader)
    reply_to = _replying_to(request, article)
    page, cursor_error = _threads_page(request, article, site, own)
    if form is None:
        form = CommentForm(
            initial={"parent": reply_to.pk} if reply_to else {}, article=article, site=site,
            commenter=commenter,
        )
    context = {
        "article": article,
        "page": page,
        "count": approved_comment_count(article),
        "form": form,
        "reply_to": reply_to,
        "token": token,
        "own_token": own_token,
        "notice": notice or cursor_error,
        "comments_open": article.comments_open(site.close_comments_after_days),
        "max_length": site.max_comment_length,
        "more_url": frame_url(token, after=page.next_cursor, mine=own_token)
        if page.next_cursor else "",
        "frame_url": frame_url(token, mine=own_token),
        "commenter": commenter,
        "refusal": commenting_refusal(article=article, site=site, commenter=commenter),
        "frame_csrf": signin.frame_csrf_token(request),
        "sign_in_url": reverse("embed:sign_in") + "?" + urlencode({"t": token}),
    }
    # "View more" in place takes the next page's threads alone, to add under the others.
    more = replies.wants_fragment(request) and request.GET.get("after") and not cursor_error
    template = "embed/_page.html" if more else "embed/frame.html"
    response = render(request, template, context, status=status)
    return frame_headers(response, frame_pass.origin)


def _readers_pending(article: Article, reader: AbstractBaseUser | None) -> frozenset[int]:
    """A signed-in reader's pending comments on ARTICLE from any device, not only this frame's."""
    if reader is None:
        return frozenset()
    return frozenset(Comment.objects.filter(
        article=article, user_id=reader.pk, status=Comment.Status.PENDING
    ).values_list("pk", flat=True))


def _replying_to(request: HttpRequest, article: Article) -> Comment | None:
    reply_id = request.GET.get("reply_to", "")
    if not reply_id.isdigit():
        return None
    return Comment.objects.filter(
        pk=int(reply_id), article=article, status=Comment.Status.APPROVED
    ).first()


def _threads_page(
    request: HttpRequest, article: Article, site: SiteSettings, own: frozenset[int]
) -> tuple[ThreadPage, str]:
    """The page of threads the frame asks for, and what was wrong with its cursor (the first
    page is shown instead)."""
    try:
        return comment_threads_for_article(
            article=article, cursor=request.GET.get("after") or None,
            per_page=site.threads_per_page, max_depth=site.max_reply_depth, own_pending_ids=own,
        ), ""
    except BadCursor as error:
        return comment_threads_for_article(
            article=article, per_page=site.threads_per_page, max_depth=site.max_reply_depth,
            own_pending_ids=own,
        ), str(error)


@xframe_options_exempt  # framed by the allowed host only: CSP frame-ancestors says which
@require_GET
def frame(request: HttpRequest) -> HttpResponse:
    found = pass_and_article(request.GET.get("t", ""))
    if found is None:
        return refused(request)
    own_token = request.GET.get("mine", "")
    notice = str(NOTICES.get(request.GET.get("done", ""), ""))
    reader = signin.frame_reader(request, found[0].origin)
    if request.GET.get("signed_in") and reader is None:
        notice = str(SIGN_IN_NOT_KEPT)
    return _render_frame(
        request, *found, own=tokens.read_own_token(own_token), own_token=own_token,
        notice=notice, reader=reader,
    )


@xframe_options_exempt
@csrf_exempt  # cookie-less: the signed pass and the Origin check stand in for the CSRF token
@require_POST
def post(request: HttpRequest) -> HttpResponse:
    found = pass_and_article(request.POST.get("t", ""))
    if found is None or not from_the_frame(request):
        return refused(request)
    frame_pass, article = found
    allowed, reader = _signed_in_writer(request, frame_pass)
    if not allowed:
        return refused(request)
    site = SiteSettings.load()
    own_token = request.POST.get("mine", "")
    own = tokens.read_own_token(own_token)
    commenter = commenter_for(reader) if reader else None
    form = CommentForm(request.POST, article=article, site=site, commenter=commenter)
    again = partial(
        _post_again, request, frame_pass, article, form=form, own=own, own_token=own_token,
        reader=reader,
    )
    if commenting_refusal(article=article, site=site, commenter=commenter) is not None:
        return again(status=403)
    if not form.is_valid():
        return again(status=400)
    ip = client_ip(request)
    try:
        comment, _created = services.comment_submit(
            article=article, parent=form.parent_comment, author_name=form.author_name,
            author_email=form.author_email, text=form.cleaned_data["text"],
            user=reader, ip_hash=hash_ip(ip),
            limit=services.PostLimit(ip, form.author_email, site.comments_per_minute),
        )
    except services.CommentRateLimited:
        form.add_error(None, _("You have posted several comments in the last minute. Please "
                               "wait a minute, then post again; your text is kept below."))
        return again(status=429)
    mine = tokens.own_token([*sorted(own), comment.pk])
    if replies.wants_fragment(request):  # a reply posted in place
        return replies.reply_posted_response(request, frame_pass, comment, own_token=mine)
    done = "posted" if comment.status == Comment.Status.PENDING else ""
    return see_other(frame_url(request.POST["t"], mine=mine, done=done) + f"#c{comment.pk}")


def _post_again(
    request: HttpRequest, frame_pass: tokens.FramePass, article: Article, *, status: int,
    form: CommentForm, own: frozenset[int], own_token: str, reader: AbstractBaseUser | None,
) -> HttpResponse:
    """The form again with what is wrong: the reply form in place for frame.js, else the frame."""
    if replies.wants_fragment(request):
        return replies.reply_form_response(
            request, frame_pass, article, parent=form.parent_comment, form=form,
            status=status, own_token=own_token, reader=reader,
        )
    return _render_frame(
        request, frame_pass, article, form=form, status=status, own=own, own_token=own_token,
        reader=reader,
    )


def _signed_in_writer(
    request: HttpRequest, frame_pass: tokens.FramePass
) -> tuple[bool, User | None]:
    """(allowed, the frame's reader or None). Not allowed when the frame is signed in but the
    form lacks the frame's CSRF token, so no other page can write as the reader."""
    reader = signin.frame_reader(request, frame_pass.origin)
    if reader is not None and not signin.frame_csrf_ok(request):
        return False, None
    return True, reader


@xframe_options_exempt
@csrf_exempt
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, comment_id: int) -> HttpResponse:
    token = request.GET.get("t") or request.POST.get("t", "")
    found = pass_and_article(token)
    if found is None or (request.method == "POST" and not from_the_frame(request)):
        return refused(request)
    frame_pass, article = found
    allowed, reader = (
        _signed_in_writer(request, frame_pass) if request.method == "POST" else (True, None)
    )
    if not allowed:
        return refused(request)
    comment = public_comments().filter(pk=comment_id, article=article).first()
    if comment is None:
        raise Http404("No such published comment here.")
    status = 200
    form = ReportForm(request.POST or None)
    if request.method == "POST":
        failed = report_from_form(request, form, comment=comment, reporter=reader)
        if failed is None:
            return see_other(frame_url(token, done="reported") + f"#c{comment.pk}")
        status = failed
    response = render(
        request, "embed/report.html",
        {"form": form, "comment": comment, "token": token, "back_url": frame_url(token),
         "frame_csrf": signin.frame_csrf_token(request)},
        status=status,
    )
    return frame_headers(response, frame_pass.origin)


@require_GET
def demo(request: HttpRequest) -> HttpResponse:
    """A plain host page for trying the embed in development (see docs/embedding.md)."""
    if not settings.DEV_MODE:
        raise Http404("The embed demo is for development only.")
    site = settings.SITE_URL
    response = render(request, "embed/demo.html", {
        "script_url": site + "/embed.js",
        "story_url": request.build_absolute_uri("/embed-demo/harbour-wall"),
    })
    # The page stands in for another site, so it has a host's policy (docs/embedding.md), not
    # this site's: the comments' site is another origin, named for the script, the story
    # request and the frame.
    response["Content-Security-Policy"] = (
        f"default-src 'self'; script-src {site}; connect-src {site}; frame-src {site}; "
        "style-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
    return response
