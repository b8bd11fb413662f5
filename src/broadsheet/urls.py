from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.sitemaps.views import sitemap
from django.urls import URLPattern, URLResolver, include, path, re_path, register_converter

from broadsheet.articles.sitemaps import SITEMAPS
from broadsheet.core import signin
from broadsheet.core import views as core_views
from broadsheet.core.converters import RowIdConverter

register_converter(RowIdConverter, "row_id")

admin.site.site_header = "Broadsheet newsroom"
admin.site.site_title = "Broadsheet"

urlpatterns = [
    path("admin/login/", signin.admin_login),
    path("admin/", admin.site.urls),
    path("desk/", include("broadsheet.desk.urls")),
    path("api/", include("broadsheet.api.urls")),
    path("", include("broadsheet.embed.urls")),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
]
if settings.SERVE_MEDIA and settings.MEDIA_URL.startswith("/"):
    # Before the articles' catch-all section pattern; a proxy or bucket serves them otherwise.
    urlpatterns.append(
        re_path(
            rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.+)$",
            core_views.media,
            name="media",
        )
    )


def reader_urlpatterns(*, multilingual: bool) -> list[URLPattern | URLResolver]:
    """The readers' pages, which exist in every language the site offers (under /<code>/ for
    all but the first); the desk, the admin and the API above are in the default language."""
    patterns: list[URLPattern | URLResolver] = [
        path("comments/", include("broadsheet.reading.comment_urls")),
        path("pages/", include("broadsheet.core.urls")),
        path("", include("broadsheet.notifications.urls")),
        # Staff and readers sign in on one throttled page (it offers allauth's other ways in);
        # allauth's own login view is shadowed so the throttle cannot be walked around.
        path("accounts/login/", signin.ThrottledLoginView.as_view(), name="login"),
        path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
        path("accounts/", include("broadsheet.readers.urls")),
        path("accounts/", include("allauth.urls")),
        path("", include("broadsheet.reading.urls")),
    ]
    if not multilingual:
        return patterns
    return [
        path("i18n/", include("django.conf.urls.i18n")),  # the language switch (set_language)
        *i18n_patterns(*patterns, prefix_default_language=False),
    ]


shared_urlpatterns = list(urlpatterns)
urlpatterns += reader_urlpatterns(multilingual=settings.BROADSHEET_MULTILINGUAL)

handler400 = "broadsheet.core.views.bad_request"
handler403 = "broadsheet.core.views.permission_denied"
handler404 = "broadsheet.core.views.page_not_found"
handler500 = "broadsheet.core.views.server_error"
