"""Error pages in the reader's terms, never a stack trace."""

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.views.static import serve


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    return render(
        request, "error.html", {"title": title, "message": message}, status=status
    )


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return _error(request, 400, "Bad request", "Something in that request was not right. "
                  "Go back, check what you entered and try again.")


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return _error(request, 403, "Not allowed", "You do not have permission to see this page. "
                  "If you are on the staff, sign in with your staff account.")


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return _error(request, 404, "Page not found", "There is nothing at this address. "
                  "It may have moved; try the home page or a section.")


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors here: the database may be what failed.
    html = loader.get_template("500.html").render()
    return HttpResponse(html, status=500)


def media(request: HttpRequest, path: str) -> HttpResponse:
    """Uploaded files, when no proxy or bucket serves MEDIA_URL (development, small sites)."""
    try:
        response = serve(request, path, document_root=settings.MEDIA_ROOT)
    except SuspiciousFileOperation:
        raise Http404("No file at this address.") from None
    # Renditions and uploads get new names when replaced, so browsers may keep them.
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
