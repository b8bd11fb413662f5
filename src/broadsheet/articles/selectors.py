from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar
from weakref import WeakKeyDictionary

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, Prefetch, Q, QuerySet
from django.db.models.expressions import Col, Combinable
from django.http import Http404
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from broadsheet.articles.cache import nav_sections_key
from broadsheet.articles.models import Article, Author, Section

_M = TypeVar("_M", bound=Model)


def article_list(
    *,
    section: Section | None = None,
    author: Author | None = None,
    comment_count: Combinable | None = None,
) -> QuerySet:
    """Published articles, newest first. COMMENT_COUNT, an expression over the article's
    "pk", is annotated as `approved_comments`: it is handed in from above, as the comments
    (comments.selectors.public_comment_count) sit above articles."""
    articles = Article.objects.published().select_related("section").prefetch_related(
        Prefetch("authors", queryset=Author.objects.only("id", "name", "slug"))
    )
    if section is not None:
        articles = articles.filter(section=section)
    if author is not None:
        articles = articles.filter(authors=author)
    if comment_count is not None:
        articles = articles.annotate(approved_comments=comment_count)
    return articles.order_by("-published_at", "-id")


def front_page_sections(
    *, per_section: int = 5, comment_count: Combinable | None = None
) -> list[tuple[Section, list[Article]]]:
    latest = list(article_list(comment_count=comment_count)[:200])
    grouped: dict[int, list[Article]] = {}
    for article in latest:
        grouped.setdefault(article.section_id, []).append(article)
    return [
        (section, grouped[section.pk][:per_section])
        for section in Section.objects.all()
        if section.pk in grouped
    ]


@dataclass(frozen=True)
class RelatedStory:
    """A story under an article, its text escaped for HTML once when the list is made: the
    template's autoescaping of four fields per story on every page cost more than the rest of
    the box."""

    headline: SafeString
    url: SafeString
    published_at: datetime
    # The date as the page shows it, made once with the list rather than by two date filters
    # per story on every page.
    published_iso: SafeString = SafeString("")
    published_label: SafeString = SafeString("")

    @classmethod
    def of(cls, headline: str, url: str, published_at: datetime) -> RelatedStory:
        local = timezone.localtime(published_at)
        label = f"{local.day} {MONTHS[local.month]} {local.year}"
        return cls(
            conditional_escape(headline), conditional_escape(url), published_at,
            conditional_escape(local.isoformat()), conditional_escape(label),
        )


RELATED_CACHE_SECONDS = 300


@dataclass(frozen=True)
class NavSection:
    """A section in the masthead, its name and address escaped for HTML once when the list is
    made (every page draws them)."""

    name: SafeString
    slug: str
    url: SafeString


def nav_sections() -> list[NavSection]:
    """The site's sections in their order, for every page's masthead (cached until an editor
    changes one: articles.cache.sections_changed)."""
    key = nav_sections_key(get_language())
    sections = cache.get(key)
    if sections is None:
        sections = [
            NavSection(
                conditional_escape(section.name), section.slug,
                conditional_escape(section.get_absolute_url()),
            )
            for section in Section.objects.only("name", "slug", "position")
        ]
        cache.set(key, sections, 300)
    return sections


def related_stories(article: Article, *, limit: int = 4) -> list[RelatedStory]:
    """Other published articles from the same section or sharing a tag, newest first; kept
    a few minutes, as a newer story appearing a little late under older ones harms nobody."""
    key = f"article-related:v3:{article.pk}:{limit}:{get_language()}"  # links carry the language
    stories = cache.get(key)
    if stories is None:
        links = Article.tags.through.objects
        shares_a_tag = links.filter(
            tag_id__in=links.filter(article_id=article.pk).values("tag_id")
        ).values("article_id")
        stories = [
            RelatedStory.of(found.headline, found.get_absolute_url(), found.published_at)
            for found in Article.objects.published()
            .filter(Q(section_id=article.section_id) | Q(pk__in=shares_a_tag))
            .exclude(pk=article.pk)
            .select_related("section")
            .only("headline", "slug", "published_at", "section__slug")
            .order_by("-published_at", "-id")[:limit]
        ]
        cache.set(key, stories, RELATED_CACHE_SECONDS)
    return stories


