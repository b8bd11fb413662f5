"""Rate limits hold whatever fills the page cache and however many processes serve the site."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import timezone

from broadsheet.core.models import SiteSettings
from tests.conftest import comment_payload, make_comment


def _made_up_cursor(n: int) -> str:
    stamp = timezone.now() - timedelta(minutes=n)
    raw = f"{stamp.isoformat()}|{10_000 + n}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _stored_entries() -> int:
    # The test suite's cache is Django's local-memory one: count what it holds.
    return len(cache._cache)


def _post(client, article, n: int, **extra):
    return client.post(
        f"/comments/post/{article.pk}/",
        comment_payload(email="sana@example.com", text=f"Another thought on the pitch, {n}."),
        **extra,
    )


@pytest.mark.django_db
def test_hundreds_of_made_up_cursors_do_not_reset_the_rate_limit(client, article):
    limit = SiteSettings.load().comments_per_minute
    assert [_post(client, article, n).status_code for n in range(limit)] == [303] * limit

    reader = Client()
    for n in range(400):
        reader.get(f"{article.get_absolute_url()}?after={_made_up_cursor(n)}")
    cache.clear()  # and whatever else empties the cache: a restart of Redis, a deploy

    refused = _post(client, article, limit)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1


@pytest.mark.django_db
def test_a_made_up_cursor_is_answered_but_not_stored(article):
    reader = Client()
    reader.get(article.get_absolute_url())
    reader.get(f"/api/v1/articles/{article.pk}/comments")
    before = _stored_entries()

    page = reader.get(f"{article.get_absolute_url()}?after={_made_up_cursor(1)}")
    api = reader.get(f"/api/v1/articles/{article.pk}/comments?cursor={_made_up_cursor(2)}")

    assert page.status_code == 200 and api.status_code == 200
    assert _stored_entries() == before


@pytest.mark.django_db
def test_a_cursor_the_site_handed_out_is_still_cached(article):
    per_page = SiteSettings.load().threads_per_page
    for n in range(per_page + 2):
        make_comment(article, minutes_ago=60 - n)
    reader = Client()
    first = reader.get(article.get_absolute_url())
    cursor = re.search(r'href="\?after=([\w-]+)', first.text).group(1)
    api_cursor = reader.get(f"/api/v1/articles/{article.pk}/comments").json()["next_cursor"]
    before = _stored_entries()

    reader.get(f"{article.get_absolute_url()}?after={cursor}")
    after_page = _stored_entries()
    reader.get(f"/api/v1/articles/{article.pk}/comments?cursor={api_cursor}")

    assert after_page > before
    assert _stored_entries() > after_page


_OTHER_PROCESS = """
import django, json, sys
django.setup()
from broadsheet.core.ratelimit import limits_exceeded
hits = [bool(limits_exceeded([("comment-ip", "127.0.0.1"),
                              ("comment-email", "sana@example.com")], int(sys.argv[1])))
        for _ in range(int(sys.argv[2]))]
print(json.dumps(hits))
"""


def _database_url() -> str:
    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        user, host = settings_dict["USER"], settings_dict["HOST"]
        password = settings_dict.get("PASSWORD")
        login = f"{quote(user)}:{quote(password)}" if password else quote(user)
        port = settings_dict["PORT"] or 5432
        return f"postgres://{login}@{host}:{port}/{settings_dict['NAME']}"
    return f"sqlite:///{settings_dict['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_a_second_server_process_shares_the_count(client, article):
    """A worker process of its own (as `broadsheet serve` runs several) counts against the
    same limit as this one: the limit does not double with the workers."""
    limit = SiteSettings.load().comments_per_minute
    half = limit // 2
    assert [_post(client, article, n).status_code for n in range(half)] == [303] * half

    # The same environment, so the same counter store (the database, or Redis if this run
    # has REDIS_URL), on this run's test database.
    env = {**os.environ, "DATABASE_URL": _database_url(),
           "DJANGO_SETTINGS_MODULE": "broadsheet.settings", "BROADSHEET_DEV": "1"}
    other = subprocess.run(
        [sys.executable, "-c", _OTHER_PROCESS, str(limit), str(limit - half)],
        env=env, capture_output=True, text=True, timeout=120, check=True,
    )
    assert json.loads(other.stdout.strip().splitlines()[-1]) == [False] * (limit - half)

    assert _post(client, article, limit).status_code == 429
