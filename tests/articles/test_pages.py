"""What a reader sees of articles: the page, lists, feeds, sitemap and metadata."""

from __future__ import annotations

import json
import re

import pytest
from django.utils import timezone

from tests.conftest import make_article

pytestmark = pytest.mark.django_db


def test_the_article_page_has_every_part_a_reader_expects(client, article, faq):
    html = client.get(article.get_absolute_url()).content.decode()
    assert f"<h1 class=\"headline\">{article.headline}</h1>" in html
    assert article.deck in html
    assert 'href="/authors/amina-qureshi/"' in html
    assert '<span class="dateline">KARACHI:</span> Rain held up play' in html
    assert "<em>ground staff</em>" in html
    assert "Published in The Broadsheet, " in html
    assert "Comments are moderated and generally will be posted if they are on-topic" in html
    assert 'href="/pages/comments-faq/"' in html


def test_the_permalink_has_the_section_and_date_and_redirects_other_dates(client, article):
    local = timezone.localtime(article.published_at)
    url = article.get_absolute_url()
    assert url == f"/sport/{local:%Y/%m/%d}/{article.slug}/"
    wrong = client.get(f"/sport/2001/01/01/{article.slug}/")
    assert wrong.status_code == 301 and wrong["Location"] == url


def test_json_ld_and_open_graph_describe_the_article(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(block.group(1))
    assert data["@type"] == "NewsArticle" and data["headline"] == article.headline
    assert data["author"][0]["name"] == "Amina Qureshi"
    assert f'<meta property="og:title" content="{article.headline}">' in html


def test_home_section_and_author_pages_list_published_articles(client, article, section, author):
    make_article(section, headline="A draft nobody sees", status="draft")
    for url in ("/", "/sport/", "/authors/amina-qureshi/"):
        html = client.get(url).content.decode()
        assert article.headline in html
        assert "A draft nobody sees" not in html


def test_feeds_and_sitemap_list_the_latest_articles(client, article):
    for url in ("/feeds/latest.rss", "/feeds/latest.atom", "/feeds/sport.rss", "/sitemap.xml"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert article.slug.encode() in response.content or article.headline.encode() in (
            response.content
        )


def test_the_faq_page_is_written_by_editors(client, faq):
    html = client.get("/pages/comments-faq/").content.decode()
    assert "<strong>moderated</strong>" in html


def test_an_unknown_address_gets_a_friendly_404(client, db):
    response = client.get("/no/such/page/at/all/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"Traceback" not in response.content


def test_drafts_are_hidden_from_readers_but_previewable_by_staff(client, section, moderator):
    draft = make_article(section, status="draft")
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(moderator)
    assert client.get(draft.get_absolute_url()).status_code == 200
