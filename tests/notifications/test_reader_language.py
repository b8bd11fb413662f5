"""An email speaks the language its reader used: the one their comment was posted in, with
links to that language's pages, whatever language the moderator's desk is in."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from broadsheet.comments.models import Comment
from tests.conftest import make_comment
from tests.test_languages import bilingual  # noqa: F401  (the fixture)

pytestmark = pytest.mark.usefixtures("bilingual")


def subject(message) -> str:
    return " ".join(str(message["Subject"]).split())  # as folded for the wire, unfolded


def posted_by(reader, path: str, text: str) -> Comment:
    client = Client()
    client.force_login(reader)
    assert client.post(path, {"text": text}).status_code == 303
    return Comment.objects.get(text=text)


def test_a_reader_who_posted_on_the_urdu_page_hears_of_the_approval_in_urdu(
    smtp_server, decide, article, reader
):
    comment = posted_by(reader, f"/ur/comments/post/{article.pk}/", "Bohat achi khabar hai.")
    assert comment.language == "ur"

    decide(comment, "approve")

    [message] = smtp_server.wait_for(1)
    assert subject(message) == f"\"{article.headline}\" پر آپ کا تبصرہ شائع ہو گیا"
    text = smtp_server.text(message)
    assert "اسے بحث میں پڑھیں" in text and "Read it in the discussion" not in text
    assert f"http://127.0.0.1:8000/ur{article.get_absolute_url()}#c{comment.pk}" in text
    assert "http://127.0.0.1:8000/ur/notifications/" in text  # unsubscribe, in Urdu too
    html = smtp_server.html(message)
    assert re.search(r'<html lang="ur" dir="rtl">', html)
    assert "Bohat achi khabar hai." in html


def test_the_rejection_reason_stays_as_the_newsroom_wrote_it(
    smtp_server, decide, article, reader, reasons
):
    comment = posted_by(reader, f"/ur/comments/post/{article.pk}/", "Sab bekaar log hain.")

    decide(comment, "reject", {"reason": "off-topic"})

    [message] = smtp_server.wait_for(1)
    assert "شائع نہیں ہوا" in message["Subject"]
    text = smtp_server.text(message)
    assert f"وجہ: {reasons['off-topic'].label}" in text
    assert "/ur/accounts/" in text  # where to ask for a review


def test_an_english_reader_hears_in_english_from_a_moderator_on_the_urdu_desk(
    smtp_server, client, moderator, article, reader, django_capture_on_commit_callbacks
):
    comment = posted_by(reader, f"/comments/post/{article.pk}/", "A fair point well made.")
    assert comment.language == "en"
    english_page = article.get_absolute_url()
    client.force_login(moderator)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/desk/comments/{comment.pk}/approve/", HTTP_ACCEPT_LANGUAGE="ur")

    [message] = smtp_server.wait_for(1)
    assert "is published" in message["Subject"]
    text = smtp_server.text(message)
    assert "Read it in the discussion" in text
    assert f"http://127.0.0.1:8000{english_page}#c{comment.pk}" in text
    assert '<html lang="en" dir="ltr">' in smtp_server.html(message)


def test_a_reply_is_announced_in_the_language_the_answered_reader_posted_in(
    smtp_server, decide, article, reader
):
    parent = posted_by(reader, f"/ur/comments/post/{article.pk}/", "Pehla tabsra.")
    decide(parent, "approve")
    reply = make_comment(article, parent=parent, status="pending", name="Zara")

    decide(reply, "approve")

    _, announced = smtp_server.wait_for(2)
    assert subject(announced) == f"Zara نے \"{article.headline}\" پر آپ کے تبصرے کا جواب دیا"


def test_a_sign_in_code_asked_for_on_the_urdu_page_comes_in_urdu(smtp_server, reader):
    client = Client()
    response = client.post("/ur/accounts/login/code/", {"email": reader.email})
    assert response.status_code == 302

    [message] = smtp_server.wait_for(1)
    assert "سائن ان کوڈ" in message["Subject"]
    text = smtp_server.text(message)
    assert "آپ کا سائن ان کوڈ نیچے ہے" in text
    assert "/ur/accounts/login/code/confirm/" in text
