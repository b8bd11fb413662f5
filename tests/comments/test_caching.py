"""Cached article pages: fast for readers, never stale after a decision, never hiding your own."""

from __future__ import annotations

import pytest
from django.test import Client

from broadsheet.moderation import services
from broadsheet.moderation.models import RejectionReason
from tests.conftest import comment_payload, make_comment

pytestmark = pytest.mark.django_db


def test_a_cached_page_shows_a_comment_as_soon_as_it_is_approved(article, moderator):
    reader = Client()
    pending = make_comment(article, status="pending", text="Soon to be approved")
    assert b"Soon to be approved" not in reader.get(article.get_absolute_url()).content
    services.comment_approve(comment=pending, actor=moderator)
    page = reader.get(article.get_absolute_url()).content
    assert b"Soon to be approved" in page and b"Comments (1)" in page


def test_a_cached_page_drops_a_comment_as_soon_as_it_is_rejected_or_edited(article, moderator):
    reader = Client()
    shown = make_comment(article, text="Was fine until reported")
    edited = make_comment(article, text="Teh typo")
    assert b"Was fine until reported" in reader.get(article.get_absolute_url()).content
    services.comment_reject(
        comment=shown, actor=moderator, reason=RejectionReason.objects.get(slug="abusive")
    )
    services.comment_edit_approve(comment=edited, actor=moderator, text="The typo", max_length=99)
    page = reader.get(article.get_absolute_url()).content
    assert b"Was fine until reported" not in page
    assert b"The typo" in page and b"Teh typo" not in page


def test_a_commenter_sees_their_pending_comment_even_when_the_page_is_cached(client, article):
    Client().get(article.get_absolute_url())  # warm the cache for everyone
    client.post(f"/comments/post/{article.pk}/", comment_payload(text="Mine, still pending"))
    assert b"Mine, still pending" in client.get(article.get_absolute_url()).content


def test_a_cached_article_page_needs_only_a_few_queries(
    article, django_assert_max_num_queries
):
    for n in range(40):
        make_comment(article, minutes_ago=100 - n)
    reader = Client()
    reader.get(article.get_absolute_url())
    with django_assert_max_num_queries(5):
        assert reader.get(article.get_absolute_url()).status_code == 200


def test_closing_comments_updates_the_cached_page(article):
    from broadsheet.articles.services import article_saved

    make_comment(article)
    reader = Client()
    assert b"Post comment" in reader.get(article.get_absolute_url()).content
    article.comments_closed = True
    article.save()
    article_saved(article=article)
    page = reader.get(article.get_absolute_url()).content
    assert b"Comments are closed" in page and b">Reply<" not in page


def test_a_cached_page_is_served_without_queries_and_with_a_working_csrf_token(
    article, django_assert_max_num_queries
):
    from broadsheet.reading.page_cache import CSRF_PLACEHOLDER

    reader = Client(enforce_csrf_checks=True)
    reader.get(article.get_absolute_url())
    with django_assert_max_num_queries(0):
        page = reader.get(article.get_absolute_url()).content.decode()
    assert CSRF_PLACEHOLDER not in page
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = reader.post(
        f"/comments/post/{article.pk}/",
        comment_payload(text="Posted from a cached page", csrfmiddlewaretoken=token),
    )
    assert response.status_code == 303


def test_made_up_query_strings_share_one_cached_page(article):
    from django.core.cache import cache

    reader = Client()
    for n in range(5):
        reader.get(f"{article.get_absolute_url()}?utm_source=x{n}")
    page_keys = [k for k in cache._cache if ":page:" in k]  # locmem's own store
    assert len(page_keys) == 1


def test_the_count_follows_every_decision_with_the_page_cache_off(
    article, moderator, settings
):
    settings.BROADSHEET_PAGE_CACHE = False
    reader = Client()
    make_comment(article)
    pending = make_comment(article, status="pending")
    assert b"Comments (1)" in reader.get(article.get_absolute_url()).content
    services.comment_approve(comment=pending, actor=moderator)
    assert b"Comments (2)" in reader.get(article.get_absolute_url()).content
    services.comment_reject(
        comment=pending, actor=moderator, reason=RejectionReason.objects.get(slug="abusive")
    )
    assert b"Comments (1)" in reader.get(article.get_absolute_url()).content
