from __future__ import annotations

from weakref import WeakKeyDictionary

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Count, Model, Prefetch, Q, QuerySet
from django.db.models.expressions import Col
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

    Every article page starts here, so the SQL is written out and the rows are read with a
    plain cursor: building the queries through the ORM (a join, a filter, a prefetch), or
    even running them as raw() querysets, cost more than rendering the article itself.
    """
    published = "" if preview else "AND a.status = %s AND a.published_at <= %s"
    params: list = [section, slug]
    if not preview:
        params += [Article.Status.PUBLISHED, timezone.now()]
    # (section, slug) is unique: at most one row, no ORDER BY.
    article = _article_with_its_section(f"s.slug = %s AND a.slug = %s {published}", params)
    if article is None:
        raise Http404("No article at this address.")
    author_columns = ", ".join(f"au.{f.column}" for f in Author._meta.concrete_fields)
    authors = [author for author, _ in _rows(
        Author,
        f"SELECT {author_columns} FROM {Author._meta.db_table} au "
        f"JOIN {Article.authors.through._meta.db_table} link ON link.author_id = au.id "
        f"WHERE link.article_id = %s ORDER BY au.name, au.id",
        [article.pk],
    )]
    # As prefetch_related("authors") would leave it: article.authors.all() needs no query.
    article._prefetched_objects_cache = {"authors": _prefetched(Author, authors)}
    return article


# Each connection's converters per model, found once: asking the backend and every field for
# them cost more than running the query.
_converters_by_connection: WeakKeyDictionary = WeakKeyDictionary()


def _converters(wrapper: BaseDatabaseWrapper, model: type[Model]) -> list[tuple[int, list, Col]]:
    by_model = _converters_by_connection.setdefault(wrapper, {})
    if model not in by_model:
        found = []
        for index, field in enumerate(model._meta.concrete_fields):
            column = field.get_col(model._meta.db_table)
            functions = wrapper.ops.get_db_converters(column) + field.get_db_converters(wrapper)
            if functions:
                found.append((index, functions, column))
        by_model[model] = found
    return by_model[model]


def _rows(model: type[Model], sql: str, params: list, *, extra: int = 0) -> list[tuple]:
    """(instance, the EXTRA columns after the model's own) for each row, as the ORM builds them:
    the database's values through the same converters, then Model.from_db."""
    wrapper = connections[DEFAULT_DB_ALIAS]
    with wrapper.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    converters = _converters(wrapper, model)
    width = len(model._meta.concrete_fields)
    field_names = [f.attname for f in model._meta.concrete_fields]
    found = []
    for row in rows:
        values = list(row[:width])
        for index, functions, column in converters:
            for convert in functions:
                values[index] = convert(values[index], column, wrapper)
        found.append((model.from_db(wrapper.alias, field_names, values), row[width:width + extra]))
    return found


def _prefetched(model, rows: list) -> QuerySet:
    queryset = model.objects.none()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    return queryset


def article_with_section(article_id: int) -> Article | None:
    """The article with this id and its section, in one plain query (every comment posted
    starts here; the ORM's select_related cost more to build than to run), or None."""
    return _article_with_its_section("a.id = %s", [article_id])


def _article_with_its_section(condition: str, params: list) -> Article | None:
    """The first article matching CONDITION (over `a`, the article, and `s`, its section),
    with its section attached as select_related would attach it."""
    article_columns = ", ".join(f"a.{f.column}" for f in Article._meta.concrete_fields)
    found = _rows(
        Article,
        f"SELECT {article_columns}, s.name, s.slug, s.position, s.moderation_policy "
        f"FROM {Article._meta.db_table} a JOIN {Section._meta.db_table} s "
        f"ON s.id = a.section_id WHERE {condition}",
        params,
        extra=4,
    )
    if not found:
        return None
    article, (name, slug, position, policy) = found[0]
    article.section = Section(
        pk=article.section_id, name=name, slug=slug, position=position, moderation_policy=policy
    )
    return article
