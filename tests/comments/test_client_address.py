"""Behind the documented reverse proxy each reader is counted apart: the address comes from
X-Forwarded-For, but only when the request arrives from a proxy named in
BROADSHEET_TRUSTED_PROXIES, and only the part of the header that proxy wrote."""

from __future__ import annotations

import pytest

from broadsheet.comments.models import Comment
from broadsheet.core.models import SiteSettings
from broadsheet.core.ratelimit import hash_ip
from tests.conftest import comment_payload
from tests.test_settings import settings_under

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"


@pytest.fixture
def one_post_a_minute(db):
    SiteSettings.objects.update_or_create(pk=1, defaults={"comments_per_minute": 1})


def post_from(client, article, forwarded_for: str, *, remote: str = PROXY, n: int = 0):
    return client.post(
        f"/comments/post/{article.pk}/",
        comment_payload(email=f"reader{n}@example.com", text=f"Thoughts on the match, {n}."),
        REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_readers_behind_a_trusted_proxy_are_limited_apart(client, article, settings,
                                                          one_post_a_minute):
    settings.BROADSHEET_TRUSTED_PROXIES = ["10.0.0.0/24"]

    first = post_from(client, article, "203.0.113.7", n=1)
    second = post_from(client, article, "198.51.100.20", n=2)
    first_again = post_from(client, article, "203.0.113.7", n=3)

    assert (first.status_code, second.status_code, first_again.status_code) == (303, 303, 429)
    assert set(Comment.objects.values_list("ip_hash", flat=True)) == {
        hash_ip("203.0.113.7"), hash_ip("198.51.100.20")
    }


def test_the_right_most_address_not_a_proxy_is_the_reader(client, article, settings,
                                                          one_post_a_minute):
    settings.BROADSHEET_TRUSTED_PROXIES = [PROXY, "2001:db8::/32"]

    # The reader wrote the first address themselves; our proxies appended the others.
    post_from(client, article, "192.0.2.1, 203.0.113.7, 2001:db8::1", n=1)
    forged = post_from(client, article, "192.0.2.99, 203.0.113.7", n=2)

    assert Comment.objects.get().ip_hash == hash_ip("203.0.113.7")
    assert forged.status_code == 429


def test_without_the_setting_x_forwarded_for_is_ignored(client, article, settings,
                                                        one_post_a_minute):
    settings.BROADSHEET_TRUSTED_PROXIES = []

    first = post_from(client, article, "203.0.113.7", n=1)
    second = post_from(client, article, "198.51.100.20", n=2)

    assert (first.status_code, second.status_code) == (303, 429)
    assert Comment.objects.get().ip_hash == hash_ip(PROXY)


def test_a_request_not_from_a_trusted_proxy_cannot_choose_its_address(client, article,
                                                                      settings,
                                                                      one_post_a_minute):
    settings.BROADSHEET_TRUSTED_PROXIES = [PROXY]

    first = post_from(client, article, "203.0.113.7", remote="198.51.100.1", n=1)
    second = post_from(client, article, "203.0.113.8", remote="198.51.100.1", n=2)

    assert (first.status_code, second.status_code) == (303, 429)
    assert Comment.objects.get().ip_hash == hash_ip("198.51.100.1")


def test_a_header_of_only_proxies_or_garbage_counts_the_proxy_itself(client, article,
                                                                     settings):
    settings.BROADSHEET_TRUSTED_PROXIES = [PROXY]

    post_from(client, article, "not-an-address, 10.0.0.5", n=1)

    assert Comment.objects.get().ip_hash == hash_ip(PROXY)


def test_a_malformed_proxy_setting_stops_the_start_with_a_clear_message(tmp_path):
    result = settings_under(
        {"BROADSHEET_DEV": "1", "BROADSHEET_TRUSTED_PROXIES": "10.0.0.5, nginx"}, tmp_path
    )

    assert result.returncode != 0
    assert "BROADSHEET_TRUSTED_PROXIES: 'nginx' is not an IP address or network" in result.stderr
