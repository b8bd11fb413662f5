from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from broadsheet.core.links import link
from broadsheet.core.models import Commenting, ModerationPolicy

# First path segments that belong to the site itself, so no section may take them.
RESERVED_SECTION_SLUGS = {
    "admin", "desk", "api", "authors", "feeds", "static", "pages", "comments", "accounts",
    "sitemap.xml", "robots.txt", "tags", "search", "media", "embed", "embed-demo", "embed.js",
}


def validate_section_slug(value: str) -> None:
    if value in RESERVED_SECTION_SLUGS:
        raise ValidationError(f'"{value}" is used by the site itself; choose another slug.')


def next_section_position() -> int:
    """A new section goes after the existing ones."""
    last = Section.objects.aggregate(last=models.Max("position"))["last"]
    return 0 if last is None else last + 1


class Section(models.Model):
    name = models.CharField(max_length=80)
    slug = models.SlugField(unique=True, validators=[validate_section_slug])
    position = models.PositiveSmallIntegerField(
        default=next_section_position, help_text="Order in the masthead and on the home page."
    )
    moderation_policy = models.CharField(
        max_length=20,
        choices=ModerationPolicy.choices,
        blank=True,
        help_text="Leave empty to follow the site-wide policy.",
    )
    commenting = models.CharField(
        max_length=20,
        choices=Commenting.choices,
        blank=True,
        help_text="Who may comment here; leave empty to follow the site-wide setting.",
    )
    # Trust rules for this section's comments; empty follows the site settings.
    trust_hold_first = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Leave empty to follow the site settings."
    )
    trust_publish_after = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Leave empty to follow the site settings."
    )
    trust_clean_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Leave empty to follow the site settings."
    )

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return link("articles:section", self.slug)


class Author(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(unique=True)
    bio = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return link("articles:author", self.slug)


class Tag(models.Model):
    name = models.CharField(max_length=60)
    slug = models.SlugField(unique=True)

    def __str__(self) -> str:
        return self.name


class Image(models.Model):
    """A picture uploaded by editors, with the smaller copies pages offer browsers."""

    file = models.ImageField(
        upload_to="images/%Y/%m/", width_field="width", height_field="height",
        help_text="JPEG, PNG or WebP. Smaller copies for phones and feeds are made on upload.",
    )
    alt_text = models.CharField(
        max_length=250,
        help_text="What the picture shows, read aloud to readers who cannot see it.",
    )
    caption = models.CharField(max_length=300, blank=True)
    credit = models.CharField(max_length=120, blank=True, help_text='e.g. "Photo: Reuters"')
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    # [{"width", "height", "name", "size"}] narrowest first, as made by articles.images.
    renditions = models.JSONField(default=list, editable=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.alt_text


class ArticleQuerySet(models.QuerySet):
    def published(self) -> ArticleQuerySet:
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    headline = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200)
    deck = models.CharField(max_length=300, blank=True, help_text="The sub-headline.")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="articles")
    authors = models.ManyToManyField(Author, related_name="articles", blank=True)
    tags = models.ManyToManyField(Tag, related_name="articles", blank=True)
    dateline = models.CharField(max_length=60, blank=True, help_text='e.g. "LAHORE"')
    lead_image = models.ForeignKey(
        Image, null=True, blank=True, on_delete=models.SET_NULL, related_name="lead_of",
        help_text="Shown above the story, in link previews and in the feeds.",
    )
    body = models.TextField(help_text="Markdown.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        default=timezone.now,
        help_text="A time in the future schedules the article: it appears then.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    print_edition_date = models.DateField(
        null=True, blank=True, help_text="Set when the article also ran in print."
    )
    comments_closed = models.BooleanField(
        default=False, help_text="Close the comments on this article now."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-published_at"]),
            models.Index(fields=["section", "status", "-published_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["section", "slug"], name="unique_article_slug_per_section"
            )
        ]

    def __str__(self) -> str:
        return self.headline

    def get_absolute_url(self) -> str:
        local = timezone.localtime(self.published_at)
        return link(
            "articles:detail",
            section=self.section.slug,
            year=local.year,
            month=f"{local.month:02d}",
            day=f"{local.day:02d}",
            slug=self.slug,
        )

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()

    def comments_open(self, close_after_days: int | None) -> bool:
        if self.comments_closed or not self.is_published:
            return False
        if close_after_days is not None:
            return timezone.now() < self.published_at + timedelta(days=close_after_days)
        return True
