from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

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
    """The article at a permalink, its section and authors loaded, in two plain queries.

    Every article page starts here, so the SQL is written out: building it through the ORM
    (a join, a filter, a prefetch) cost more than rendering the article itself.
    """
    published = "" if preview else "AND a.status = %s AND a.published_at <= %s"
    params: list = [section, slug]
    if not preview:
        params += [Article.Status.PUBLISHED, timezone.now()]
    # (section, slug) is unique: at most one row, no ORDER BY.
    found = list(Article.objects.raw(
        f"SELECT a.*, s.name AS _section_name, s.position AS _section_position, "
        f"s.moderation_policy AS _section_policy "
        f"FROM {Article._meta.db_table} a JOIN {Section._meta.db_table} s "
        f"ON s.id = a.section_id WHERE s.slug = %s AND a.slug = %s {published}",
        params,
    ))
    if not found:
        raise Http404("No article at this address.")
    article = found[0]
    article.section = Section(
        pk=article.section_id, name=article._section_name, slug=section,
        position=article._section_position, moderation_policy=article._section_policy,
    )
    authors = list(Author.objects.raw(
        f"SELECT au.* FROM {Author._meta.db_table} au "
        f"JOIN {Article.authors.through._meta.db_table} link ON link.author_id = au.id "
        f"WHERE link.article_id = %s ORDER BY au.name, au.id",
        [article.pk],
    ))
    # As prefetch_related("authors") would leave it: article.authors.all() needs no query.
    article._prefetched_objects_cache = {"authors": _prefetched(Author, authors)}
    return article


def _prefetched(model, rows: list) -> QuerySet:
    queryset = model.objects.none()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    return queryset
