"""A reader signs up with an email address, confirms it by the emailed link, and comments
under their display name; sign-in by password, by an emailed code, and password reset."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from broadsheet.accounts.models import Reader
from broadsheet.comments.models import Comment
from tests.conftest import make_reader

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-reader-passphrase"


def sign_up(client, email="amina@example.com", display_name="Amina K"):
    return client.post("/accounts/signup/", {
        "email": email, "password1": PASSWORD, "password2": PASSWORD,
        "display_name": display_name,
    })


def link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def test_sign_up_sends_a_link_that_confirms_the_address_and_says_so(client):
    response = sign_up(client)

    assert response.status_code == 302
    user = get_user_model().objects.get(email="amina@example.com")
    assert Reader.objects.get(user=user).display_name == "Amina K"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["amina@example.com"]
    assert mail.outbox[0].body.startswith("Hello from The Broadsheet.")
    before = client.get("/accounts/")
    assert "is not confirmed yet" in before.text

    confirmed = client.get(link_in(mail.outbox[0]), follow=True)

    assert confirmed.status_code == 200
    assert "Your email address <strong>amina@example.com</strong> is confirmed." in confirmed.text


def test_an_unconfirmed_account_cannot_post_and_is_told_what_to_do(client, article):
    sign_up(client)

    page = client.get(article.get_absolute_url())
    posted = client.post(f"/comments/post/{article.pk}/", {"text": "Under my own name."})

    assert "is not confirmed yet" in page.text and 'name="email"' not in page.text
    assert posted.status_code == 403
    assert "Send the confirmation link again" in posted.text
    assert not Comment.objects.exists()


def test_a_confirmed_reader_comments_under_their_account_without_name_or_email(client, article):
    user = make_reader("amina@example.com", "Amina K")
    client.force_login(user)

    page = client.get(article.get_absolute_url())
    posted = client.post(f"/comments/post/{article.pk}/", {"text": "Signed in and posting."})

    assert "Posting as <strong>Amina K</strong>" in page.text
    assert 'name="name"' not in page.text and 'name="email"' not in page.text
    assert "Your account" in page.text
    assert posted.status_code == 303
    comment = Comment.objects.get()
    assert (comment.user, comment.author_name, comment.author_email) == (
        user, "Amina K", "amina@example.com"
    )


def test_the_reply_form_of_a_signed_in_reader_has_no_name_or_email(client, article):
    from tests.conftest import make_comment

    parent = make_comment(article)
    client.force_login(make_reader())

    form = client.get(f"/comments/{parent.pk}/reply/", HTTP_HX_REQUEST="true")

    assert "Posting as <strong>Amina K</strong>" in form.text
    assert 'name="email"' not in form.text


@pytest.mark.parametrize("taken, wanted, why", [
    ("Amina K", "AMINA k", "Another reader already uses that name"),
    (None, "The Moderator", "kept for the newsroom"),
    (None, "\u200b\u202e", "Enter the name to show"),
])
def test_a_display_name_that_is_taken_or_misleading_is_refused(client, taken, wanted, why):
    if taken:
        make_reader("first@example.com", taken)

    response = sign_up(client, email="second@example.com", display_name=wanted)

    assert response.status_code == 200
    assert why in response.text
    assert not get_user_model().objects.filter(email="second@example.com").exists()


def test_a_name_of_a_staff_member_is_refused(client, moderator):
    response = sign_up(client, display_name="Moderator!")

    assert "kept for the newsroom" in response.text or "belongs to the paper" in response.text


def test_bidi_and_zero_width_characters_are_stripped_from_a_display_name(client):
    sign_up(client, display_name="Ami\u200bna\u202e K")

    assert Reader.objects.get().display_name == "Amina K"


def test_a_reader_changes_their_display_name_on_the_account_page(client):
    make_reader("other@example.com", "Taken Name")
    client.force_login(make_reader())

    refused = client.post("/accounts/", {"display_name": "taken name"})
    changed = client.post("/accounts/", {"display_name": "Amina Khan"})

    assert refused.status_code == 400 and "Another reader already uses" in refused.text
    assert changed.status_code == 303
    assert Reader.objects.get(user__email="amina@example.com").display_name == "Amina Khan"


def test_a_reader_signs_in_with_email_and_password_and_lands_on_their_account(client):
    make_reader(password=PASSWORD)

    response = client.post("/accounts/login/", {"username": "amina@example.com",
                                                "password": PASSWORD})

    assert response.status_code == 302 and response["Location"] == "/accounts/"


def test_staff_still_land_on_the_desk(client, moderator):
    response = client.post("/accounts/login/", {"username": "moderator",
                                                "password": "desk-password"})

    assert response["Location"] == "/desk/"


def test_a_reader_signs_in_with_a_code_sent_by_email(client):
    make_reader()

    client.post("/accounts/login/code/", {"email": "amina@example.com"})
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[-1].body, re.M).group(1)
    wrong = client.post("/accounts/login/code/confirm/", {"code": "AAAA-AAAA"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    right = client.post("/accounts/login/code/confirm/", {"code": code})

    assert right.status_code == 302
    assert client.get("/accounts/").status_code == 200


def test_a_sign_in_code_works_once(client):
    make_reader()
    client.post("/accounts/login/code/", {"email": "amina@example.com"})
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[-1].body, re.M).group(1)
    client.post("/accounts/login/code/confirm/", {"code": code})
    client.post("/accounts/logout/")

    again = client.post("/accounts/login/code/confirm/", {"code": code})

    assert again.status_code != 302 or again["Location"].startswith("/accounts/login")
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email(client):
    make_reader()

    client.post("/accounts/password/reset/", {"email": "amina@example.com"})
    reset_page = client.get(link_in(mail.outbox[-1]), follow=True)
    form_url = reset_page.redirect_chain[-1][0] if reset_page.redirect_chain else None
    done = client.post(form_url, {"password1": "a-brand-new-passphrase",
                                  "password2": "a-brand-new-passphrase"})

    assert done.status_code == 302
    signed_in = client.post("/accounts/login/", {"username": "amina@example.com",
                                                 "password": "a-brand-new-passphrase"})
    assert signed_in.status_code == 302
