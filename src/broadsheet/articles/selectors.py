from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from broadsheet.articles.models import Article, Author, Section
from broadsheet.comments.models import Comment


def article_list(*, section: Section | None = None, author: Author | None = None) -> QuerySet:
    articles = Article.objects.published().select_related("section").prefetch_related(
        Prefetch("authors", queryset=Author.objects.only("id", "name", "slug"))
    )
    if section is not None:
        articles = articles.filter(section=section)
    if author is not None:
        articles = articles.filter(authors=author)
    return articles.annotate(
        approved_comments=Count("comments", filter=Q(comments__status=Comment.Status.APPROVED))
    ).order_by("-published_at", "-id")


def front_page_sections(*, per_section: int = 5) -> list[tuple[Section, list[Article]]]:
    latest = list(article_list()[:200])
    grouped: dict[int, list[Article]] = {}
    for article in latest:
        grouped.setdefault(article.section_id, []).append(article)
    return [
        (section, grouped[section.pk][:per_section])
        for section in Section.objects.all()
        if section.pk in grouped
    ]


def article_for_permalink(
    *, section: str, year: int, month: int, day: int, slug: str, preview: bool = False
) -> Article:
    articles = Article.objects.select_related("section").prefetch_related("authors")
    if not preview:
        articles = articles.published()
    # (section, slug) is unique: no ORDER BY needed to pick the one row.
    article = next(iter(articles.filter(section__slug=section, slug=slug).order_by()[:1]), None)
    if article is None:
        raise Http404("No article at this address.")
    return article
