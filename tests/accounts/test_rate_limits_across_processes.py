"""django-allauth's rate limits (password resets, sign-in codes) hold across server processes
in the embedded setup too (SQLite, no Redis): two real servers on one data folder, over HTTP,
count against one limit, so a second worker does not double the limit."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
# allauth's defaults: five password resets and three sign-in codes a minute per address.
RESETS_PER_MINUTE = 5
CODES_PER_MINUTE = 3


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _embedded_environment(data_dir: Path) -> dict[str, str]:
    """This run's environment without a database URL or Redis: the embedded default."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "EMAIL_HOST")}
    return {**env, "BROADSHEET_DEV": "1", "BROADSHEET_HTTPS": "0",
            "BROADSHEET_DATA_DIR": str(data_dir), "BROADSHEET_SWEEP_EVERY_SECONDS": "0",
            "DJANGO_SETTINGS_MODULE": "broadsheet.settings"}


def _start(env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "broadsheet.wsgi"],
        env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True,
    )
    # gunicorn says where it listens once the socket is bound.
    for line in server.stderr:
        if "Listening at" in line:
            return server, f"http://127.0.0.1:{port}"
    raise RuntimeError("A Broadsheet server did not start.")


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory) -> Iterator[list[str]]:
    env = _embedded_environment(tmp_path_factory.mktemp("embedded"))
    subprocess.run([sys.executable, "-m", "broadsheet.cli", "migrate", "--noinput"],
                   env=env, cwd=ROOT, check=True, capture_output=True, timeout=300)
    servers = []
    try:
        for _ in range(2):
            servers.append(_start(env))
        yield [url for _, url in servers]
    finally:
        for server, _ in servers:
            server.terminate()
            server.wait(timeout=30)


def _post_form(base: str, path: str, data: dict) -> requests.Response:
    """GET the form for its CSRF token, then POST it, as a browser would."""
    session = requests.Session()
    form = session.get(f"{base}{path}", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    return session.post(f"{base}{path}", data={**data, "csrfmiddlewaretoken": token},
                        allow_redirects=False, timeout=30)


def test_password_resets_for_one_address_are_counted_across_both_servers(two_servers):
    first, second = two_servers
    address = {"email": "someone@example.com"}
    sent = [_post_form(base, "/accounts/password/reset/", address).status_code
            for base in [first, first, first, second, second]]
    assert sent == [302] * RESETS_PER_MINUTE

    assert _post_form(first, "/accounts/password/reset/", address).status_code == 429
    assert _post_form(second, "/accounts/password/reset/", address).status_code == 429
    # Another address is counted apart.
    other = _post_form(second, "/accounts/password/reset/", {"email": "other@example.com"})
    assert other.status_code == 302


def test_sign_in_codes_for_one_address_are_counted_across_both_servers(two_servers):
    first, second = two_servers
    address = {"email": "codes@example.com"}
    for base in [first, second, first]:
        requested = _post_form(base, "/accounts/login/code/", address)
        assert requested.status_code == 302
        assert "Too many" not in requested.text

    refused = _post_form(second, "/accounts/login/code/", address)

    assert refused.status_code == 200
    assert "Too many failed login attempts" in refused.text


def test_allauth_counts_the_reader_behind_a_trusted_proxy_not_the_proxy(settings, rf):
    from allauth.account.adapter import get_adapter

    settings.BROADSHEET_TRUSTED_PROXIES = ["127.0.0.1"]
    readers = [rf.post("/accounts/password/reset/", REMOTE_ADDR="127.0.0.1",
                       HTTP_X_FORWARDED_FOR=address)
               for address in ("198.51.100.7", "203.0.113.9")]
    forged = rf.post("/accounts/password/reset/", REMOTE_ADDR="192.0.2.50",
                     HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert [get_adapter().get_client_ip(r) for r in readers] == ["198.51.100.7", "203.0.113.9"]
    # From an address that is not a trusted proxy, X-Forwarded-For is the client's own word.
    assert get_adapter().get_client_ip(forged) == "192.0.2.50"


def test_only_allauths_counts_leave_the_memory_cache_and_pages_cannot_push_them_out():
    from django.core.cache import cache, caches

    shared = caches["allauth-rate-limits"]
    cache.set("allauth:rl:reset_password:someone", [1.0], 60)
    for n in range(1000):  # more pages than the memory cache keeps
        cache.set(f"page:{n}", "<html>", 60)

    assert cache.get("allauth:rl:reset_password:someone") == [1.0]
    assert shared.get("allauth:rl:reset_password:someone") == [1.0]
    assert shared.get("page:999") is None and cache.get("page:999") == "<html>"
    cache.clear()
    assert shared.get("allauth:rl:reset_password:someone") is None
