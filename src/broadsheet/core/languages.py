"""The reader's language, when the site offers more than one (settings.BROADSHEET_LANGUAGES).

Installed only then, so a single-language site pays nothing per request. Each page has one
address per language: the default language keeps the unprefixed URLs, the others live under
/<code>/. A reader whose language cookie (set by the language switch) or browser
(Accept-Language) asks for another offered language is sent from an unprefixed page to that
language's address; Django's own LocaleMiddleware, with prefix_default_language=False, would
always serve the default language there.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.urls import Resolver404, get_script_prefix, resolve
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation.trans_real import language_code_re, parse_accept_lang_header


def offered_language(code: str | None) -> str:
    """CODE if the site offers it, else the site's default language (settings.LANGUAGE_CODE)."""
    return code if code and code in settings.BROADSHEET_LANGUAGES else settings.LANGUAGE_CODE


def supported_language(code: str) -> str | None:
    """The offered language a code such as "ur-PK" names (a page's lang attribute), or None."""
    if len(code) > 20 or not language_code_re.search(code):
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def current_language() -> str:
    """The language a reader is using now, to remember with what they do (their comment's
    emails are written in it); "" on a single-language site, which has nothing to remember."""
    if not settings.BROADSHEET_MULTILINGUAL:
        return ""
    return offered_language(translation.get_language())


def preferred_language(request: HttpRequest) -> str:
    """The offered language this reader's cookie, or failing that their browser, asks for."""
    return translation.get_language_from_request(request, check_path=False)


@lru_cache(maxsize=1000)
def browser_language(accept_language: str) -> str:
    """The offered language an Accept-Language header asks for, as Django negotiates it."""
    for code, _quality in parse_accept_lang_header(accept_language):
        if code == "*":
            break
        if not language_code_re.search(code):
            continue
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def _view_name(path: str, urlconf: str | None) -> str | None:
    try:
        return resolve(path, urlconf).view_name
    except Resolver404:
        return None


class LanguageMiddleware(LocaleMiddleware):
    # Django's middleware may answer from process_request; the stubs type LocaleMiddleware's
    # as returning None only.
    def process_request(  # type: ignore[override]
        self, request: HttpRequest
    ) -> HttpResponseBase | None:
        super().process_request(request)
        if request.method not in ("GET", "HEAD"):
            return None
        if translation.get_language_from_path(request.path_info):
            return None
        wanted = preferred_language(request)
        if wanted == settings.LANGUAGE_CODE:
            return None
        # Only pages that exist in every language (the reader's pages): the desk, the admin
        # and the API have one address, though "/ur/desk/" would pass for a section's.
        urlconf = getattr(request, "urlconf", None)
        here = _view_name(request.path_info, urlconf)
        with translation.override(wanted):
            there = _view_name(f"/{wanted}{request.path_info}", urlconf)
        if here is None or here != there:
            return None
        script_prefix = get_script_prefix()
        response = HttpResponseRedirect(
            request.get_full_path().replace(script_prefix, f"{script_prefix}{wanted}/", 1)
        )
        response["Cache-Control"] = "private, no-cache"
        return response

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        response = super().process_response(request, response)
        if not translation.get_language_from_path(request.path_info):
            # An unprefixed address answers differently for a reader whose cookie or browser
            # asks for another language (a redirect): shared caches must keep them apart.
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response
