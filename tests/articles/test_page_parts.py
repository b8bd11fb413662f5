"""The article page's own parts: its dates, the site's settings, the article as stored."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django.utils.dateformat import format as date_format

from broadsheet.articles.models import Article
from broadsheet.articles.selectors import article_for_permalink
from broadsheet.core.models import SiteSettings

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("zone", ["UTC", "Asia/Karachi"])
def test_the_publication_time_is_shown_in_the_sites_time_zone(client, article, settings, zone):
    settings.TIME_ZONE = zone
    with timezone.override(zone):
        local = timezone.localtime(article.published_at)
    html = client.get(article.get_absolute_url()).content.decode()
    assert (
        f'Published <time datetime="{local.isoformat()}">{date_format(local, "j F Y, H:i")}</time>'
        in html
    )
    assert f'<meta property="article:published_time" content="{local.isoformat()}">' in html


def test_a_change_to_the_site_settings_shows_on_the_next_page_drawn(client, article, settings):
    settings.BROADSHEET_PAGE_CACHE = False  # a stored page keeps its settings a while
    assert "· The Broadsheet</title>" in client.get(article.get_absolute_url()).content.decode()
    site = SiteSettings.load()
    site.site_name = "The Evening Broadsheet"
    site.paper_name = "The Evening Paper"
    site.save()
    html = client.get(article.get_absolute_url()).content.decode()
    assert "· The Evening Broadsheet</title>" in html
    assert "Published in The Evening Paper, " in html
    assert '"publisher": {"@type": "Organization", "name": "The Evening Paper"}' in html


def test_the_permalink_reads_the_article_as_the_orm_does(article, author):
    local = timezone.localtime(article.published_at)
    found = article_for_permalink(
        section=article.section.slug, year=local.year, month=local.month, day=local.day,
        slug=article.slug,
    )
    stored = Article.objects.get(pk=article.pk)
    for field in Article._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(stored, field.attname), field.name
        assert type(getattr(found, field.attname)) is type(getattr(stored, field.attname))
    assert found.published_at.tzinfo is not None
    assert found.section.name == article.section.name
    assert [a.name for a in found.authors.all()] == [author.name]
    assert not found._state.adding
