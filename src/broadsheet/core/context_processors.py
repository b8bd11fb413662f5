from django.http import HttpRequest
from django.utils.functional import lazy

from broadsheet.core import csrf_tokens
from broadsheet.core.links import site_links
from broadsheet.core.models import SiteSettings


def site(request: HttpRequest) -> dict:
    return {"site_settings": SiteSettings.load(), "links": site_links()}


def csrf(request: HttpRequest) -> dict:
    """Replaces Django's built-in csrf processor (it runs after it): same lazy token, cheaper.

    Only pages that show a form pay for a token; see broadsheet.core.csrf_tokens.
    """
    return {"csrf_token": lazy(lambda: csrf_tokens.get_token(request), str)()}
