from django.contrib import admin

from broadsheet.core.admin import SiteTimeZoneNoted
from broadsheet.moderation.models import (
    Ban,
    BlockedDomain,
    Decision,
    RejectionReason,
    WordListEntry,
)


@admin.register(RejectionReason)
class RejectionReasonAdmin(admin.ModelAdmin):
    list_display = ["label", "slug", "position", "active"]
    list_editable = ["position", "active"]
    prepopulated_fields = {"slug": ["label"]}


@admin.register(WordListEntry)
class WordListEntryAdmin(admin.ModelAdmin):
    list_display = ["phrase", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["phrase"]


@admin.register(BlockedDomain)
class BlockedDomainAdmin(admin.ModelAdmin):
    search_fields = ["domain"]


@admin.register(Ban)
class BanAdmin(SiteTimeZoneNoted, admin.ModelAdmin):
    list_display = ["email", "user", "ip_hash", "expires_at", "created_by", "created_at",
                    "lifted_at"]
    search_fields = ["email", "email_key", "user__username", "ip_hash"]
    # Derived from the email on every save.
    readonly_fields = ["email_key"]


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["comment", "actor_name", "action", "reason", "created_at"]
    list_filter = ["action", "reason"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
