from django.urls import path

from broadsheet.articles import feeds
from broadsheet.reading import views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("feeds/latest.rss", feeds.LatestArticlesFeed(), name="feed-rss"),
    path("feeds/latest.atom", feeds.LatestArticlesAtomFeed(), name="feed-atom"),
    path("feeds/<slug:section>.rss", feeds.SectionFeed(), name="section-feed-rss"),
    path("feeds/<slug:section>.atom", feeds.SectionAtomFeed(), name="section-feed-atom"),
    path("authors/<slug:slug>/", views.author_detail, name="author"),
    path(
        "<slug:section>/<int:year>/<int:month>/<int:day>/<slug:slug>/",
        views.article_detail,
        name="detail",
    ),
    path("<slug:section>/", views.section_detail, name="section"),
]
