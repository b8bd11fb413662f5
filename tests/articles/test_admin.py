"""Editors work in the Django admin: articles, comment closing, site settings."""

from __future__ import annotations

import pytest

from broadsheet.articles.models import Article
from tests.conftest import make_article

pytestmark = pytest.mark.django_db


def test_an_editor_closes_and_reopens_comments_from_the_article_list(editor_client, section):
    article = make_article(section)
    url = "/admin/articles/article/"
    editor_client.post(url, {"action": "close_comments", "_selected_action": [article.pk]})
    article.refresh_from_db()
    assert article.comments_closed
    assert b"Comments are closed" in editor_client.get(article.get_absolute_url()).content
    editor_client.post(url, {"action": "open_comments", "_selected_action": [article.pk]})
    article.refresh_from_db()
    assert not article.comments_closed


def test_an_editor_publishes_a_draft(editor_client, section):
    draft = make_article(section, status="draft")
    editor_client.post("/admin/articles/article/",
                       {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED


def test_every_admin_page_for_editors_opens(editor_client, article):
    for url in ("/admin/articles/article/add/", f"/admin/articles/article/{article.pk}/change/",
                "/admin/core/sitesettings/", "/admin/core/page/", "/admin/moderation/",
                "/admin/moderation/rejectionreason/", "/admin/moderation/wordlistentry/"):
        assert editor_client.get(url).status_code == 200, url


def test_a_section_cannot_take_a_slug_the_site_uses(editor_client):
    response = editor_client.post(
        "/admin/articles/section/add/", {"name": "Desk", "slug": "desk", "position": 0}
    )
    assert response.status_code == 200
    assert b"used by the site itself" in response.content
