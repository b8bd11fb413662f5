"""Signing in to the embedded frame: the popup's pages (first-party, on this site) and the
frame's two endpoints, trading the popup's code for a session and signing out (signin.py)."""

from __future__ import annotations

from typing import TypeVar
from urllib.parse import parse_qs, urlencode, urlsplit

from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from broadsheet.accounts.selectors import commenter_for
from broadsheet.articles.models import Article
from broadsheet.core.http import see_other
from broadsheet.core.signin import ThrottledLoginView
from broadsheet.embed import signin
from broadsheet.embed.framing import NOT_HERE, frame_url, from_the_frame, read_pass

Response = TypeVar("Response", bound=HttpResponseBase)


def _keep_opener(response: Response) -> Response:
    """The popup must stay in touch with the frame that opened it (postMessage to
    window.opener). The site's Cross-Origin-Opener-Policy (same-origin) would cut that link,
    since the frame's top-level page is another site's, so these pages say unsafe-none."""
    response["Cross-Origin-Opener-Policy"] = "unsafe-none"
    response["Cache-Control"] = "no-store"
    return response




class SignInLoginView(ThrottledLoginView):
    """The site's sign-in page (same form, same throttle), for the popup."""

    def dispatch(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        # In the frame's language: its pass is in the popup page this one returns to.
        back = request.GET.get("next") or request.POST.get("next", "")
        read_pass(parse_qs(urlsplit(back).query).get("t", [""])[0])
        return _keep_opener(super().dispatch(request, *args, **kwargs))


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """The popup: sign in on this site if need be, confirm, and hand the frame a code."""
    token = request.GET.get("t", "")
    frame_pass = read_pass(token)
    if frame_pass is None:
        return HttpResponse(str(NOT_HERE), status=403, content_type="text/plain; charset=utf-8")
    if not request.user.is_authenticated:
        login = reverse("embed:sign_in_login") + "?" + urlencode({"next": request.get_full_path()})
        return _keep_opener(redirect(login))
    code = ""
    if request.method == "POST":  # a first-party form: Django's CSRF check applies
        code = signin.issue_code(user=request.user, origin=frame_pass.origin)
    article = Article.objects.published().filter(pk=frame_pass.article_id).first()
    return _keep_opener(render(request, "embed/sign_in.html", {
        "host": frame_pass.origin,
        "commenter": commenter_for(request.user),
        "code": code,
        "story_url": article.get_absolute_url() if article else "",
    }))


@xframe_options_exempt
@csrf_exempt  # the frame has no cookie yet: the one-time code, its pass and Origin stand for it
@require_POST
def frame_session(request: HttpRequest) -> HttpResponse:
    """The frame trades the popup's code for its own session (a partitioned cookie)."""
    token = request.POST.get("t", "")
    frame_pass = read_pass(token)
    if frame_pass is None or not from_the_frame(request):
        return JsonResponse({"error": NOT_HERE}, status=403)
    user = signin.redeem_code(code=request.POST.get("code", ""), origin=frame_pass.origin)
    if user is None:
        return JsonResponse(
            {"error": _("That sign-in has expired or was used already. Sign in again.")},
            status=403,
        )
    mine = request.POST.get("mine", "")
    response = JsonResponse({"frame": frame_url(token, mine=mine, signed_in="1")})
    signin.start_session(response, user=user, origin=frame_pass.origin)
    return response


@xframe_options_exempt
@csrf_exempt  # checked below with the frame's own token, as every signed-in write is
@require_POST
def frame_sign_out(request: HttpRequest) -> HttpResponse:
    token = request.POST.get("t", "")
    frame_pass = read_pass(token)
    if frame_pass is None or not from_the_frame(request) or not signin.frame_csrf_ok(request):
        return HttpResponse(str(NOT_HERE), status=403, content_type="text/plain; charset=utf-8")
    response = see_other(frame_url(token, mine=request.POST.get("mine", ""), done="signed-out"))
    signin.end_session(request, response)
    return response
