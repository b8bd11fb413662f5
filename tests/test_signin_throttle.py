"""Guessing passwords: after several failures for one account, or from one reader, sign-in
pauses on the staff sign-in page and on the admin's, and says so."""

from __future__ import annotations

import pytest
from django.test import Client

from broadsheet.core import signin

pytestmark = pytest.mark.django_db

PAGES = ["/accounts/login/", "/admin/login/"]


def sign_in(client, page: str, username: str, password: str, ip: str = "192.0.2.10"):
    return client.post(page, {"username": username, "password": password},
                       REMOTE_ADDR=ip)


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user(
        "editor", "editor@newsroom.example", "right-password", is_staff=True, is_superuser=True
    )


@pytest.mark.parametrize("page", PAGES)
def test_an_account_is_paused_after_several_wrong_passwords(client, editor, page):
    failures = [sign_in(client, page, "editor", f"guess-{n}").status_code
                for n in range(signin.FAILURES_PER_ACCOUNT)]
    paused = sign_in(client, page, "editor", "right-password")

    assert failures == [200] * signin.FAILURES_PER_ACCOUNT
    assert paused.status_code == 429
    assert 0 < int(paused["Retry-After"]) <= signin.FAILURE_WINDOW_SECONDS * 2
    assert "Too many failed sign-ins for this account or from your network" in paused.text
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("page", PAGES)
def test_the_pause_holds_from_another_address_and_in_either_case(client, editor, page):
    for n in range(signin.FAILURES_PER_ACCOUNT):
        sign_in(client, page, "editor", f"guess-{n}", ip=f"198.51.100.{n}")

    paused = sign_in(Client(), page, "EDITOR", "right-password", ip="203.0.113.99")

    assert paused.status_code == 429


@pytest.mark.parametrize("page", PAGES)
def test_one_reader_guessing_many_accounts_is_paused(client, editor, page):
    for n in range(signin.FAILURES_PER_CLIENT):
        sign_in(client, page, f"someone-{n}", "guess")

    paused = sign_in(client, page, "editor", "right-password")
    elsewhere = sign_in(Client(), page, "editor", "right-password", ip="203.0.113.5")

    assert paused.status_code == 429
    assert elsewhere.status_code == 302


def test_a_successful_sign_in_clears_the_accounts_failures(client, editor):
    for n in range(signin.FAILURES_PER_ACCOUNT - 1):
        sign_in(client, "/accounts/login/", "editor", f"guess-{n}")
    assert sign_in(client, "/accounts/login/", "editor", "right-password").status_code == 302

    retries = Client()
    for n in range(signin.FAILURES_PER_ACCOUNT - 1):
        sign_in(retries, "/accounts/login/", "editor", f"typo-{n}")
    assert sign_in(retries, "/accounts/login/", "editor", "right-password").status_code == 302


def test_a_wrong_password_still_says_only_that(client, editor):
    response = sign_in(client, "/accounts/login/", "editor", "wrong")

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text
