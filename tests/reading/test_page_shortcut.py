"""Stored article pages answered in front of Django: same page, own CSRF token, never stale."""

from __future__ import annotations

from http.cookies import SimpleCookie

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client, RequestFactory

from broadsheet.core import csrf_tokens
from broadsheet.moderation import services
from broadsheet.reading import page_cache
from broadsheet.reading.page_cache import StoredPageShortcut
from tests.conftest import DEAD_REDIS, comment_payload, make_comment

pytestmark = pytest.mark.django_db


class Served:
    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name: str) -> str | None:
        return next((v for n, v in self.headers if n.lower() == name.lower()), None)

    @property
    def csrf_cookie(self) -> str | None:
        value = self.header("Set-Cookie")
        if value is None:
            return None
        return SimpleCookie(value)["csrftoken"].value

    @property
    def form_token(self) -> str:
        return self.body.decode().split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]


@pytest.fixture
def shortcut():
    # As Django's test client does: the test's transaction must outlive each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    app = StoredPageShortcut(WSGIHandler())
    yield app
    StoredPageShortcut.active = False
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def django_calls(monkeypatch):
    """How many requests reached Django's view for an article page."""
    calls = []
    original = page_cache.is_cacheable

    def counting(request):
        calls.append(request.path)
        return original(request)

    monkeypatch.setattr(page_cache, "is_cacheable", counting)
    return calls


def get(app, path: str, *, cookie: str = "", **extra: str) -> Served:
    environ = RequestFactory().get(path, **extra).environ
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, headers

    body = b"".join(app(environ, start_response))
    return Served(seen["status"], seen["headers"], body)


def test_the_second_reader_is_served_the_stored_page_without_django(
    shortcut, article, django_calls, django_assert_max_num_queries
):
    make_comment(article, text="A considered view from a reader")
    first = get(shortcut, article.get_absolute_url())
    assert first.status == "200 OK" and len(django_calls) == 1
    assert first.header(page_cache._STORED_PAGE_HEADER) is None  # internal, never sent
    with django_assert_max_num_queries(0):
        second = get(shortcut, article.get_absolute_url())
    assert len(django_calls) == 1
    assert second.status == "200 OK"
    assert b"A considered view from a reader" in second.body
    assert page_cache.CSRF_PLACEHOLDER.encode() not in second.body
    for name in ("Content-Type", "X-Frame-Options", "X-Content-Type-Options", "Vary",
                 "Content-Security-Policy"):
        assert second.header(name) == first.header(name)
    assert "script-src 'self'" in second.header("Content-Security-Policy")
    assert second.header("Content-Length") == str(len(second.body))
    # Same page for both apart from each reader's own token.
    assert first.body.replace(first.form_token.encode(), b"") == second.body.replace(
        second.form_token.encode(), b""
    )


def test_a_token_from_the_stored_page_posts_a_comment(shortcut, article):
    get(shortcut, article.get_absolute_url())
    served = get(shortcut, article.get_absolute_url())
    secret = served.csrf_cookie
    assert csrf_tokens.is_valid_secret(secret)
    commenter = Client(enforce_csrf_checks=True)
    commenter.cookies["csrftoken"] = secret
    response = commenter.post(
        f"/comments/post/{article.pk}/",
        comment_payload(text="Posted from the stored page", csrfmiddlewaretoken=served.form_token),
    )
    assert response.status_code == 303
    forged = commenter.post(
        f"/comments/post/{article.pk}/",
        comment_payload(text="Forged", csrfmiddlewaretoken=csrf_tokens.masked_token(
            csrf_tokens.new_secret())),
    )
    assert forged.status_code == 403


def test_a_reader_keeps_their_csrf_cookie_and_a_bad_one_is_replaced(shortcut, article):
    get(shortcut, article.get_absolute_url())
    secret = csrf_tokens.new_secret()
    kept = get(shortcut, article.get_absolute_url(), cookie=f"csrftoken={secret}")
    assert kept.csrf_cookie is None
    assert kept.form_token != csrf_tokens.masked_token(secret)  # masked afresh each time
    replaced = get(shortcut, article.get_absolute_url(), cookie="csrftoken=not-a-secret")
    assert csrf_tokens.is_valid_secret(replaced.csrf_cookie)


