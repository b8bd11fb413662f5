"""How the desk answers at the door: staff only, POST for changes, htmx or a plain page."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme

from broadsheet.core.languages import preferred_language

View = Callable[..., HttpResponse]


def moderator(request: HttpRequest) -> AbstractBaseUser:
    """The signed-in staff member deciding (every desk view that decides is staff_required)."""
    user = request.user
    if not isinstance(user, AbstractBaseUser):
        raise PermissionDenied("Sign in to the desk first.")
    return user


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def staff_required(view: View) -> View:
    """Anonymous visitors go to the sign-in page; signed-in readers get the 403 page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            if is_htmx(request):
                # A session that expired while the desk was open: send the whole page to
                # sign in, instead of swapping the sign-in form into one comment.
                current = urlsplit(request.headers.get("HX-Current-URL", ""))
                back = current.path + (f"?{current.query}" if current.query else "")
                if not back.startswith("/"):
                    back = reverse("desk:home")
                response = HttpResponse(status=401)
                response["HX-Redirect"] = f"{settings.LOGIN_URL}?{urlencode({'next': back})}"
                return response
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        if not request.user.is_staff:
            raise PermissionDenied("The moderation desk is for staff.")
        if settings.BROADSHEET_MULTILINGUAL:
            # The desk has one address, outside /ur/: it speaks the language the moderator's
            # language cookie or browser asks for.
            translation.activate(preferred_language(request))
        return view(request, *args, **kwargs)

    return wrapped


def post_only(view: View) -> View:
    """Actions change things only on POST; a GET (a bookmark, a pasted link) shows the comment."""

    @wraps(view)
    def wrapped(request: HttpRequest, comment_id: int, *args, **kwargs) -> HttpResponse:
        if request.method != "POST":
            return redirect("desk:comment", comment_id=comment_id)
        return view(request, comment_id, *args, **kwargs)

    return wrapped


def safe_next(request: HttpRequest, default: str | None = None) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default or reverse("desk:home")


def query_string(params: Mapping[str, object]) -> str:
    kept = {key: value for key, value in params.items() if value not in (None, "")}
    return f"?{urlencode(kept)}" if kept else ""
