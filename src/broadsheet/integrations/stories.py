"""Stories that live elsewhere (a CMS page, an imported thread) and their articles here."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from broadsheet.articles.models import Article, Section
from broadsheet.articles.services import article_saved
from broadsheet.integrations.models import ExternalStory

EXTERNAL_SECTION_SLUG = "elsewhere"
EXTERNAL_SECTION_NAME = "Elsewhere"
MAX_SUMMARY = 20_000


class StoryError(ValueError):
    """A story address or title that cannot be used, said in the host's terms."""


def normalise_url(url: str) -> str:
    """The story's address without query, fragment or trailing slash, host in lower case:
    the same story reached through a tracking link is still the same story."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise StoryError(f"{url[:200]!r} is not an http:// or https:// address.")
    path = parts.path.rstrip("/") or ""
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, "", ""))


def _own_article_at(url: str) -> Article | None:
    """The site's own article whose permalink is URL (an import of this site's old comments)."""
    parts = urlsplit(url)
    site = urlsplit(settings.SITE_URL)
    if parts.netloc != site.netloc.lower():
        return None
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) != 5 or not all(s.isdigit() for s in segments[1:4]):
        return None
    section, year, month, day, slug = segments
    candidates = Article.objects.select_related("section").filter(
        section__slug=section, slug=slug, published_at__year=int(year)
    )
    return next(
        (a for a in candidates if a.get_absolute_url().strip("/") == parts.path.strip("/")),
        None,
    )


def story_article(url: str) -> Article | None:
    """The article that holds the comments of the story at URL, if there is one."""
    normalised = normalise_url(url)
    story = ExternalStory.objects.select_related("article").filter(url=normalised).first()
    if story is not None:
        return story.article
    return _own_article_at(normalised)


def _unique_slug(section: Section, title: str) -> str:
    base = slugify(title)[:180].strip("-") or "story"
    slug, n = base, 1
    while Article.objects.filter(section=section, slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def story_get_or_create(
    *, url: str, title: str, summary: str = "", published_at: datetime | None = None
) -> tuple[Article, bool]:
    """The article for the story at URL, created (published, in the Elsewhere section) the
    first time the story is seen. Returns (article, created)."""
    found = story_article(url)
    if found is not None:
        return found, False
    title = " ".join(title.split())[:200]
    if not title:
        raise StoryError("The story has no title (data-title on the page).")
    normalised = normalise_url(url)
    section, _ = Section.objects.get_or_create(
        slug=EXTERNAL_SECTION_SLUG, defaults={"name": EXTERNAL_SECTION_NAME, "position": 999}
    )
    now = timezone.now()
    try:
        with transaction.atomic():
            article = Article.objects.create(
                headline=title,
                slug=_unique_slug(section, title),
                section=section,
                body=summary.strip()[:MAX_SUMMARY],
                status=Article.Status.PUBLISHED,
                published_at=min(published_at or now, now),
            )
            ExternalStory.objects.create(url=normalised, article=article)
    except IntegrityError:  # another request created it a moment ago
        return ExternalStory.objects.select_related("article").get(url=normalised).article, False
    article_saved(article=article)
    return article, True