def test_an_approved_comment_shows_at_once(shortcut, article, moderator, django_calls):
    get(shortcut, article.get_absolute_url())
    pending = make_comment(article, status="pending", text="Approved a moment later")
    assert b"Approved a moment later" not in get(shortcut, article.get_absolute_url()).body
    services.comment_approve(comment=pending, actor=moderator)
    calls_before = len(django_calls)
    page = get(shortcut, article.get_absolute_url())
    assert b"Approved a moment later" in page.body and len(django_calls) == calls_before + 1


@pytest.mark.parametrize(
    "query, cookie, headers",
    [
        ("?reply_to=1", "", {}),
        ("?utm_source=newsletter", "", {}),
        ("", "sessionid=abc", {}),
        ("", "csrftoken=x; messages=abc", {}),
        ("", "", {"HTTP_HX_REQUEST": "true"}),
    ],
)
def test_anything_personal_or_unusual_goes_to_django(
    shortcut, article, django_calls, query, cookie, headers
):
    get(shortcut, article.get_absolute_url())
    calls_before = len(django_calls)
    get(shortcut, article.get_absolute_url() + query, cookie=cookie, **headers)
    assert len(django_calls) == calls_before + 1


def test_other_orders_and_pages_are_stored_apart(shortcut, article):
    for n in range(12):
        make_comment(article, text=f"Comment number {n}")
    oldest = get(shortcut, article.get_absolute_url()).body
    first = get(shortcut, article.get_absolute_url() + "?order=newest")
    again = get(shortcut, article.get_absolute_url() + "?order=newest")
    assert first.body.replace(first.form_token.encode(), b"") == again.body.replace(
        again.form_token.encode(), b""
    )
    newest = again.body
    # Ten threads a page: each order shows its own first ten.
    assert b"Comment number 0<" in oldest and b"Comment number 11<" not in oldest
    assert b"Comment number 11<" in newest and b"Comment number 0<" not in newest


def test_a_cache_outage_still_serves_the_page(shortcut, article, monkeypatch):
    get(shortcut, article.get_absolute_url())

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(shortcut, "_stored", broken)
    assert get(shortcut, article.get_absolute_url()).status == "200 OK"


def test_the_page_cache_off_means_no_shortcut(shortcut, article, settings, django_calls):
    settings.BROADSHEET_PAGE_CACHE = False
    get(shortcut, article.get_absolute_url())
    get(shortcut, article.get_absolute_url())
    assert len(django_calls) == 2


SHARED_REDIS = {
    "default": {
        "BACKEND": "broadsheet.core.cache.FailOpenRedisCache",
        "LOCATION": "redis://127.0.0.1:6379/14",
    }
}


@pytest.mark.redis
def test_with_redis_every_web_process_serves_the_stored_page_and_drops_it_on_a_decision(
    shortcut, article, moderator, django_calls
):
    from django.core.cache import caches
    from django.test import override_settings

    with override_settings(CACHES=SHARED_REDIS):
        caches["default"].clear()
        other_process = StoredPageShortcut(shortcut.app)
        pending = make_comment(article, status="pending", text="Decided on another process")
        get(shortcut, article.get_absolute_url())
        calls_before = len(django_calls)
        served = get(other_process, article.get_absolute_url())
        assert served.status == "200 OK" and len(django_calls) == calls_before
        services.comment_approve(comment=pending, actor=moderator)
        for process in (shortcut, other_process):
            assert b"Decided on another process" in get(process, article.get_absolute_url()).body
        caches["default"].clear()


def test_with_redis_down_the_page_still_comes_from_django(shortcut, article, django_calls):
    from django.test import override_settings

    with override_settings(CACHES=DEAD_REDIS):
        for _ in range(2):
            assert get(shortcut, article.get_absolute_url()).status == "200 OK"
    assert len(django_calls) == 2
