"""Under each article: more to read from the same section or tags, and ways to pass it on."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from broadsheet.articles.models import Section, Tag
from tests.conftest import make_article

pytestmark = pytest.mark.django_db


def related_headlines(client, article) -> list[str]:
    html = client.get(article.get_absolute_url()).content.decode()
    aside = re.search(r'<aside class="related".*?</aside>', html, re.S)
    return re.findall(r'<li><a href="[^"]+">([^<]+)</a>', aside.group(0)) if aside else []


def test_related_stories_share_the_section_or_a_tag_newest_first(client, section):
    now = timezone.now()
    city = Section.objects.create(name="City", slug="city")
    floods = Tag.objects.create(name="Floods", slug="floods")
    article = make_article(section, headline="Storm hits Karachi")
    article.tags.add(floods)
    make_article(section, headline="Older sport story", published_at=now - timedelta(days=3))
    make_article(section, headline="Newer sport story", published_at=now - timedelta(hours=1))
    tagged = make_article(
        city, headline="Drains blocked again", published_at=now - timedelta(days=1)
    )
    tagged.tags.add(floods)
    make_article(city, headline="Unrelated city story")
    make_article(section, headline="Sport draft", status="draft")
    make_article(section, headline="Sport scheduled", published_at=now + timedelta(days=1))
    assert related_headlines(client, article) == [
        "Newer sport story", "Drains blocked again", "Older sport story",
    ]


def test_related_stories_are_a_handful(client, section):
    article = make_article(section)
    for n in range(6):
        make_article(section, headline=f"Another sport story {n}")
    assert len(related_headlines(client, article)) == 4


def test_an_article_alone_in_its_section_shows_no_related_box(client, article):
    assert related_headlines(client, article) == []
    assert 'class="related"' not in client.get(article.get_absolute_url()).content.decode()


def test_share_links_are_plain_urls_with_no_third_party_script(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    share = re.search(r'<nav class="share".*?</nav>', html, re.S).group(0)
    links = dict(
        (name, href.replace("&amp;", "&"))
        for href, name in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', share)
    )
    page_url = "http://testserver" + article.get_absolute_url()
    assert set(links) == {"Email", "X", "Facebook", "WhatsApp"}
    assert parse_qs(urlsplit(links["Email"]).query) == {
        "subject": [article.headline], "body": [page_url]}
    assert links["Email"].startswith("mailto:?")
    assert parse_qs(urlsplit(links["X"]).query)["url"] == [page_url]
    assert parse_qs(urlsplit(links["Facebook"]).query)["u"] == [page_url]
    assert parse_qs(urlsplit(links["WhatsApp"]).query)["text"] == [
        f"{article.headline} {page_url}"]
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', html)
    assert all(src.startswith("/static/") for src in scripts)
