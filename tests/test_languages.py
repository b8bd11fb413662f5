"""A second interface language (Urdu, right to left), chosen by a /ur/ prefix or the browser.

The site's languages are a start-up setting (BROADSHEET_LANGUAGES); these tests switch the
settings and the URLconf to what a site offering "en,ur" runs with."""

from __future__ import annotations

import re

import pytest
from django.conf import settings as django_settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import translation
from django.utils.dates import MONTHS

from broadsheet.reading import page_cache
from tests.conftest import make_comment

pytestmark = pytest.mark.django_db

LANGUAGE_MIDDLEWARE = "broadsheet.core.languages.LanguageMiddleware"


@receiver(setting_changed)
def _translation_functions_follow_use_i18n(*, setting: str, **kwargs) -> None:
    # Django picks its real or no-op translation functions once, on first use (see
    # django.utils.translation.Trans); a test turning USE_I18N on or off must make it pick again.
    if setting == "USE_I18N":
        translation._trans.__dict__.clear()


@pytest.fixture
def bilingual(settings):
    settings.BROADSHEET_LANGUAGES = ["en", "ur"]
    settings.LANGUAGES = [("en", "English"), ("ur", "اردو")]
    settings.LANGUAGE_CODE = "en"
    settings.BROADSHEET_MULTILINGUAL = True
    settings.USE_I18N = True
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(
        middleware.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
        LANGUAGE_MIDDLEWARE,
    )
    settings.MIDDLEWARE = middleware
    settings.ROOT_URLCONF = "tests.multilingual_urls"
    yield settings
    translation.activate("en")


def html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.content.decode()).group(0)


def test_a_single_language_site_runs_without_the_translation_machinery(client, article):
    assert django_settings.BROADSHEET_LANGUAGES == ["en"]
    assert not django_settings.USE_I18N
    assert LANGUAGE_MIDDLEWARE not in django_settings.MIDDLEWARE
    response = client.get(article.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ur")
    assert response.status_code == 200
    assert html_tag(response) == '<html lang="en" dir="ltr">'
    assert "Post comment" in response.content.decode()
    assert client.get("/ur" + article.get_absolute_url()).status_code == 404


def test_an_urdu_address_shows_the_interface_in_urdu_right_to_left(bilingual, client, article):
    make_comment(article, minutes_ago=30)
    response = client.get("/ur" + article.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert html_tag(response) == '<html lang="ur" dir="rtl">'
    assert response["Content-Language"] == "ur"
    for urdu in ("تبصرہ بھیجیں", "آپ کا تبصرہ", "جواب دیں", "شکایت کریں", "30 منٹ پہلے",
                 "مرکزی مواد پر جائیں"):
        assert urdu in html, urdu
    assert "Post comment" not in html
    # The page's links and the form stay in Urdu.
    assert f'action="/ur/comments/post/{article.pk}/#comment-form"' in html
    assert 'href="/ur/sport/"' in html


def test_dates_are_shown_in_the_pages_language(bilingual, client, article):
    with translation.override("ur"):
        urdu_month = str(MONTHS[article.published_at.month])
    with translation.override("en"):
        english_month = str(MONTHS[article.published_at.month])
    english = client.get(article.get_absolute_url()).content.decode()
    urdu = client.get("/ur" + article.get_absolute_url()).content.decode()
    assert english_month in english
    assert urdu_month in urdu and urdu_month not in english


def test_english_addresses_do_not_change(bilingual, client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert html_tag(response) == '<html lang="en" dir="ltr">'
    assert "Post comment" in response.content.decode()
    assert "Accept-Language" in response["Vary"]
    # The switch to the other language sits in the footer.
    assert 'name="language" value="ur"' in response.content.decode()


def test_a_browser_asking_for_urdu_is_sent_to_the_urdu_page(bilingual, client, article):
    response = client.get(article.get_absolute_url() + "?order=newest",
                          HTTP_ACCEPT_LANGUAGE="ur-PK,ur;q=0.9,en;q=0.5")
    assert response.status_code == 302
    assert response["Location"] == "/ur" + article.get_absolute_url() + "?order=newest"
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}
    # English first in the browser's list: English.
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,ur;q=0.8").status_code == 200
    # The desk and the API have one address, in the default language.
    assert not client.get("/desk/", HTTP_ACCEPT_LANGUAGE="ur")["Location"].startswith("/ur/")
    assert client.get("/api/v1/openapi.json", HTTP_ACCEPT_LANGUAGE="ur").status_code == 200


def test_the_language_switch_remembers_english_for_an_urdu_browser(bilingual, client, article):
    english_page = article.get_absolute_url()
    urdu = client.get("/ur" + english_page).content.decode()
    switch = re.search(r'<form class="language-switch".*?</form>', urdu).group(0)
    assert 'name="language" value="en" lang="en">English</button>' in switch
    next_page = re.search(r'name="next" value="([^"]+)"', switch).group(1)
    response = client.post("/i18n/setlang/", {"language": "en", "next": next_page},
                           HTTP_ACCEPT_LANGUAGE="ur")
    assert response.status_code == 302
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="ur", follow=True)
    assert page.redirect_chain[-1:] in ([], [(english_page, 301)])
    assert page.status_code == 200
    assert html_tag(page) == '<html lang="en" dir="ltr">'


@pytest.mark.parametrize("first", ["en", "ur"])
def test_a_cached_page_is_never_served_in_the_other_language(bilingual, client, article, first):
    bilingual.BROADSHEET_PAGE_CACHE = True
    make_comment(article)
    english_page = article.get_absolute_url()
    addresses = {"en": english_page, "ur": "/ur" + english_page}
    second = "ur" if first == "en" else "en"
    for language in (first, first, second, second, first):  # stored, then served from the cache
        response = client.get(addresses[language])
        assert html_tag(response).startswith(f'<html lang="{language}"'), language
        html = response.content.decode()
        assert ("Post comment" in html) == (language == "en")
        assert ("تبصرہ بھیجیں" in html) == (language == "ur")


def test_the_stored_page_shortcut_leaves_urdu_browsers_to_django(bilingual, article):
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": article.get_absolute_url(),
               "HTTP_HOST": "testserver", "wsgi.url_scheme": "http"}
    assert page_cache._front_request(environ) is not None
    assert page_cache._front_request({**environ, "HTTP_ACCEPT_LANGUAGE": "en-GB"}) is not None
    assert page_cache._front_request({**environ, "HTTP_ACCEPT_LANGUAGE": "ur,en;q=0.5"}) is None
