"""The emailed sign-in code (allauth's login by code), sent through a real SMTP server:
it signs in once, and not after its time is up."""

from __future__ import annotations

import re
import time
from types import SimpleNamespace

import pytest
from allauth.account.internal.flows import code_verification
from django.conf import settings as django_settings

from tests.conftest import make_reader

pytestmark = pytest.mark.django_db


def request_code(client, smtp_server, count: int = 1) -> str:
    asked = client.post("/accounts/login/code/", {"email": "amina@example.com"})
    assert asked.status_code == 302
    message = smtp_server.wait_for(count)[-1]
    assert message.envelope_recipients == ["amina@example.com"]
    text = smtp_server.text(message)
    return re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", text, re.M).group(1)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def shift_clock(monkeypatch, seconds: float) -> None:
    """Move the clock allauth reads a code's age from, without waiting."""
    real = time.time
    monkeypatch.setattr(code_verification, "time", SimpleNamespace(time=lambda: real() + seconds))


def test_a_sign_in_code_works_once_only(client, smtp_server):
    make_reader()
    code = request_code(client, smtp_server)

    first = client.post("/accounts/login/code/confirm/", {"code": code})
    assert first.status_code == 302 and signed_in(client)
    client.post("/accounts/logout/")
    assert not signed_in(client)

    again = client.post("/accounts/login/code/confirm/", {"code": code})

    assert not signed_in(client)
    assert again.status_code in (200, 302)
    if again.status_code == 302:
        assert again["Location"].startswith("/accounts/login")
    assert client.get("/accounts/")["Location"].startswith("/accounts/login")


def test_a_code_is_accepted_just_before_its_time_is_up(client, smtp_server, monkeypatch):
    make_reader()
    code = request_code(client, smtp_server)
    shift_clock(monkeypatch, django_settings.ACCOUNT_LOGIN_BY_CODE_TIMEOUT - 5)

    accepted = client.post("/accounts/login/code/confirm/", {"code": code})

    assert accepted.status_code == 302 and signed_in(client)


def test_an_expired_code_is_refused(client, smtp_server, monkeypatch):
    make_reader()
    code = request_code(client, smtp_server)
    shift_clock(monkeypatch, django_settings.ACCOUNT_LOGIN_BY_CODE_TIMEOUT + 1)

    refused = client.post("/accounts/login/code/confirm/", {"code": code})

    assert not signed_in(client)
    assert refused.status_code in (200, 302)
    if refused.status_code == 302:
        assert refused["Location"].startswith("/accounts/login")


def link_in_latest_email(smtp_server, count: int = 1) -> str:
    text = smtp_server.text(smtp_server.wait_for(count)[-1])
    return re.search(r"https?://[^/\s]+(/accounts/login/code/confirm/\?code=\S+)", text).group(1)


def test_the_emailed_link_fills_in_the_code_and_signs_in_once(client, smtp_server):
    make_reader()
    code = request_code(client, smtp_server)
    link = link_in_latest_email(smtp_server)

    opened = client.get(link)
    assert opened.status_code == 200
    assert f'value="{code}"' in opened.text
    assert not signed_in(client)  # opening the link (as a mail scanner would) is not enough

    pressed = client.post(link, {"code": code})
    assert pressed.status_code == 302 and signed_in(client)
    client.post("/accounts/logout/")

    again = client.get(link)
    assert again.status_code == 302 and again["Location"].startswith("/accounts/login")
    assert not signed_in(client)


def test_the_emailed_link_does_nothing_in_another_browser(client, smtp_server):
    from django.test import Client

    make_reader()
    request_code(client, smtp_server)
    elsewhere = Client()

    opened = elsewhere.get(link_in_latest_email(smtp_server))

    assert opened.status_code == 302 and opened["Location"].startswith("/accounts/login")
    assert "_auth_user_id" not in elsewhere.session
