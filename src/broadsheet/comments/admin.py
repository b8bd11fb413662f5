from django.contrib import admin

from broadsheet.comments.models import Comment, Report
from broadsheet.core.admin import SiteTimeZoneNoted


@admin.register(Comment)
class CommentAdmin(SiteTimeZoneNoted, admin.ModelAdmin):
    list_display = ["author_name", "article", "status", "submitted_at"]
    list_filter = ["status"]
    search_fields = ["author_name", "text"]
    raw_id_fields = ["article", "parent", "thread_root", "user"]
    readonly_fields = ["status", "decided_at", "rejection_reason", "scores", "reasons"]

    def has_add_permission(self, request):
        return False


@admin.register(Report)
class ReportAdmin(SiteTimeZoneNoted, admin.ModelAdmin):
    list_display = ["comment", "reason", "created_at", "resolved_at"]
    raw_id_fields = ["comment", "reporter"]
