"""The site's own pages (about, FAQ: ``Page``), and error pages in the reader's terms, never a
stack trace."""

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.static import serve

from broadsheet.core.models import Page
from broadsheet.core.text import render_markdown


def page_detail(request: HttpRequest, slug: str) -> HttpResponse:
    page = get_object_or_404(Page, slug=slug)
    return render(
        request, "core/page.html", {"page": page, "body_html": render_markdown(page.body)}
    )


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    return render(
        request, "error.html", {"title": title, "message": message}, status=status
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, _("Bad request"), _(
        "Something in that request was not right. Go back, check what you entered and try again."
    ))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, _("Not allowed"), _(
        "You do not have permission to see this page. If you are on the staff, sign in with "
        "your staff account."
    ))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, _("Page not found"), _(
        "There is nothing at this address. It may have moved; try the home page or a section."
    ))


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors here: the database may be what failed.
    html = loader.get_template("500.html").render()
    return HttpResponse(html, status=500)


def media(request: HttpRequest, path: str) -> HttpResponseBase:
    """Uploaded files, when no proxy or bucket serves MEDIA_URL (development, small sites)."""
    try:
        response = serve(request, path, document_root=str(settings.MEDIA_ROOT))
    except SuspiciousFileOperation:
        raise Http404("No file at this address.") from None
    # Renditions and uploads get new names when replaced, so browsers may keep them.
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
