from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from broadsheet.articles.selectors import nav_sections


def sections(request: HttpRequest) -> dict:
    """The sections for the masthead, read only by pages that draw it."""
    return {"nav_sections": SimpleLazyObject(nav_sections)}
