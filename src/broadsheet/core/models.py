from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.dateformat import format as date_format


class ModerationPolicy(models.TextChoices):
    PREMODERATE = "premoderate", "Pre-moderate: a moderator approves every comment"
    AUTO = "auto", "Auto: publish clean comments, reject clear violations, hold the rest"
    POSTMODERATE = "postmoderate", "Post-moderate: publish unless a scanner holds it"


class Commenting(models.TextChoices):
    ANYONE = "anyone", "Anyone: a name and an email address, or a reader account"
    VERIFIED = "verified", "Reader accounts with a confirmed email address only"
    SUBSCRIBERS = "subscribers", "Subscribers only"


PRINT_EDITION_PLACEHOLDERS = ("{paper}", "{date}")


def validate_print_edition_line(value: str) -> None:
    if "{date}" not in value:
        raise ValidationError("Put {date} where the print date goes.")
    rest = value
    for placeholder in PRINT_EDITION_PLACEHOLDERS:
        rest = rest.replace(placeholder, "")
    if "{" in rest or "}" in rest:
        raise ValidationError("Only {paper} and {date} can be filled in; remove other braces.")


class SiteSettings(models.Model):
    """The one row of site-wide settings editors change in the admin."""

    CACHE_KEY = "broadsheet:site-settings"

    site_name = models.CharField(max_length=100, default="The Broadsheet")
    paper_name = models.CharField(
        max_length=100, default="The Broadsheet", help_text="Named in the print-edition line."
    )
    print_edition_line = models.CharField(
        max_length=200,
        default="Published in {paper}, {date}.",
        validators=[validate_print_edition_line],
        help_text="Shown under articles that also ran in print. {paper} is the paper's name, "
        '{date} the print date written like "July 22nd, 2014".',
    )
    max_comment_length = models.PositiveIntegerField(
        default=1500, validators=[MinValueValidator(50), MaxValueValidator(20000)]
    )
    max_reply_depth = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="Replies deeper than this stay at the last level.",
    )
    threads_per_page = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    close_comments_after_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Close comments automatically this many days after publication. "
        "Leave empty to keep them open.",
    )
    comments_per_minute = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(1)],
        help_text="How many comments one IP address or one email may post per minute.",
    )
    moderation_policy = models.CharField(
        max_length=20, choices=ModerationPolicy.choices, default=ModerationPolicy.PREMODERATE
    )
    commenting = models.CharField(
        max_length=20, choices=Commenting.choices, default=Commenting.ANYONE,
        help_text="Who may comment; a section can override it.",
    )
    abuse_hold_threshold = models.FloatField(null=True, blank=True)
    abuse_reject_threshold = models.FloatField(null=True, blank=True)
    spam_hold_threshold = models.FloatField(null=True, blank=True)
    spam_reject_threshold = models.FloatField(null=True, blank=True)
    relevance_hold_threshold = models.FloatField(null=True, blank=True)
    # Trust (moderation/trust.py); a section may override each.
    trust_hold_first = models.PositiveSmallIntegerField(
        default=0,
        help_text="Hold every comment of a commenter's first this many for a moderator, "
        "whatever the automatic reader says (0: off).",
    )
    trust_publish_after = models.PositiveSmallIntegerField(
        default=0,
        help_text="In the auto and postmoderate policies, publish at once the comments of an "
        "account with this many approved since its last rejection (0: off).",
    )
    trust_clean_days = models.PositiveSmallIntegerField(
        default=30,
        help_text="…and no rejection in this many days. A rejection starts the count again.",
    )

    class Meta:
        verbose_name = "site settings"
        verbose_name_plural = "site settings"

    def __str__(self) -> str:
        return "Site settings"

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)
        cache.delete(self.CACHE_KEY)

    def print_edition_text(self, printed_on: date) -> str:
        # The editors' wording is in the site's first language, so the month is too, whatever
        # language the reader's interface is in.
        with translation.override(settings.LANGUAGE_CODE):
            printed = date_format(printed_on, "F jS, Y")
        return self.print_edition_line.replace("{paper}", self.paper_name).replace(
            "{date}", printed
        )

    @classmethod
    def load(cls) -> SiteSettings:
        current = cache.get(cls.CACHE_KEY)
        if current is None:
            current, _ = cls.objects.get_or_create(pk=1)
            cache.set(cls.CACHE_KEY, current, 60)
        return current


class Page(models.Model):
    """A page editors write, such as the Comments FAQ."""

    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown.")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("core:page", args=[self.slug])


class Profile(models.Model):
    """Extra public facts about an account, such as a verified organisation label."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField(max_length=100, blank=True)
    verified_label = models.CharField(
        max_length=150,
        blank=True,
        help_text='Shown beside the name, e.g. "Digital Engagement Team, The Broadsheet".',
    )

    def __str__(self) -> str:
        return self.display_name or self.user.get_username()


class RateCounter(models.Model):
    """One client's hits in one rate-limit scope: this period's count and the one before.

    Kept in the database (when Redis is not configured) rather than in the per-process cache:
    counts are shared by every worker process, and pages filling the cache cannot evict them.
    """

    key = models.CharField(max_length=100, unique=True)
    period = models.BigIntegerField(help_text="The fixed window counted, as a number since 1970.")
    count = models.PositiveIntegerField(default=0)
    previous = models.PositiveIntegerField(default=0, help_text="The period before's count.")
    expires_at = models.FloatField(db_index=True, help_text="Seconds since 1970.")

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
