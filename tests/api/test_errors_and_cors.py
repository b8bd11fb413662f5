"""What other sites' browsers see: CORS for listed origins, JSON errors without tracebacks."""

from __future__ import annotations

import pytest
from django.test import override_settings

from broadsheet.api import comments
from broadsheet.comments.models import Comment
from tests.api.conftest import get_json, post_json
from tests.conftest import make_comment

pytestmark = pytest.mark.django_db

PARTNER = "https://partner.example"


@override_settings(CORS_ALLOWED_ORIGINS=[PARTNER])
def test_a_listed_origin_may_read_comments(client, article):
    response = get_json(client, f"/articles/{article.pk}/comments", HTTP_ORIGIN=PARTNER)

    assert response["Access-Control-Allow-Origin"] == PARTNER


@override_settings(CORS_ALLOWED_ORIGINS=[PARTNER])
def test_an_unlisted_origin_gets_no_cors_permission(client, article):
    response = get_json(
        client, f"/articles/{article.pk}/comments", HTTP_ORIGIN="https://elsewhere.example"
    )

    assert "Access-Control-Allow-Origin" not in response


@override_settings(CORS_ALLOWED_ORIGINS=[PARTNER])
def test_a_listed_origin_may_post_json_after_a_preflight(client, article):
    preflight = client.options(
        f"/api/v1/articles/{article.pk}/comments",
        HTTP_ORIGIN=PARTNER,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
    )
    posted = post_json(
        client, f"/articles/{article.pk}/comments",
        {"name": "Sana", "email": "sana@example.com", "text": "From a partner site."},
        HTTP_ORIGIN=PARTNER,
    )

    assert preflight["Access-Control-Allow-Origin"] == PARTNER
    assert "POST" in preflight["Access-Control-Allow-Methods"]
    assert posted.status_code == 202
    assert posted["Access-Control-Allow-Origin"] == PARTNER


@override_settings(CORS_ALLOWED_ORIGINS=[PARTNER])
def test_cors_stays_off_the_sites_own_pages(client, article):
    response = client.get(article.get_absolute_url(), HTTP_ORIGIN=PARTNER)

    assert "Access-Control-Allow-Origin" not in response


def test_an_anonymous_post_needs_no_csrf_token(article):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = post_json(
        strict, f"/articles/{article.pk}/comments",
        {"name": "Sana", "email": "sana@example.com", "text": "No cookies here."},
    )

    assert response.status_code == 202


def test_a_json_body_sent_as_a_plain_form_is_refused(client, article):
    # What a cross-site <form enctype="text/plain"> would send: no preflight, so no CORS check.
    response = client.post(
        f"/api/v1/articles/{article.pk}/comments",
        '{"name": "Sana", "email": "sana@example.com", "text": "Forged."}',
        content_type="text/plain",
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "bad_body"
    assert not Comment.objects.exists()


def test_an_oversized_body_is_refused_with_413(client, article, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = post_json(
        client, f"/articles/{article.pk}/comments",
        {"name": "Sana", "email": "sana@example.com", "text": "x" * 2000},
    )

    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "too_large"


@pytest.mark.parametrize("debug", [False, True])
def test_an_unexpected_failure_is_json_without_a_traceback(
    client, article, monkeypatch, settings, debug
):
    settings.DEBUG = debug
    make_comment(article)

    def explode(**kwargs):
        raise RuntimeError("secret internals at /srv/broadsheet/db.py line 12")

    monkeypatch.setattr(comments, "comment_threads_for_article", explode)

    response = get_json(client, f"/articles/{article.pk}/comments")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"errors": [{
        "field": "__all__",
        "message": "Something went wrong on our side. Try again in a minute.",
        "code": "server_error",
    }]}
    assert b"secret internals" not in response.content and b"Traceback" not in response.content
