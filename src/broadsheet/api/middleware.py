"""HEAD on the API's public reads answers as GET would, without the body."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

API_PREFIX = "/api/"


def head_as_get(get_response: Callable[[HttpRequest], HttpResponse]):
    """Ninja routes each operation by method and would answer HEAD with 405; monitors and
    caches ask HEAD to learn a resource's status, ETag and length without its body."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.method != "HEAD" or not request.path.startswith(API_PREFIX):
            return get_response(request)
        request.method = "GET"
        try:
            response = get_response(request)
        finally:
            request.method = "HEAD"
        if not response.streaming:
            response["Content-Length"] = str(len(response.content))
            response.content = b""
        return response

    return middleware
