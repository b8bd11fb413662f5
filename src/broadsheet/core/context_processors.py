from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

from django.http import HttpRequest
from django.urls import get_script_prefix
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from broadsheet.core import csrf_tokens
from broadsheet.core.links import site_links
from broadsheet.core.models import SiteSettings

_REQUEST_SITE_SETTINGS = "_broadsheet_site_settings"


def site_settings_for(request: HttpRequest) -> SiteSettings:
    """The site settings, loaded once per request however many parts of the page ask.

    Each load unpickles a model instance from the cache; an article page asked three times.
    """
    site_settings = getattr(request, _REQUEST_SITE_SETTINGS, None)
    if site_settings is None:
        site_settings = SiteSettings.load()
        setattr(request, _REQUEST_SITE_SETTINGS, site_settings)
    return site_settings


@lru_cache(maxsize=16)
def _site_links(script_prefix: str, language: str | None) -> Mapping[str, str]:
    # Read-only, as it is shared by every request under the same script prefix.
    return MappingProxyType(site_links())


def current_site_links() -> Mapping[str, str]:
    """site_links() under this request's script prefix and language, reversed once per
    process."""
    return _site_links(get_script_prefix(), get_language())


def site(request: HttpRequest) -> dict:
    return {"site_settings": site_settings_for(request), "links": current_site_links()}


def csrf(request: HttpRequest) -> dict:
    """Replaces Django's built-in csrf processor (it runs after it): same lazy token, cheaper.

    Only pages that show a form pay for a token; see broadsheet.core.csrf_tokens. The token is
    made once per page, as Django's own processor does: building a lazy() proxy class on every
    request cost more than the token itself.
    """
    return {"csrf_token": SimpleLazyObject(lambda: csrf_tokens.get_token(request))}
