from django.contrib.sitemaps import Sitemap

from broadsheet.articles.models import Article, Section


class ArticleSitemap(Sitemap):
    changefreq = "hourly"
    limit = 5000

    def items(self):
        return Article.objects.published().select_related("section").order_by("-published_at")

    def lastmod(self, item: Article):
        return item.updated_at


class SectionSitemap(Sitemap):
    changefreq = "hourly"

    def items(self):
        return Section.objects.all()


SITEMAPS = {"articles": ArticleSitemap, "sections": SectionSitemap}
