"""The desk keeps one address but speaks the language a moderator's browser (or language
cookie) asks for, when the site offers more than one; the keys stay the same."""

from __future__ import annotations

import pytest

from tests.conftest import make_comment
from tests.test_languages import bilingual, html_tag  # noqa: F401  (bilingual: a fixture)

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("bilingual")
def test_a_moderator_whose_browser_asks_for_urdu_gets_the_urdu_desk(
    moderator_client, article
):
    make_comment(article, status="pending", text="Kya baat hai.")

    response = moderator_client.get("/desk/", HTTP_ACCEPT_LANGUAGE="ur,en;q=0.5")

    html = response.content.decode()
    assert response.status_code == 200
    assert html_tag(response) == '<html lang="ur" dir="rtl">'
    for urdu in ("زیرِ غور تبصرے", "منظور کریں", "مسترد کریں…", "کی بورڈ شارٹ کٹ", "پابندیاں"):
        assert urdu in html, urdu
    assert "Pending comments" not in html and ">Approve<" not in html
    assert "<kbd>a</kbd>" in html and "<kbd>j</kbd>" in html  # the same keys
    assert "Kya baat hai." in html


@pytest.mark.usefixtures("bilingual")
def test_a_decision_on_the_urdu_desk_is_confirmed_in_urdu(
    moderator_client, article
):
    comment = make_comment(article, status="pending", name="Bilal", text="Theek hai.")

    response = moderator_client.post(f"/desk/comments/{comment.pk}/approve/",
                                     HTTP_ACCEPT_LANGUAGE="ur", HTTP_HX_REQUEST="true")

    assert "moderator نے منظور کیا · Bilal" in response.content.decode()


@pytest.mark.usefixtures("bilingual")
def test_the_desk_stays_english_by_default(moderator_client, article):
    make_comment(article, status="pending")

    response = moderator_client.get("/desk/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8")

    assert html_tag(response) == '<html lang="en" dir="ltr">'
    html = response.content.decode()
    assert "Pending comments" in html and ">Approve<" in html


def test_a_single_language_site_ignores_the_browser(moderator_client, article):
    response = moderator_client.get("/desk/", HTTP_ACCEPT_LANGUAGE="ur")

    assert html_tag(response) == '<html lang="en" dir="ltr">'
    assert "Pending comments" in response.content.decode()
