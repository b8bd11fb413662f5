"""What every page of the frame shares: its pass, its headers, its addresses, and the check
that a write comes from the frame itself."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _

from broadsheet.articles.models import Article
from broadsheet.core.languages import browser_language, offered_language, supported_language
from broadsheet.embed import tokens
from broadsheet.embed.origins import is_allowed

NOT_HERE = _("The comments are not available on this site.")
# frame.js sends it to ask for only the part of the frame that changes (embed/replies.py).
FRAGMENT_HEADER = "X-Broadsheet-Fragment"


def frame_headers(response: HttpResponse, origin: str) -> HttpResponse:
    response["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
        "connect-src 'self'; "
        f"form-action 'self'; base-uri 'none'; frame-ancestors {origin}"
    )
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-cache"
    # The same address answers with the whole frame or, for frame.js, only a part of it.
    patch_vary_headers(response, [FRAGMENT_HEADER])
    return response


def refused(request: HttpRequest, status: int = 403) -> HttpResponse:
    response = HttpResponse(
        str(NOT_HERE), status=status, content_type="text/plain; charset=utf-8"
    )
    response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
    return response


def new_frame_language(request: HttpRequest) -> str:
    """The language a new frame speaks, when the site offers more than one: the host page's
    (embed.js sends its lang), else the reader's browser's; "" for the site's default."""
    if not settings.BROADSHEET_MULTILINGUAL:
        return ""
    language = supported_language(request.POST.get("lang", "")) or browser_language(
        request.headers.get("Accept-Language", "")
    )
    return "" if language == settings.LANGUAGE_CODE else language


def read_pass(token: str) -> tokens.FramePass | None:
    """The frame's pass, if it is valid and its host site still allowed. The rest of the
    request speaks the frame's language (its pages have one address, outside /ur/)."""
    frame_pass = tokens.read_frame_token(token)
    if frame_pass is None or not is_allowed(frame_pass.origin):
        return None
    translation.activate(offered_language(frame_pass.language))
    return frame_pass


def pass_and_article(token: str) -> tuple[tokens.FramePass, Article] | None:
    frame_pass = read_pass(token)
    if frame_pass is None:
        return None
    article = (
        Article.objects.published().select_related("section")
        .filter(pk=frame_pass.article_id).first()
    )
    return (frame_pass, article) if article is not None else None


def from_the_frame(request: HttpRequest) -> bool:
    """A write must come from a page of this site (the frame): browsers send Origin on POST."""
    origin = request.headers.get("Origin")
    return bool(origin) and origin == f"{request.scheme}://{request.get_host()}"


def frame_url(token: str, **extra: str) -> str:
    query = {"t": token, **{k: v for k, v in extra.items() if v}}
    return reverse("embed:frame") + "?" + urlencode(query)
