from django.http import HttpRequest

from broadsheet.core.models import SiteSettings


def site(request: HttpRequest) -> dict:
    return {"site_settings": SiteSettings.load()}
