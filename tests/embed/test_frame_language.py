"""The frame speaks the host page's language (its <html lang>, which embed.js sends) or else
the reader's browser's, among the languages the site offers, with <html lang dir> to match."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from broadsheet.articles.cache import article_comments_changed
from broadsheet.embed import tokens
from broadsheet.integrations.models import ExternalStory
from tests.conftest import make_comment
from tests.test_languages import bilingual, html_tag  # noqa: F401  (bilingual: a fixture)

pytestmark = pytest.mark.django_db

HOST = "https://www.host.example"
STORY = f"{HOST}/news/2026/12/harbour-wall"


@pytest.fixture(autouse=True)
def allowed_host(settings):
    settings.BROADSHEET_EMBED_ORIGINS = [HOST]


def frame_path(client, **headers) -> str:
    data = {"url": STORY, "title": "The harbour wall reopens", "summary": "Walkers are back."}
    lang = headers.pop("lang", None)
    if lang is not None:
        data["lang"] = lang
    response = client.post("/embed/v1/story", data, HTTP_ORIGIN=HOST, **headers)
    assert response.status_code == 200
    return urlsplit(response.json()["frame"])._replace(scheme="", netloc="").geturl()


@pytest.mark.usefixtures("bilingual")
def test_a_host_page_in_urdu_gets_the_frame_in_urdu_right_to_left(client):
    path = frame_path(client, lang="ur-PK")
    article = ExternalStory.objects.get().article
    make_comment(article, text="Deewar mazboot lagti hai.", minutes_ago=30)
    article_comments_changed(article.pk)  # what the decision services do

    response = client.get(path)

    html = response.content.decode()
    assert html_tag(response) == '<html lang="ur" dir="rtl">'
    for urdu in ("تبصرہ (1)", "بحث میں شامل ہوں", "تبصرہ بھیجیں", "30 منٹ پہلے", "جواب دیں"):
        assert urdu in html, urdu
    assert "Join the discussion" not in html and "Post comment" not in html
    assert 'data-bs-failed="یہ کام نہیں ہوا۔' in html  # frame.js's message


@pytest.mark.usefixtures("bilingual")
def test_the_frames_writes_answer_in_its_language(client):
    path = frame_path(client, lang="ur")
    article = ExternalStory.objects.get().article
    comment = make_comment(article)
    token = parse_qs(urlsplit(path).query)["t"][0]

    report = client.get(f"/embed/frame/report/{comment.pk}", {"t": token})
    posted = client.post("/embed/frame/post", {"t": tokens.frame_token(
        article_id=article.pk, origin=HOST, language="ur"), "text": ""},
        HTTP_ORIGIN="http://testserver")

    assert html_tag(report) == '<html lang="ur" dir="rtl">'
    assert "شکایت بھیجیں" in report.content.decode()
    assert posted.status_code == 400
    assert "اپنا تبصرہ" in posted.content.decode()  # the form's errors, in Urdu


@pytest.mark.usefixtures("bilingual")
def test_without_a_page_language_the_readers_browser_chooses(client):
    urdu = client.get(frame_path(client, lang="", HTTP_ACCEPT_LANGUAGE="ur,en;q=0.5"))
    english_host = client.get(frame_path(client, lang="en", HTTP_ACCEPT_LANGUAGE="ur"))
    not_offered = client.get(frame_path(client, lang="de", HTTP_ACCEPT_LANGUAGE="fr,en"))

    assert html_tag(urdu) == '<html lang="ur" dir="rtl">'
    assert html_tag(english_host) == '<html lang="en" dir="ltr">'
    assert html_tag(not_offered) == '<html lang="en" dir="ltr">'
    assert "Join the discussion" in english_host.content.decode()


def test_a_single_language_site_keeps_the_frame_in_english(client):
    response = client.get(frame_path(client, lang="ur", HTTP_ACCEPT_LANGUAGE="ur"))

    assert html_tag(response) == '<html lang="en" dir="ltr">'
    assert "Join the discussion" in response.content.decode()
    token = parse_qs(urlsplit(frame_path(client, lang="ur")).query)["t"][0]
    assert tokens.read_frame_token(token).language == ""
