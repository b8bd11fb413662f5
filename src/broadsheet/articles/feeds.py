from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed, Enclosure

from broadsheet.articles.images import RENDITION_MIME, absolute_url, picture_for
from broadsheet.articles.models import Article, Section
from broadsheet.core.models import SiteSettings


class LatestArticlesFeed(Feed):
    description_template = None

    def title(self, obj: Section | None = None) -> str:
        site = SiteSettings.load().site_name
        return f"{site}: {obj.name}" if obj else f"{site}: latest"

    def link(self, obj: Section | None = None) -> str:
        return obj.get_absolute_url() if obj else "/"

    def description(self, obj: Section | None = None) -> str:
        return "The latest articles" + (f" in {obj.name}" if obj else "")

    def items(self, obj: Section | None = None):
        articles = Article.objects.published().select_related("section", "lead_image")
        if obj is not None:
            articles = articles.filter(section=obj)
        return articles.prefetch_related("authors")[:30]

    def item_title(self, item: Article) -> str:
        return item.headline

    def item_description(self, item: Article) -> str:
        return item.deck

    def item_pubdate(self, item: Article):
        return item.published_at

    def item_updateddate(self, item: Article):
        return item.updated_at

    def item_enclosures(self, item: Article) -> list[Enclosure]:
        picture = picture_for(item.lead_image)
        if picture is None:
            return []
        url = absolute_url(picture.largest_url, settings.SITE_URL)
        return [Enclosure(url, str(picture.largest_size), RENDITION_MIME)]

    def item_author_name(self, item: Article) -> str:
        return ", ".join(a.name for a in item.authors.all())


class SectionFeed(LatestArticlesFeed):
    def get_object(self, request, section: str) -> Section:
        return get_object_or_404(Section, slug=section)


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed
    subtitle = LatestArticlesFeed.description


class SectionAtomFeed(SectionFeed):
    feed_type = Atom1Feed
    subtitle = LatestArticlesFeed.description
