from django.contrib import admin

from broadsheet.notifications.models import Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The emails sent and waiting, to answer "did the reader get it?"; read-only."""

    list_display = ["created_at", "kind", "to_address", "state", "attempts", "last_error"]
    list_filter = ["state", "kind"]
    search_fields = ["to_address", "subject"]
    readonly_fields = [field.name for field in Notification._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "approved", "not_published", "replies", "updated_at"]
    search_fields = ["user__username", "user__email", "email_key"]
    raw_id_fields = ["user"]
