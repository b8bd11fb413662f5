from django.conf import settings
from django.contrib import admin
from django.db import models

from broadsheet.core.models import Page, Profile, SiteSettings


def time_zone_note() -> str:
    return f"Times are in {settings.TIME_ZONE} (the site's TIME_ZONE setting)."


class SiteTimeZoneNoted:
    """A ModelAdmin mixin: every time field says which time zone it is in."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(db_field, models.DateTimeField):
            formfield.help_text = " ".join(filter(None, [formfield.help_text, time_zone_note()]))
        return formfield


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    fieldsets = [
        ("Site", {"fields": ["site_name", "paper_name", "print_edition_line"]}),
        (
            "Comments",
            {
                "fields": [
                    "max_comment_length", "max_reply_depth", "threads_per_page",
                    "close_comments_after_days", "comments_per_minute", "commenting",
                ]
            },
        ),
        (
            "Moderation policy",
            {
                "fields": [
                    "moderation_policy", "abuse_hold_threshold", "abuse_reject_threshold",
                    "spam_hold_threshold", "spam_reject_threshold", "relevance_hold_threshold",
                ],
                "description": "Leave a threshold empty to use the tuned default.",
            },
        ),
        (
            "Trust",
            {
                "fields": ["trust_hold_first", "trust_publish_after", "trust_clean_days"],
                "description": "Rules by the commenter's record; sections may override them.",
            },
        ),
    ]

    def has_add_permission(self, request):
        return not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "updated_at"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "display_name", "verified_label"]
    search_fields = ["user__username", "display_name", "verified_label"]