def article_for_permalink(
    *, section: str, year: int, month: int, day: int, slug: str, preview: bool = False
) -> Article:
    """The article at a permalink, its section and authors loaded, in one plain query.

    Every article page starts here, so the SQL is written out and the rows are read with a
    plain cursor: building the queries through the ORM (a join, a filter, a prefetch), or
    even running them as raw() querysets, cost more than rendering the article itself.
    """
    published = "" if preview else "AND a.status = %s AND a.published_at <= %s"
    params: list = [section, slug]
    if not preview:
        params += [Article.Status.PUBLISHED, timezone.now()]
    # (section, slug) is unique: one row per author (one row when there is none), in byline
    # order. Joined rather than asked for separately, as a second round trip to the database
    # cost more than repeating the article's columns on a second author's row.
    found = _article_with_its_section(
        f"s.slug = %s AND a.slug = %s {published}",
        params,
        joins=(
            f"LEFT JOIN {Article.authors.through._meta.db_table} link ON link.article_id = a.id "
            f"LEFT JOIN {Author._meta.db_table} au ON au.id = link.author_id"
        ),
        extra_columns=[f"au.{f.column}" for f in Author._meta.concrete_fields],
        order_by="au.name, au.id",
    )
    if found is None:
        raise Http404("No article at this address.")
    article, author_rows = found
    authors = [_instance(Author, values) for values in author_rows if values[0] is not None]
    # As prefetch_related("authors") would leave it: article.authors.all() needs no query.
    # Django sets this attribute on instances at run time; django-stubs does not declare it.
    article._prefetched_objects_cache = {  # type: ignore[attr-defined]
        "authors": _prefetched(Author, authors)
    }
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
            # Every Django field has get_db_converters; django-stubs declares it on few.
            field_functions = field.get_db_converters(wrapper)  # type: ignore[attr-defined]
            functions = wrapper.ops.get_db_converters(column) + field_functions
            if functions:
                found.append((index, functions, column))
        by_model[model] = found
    return by_model[model]


def _instance(model: type[_M], values: Sequence) -> _M:
    """A model instance from a row of its concrete fields' columns, as the ORM builds it: the
    database's values through the same converters, then Model.from_db."""
    wrapper = connections[DEFAULT_DB_ALIAS]
    values = list(values)
    for index, functions, column in _converters(wrapper, model):
        for convert in functions:
            values[index] = convert(values[index], column, wrapper)
    return model.from_db(wrapper.alias, [f.attname for f in model._meta.concrete_fields], values)


def _prefetched(model, rows: list) -> QuerySet:
    queryset = model.objects.none()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    return queryset


def article_with_section(article_id: int) -> Article | None:
    """The article with this id and its section, in one plain query (every comment posted
    starts here; the ORM's select_related cost more to build than to run), or None."""
    found = _article_with_its_section("a.id = %s", [article_id])
    return found[0] if found else None


def _article_with_its_section(
    condition: str,
    params: list,
    *,
    joins: str = "",
    extra_columns: Sequence[str] = (),
    order_by: str = "",
) -> tuple[Article, list[tuple]] | None:
    """The article matching CONDITION (over `a`, the article, and `s`, its section) with its
    section attached as select_related would, and the EXTRA_COLUMNS of each row (JOINS may
    give one article several rows), or None."""
    fields = Article._meta.concrete_fields
    article_columns = ", ".join(f"a.{f.column}" for f in fields)
    more = "".join(f", {column}" for column in extra_columns)
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(
            f"SELECT {article_columns}, s.name, s.slug, s.position, s.moderation_policy, "
            f"s.commenting{more} "
            f"FROM {Article._meta.db_table} a JOIN {Section._meta.db_table} s "
            f"ON s.id = a.section_id {joins} WHERE {condition}"
            + (f" ORDER BY {order_by}" if order_by else ""),
            params,
        )
        rows = cursor.fetchall()
    if not rows:
        return None
    width = len(fields)
    article = _instance(Article, rows[0][:width])
    name, slug, position, policy, commenting = rows[0][width : width + 5]
    article.section = Section(
        pk=article.section_id, name=name, slug=slug, position=position, moderation_policy=policy,
        commenting=commenting,
    )
    return article, [row[width + 5 :] for row in rows]
