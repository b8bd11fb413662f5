"""Sign-in with the newsroom's login: a real OpenID Connect provider (django-oauth-toolkit,
its own gunicorn server on a loopback port, an RSA key made for the run) and Broadsheet's
allauth client talking to it over HTTP: discovery, authorisation code with PKCE, token,
ID token checked against the provider's published keys. The claims mark subscribers and
give staff the desk."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model

from broadsheet.accounts.models import Reader

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "broadsheet-test"
CLIENT_SECRET = "broadsheet-test-secret"
CALLBACK = "http://testserver/accounts/oidc/newsroom/login/callback/"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    env = {
        **os.environ,
        "OIDC_TEST_DB": str(tmp_path_factory.mktemp("oidc") / "provider.sqlite3"),
        "OIDC_TEST_RSA_KEY": pem,
        "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
        "PYTHONPATH": str(ROOT),
    }
    subprocess.run(
        [sys.executable, "-m", "tests.oidc_provider.prepare", CLIENT_ID, CLIENT_SECRET,
         CALLBACK],
        env=env, cwd=ROOT, check=True, capture_output=True,
    )
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "tests.oidc_provider.wsgi"],
        env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True,
    )
    try:
        # gunicorn says where it listens once the socket is bound.
        for line in server.stderr:
            if "Listening at" in line:
                break
        else:
            raise RuntimeError("The test OpenID Connect provider did not start.")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def newsroom_login(provider, settings):
    settings.BROADSHEET_OIDC_ISSUER = f"{provider}/o"
    settings.BROADSHEET_OIDC_NAME = "Newsroom Login"
    settings.BROADSHEET_OIDC_SUBSCRIBER_CLAIM = "subscriber"
    settings.BROADSHEET_OIDC_STAFF_CLAIM = "groups=newsroom-desk"
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": [{
        "provider_id": "newsroom", "name": "Newsroom Login",
        "client_id": CLIENT_ID, "secret": CLIENT_SECRET,
        "settings": {"server_url": f"{provider}/o"},
    }]}}
    return provider


def sign_in_through_the_provider(client, provider: str, username: str):
    """The reader presses the button, signs in at the provider, and comes back."""
    started = client.post("/accounts/oidc/newsroom/login/")
    assert started.status_code == 302, started.content[:500]
    authorize = started["Location"]
    assert authorize.startswith(f"{provider}/o/authorize/")
    browser = requests.Session()
    at_provider = browser.get(
        f"{provider}/login-as/{username}/", params={"next": authorize[len(provider):]},
        allow_redirects=False,
    )
    back = browser.get(provider + at_provider.headers["Location"], allow_redirects=False)
    assert back.status_code == 302, back.text[:500]
    callback = urlsplit(back.headers["Location"])
    assert "code" in parse_qs(callback.query)
    return client.get(f"{callback.path}?{callback.query}")


def test_the_sign_in_page_offers_the_newsrooms_login(client, newsroom_login):
    page = client.get("/accounts/login/")

    assert "Sign in with Newsroom Login" in page.text
    assert 'action="/accounts/oidc/newsroom/login/"' in page.text


def test_a_subscriber_claim_makes_the_reader_a_subscriber(client, newsroom_login):
    finished = sign_in_through_the_provider(client, newsroom_login, "alice")

    assert finished.status_code == 302, finished.content[:800]
    user = get_user_model().objects.get(email="alice@newsroom.example")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert Reader.objects.get(user=user).subscriber is True
    assert user.is_staff is False
    assert client.get("/desk/").status_code == 403


def test_a_staff_group_claim_opens_the_desk(client, newsroom_login):
    finished = sign_in_through_the_provider(client, newsroom_login, "bob")

    assert finished.status_code == 302, finished.content[:800]
    user = get_user_model().objects.get(email="bob@newsroom.example")
    assert user.is_staff is True
    assert user.groups.filter(name="Moderators").exists()
    assert client.get("/desk/").status_code == 200


def test_a_reader_without_claims_is_neither(client, newsroom_login):
    sign_in_through_the_provider(client, newsroom_login, "carol")

    user = get_user_model().objects.get(email="carol@newsroom.example")
    assert (user.is_staff, Reader.objects.get(user=user).subscriber) == (False, False)
