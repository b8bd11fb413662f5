from django.http import HttpRequest

from broadsheet.core.links import site_links
from broadsheet.core.models import SiteSettings


def site(request: HttpRequest) -> dict:
    return {"site_settings": SiteSettings.load(), "links": site_links()}
