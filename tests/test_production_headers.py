"""What every response says to the browser in production: its Content-Security-Policy, HSTS
and the redirect to HTTPS when they are set, and HEAD answered on the API's public reads."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from broadsheet.core.models import Page
from tests.conftest import make_comment

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
# A script element with no src runs inline, unless it is a data block (JSON-LD, settings).
_INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.IGNORECASE
)
_INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


@pytest.fixture
def html_pages(article, moderator) -> dict[str, tuple[Client, str, dict]]:
    comment = make_comment(article)
    make_comment(article, status="pending")
    Page.objects.update_or_create(slug="about", defaults={"title": "About", "body": "Us."})
    reader, staff = Client(), Client()
    staff.force_login(moderator)
    return {
        "home": (reader, "/", {}),
        "article": (reader, article.get_absolute_url(), {}),
        "article again (stored)": (reader, article.get_absolute_url(), {}),
        "section": (reader, article.section.get_absolute_url(), {}),
        "reply form in place": (reader, f"/comments/{comment.pk}/reply/", HTMX),
        "report page": (reader, f"/comments/{comment.pk}/report/", {}),
        "not found": (reader, "/no/such/page/", {}),
        "login": (reader, "/accounts/login/", {}),
        "admin login": (reader, "/admin/login/", {}),
        "api docs": (reader, "/api/v1/docs", {}),
        "desk": (staff, "/desk/", {}),
        "desk activity": (staff, "/desk/activity/", {}),
        "desk item": (staff, f"/desk/comments/{comment.pk}/", {}),
        "desk ban": (staff, f"/desk/comments/{comment.pk}/ban/", {}),
        "admin": (staff, "/admin/", {}),
    }


def test_every_html_page_carries_the_policy_and_no_inline_script(html_pages):
    for name, (browser, path, headers) in html_pages.items():
        response = browser.get(path, headers=headers)
        assert response["Content-Type"].startswith("text/html"), name
        policy = response.get("Content-Security-Policy", "")
        directives = dict(
            (part.split(" ", 1) + [""])[:2] for part in policy.split("; ") if part
        )
        assert directives.get("script-src") == "'self'", (name, policy)
        assert directives.get("default-src") == "'self'", (name, policy)
        assert directives.get("frame-ancestors") == "'none'", (name, policy)
        html = response.content.decode()
        assert not _INLINE_SCRIPT.search(html), (name, _INLINE_SCRIPT.search(html))
        assert not _INLINE_HANDLER.search(html), (name, _INLINE_HANDLER.search(html))


def test_the_api_docs_load_nothing_from_another_site(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', response.content.decode())
    assert sources and all(source.startswith("/") for source in sources), sources
    assert "/static/ninja/swagger-ui-bundle.js" in sources
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200


@pytest.mark.parametrize("path", [
    "/api/v1/articles/{article}/comments",
    "/api/v1/comments/{comment}",
    "/api/v1/comment-counts?article={article}",
    "/api/v1/openapi.json",
])
def test_head_on_the_apis_public_reads_answers_like_get_without_a_body(client, article, path):
    comment = make_comment(article)
    path = path.format(article=article.pk, comment=comment.pk)

    got = client.get(path)
    head = client.head(path)

    assert (got.status_code, head.status_code) == (200, 200)
    assert head.content == b""
    assert head["Content-Type"] == got["Content-Type"]
    assert head["Content-Length"] == str(len(got.content))
    if got.has_header("ETag"):
        assert head["ETag"] == got["ETag"]


def test_head_of_a_missing_comment_is_still_not_found(client):
    assert client.head("/api/v1/comments/999999").status_code == 404


def test_hsts_and_the_redirect_to_https_follow_the_settings(client, settings, article):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_SSL_REDIRECT = True

    plain = client.get(article.get_absolute_url())
    secure = client.get(article.get_absolute_url(), secure=True)

    assert plain.status_code == 301
    assert plain["Location"].startswith("https://")
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
