"""What every page of the frame shares: its pass, its headers, its addresses, and the check
that a write comes from the frame itself."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import patch_vary_headers

from broadsheet.articles.models import Article
from broadsheet.embed import tokens
from broadsheet.embed.origins import is_allowed

NOT_HERE = "The comments are not available on this site."
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
    response = HttpResponse(NOT_HERE, status=status, content_type="text/plain; charset=utf-8")
    response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
    return response


def pass_and_article(token: str) -> tuple[tokens.FramePass, Article] | None:
    frame_pass = tokens.read_frame_token(token)
    if frame_pass is None or not is_allowed(frame_pass.origin):
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
