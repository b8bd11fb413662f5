"""The site's URLs as a site offering more than one language has them (BROADSHEET_LANGUAGES).

The settings choose at start-up; the language tests switch to this URLconf instead."""

from broadsheet.urls import (  # noqa: F401
    handler400,
    handler403,
    handler404,
    handler500,
    reader_urlpatterns,
    shared_urlpatterns,
)

urlpatterns = [*shared_urlpatterns, *reader_urlpatterns(multilingual=True)]
